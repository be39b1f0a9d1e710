"""WS/lookup/ on disk: what the index files are, when they are stale, and how they are written.

    meta.json            {"format", "key", "ledger_head": {"seq", "row_hash"}, "documents"}
    docs.parquet         doc_id, text_sha256 (of the text sketched), shingles: one row per document
    signatures.npy       MinHash signatures in docs.parquet's row order; band_keys.npy, band_rows.npy
    exact_keys.npy       sorted SHA-256 (hex) of every ingest/clear/curate ledger row's content
    exact_docs.parquet   the doc_id of each exact key

The key holds every setting that changes a signature; the head is the ledger's when the files were
last made current. Only ingest, clear and curate rows change what the files hold (the documents,
their texts, the content hashes); later events (tokenize, revoke, a review request) move the head
without a rebuild, because a lookup reads decisions, revocations and releases live. A rebuild
carries over the signatures of documents whose text is unchanged.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from clearlm.atomic import atomic_open
from clearlm.curate.config import CurateConfig
from clearlm.ledger.query import connect
from clearlm.lookup.near import (
    SIGNATURES,
    TEXT_STEPS,
    BandIndex,
    NearSettings,
    Sketcher,
    TextPreparer,
    text_steps,
)

FORMAT = 1
META, DOCS, EXACT_KEYS, EXACT_DOCS = "meta.json", "docs.parquet", "exact_keys.npy", "exact_docs.parquet"
INDEXED_STAGES = ("ingest", "clear", "curate")
_BATCH_CHARS, _BATCH_DOCS = 4 << 20, 4096  # texts sketched per numpy call, as curation's dedup does
# Every content hash the stages in INDEXED_STAGES recorded, with its document.
_EXACT_SQL = """
SELECT DISTINCT content_sha256, doc_id FROM ledger
WHERE stage IN ('ingest', 'clear', 'curate') AND content_sha256 IS NOT NULL
ORDER BY content_sha256, doc_id
"""


def index_key(config: CurateConfig) -> dict[str, Any]:
    """Everything that changes a signature; an index made with another key is rebuilt."""
    return {
        "format": FORMAT,
        "near": NearSettings.from_curate(config).to_dict(),
        "steps": text_steps(config),
        **{name: asdict(getattr(config, name)) for name in TEXT_STEPS},
    }


@dataclass(frozen=True)
class Sketched:
    """Every indexed document of a workspace: ids, hashes of the texts sketched, signatures, sizes."""

    doc_ids: list[str]
    text_sha256: list[str]
    signatures: NDArray[np.uint64]
    sizes: NDArray[np.int64]  # distinct shingles; 0 for a text without words
    reused: int  # signatures carried over from the previous index


@dataclass(frozen=True)
class _Part:
    path: Path
    rows: list[int]  # rows of the part to index, ascending
    doc_ids: list[str]
    text_sha256: list[str]
    mimes: list[str]  # "" for a curate_prep text, which is prepared already


def _plan(ws_root: Path) -> list[_Part]:
    """The documents to index, part by part: curate_prep's first, then ingested ones it lacks."""
    plan: list[_Part] = []
    seen: set[str] = set()
    for stage in ("curate_prep", "ingest"):
        prepared = stage == "curate_prep"
        for path in sorted((ws_root / "stages" / stage).glob("part-*.parquet")):
            cols = ["doc_id", "content_sha256", "mime"] + ([] if prepared else ["kind"])
            meta = pq.read_table(path, columns=cols).to_pydict()
            ids = meta["doc_id"]
            # robots.txt bodies (kind "robots") are clearance evidence, not works.
            rows = [i for i, d in enumerate(ids) if d not in seen and (prepared or meta["kind"][i] == "text")]
            seen.update(ids[i] for i in rows)
            shas = [meta["content_sha256"][i] for i in rows]
            plan.append(
                _Part(
                    path,
                    rows,
                    [ids[i] for i in rows],
                    shas,
                    ["" if prepared else meta["mime"][i] for i in rows],
                )
            )
    return plan


def _texts(path: Path, rows: list[int]) -> list[str]:
    """The texts at `rows` (ascending) of a part, decoded a batch at a time."""
    wanted, base = set(rows), 0
    out: list[str] = []
    if not rows:
        return out
    for batch in pq.ParquetFile(path).iter_batches(batch_size=256, columns=["text"]):
        out.extend(t for i, t in enumerate(batch.column(0).to_pylist(), start=base) if i in wanted)
        base += batch.num_rows
    return out


def sketch_documents(ws_root: Path, config: CurateConfig, previous: dict[str, Any] | None) -> Sketched:
    """Signatures of every ingested text document; `previous` (doc_id, text_sha256, shingles and
    signatures columns of an index with the same settings) supplies those whose text is unchanged."""
    settings = NearSettings.from_curate(config)
    sketcher, preparer = Sketcher(settings), TextPreparer(config)
    plan = _plan(ws_root)
    ids = [d for part in plan for d in part.doc_ids]
    shas = [s for part in plan for s in part.text_sha256]
    signatures = np.zeros((len(ids), settings.permutations), dtype=np.uint64)
    sizes = np.zeros(len(ids), dtype=np.int64)
    done = np.zeros(len(ids), dtype=bool)
    if previous is not None:
        old = {
            key: row for row, key in enumerate(zip(previous["doc_id"], previous["text_sha256"], strict=True))
        }
        pairs = [(new, old.get(key)) for new, key in enumerate(zip(ids, shas, strict=True))]
        found = np.array([(n, o) for n, o in pairs if o is not None], dtype=np.int64).reshape(-1, 2)
        signatures[found[:, 0]] = previous["signatures"][found[:, 1]]
        sizes[found[:, 0]] = np.asarray(previous["shingles"], dtype=np.int64)[found[:, 1]]
        done[found[:, 0]] = True
    slot = 0
    for part in plan:
        todo = [k for k in range(len(part.rows)) if not done[slot + k]]
        batch: list[tuple[int, str]] = []
        chars = 0
        for k, text in zip(todo, _texts(part.path, [part.rows[k] for k in todo]), strict=True):
            batch.append((slot + k, preparer.prepare(text, part.mimes[k]) if part.mimes[k] else text))
            chars += len(batch[-1][1])
            if len(batch) >= _BATCH_DOCS or chars >= _BATCH_CHARS:
                _sketch_into(sketcher, batch, signatures, sizes)
                batch, chars = [], 0
        _sketch_into(sketcher, batch, signatures, sizes)
        slot += len(part.rows)
    return Sketched(ids, shas, signatures, sizes, int(done.sum()))


def _sketch_into(
    sketcher: Sketcher, batch: list[tuple[int, str]], signatures: NDArray[np.uint64], sizes: NDArray[np.int64]
) -> None:
    if batch:
        slots = np.array([s for s, _ in batch], dtype=np.int64)
        signatures[slots], sizes[slots] = sketcher.sketch([t for _, t in batch])


def write_index(
    ws_root: Path, folder: Path, config: CurateConfig, previous: dict[str, Any] | None
) -> tuple[int, int]:
    """Write every index file for the workspace as it is now; returns (documents, signatures reused)."""
    settings = NearSettings.from_curate(config)
    sketched = sketch_documents(ws_root, config, previous)
    BandIndex.build(settings, sketched.signatures, sketched.sizes).save(folder)
    docs = pa.table(
        {
            "doc_id": pa.array(sketched.doc_ids, pa.string()),
            "text_sha256": pa.array(sketched.text_sha256, pa.string()),
            "shingles": sketched.sizes,
        }
    )
    with atomic_open(folder / DOCS) as fh:
        pq.write_table(docs, fh)
    con = connect(ws_root)
    try:
        exact: pa.Table = con.sql(_EXACT_SQL).to_arrow_table()
    finally:
        con.close()
    with atomic_open(folder / EXACT_KEYS) as fh:
        np.save(fh, np.array(exact["content_sha256"].to_pylist(), dtype="S64").reshape(-1))
    with atomic_open(folder / EXACT_DOCS) as fh:
        pq.write_table(exact.select(["doc_id"]), fh)
    return len(sketched.doc_ids), sketched.reused


def read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def config_stamp(ws_root: Path) -> tuple[int, int] | None:
    """When and how big clearlm.toml is: a change means re-reading the settings."""
    try:
        stat = (ws_root / "clearlm.toml").stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _stages_since(ws_root: Path, old: dict[str, Any]) -> list[str] | None:
    """The stages of the ledger rows after `old` head; None when the ledger no longer holds that head."""
    con = connect(ws_root)
    try:
        seq = int(old.get("seq", 0))
        row = con.execute("SELECT row_hash FROM ledger WHERE seq = ?", [seq]).fetchone()
        if seq and (row is None or row[0] != old.get("row_hash")):
            return None
        return [
            r[0] for r in con.execute("SELECT DISTINCT stage FROM ledger WHERE seq > ?", [seq]).fetchall()
        ]
    finally:
        con.close()


def stale_reason(
    ws_root: Path, meta: dict[str, Any] | None, head: dict[str, Any], key: dict[str, Any]
) -> str | None:
    """Why the index must be rebuilt, or None when it still holds what the ledger says.

    Only ingest, clear and curate rows change what the index holds (the documents, their texts, the
    content hashes); events after them (tokenize, revoke, a review request) are read live at query
    time, so they move the head the index is keyed by without a rebuild.
    """
    if meta is None:
        return "no index yet"
    if meta.get("key") != key:
        return "settings changed"
    old = dict(meta.get("ledger_head") or {})
    if old == head:
        return None
    stages = _stages_since(ws_root, old)
    if stages is None:
        return f"the ledger no longer holds the indexed head (seq {old.get('seq')})"
    touched = sorted(set(stages) & set(INDEXED_STAGES))
    if touched:
        return f"ledger head moved: {', '.join(touched)} events since seq {old.get('seq')}"
    return None


def read_previous(folder: Path, meta: dict[str, Any] | None, key: dict[str, Any]) -> dict[str, Any] | None:
    """The old index's doc ids, text hashes, shingle counts and signatures, when they still count."""
    if meta is None or meta.get("key") != key or not meta.get("documents"):
        return None
    try:
        docs: dict[str, Any] = pq.read_table(folder / DOCS).to_pydict()
        docs["signatures"] = np.load(folder / SIGNATURES, mmap_mode="r")
    except (OSError, ValueError, pa.ArrowException):
        return None  # damaged or half-written: build from scratch
    return docs
