"""`TraceIndex` on a real tokenized workspace: passages, invented text, held-out data, stale shards."""

from __future__ import annotations

import hashlib
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pyarrow.parquet as pq
import pytest

from clearlm.audit.trace_index import TraceIndex
from clearlm.errors import WorkspaceError

INVENTED = "Quixotic zebras jazz by the fjord, quickly vexing jumpy oxen at Qatar's zoo."


@pytest.fixture()
def ws(tokenized_ws: Path, tmp_path: Path) -> Path:
    # A copy: the index is written under WS/tokens/, and other tests share the session workspace.
    copy = tmp_path / "ws"
    shutil.copytree(tokenized_ws, copy)
    return copy


def index_rows(ws: Path, split: str) -> list[dict[str, object]]:
    rows = pq.read_table(ws / "tokens" / "index.parquet").to_pylist()
    return [r for r in rows if r["split"] == split]


def passage_of(row: dict[str, object]) -> str:
    """300 characters from the middle of the document's original file (its `file://` source)."""
    text = Path(unquote(urlparse(str(row["source"])).path)).read_text(encoding="utf-8")
    return text[100:400]


def test_passage_from_a_training_document_names_it(ws: Path) -> None:
    row = index_rows(ws, "train")[3]
    result = TraceIndex.open(ws).trace("The model wrote: " + passage_of(row) + " Then it stopped.")
    assert result.spans, "a copied passage must be found"
    top = result.spans[0]
    assert top.length >= 50 and top.occurrences == 1 and top.split == "train"
    assert top.text in passage_of(row) and len(top.text) > 250
    assert result.text[top.char_start : top.char_end] == top.text
    [doc] = top.docs
    assert (doc.doc_id, doc.source, doc.split) == (row["doc_id"], row["source"], "train")
    assert doc.license == row["license"] and doc.license in ("CC0-1.0", "CC-BY-4.0")
    assert doc.decision == "allow" and doc.reasons and doc.reasons[0].startswith("license.")
    assert not doc.revoked


def test_invented_sentence_has_no_span(ws: Path) -> None:
    result = TraceIndex.open(ws).trace(INVENTED)
    assert result.spans == [] and result.heldout_spans == []
    assert result.tokens > 20


def test_heldout_passage_is_not_reported_as_training_data(ws: Path) -> None:
    train_ids = {r["doc_id"] for r in index_rows(ws, "train")}
    row = index_rows(ws, "heldout")[0]
    result = TraceIndex.open(ws).trace(passage_of(row))
    assert all(d.doc_id in train_ids and d.split == "train" for s in result.spans for d in s.docs)
    assert all(s.length < 30 for s in result.spans)  # at most a chance run of common words
    [top, *_] = result.heldout_spans
    assert top.length >= 50 and top.split == "heldout"
    assert [d.doc_id for d in top.docs] == [row["doc_id"]] and top.docs[0].split == "heldout"
    without = TraceIndex.open(ws).trace(passage_of(row), include_heldout=False)
    assert without.heldout_spans == []


def test_common_spans_are_dropped(ws: Path) -> None:
    # Every CC0 document ends with the same dedication: found many times, so not a quotation.
    notice = "This text is dedicated to the public domain under CC0 1.0 Universal."
    index = TraceIndex.open(ws)
    assert index.trace(notice).spans != []
    result = index.trace(notice, max_occurrences=2)
    assert result.spans == [] and result.dropped_common >= 1


def test_index_is_reused_and_a_half_built_one_resumed(ws: Path) -> None:
    first = TraceIndex.open(ws)
    assert first.build_report.built == ("train", "heldout")
    assert TraceIndex.open(ws) is first  # cached in memory
    TraceIndex._cache.clear()
    assert TraceIndex.open(ws).build_report.built == ()  # from disk, nothing rebuilt
    # A build killed after the train split: no manifest, the held-out array never written.
    trace = ws / "tokens" / "trace"
    (trace / "manifest.json").unlink()
    (trace / "heldout.sa.npy").unlink()
    report = TraceIndex.open(ws).build_report
    assert report.built == ("heldout",)


def test_stale_index_is_rebuilt_after_shards_change(ws: Path) -> None:
    row = index_rows(ws, "train")[0]
    passage = passage_of(row)
    assert TraceIndex.open(ws).trace(passage).spans[0].docs[0].doc_id == row["doc_id"]
    # Re-tokenized data: the first shard's document bodies reversed (bos/eos and index kept).
    tokens_dir = ws / "tokens"
    manifest = json.loads((tokens_dir / "manifest.json").read_text())
    shard = tokens_dir / manifest["shards"][0]["file"]
    ids = np.fromfile(shard, dtype="<u2")
    for r in index_rows(ws, "train"):
        if r["shard"] == 0:
            a, b = int(r["start"]) + 1, int(r["start"]) + int(r["length"]) - 1  # type: ignore[call-overload]
            ids[a:b] = ids[a:b][::-1].copy()
    shard.write_bytes(ids.tobytes())
    manifest["shards"][0]["sha256"] = hashlib.sha256(ids.tobytes()).hexdigest()
    (tokens_dir / "manifest.json").write_text(json.dumps(manifest))
    index = TraceIndex.open(ws)
    assert index.build_report.built == ("train",) and "re-tokenized" in str(index.build_report.reason)
    assert all(s.length < 30 for s in index.trace(passage).spans)


def test_shard_edited_behind_the_manifest_is_refused(ws: Path) -> None:
    TraceIndex.open(ws)
    shard = ws / "tokens" / "shard-00000.bin"
    data = bytearray(shard.read_bytes())
    data[10] ^= 1
    shard.write_bytes(bytes(data))
    with pytest.raises(WorkspaceError, match="SHA-256 differs"):
        TraceIndex.open(ws)


def test_concurrent_traces_agree(ws: Path) -> None:
    index = TraceIndex.open(ws)
    texts = [passage_of(r) for r in index_rows(ws, "train")[:4]] * 4
    expected = [index.trace(t).to_dict()["spans"] for t in texts]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda t: index.trace(t).to_dict()["spans"], texts))
    assert got == expected
