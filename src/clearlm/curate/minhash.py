"""MinHash signatures of shingle sets, the per-text sketch dedup keeps, and LSH band keys.

A text's shingles (`clearlm.curate.shingles`: normalised words, word n-grams, 64-bit hashes) go
through `bands × rows` universal hashes (a·x + b) mod (2^61 − 1), computed exactly in uint64 lanes;
each hash's minimum over the set is one signature value. The constants a and b come from splitmix64
of a fixed seed, like the shingle constants, so signatures agree across machines.

`word_hashes` and `shingle_set` are importable from here too, where callers have always found them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from clearlm.curate.shingles import SLOTS, distinct, seeded_constants, shingle_hashes
from clearlm.curate.shingles import shingle_set as shingle_set  # re-exported: callers reach it here
from clearlm.curate.shingles import word_hashes as word_hashes  # re-exported: callers reach it here
from clearlm.hashing import U64, mix64

MERSENNE = (1 << 61) - 1
_P = U64(MERSENNE)


class MinHasher:
    """`permutations` universal hashes (a·x + b) mod (2^61 − 1) and the MinHash signature of a shingle set."""

    # Shingles hashed per step: the (permutations × chunk) work arrays stay in the L2 cache.
    chunk = 1024

    def __init__(self, permutations: int, seed: int) -> None:
        if permutations < 1:
            raise ValueError("MinHash needs at least one permutation")
        self.permutations = permutations
        values = seeded_constants(seed, 2 * permutations) % _P
        a = np.maximum(values[:permutations], U64(1))  # a in [1, p), b in [0, p)
        self.a, self.b = a, values[permutations:]
        # a = a1·2^31 + a0 (a0 < 2^31, a1 < 2^30); a1 pre-doubled because 2^62 ≡ 2 (mod p).
        self._a0 = (a & U64(2**31 - 1))[:, None]
        self._a1 = (a >> U64(31))[:, None]
        self._a1x2 = self._a1 * U64(2)
        self._b = self.b[:, None]

    def signature(self, shingles: NDArray[np.uint64]) -> NDArray[np.uint64]:
        """The signature of one shingle set (all 2^64 − 1 when it is empty)."""
        signatures: NDArray[np.uint64] = self.signatures(shingles, np.zeros(len(shingles), dtype=np.int64), 1)
        return np.asarray(signatures[0], dtype=U64)

    def signatures(
        self, shingles: NDArray[np.uint64], doc: NDArray[np.int64], docs: int
    ) -> NDArray[np.uint64]:
        """(docs, permutations): each hash's minimum over each text's shingles; `doc` is non-decreasing.

        With x = x1·2^31 + x0 (x reduced mod p), a·x = a1x1·2^62 + (a1x0 + a0x1)·2^31 + a0x0: every
        partial product fits in 62 bits, 2^62 ≡ 2 and 2^61 ≡ 1 (mod p) fold the high parts back, and
        the sum stays below 2^64, so uint64 lanes compute a·x + b mod p exactly.
        """
        x = (shingles & _P) + (shingles >> U64(61))
        x = np.minimum(x, x - _P)  # x mod p (x − p wraps above x when x < p)
        x0, x1 = (x & U64(2**31 - 1))[None, :], (x >> U64(31))[None, :]
        out = np.full((self.permutations, docs), np.iinfo(U64).max, dtype=U64)
        width = min(self.chunk, len(x))
        lo, mid, hi, tmp = (np.empty((self.permutations, width), dtype=U64) for _ in range(4))
        for s in range(0, len(x), self.chunk):
            c0, c1, d = x0[:, s : s + self.chunk], x1[:, s : s + self.chunk], doc[s : s + self.chunk]
            if len(d) != width:
                lo, mid, hi, tmp = (v[:, : len(d)] for v in (lo, mid, hi, tmp))
            np.multiply(c0, self._a0, out=lo)  # < 2^62
            np.multiply(c0, self._a1, out=mid)
            np.multiply(c1, self._a0, out=tmp)
            mid += tmp  # < 2^62
            np.multiply(c1, self._a1x2, out=hi)  # a1x1·2^62 ≡ 2·a1x1 < 2^61
            hi += self._b
            hi += lo
            np.right_shift(mid, U64(30), out=tmp)  # mid·2^31 = (mid >> 30)·2^61 + (mid mod 2^30)·2^31
            hi += tmp
            mid &= U64(2**30 - 1)
            mid <<= U64(31)
            hi += mid  # < 2^61 + 2^61 + 2^62 + 2^32 + 2^61 < 2^64
            np.right_shift(hi, U64(61), out=tmp)
            hi &= _P
            hi += tmp  # ≡ a·x + b, in [0, p + 7]
            if hi.max() >= _P:  # p..p+7 stand for 0..7: rare (≈ 2^-58 each), so checked, not always fixed
                np.subtract(hi, _P, out=tmp)
                np.minimum(hi, tmp, out=hi)
            if d[0] == d[-1]:  # one text (books, mostly): a plain reduction
                cols, least = d[:1], hi.min(axis=1, keepdims=True)
            else:
                cuts = np.flatnonzero(np.concatenate(([True], d[1:] != d[:-1])))  # where each text starts
                cols, least = d[cuts], np.minimum.reduceat(hi, cuts, axis=1)
            out[:, cols] = np.minimum(out[:, cols], least)
        return np.ascontiguousarray(out.T)


@dataclass
class Sketch:
    """What dedup keeps of a batch of texts, one row per text."""

    keys: NDArray[np.uint8]  # (texts, 32): SHA-256 of the normalised word sequence (its word hashes)
    words: NDArray[np.int64]  # words per text
    sizes: NDArray[np.int64]  # distinct shingles per text
    signatures: NDArray[np.uint64]  # (texts, permutations); (texts, 0) without a hasher


def sketch(texts: Sequence[str], n: int, hasher: MinHasher | None) -> Sketch:
    """Exact keys and, with a `hasher`, MinHash signatures of n-gram shingle sets of a batch of texts."""
    words, counts = word_hashes(texts)
    ends = np.cumsum(counts)
    raw = words.astype("<u8", copy=False).tobytes()
    keys = b"".join(
        hashlib.sha256(raw[8 * (e - c) : 8 * e]).digest() for c, e in zip(counts, ends, strict=True)
    )
    sizes = np.zeros(len(texts), dtype=np.int64)
    signatures = np.zeros((len(texts), 0), dtype=U64)
    if hasher is not None:
        shingles, doc = distinct(*shingle_hashes(words, counts, n))
        sizes = np.bincount(doc, minlength=len(texts))
        signatures = hasher.signatures(shingles, doc, len(texts))
    return Sketch(np.frombuffer(keys, np.uint8).reshape(len(texts), 32), counts, sizes, signatures)


def band_keys(signatures: NDArray[np.uint64], bands: int, rows: int) -> NDArray[np.uint64]:
    """One 64-bit bucket key per band of `rows` consecutive signature values: (docs, bands)."""
    grouped = signatures.reshape(len(signatures), bands, rows)
    acc = np.zeros((len(signatures), bands), dtype=U64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            acc += grouped[:, :, r] * SLOTS[r]
        return mix64(acc)


def estimated_jaccard(a: NDArray[np.uint64], b: NDArray[np.uint64]) -> NDArray[np.float64]:
    """Fraction of equal MinHash values, row by row: the unbiased estimate of the sets' Jaccard."""
    return np.asarray((a == b).mean(axis=-1), dtype=np.float64)
