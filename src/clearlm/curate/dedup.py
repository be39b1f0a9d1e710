"""Exact and near (MinHash + LSH) deduplication across every part of a stage, and the filter that drops.

`find_duplicates` reads the parts once (`doc_id` and `text` only), a batch of texts at a time:

1. sketch: a text's normalised words (`clearlm.curate.minhash`) give its exact key (SHA-256 of the
   word sequence) and the MinHash signature of its set of word 5-gram shingles: 112 universal hashes
   (14 bands × 8 rows). Parts are sketched in parallel with `workers`, results kept in part order
   (`clearlm.curate.dedup_sketch`).
2. exact: documents with equal keys are copies; the first in (part, row) order is kept.
3. near: the other documents' signatures are cut into bands; documents equal in a band share a
   bucket, and each member is paired with its bucket's first and previous member (2k pairs for a
   bucket of k, not k²). A pair is confirmed when the signatures agree on at least `threshold` of
   their values (the estimated Jaccard) and the set sizes allow it (see `_confirm`). Union-find joins
   confirmed pairs into clusters; in each, in document order, a document is dropped as a duplicate of
   the first kept member it matches, or else kept. So every drop names a kept document it matches,
   and in a chain a~b~c where c is far from a, c stays.
4. exact copies of a document that step 3 dropped follow it to the document it duplicates.

The result depends only on the parts, their order and the config, never on `workers`.

Memory grows linearly with the number of documents, about 1.2 KB each (the 896-byte signature, the
32-byte key, the id in Arrow, band keys), plus ~160 MB of working memory whatever the corpus size (a
batch of ≤ 4 MB of texts, its word and shingle arrays, hashing buffers) and 8 bytes per word, a few
times over, of the largest single document. Measured peak RSS above the process's baseline: the 150
Gutenberg books (51 MB), ~110 MB; 100,000 documents of 500 characters, +280 MB; 300,000 of 150
characters, +515 MB. So 1M documents need ~1.4 GB and 10M ~12 GB: one machine copes up to ~10^7.

Past one machine (datatrove's MinHash stages work this way): sketch parts in parallel and write,
per band, (band key, doc index) rows to bucket files sharded by key (e.g. key mod 64); each shard is
then sorted on its own to emit candidate pairs, pairs are confirmed by reading just those two
signatures and set sizes (stored as memory-mapped (docs × 112) uint64 and (docs,) files), and the
confirmed pairs — few, about one per duplicate — go to one union-find and the in-cluster pass. Memory
per worker is then a shard, not the corpus.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from clearlm.curate import minhash
from clearlm.curate.config import DedupConfig
from clearlm.curate.dedup_sketch import sketch_all
from clearlm.errors import ConfigError
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Drop, Filter, Keep, Verdict

DEDUP_EXACT = "dedup.exact"
DEDUP_NEAR = "dedup.near"
DEDUP_REASONS = {
    DEDUP_EXACT: "drop: the same words as an earlier document (case, punctuation, spacing, digits aside)",
    DEDUP_NEAR: "drop: a near copy of an earlier kept document (MinHash-estimated Jaccard ≥ threshold)",
}
DUPLICATES_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("dup_of", pa.string(), nullable=False),
        pa.field("jaccard", pa.float64(), nullable=False),
    ]
)
_KEEP, _EXACT, _NEAR = 0, 1, 2
_PAIR_CHUNK = 1 << 16  # candidate pairs confirmed per step (16 MB of signature rows)


def _check(config: DedupConfig) -> None:
    if config.ngram < 1 or config.bands < 1 or config.rows < 1:
        raise ConfigError("curate.dedup: ngram, bands and rows must be at least 1")
    if not 0.0 < config.threshold <= 1.0:
        raise ConfigError(f"curate.dedup.threshold: {config.threshold} is not in (0, 1]")


Confirmed = tuple[NDArray[np.float64], NDArray[np.bool_]]
Decisions = tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]  # dup_of, jaccard, reason


def _exact(keys: NDArray[np.uint8], has_words: NDArray[np.bool_], dup_of: NDArray[np.int64]) -> None:
    """Point every copy at the first document with its key."""
    rows = np.flatnonzero(has_words)
    if not len(rows):
        return
    _, first, inverse = np.unique(keys[rows], axis=0, return_index=True, return_inverse=True)
    dup_of[rows] = rows[first[inverse.ravel()]]


def _candidate_pairs(bucket_keys: NDArray[np.uint64]) -> NDArray[np.int64]:
    """Distinct pairs (i, j), i < j, sharing a bucket: each member with its bucket's first and previous."""
    found = []
    for band in bucket_keys.T:
        order = np.argsort(band, kind="stable")  # stable: a bucket's members stay in document order
        same = band[order][1:] == band[order][:-1]
        if not same.any():
            continue
        pos = np.arange(len(order))
        first = np.maximum.accumulate(np.where(np.concatenate(([False], same)), 0, pos))
        member = np.flatnonzero(same) + 1
        found.append(np.stack([order[first[member]], order[member]], axis=1))
        found.append(np.stack([order[member - 1], order[member]], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(found), axis=0)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # path halving
        i = parent[i]
    return i


def _confirm(
    sketch: minhash.Sketch, a: NDArray[np.int64], b: NDArray[np.int64], threshold: float
) -> Confirmed:
    """Estimated Jaccard of pairs (a[k], b[k]) and whether each pair counts as a near duplicate.

    Besides the estimate, a pair must pass the size filter of set-similarity joins: J(A, B) ≤
    min(|A|, |B|) / max(|A|, |B|), so sets too different in size cannot reach the threshold, however
    the estimate's noise falls (a text and its first three quarters: J ≤ 0.75, whatever MinHash says).
    """
    estimate = minhash.estimated_jaccard(sketch.signatures[a], sketch.signatures[b])
    small, large = np.minimum(sketch.sizes[a], sketch.sizes[b]), np.maximum(sketch.sizes[a], sketch.sizes[b])
    return estimate, (estimate >= threshold) & (small >= threshold * large)


def _near(sketch: minhash.Sketch, rows: NDArray[np.int64], config: DedupConfig, out: Decisions) -> None:
    """Mark near duplicates among `rows` (ascending), each pointing at a kept row it matches."""
    dup_of, jaccard, reason = out
    keys = minhash.band_keys(sketch.signatures, config.bands, config.rows)[rows]
    pairs = rows[_candidate_pairs(keys)]
    confirmed = [np.zeros((0, 2), dtype=np.int64)]
    for s in range(0, len(pairs), _PAIR_CHUNK):
        chunk = pairs[s : s + _PAIR_CHUNK]
        confirmed.append(chunk[_confirm(sketch, chunk[:, 0], chunk[:, 1], config.threshold)[1]])
    # Union-find over the documents that have a confirmed pair (few), in compact numbering.
    nodes, compact = np.unique(np.concatenate(confirmed), return_inverse=True)
    parent = list(range(len(nodes)))
    for i, j in compact.reshape(-1, 2).tolist():
        ri, rj = _find(parent, i), _find(parent, j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    roots = np.array([_find(parent, i) for i in range(len(nodes))], dtype=np.int64)
    order = np.argsort(roots, kind="stable")  # clusters together, each in document order
    for cluster in np.split(nodes[order], np.flatnonzero(np.diff(roots[order])) + 1):
        kept = cluster[:1]
        for row in cluster[1:]:
            estimate, ok = _confirm(sketch, kept, np.full(len(kept), row), config.threshold)
            hits = np.flatnonzero(ok)
            if len(hits):
                dup_of[row], jaccard[row], reason[row] = kept[hits[0]], estimate[hits[0]], _NEAR
            else:
                kept = np.append(kept, row)


def find_duplicates(parts: list[Path], config: DedupConfig, workers: int = 1) -> pa.Table:
    """The documents of `parts` to drop as duplicates: doc_id, reason, dup_of (kept doc_id), jaccard.

    The kept document of each group is the first in (part order, row order); the table lists the
    others in that order. Documents without a single word are never duplicates.
    """
    _check(config)
    doc_ids, sketch = sketch_all(parts, config, workers)
    n = len(doc_ids)
    dup_of, jaccard, reason = np.arange(n, dtype=np.int64), np.ones(n), np.full(n, _KEEP)
    has_words = sketch.words > 0
    if config.exact:
        _exact(sketch.keys, has_words, dup_of)
        reason[dup_of != np.arange(n)] = _EXACT
    if config.near:
        _near(sketch, np.flatnonzero(has_words & (reason == _KEEP)), config, (dup_of, jaccard, reason))
        # Copies of a document dropped as a near duplicate follow it to the document it duplicates.
        follow = np.flatnonzero((reason == _EXACT) & (reason[dup_of] == _NEAR))
        jaccard[follow], reason[follow] = jaccard[dup_of[follow]], _NEAR
        dup_of[follow] = dup_of[dup_of[follow]]
    drop = np.flatnonzero(reason != _KEEP)
    names = np.array(["", DEDUP_EXACT, DEDUP_NEAR], dtype=object)
    return pa.table(
        {
            "doc_id": doc_ids.take(drop),
            "reason": pa.array(names[reason[drop]], pa.string()),
            "dup_of": doc_ids.take(dup_of[drop]),
            "jaccard": pa.array(np.round(jaccard[drop], 4), pa.float64()),
        },
        schema=DUPLICATES_SCHEMA,
    )


class DedupFilter(Filter):
    """Drop the documents `find_duplicates` listed, with `dup_of` and the Jaccard as evidence."""

    name = "dedup"

    def __init__(self, duplicates: pa.Table) -> None:
        columns = duplicates.select(["doc_id", "reason", "dup_of", "jaccard"]).to_pydict()
        self._drops = {
            doc_id: (reason, dup_of, jaccard)
            for doc_id, reason, dup_of, jaccard in zip(*columns.values(), strict=True)
        }

    def keep(self, doc: Document) -> Verdict:
        hit = self._drops.get(doc.doc_id)
        if hit is None:
            return Keep()
        reason, dup_of, jaccard = hit
        return Drop(reason, {"dup_of": dup_of, "jaccard": jaccard})
