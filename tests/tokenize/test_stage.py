"""The tokenize stage end to end on a real curated workspace: the WS/tokens/ contract and the ledger."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from tokenizers import Tokenizer

from clearlm.ledger import Ledger
from clearlm.ledger.query import run_sql
from clearlm.runner import run_stages
from tests.tokenize.corpus import TokenizeRun, make_config

DATA_STAGES = ["ingest", "clear", "curate", "tokenize"]


def _index(ws: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(ws / "tokens" / "index.parquet").to_pylist()
    return rows


def _manifest(ws: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ws / "tokens" / "manifest.json").read_text())
    return data


def test_files_follow_the_contract(tokenized: TokenizeRun) -> None:
    ws = tokenized()
    tokens = ws / "tokens"
    manifest = _manifest(ws)
    schema = pq.read_schema(tokens / "index.parquet")
    assert [(f.name, str(f.type)) for f in schema] == [
        ("shard", "int32"),
        ("start", "int64"),
        ("length", "int64"),
        ("doc_id", "string"),
        ("split", "string"),
        ("repeat", "int32"),
        ("source", "string"),
        ("group", "string"),
        ("license", "string"),
        ("content_sha256", "string"),
    ]
    assert manifest["format"] == "clearlm-tokens-v1" and manifest["dtype"] == "uint16"
    tokenizer = Tokenizer.from_file(str(tokens / "tokenizer.json"))
    assert manifest["vocab_size"] == tokenizer.get_vocab_size() <= 400
    assert [manifest["bos_id"], manifest["eos_id"], manifest["pad_id"]] == [0, 1, 2]
    assert (
        manifest["tokenizer_sha256"] == hashlib.sha256((tokens / "tokenizer.json").read_bytes()).hexdigest()
    )
    assert manifest["index_sha256"] == hashlib.sha256((tokens / "index.parquet").read_bytes()).hexdigest()
    assert manifest["ledger_head"] == Ledger(ws / "ledger").head().row_hash
    config = json.loads((tokens / "tokenizer_config.json").read_text())
    assert config["tokenizer_class"] == "PreTrainedTokenizerFast" and config["add_bos_token"] is False
    assert (config["bos_token"], config["eos_token"], config["pad_token"]) == (
        "<|bos|>",
        "<|eos|>",
        "<|pad|>",
    )

    index = _index(ws)
    assert [(r["shard"], r["start"]) for r in index] == sorted((r["shard"], r["start"]) for r in index)
    shards = manifest["shards"]
    for number, shard in enumerate(shards):
        data = (tokens / shard["file"]).read_bytes()
        assert shard["file"] == f"shard-{number:05d}.bin"
        assert hashlib.sha256(data).hexdigest() == shard["sha256"]
        ids = np.frombuffer(data, dtype="<u2")
        rows = [r for r in index if r["shard"] == number]
        # The rows tile the shard exactly: every token belongs to one document copy, none is left over.
        assert [r["start"] for r in rows] == list(np.cumsum([0] + [r["length"] for r in rows[:-1]]))
        assert sum(r["length"] for r in rows) == len(ids) == shard["tokens"]
        assert {r["split"] for r in rows} == {shard["split"]}
        assert len(ids) <= 1500 or len(rows) == 1
    splits = [s["split"] for s in shards]
    assert splits == sorted(splits, key=lambda s: s != "train"), "train shards come first"


def test_every_range_decodes_to_its_curated_document(tokenized: TokenizeRun) -> None:
    ws = tokenized()
    tokenizer = Tokenizer.from_file(str(ws / "tokens" / "tokenizer.json"))
    _, curated = run_sql(ws, "SELECT doc_id, text, content_sha256 FROM curate")
    texts = {doc_id: (text, sha) for doc_id, text, sha in curated}
    index = _index(ws)
    assert {r["doc_id"] for r in index} == set(texts)
    for row in index:
        ids = np.fromfile(ws / "tokens" / f"shard-{row['shard']:05d}.bin", dtype="<u2")
        piece = ids[row["start"] : row["start"] + row["length"]]
        assert piece[0] == 0 and piece[-1] == 1, "each document is [bos] … [eos]"
        text, sha = texts[str(row["doc_id"])]
        assert tokenizer.decode(piece[1:-1].tolist(), skip_special_tokens=False) == text
        assert row["content_sha256"] == sha
    groups = {r["group"] for r in index}
    assert groups == {"corpus", "corpus/books", "corpus/web"}
    assert {r["license"] for r in index} == {"CC0-1.0", "CC-BY-4.0"}


def test_each_step_writes_one_ledger_event_per_document(tokenized: TokenizeRun) -> None:
    ws = tokenized()
    _, rows = run_sql(
        ws,
        "SELECT step, decision, count(*) FROM ledger WHERE stage = 'tokenize' GROUP BY ALL ORDER BY ALL",
    )
    _, n = run_sql(ws, "SELECT count(*) FROM curate")
    steps = ["mixture", "revoked", "split", "tokenize"]
    assert rows == [(step, "keep", n[0][0]) for step in steps]
    _, evidence = run_sql(
        ws,
        """SELECT l.evidence, t.meta FROM ledger l JOIN tokenize t USING (doc_id)
           WHERE l.stage = 'tokenize' AND l.step = 'tokenize'""",
    )
    for event, meta in evidence:
        assert json.loads(event)["tokens"] == json.loads(meta)["tokens"] > 2
    assert Ledger(ws / "ledger").verify().rows > 0


def test_heldout_documents_are_never_in_training_shards(tokenized: TokenizeRun) -> None:
    ws = tokenized()
    split = {r["doc_id"]: r["split"] for r in pq.read_table(ws / "stages/tokenize/split.parquet").to_pylist()}
    heldout = {d for d, s in split.items() if s == "heldout"}
    assert len(heldout) == round(0.2 * len(split))
    index = _index(ws)
    assert {r["doc_id"] for r in index if r["split"] == "train"}.isdisjoint(heldout)
    assert {r["doc_id"] for r in index if r["split"] == "heldout"} == heldout
    manifest = _manifest(ws)
    assert manifest["splits"]["heldout"]["docs"] == len(heldout)


def test_two_workspaces_give_identical_tokens(
    tokenized: TokenizeRun, curated: tuple[Path, Path], tmp_path: Path
) -> None:
    first = tokenized()
    # A second workspace of the same corpus, built from scratch with one worker instead of two.
    second = tmp_path / "second"
    run_stages(make_config(curated[0], "executor.workers=1"), second, DATA_STAGES)

    def contents(ws: Path) -> dict[str, bytes]:
        return {
            p.name: p.read_bytes() for p in sorted((ws / "tokens").iterdir()) if p.name != "manifest.json"
        }

    assert contents(first) == contents(second)
    one, two = _manifest(first), _manifest(second)
    # The ledger head differs (run ids and times are in the ledger rows); nothing else may.
    assert one.pop("ledger_head") != two.pop("ledger_head")
    assert one == two


def test_rerun_is_a_no_op_and_other_settings_are_refused(tokenized: TokenizeRun) -> None:
    import pytest

    from clearlm.errors import WorkspaceError

    ws = tokenized()
    before = {p.name: p.stat().st_mtime_ns for p in (ws / "tokens").iterdir()}
    tokenized()
    assert {p.name: p.stat().st_mtime_ns for p in (ws / "tokens").iterdir()} == before
    with pytest.raises(WorkspaceError, match=r"other settings \(shard_tokens\)"):
        tokenized("tokenize.shard_tokens=99")
