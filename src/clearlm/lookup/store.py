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
carries over the signatures of documents whose text is unchanged (`doc_sketches.sketch_documents`).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from clearlm.atomic import atomic_open
from clearlm.curate.config import CurateConfig
from clearlm.ledger.query import connect
from clearlm.lookup.doc_sketches import sketch_documents
from clearlm.lookup.near import SIGNATURES, TEXT_STEPS, BandIndex, NearSettings, text_steps

FORMAT = 1
META, DOCS, EXACT_KEYS, EXACT_DOCS = "meta.json", "docs.parquet", "exact_keys.npy", "exact_docs.parquet"
INDEXED_STAGES = ("ingest", "clear", "curate")
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
