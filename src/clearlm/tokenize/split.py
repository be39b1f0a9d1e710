"""The driver's pre-pass over the curated corpus: who is held out, and what the tokenizer learns from.

    stages/tokenize/split.parquet   doc_id, split ("train" | "heldout"), sorted by doc_id

Held-out documents are chosen by a seeded hash of their id, never by where they sit in the input, so
they are a random sample across sources and the same seed always holds out the same documents. The
file is written once, atomically, and reused on resume.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from clearlm.atomic import atomic_open
from clearlm.errors import WorkspaceError
from clearlm.pipeline.executor import COMPLETE
from clearlm.tokenize.config import TokenizeConfig
from clearlm.tokenize.groups import source_group

SOURCE_STAGE = "curate"
SPLIT_FILE = "split.parquet"
TRAIN = "train"
HELDOUT = "heldout"
SPLIT_SCHEMA = pa.schema([pa.field("doc_id", pa.string(), False), pa.field("split", pa.string(), False)])


@dataclass(frozen=True)
class CorpusIndex:
    """One row per curated document (no text): enough to split, pick training text, check weights."""

    parts: list[Path]
    # Columns: doc_id, part (index into `parts`), text_bytes, group, license.
    table: pa.Table


def curated_parts(ws_root: Path) -> list[Path]:
    """The parts of the curated corpus; the curate stage must have completed."""
    stage_dir = ws_root / "stages" / SOURCE_STAGE
    if not (stage_dir / COMPLETE).is_file():
        raise WorkspaceError(f"stage '{SOURCE_STAGE}' has not completed; run it first", stage_dir)
    return sorted(stage_dir.glob("part-*.parquet"))


def read_corpus_index(ws_root: Path, input_roots: list[str], exclude: set[str] | None = None) -> CorpusIndex:
    """Read every curated part once, one row group at a time; texts are measured, not kept.

    Documents in `exclude` (revoked ones) are left out, as if curation had never kept them.
    """
    parts = curated_parts(ws_root)
    chunks: list[pa.Table] = []
    for number, path in enumerate(parts):
        parquet = pq.ParquetFile(path)
        for group in range(parquet.num_row_groups):
            rows = parquet.read_row_group(group, columns=["doc_id", "source", "text", "meta"])
            if exclude:
                rows = rows.filter(
                    pc.invert(pc.is_in(rows["doc_id"], pa.array(sorted(exclude), pa.string())))
                )
            licenses = [_license(meta) for meta in rows["meta"].to_pylist()]
            groups = [source_group(src, input_roots) for src in rows["source"].to_pylist()]
            chunks.append(
                pa.table(
                    {
                        "doc_id": rows["doc_id"].cast(pa.string()),
                        "part": pa.array([number] * rows.num_rows, pa.int32()),
                        "text_bytes": pc.binary_length(rows["text"]).cast(pa.int64()),
                        "group": pa.array(groups, pa.string()),
                        "license": pa.array(licenses, pa.string()),
                    }
                )
            )
    if not chunks:
        empty = {"doc_id": pa.string(), "part": pa.int32(), "text_bytes": pa.int64()}
        schema = pa.schema([*empty.items(), ("group", pa.string()), ("license", pa.string())])
        return CorpusIndex(parts, schema.empty_table())
    return CorpusIndex(parts, pa.concat_tables(chunks))


def _license(meta: str | None) -> str:
    value = json.loads(meta or "{}").get("license")
    return value if isinstance(value, str) else ""


def heldout_count(n_docs: int, config: TokenizeConfig) -> int:
    """max(heldout_min_docs, round(heldout_fraction × N)), but always leaving one document to train on."""
    if n_docs <= 1:
        return 0
    wanted = max(config.heldout_min_docs, round(config.heldout_fraction * n_docs))
    return max(0, min(wanted, n_docs - 1))


def split_rank_key(seed: int, doc_id: str) -> str:
    return hashlib.sha256(f"{seed}:heldout:{doc_id}".encode()).hexdigest()


def make_split(doc_ids: list[str], config: TokenizeConfig, seed: int) -> pa.Table:
    """The split of every document, sorted by doc_id: the first k by seeded hash are held out."""
    ranked = sorted(doc_ids, key=lambda d: (split_rank_key(seed, d), d))
    heldout = set(ranked[: heldout_count(len(doc_ids), config)])
    ordered = sorted(doc_ids)
    return pa.table(
        {"doc_id": ordered, "split": [HELDOUT if d in heldout else TRAIN for d in ordered]},
        schema=SPLIT_SCHEMA,
    )


def load_or_make_split(
    stage_dir: Path, corpus: CorpusIndex | None, config: TokenizeConfig, seed: int
) -> Path:
    """Reuse stages/tokenize/split.parquet, or write it (atomically) from `corpus`."""
    path = stage_dir / SPLIT_FILE
    if path.is_file():
        return path
    if corpus is None:
        raise RuntimeError("the corpus index is needed to make the held-out split")
    table = make_split(corpus.table["doc_id"].to_pylist(), config, seed)
    with atomic_open(path) as fh:
        pq.write_table(table, fh)
    return path


def heldout_ids(split_path: Path) -> frozenset[str]:
    table = pq.read_table(split_path, filters=[("split", "=", HELDOUT)], columns=["doc_id"])
    return frozenset(table["doc_id"].to_pylist())
