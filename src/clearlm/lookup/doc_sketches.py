"""The documents a lookup index holds, and their MinHash signatures, sketched like curation's.

Indexed are curate_prep's texts (already through html/boilerplate/normalize) and then every ingested
text document it lacks, prepared here the same way; robots.txt bodies are left out. Signatures of
documents whose text is unchanged since the previous index are carried over rather than sketched again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from numpy.typing import NDArray

from clearlm.curate.config import CurateConfig
from clearlm.lookup.near import NearSettings, Sketcher, TextPreparer

_BATCH_CHARS, _BATCH_DOCS = 4 << 20, 4096  # texts sketched per numpy call, as curation's dedup does


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
