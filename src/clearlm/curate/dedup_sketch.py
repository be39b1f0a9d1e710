"""Dedup's first pass: every document's id and sketch, read from a stage's parts in (part, row) order.

A part is read once (`doc_id` and `text` only) and sketched a batch of texts at a time
(`clearlm.curate.minhash.sketch`); parts go to `workers` forked processes when there are several,
and their results are copied, in part order, into arrays allocated once for the whole stage. So the
sketches, and everything dedup decides from them, never depend on `workers`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from clearlm.curate import minhash
from clearlm.curate.config import DedupConfig

_READ_ROWS = 64  # rows decoded at a time (64 books are 20-60 MB)
# Texts hashed together: up to a thousand web pages share each numpy call, and the per-batch
# (docs × 112) signature buffers stay a few MB.
_BATCH_BYTES, _BATCH_DOCS = 4 << 20, 4096


def _batches(path: Path) -> Iterator[tuple[list[str], list[str]]]:
    """(doc ids, texts) of a part in row order, about `_BATCH_BYTES` or `_BATCH_DOCS` at a time."""
    ids: list[str] = []
    texts: list[str] = []
    size = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=_READ_ROWS, columns=["doc_id", "text"]):
        for doc_id, text in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
            ids.append(doc_id)
            texts.append(text)
            size += len(text)
            if size >= _BATCH_BYTES or len(texts) >= _BATCH_DOCS:
                yield ids, texts
                ids, texts, size = [], [], 0
    if texts:
        yield ids, texts


_Sketched = list[tuple[pa.Array, minhash.Sketch]]


def _sketch_part(job: tuple[Path, DedupConfig]) -> _Sketched:
    """Doc ids, exact keys and signatures of one part's documents, a batch of texts at a time."""
    path, config = job
    hasher = minhash.MinHasher(config.bands * config.rows, config.seed) if config.near else None
    return [
        (pa.array(ids, pa.string()), minhash.sketch(texts, config.ngram, hasher))
        for ids, texts in _batches(path)
    ]


def sketch_all(
    parts: list[Path], config: DedupConfig, workers: int
) -> tuple[pa.ChunkedArray, minhash.Sketch]:
    """Every document's id and sketch, in (part, row) order, in arrays allocated once."""
    jobs = [(Path(p), config) for p in parts]
    total = sum(pq.ParquetFile(p).metadata.num_rows for p, _ in jobs)
    width = config.bands * config.rows if config.near else 0
    out = minhash.Sketch(
        keys=np.zeros((total, 32), dtype=np.uint8),
        words=np.zeros(total, dtype=np.int64),
        sizes=np.zeros(total, dtype=np.int64),
        signatures=np.zeros((total, width), dtype=np.uint64),
    )
    ids, row = [], 0
    with contextlib.ExitStack() as stack:
        done: Iterator[_Sketched] = map(_sketch_part, jobs)
        if workers > 1 and len(jobs) > 1:
            # fork, as the executor does: workers inherit the imported modules. imap keeps part order.
            pool = stack.enter_context(multiprocessing.get_context("fork").Pool(min(workers, len(jobs))))
            done = pool.imap(_sketch_part, jobs)
        for part in done:
            for batch_ids, sketch in part:
                end = row + len(batch_ids)
                out.keys[row:end], out.words[row:end] = sketch.keys, sketch.words
                out.sizes[row:end], out.signatures[row:end] = sketch.sizes, sketch.signatures
                ids.append(batch_ids)
                row = end
    return pa.chunked_array(ids, pa.string()), out
