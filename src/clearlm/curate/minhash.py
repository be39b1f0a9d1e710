"""Normalised words, word n-gram shingles and MinHash signatures, vectorised with numpy.

Normalisation (FineWeb-style; exact and near dedup share it, so "the same text" means one thing):
lowercase; every run of digits is one "0" ("chapter 12" = "chapter 7"); whitespace, punctuation and
symbols separate words, ASCII and non-ASCII alike (U+0080–U+00BF, ×, ÷, U+2000–U+2BFF: dashes, curly
quotes, ellipsis, arrows…, U+3000–U+303F, emoji), so wrapping, quote and dash styles vanish and
"don't" is "don t". Unlike FineWeb, diacritics stay ("café" ≠ "cafe") and there is no NFKC: both
cost a Python pass per code point, copies of a text share its accents, and curate's normalize step
has already made every text NFC.

Words are hashed to 64 bits by a polynomial over their UTF-8 bytes (prefix sums: no Python per word,
and a batch of texts is one array), shingles of `n` words by a slot-weighted sum of word hashes, and
MinHash takes `bands × rows` universal hashes (a·x + b) mod (2^61 − 1) of every distinct shingle,
computed exactly in uint64 lanes. Constants come from splitmix64 of fixed seeds, not numpy's
generators (whose streams may change between releases), so signatures agree across machines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from clearlm.hashing import GOLDEN, U64, mix64

MERSENNE = (1 << 61) - 1
_P = U64(MERSENNE)
_SPACE = 32
_MARK = 1  # joins the texts of a batch; the byte table makes every \x01 inside a text a space
# Texts are tokenised in segments of at most this many bytes (cut at a space), which bounds the
# per-byte arrays and the power tables below however long a document is.
_SEGMENT = 1 << 20


def _constants(seed: int, count: int) -> NDArray[np.uint64]:
    """`count` well-mixed 64-bit constants from a seed (splitmix64's sequence)."""
    with np.errstate(over="ignore"):
        return mix64((np.arange(1, count + 1, dtype=U64) + U64(seed & 0xFFFFFFFF) * U64(1 << 32)) * GOLDEN)


def _byte_table() -> bytes:
    """bytes.translate table: ASCII letters and digits lowercased (digits to "0"), other ASCII to a space."""
    table = bytearray(range(256))
    for c in range(128):
        ch = chr(c)
        table[c] = (ord("0") if ch.isdigit() else ord(ch.lower())) if ch.isalnum() else _SPACE
    return bytes(table)


_TABLE = _byte_table()
# Polynomial word hash: powers of an odd base and of its inverse mod 2^64, one per byte of a segment.
_BASE = 0x100000001B3 * 2 + 1
_POW = np.cumprod(np.concatenate(([U64(1)], np.full(_SEGMENT, U64(_BASE)))), dtype=U64)
_INV = np.cumprod(np.concatenate(([U64(1)], np.full(_SEGMENT, U64(pow(_BASE, -1, 1 << 64))))), dtype=U64)


def _separators(seg: NDArray[np.uint8], word: NDArray[np.bool_]) -> None:
    """Clear `word` on every byte of a non-ASCII punctuation or symbol character (see module doc)."""
    lead = np.flatnonzero(seg[:-1] >= 0xC2)  # first bytes of multi-byte characters
    if not len(lead):
        return
    b0, b1 = seg[lead], seg[lead + 1]
    width = np.zeros(len(lead), dtype=np.int64)
    width[(b0 == 0xC2) | ((b0 == 0xC3) & ((b1 == 0x97) | (b1 == 0xB7)))] = 2  # U+0080–00BF, × ÷
    width[((b0 == 0xE2) & (b1 <= 0xAF)) | ((b0 == 0xE3) & (b1 == 0x80))] = 3  # U+2000–2BFF, U+3000–303F
    width[(b0 == 0xF0) & (b1 == 0x9F)] = 4  # U+1F000–1FFFF
    for k in range(4):
        word[np.minimum(lead[width > k] + k, len(word) - 1)] = False


def _segment_words(seg: NDArray[np.uint8], digits: bool) -> tuple[NDArray[np.uint64], NDArray[np.int64], int]:
    """Hashes of the words of one translated segment, the text of each (counted in marks), and its marks."""
    if digits:  # a run of digits is one "0": drop every "0" that follows another
        zero = seg == ord("0")
        keep = np.ones(len(seg), dtype=bool)
        keep[1:] = ~(zero[1:] & zero[:-1])
        seg = seg[keep]
    word = np.zeros(len(seg) + 2, dtype=np.int8)  # padded with a separator at both ends
    word[1:-1] = (seg != _SPACE) & (seg != _MARK)
    _separators(seg, word[1:-1].view(bool))
    edges = np.flatnonzero(word[1:] != word[:-1])
    starts, ends = edges[0::2], edges[1::2]
    marks = np.flatnonzero(seg == _MARK)
    # h = Σ byte_i · BASE^(i − start): prefix sums of byte · BASE^i, rebased by BASE^−start.
    prefix = np.zeros(len(seg) + 1, dtype=U64)
    np.cumsum(seg.astype(U64) * _POW[: len(seg)], out=prefix[1:])
    with np.errstate(over="ignore"):
        h = (prefix[ends] - prefix[starts]) * _INV[starts]
        h = mix64(h + (ends - starts).astype(U64) * GOLDEN)
    return h, np.searchsorted(marks, starts), len(marks)


def word_hashes(texts: Sequence[str]) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """64-bit hashes of the normalised words of all `texts`, concatenated, and each text's word count.

    The texts are joined by a mark byte and hashed as one array, so a batch of small documents costs
    a few numpy calls, not a few per document.
    """
    raw = b"\x01".join((t if t.isascii() else t.lower()).encode("utf-8").translate(_TABLE) for t in texts)
    digits = b"00" in raw
    hashes, docs, start, base = [np.zeros(0, dtype=U64)], [np.zeros(0, dtype=np.int64)], 0, 0
    while start < len(raw):
        end = len(raw) if len(raw) - start <= _SEGMENT else raw.rfind(b" ", start + 1, start + _SEGMENT)
        if end <= start:  # no space in a whole segment: cut anyway (only degenerate input does this)
            end = start + _SEGMENT
        h, doc, marks = _segment_words(np.frombuffer(raw, np.uint8, end - start, start), digits)
        hashes.append(h)
        docs.append(doc + base)
        start, base = end, base + marks
    return np.concatenate(hashes), np.bincount(np.concatenate(docs), minlength=len(texts))


_SLOTS = _constants(0x5EED, 64) | U64(1)  # one odd multiplier per position in a shingle


def shingle_hashes(
    words: NDArray[np.uint64], counts: NDArray[np.int64], n: int
) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """Hashes of every run of `n` consecutive words within one text, and the text of each.

    A text of fewer than `n` words (but some) is one shingle of all its words.
    """
    if n > len(_SLOTS):
        raise ValueError(f"shingles of more than {len(_SLOTS)} words are not supported")
    doc = np.repeat(np.arange(len(counts)), counts)
    sums, docs = [np.zeros(0, dtype=U64)], [np.zeros(0, dtype=np.int64)]
    m = len(words) - n + 1
    with np.errstate(over="ignore"):
        if m > 0:
            acc = np.zeros(m, dtype=U64)
            for j in range(n):
                acc += words[j : j + m] * _SLOTS[j]
            inside = doc[:m] == doc[n - 1 :]  # the window does not cross into the next text
            sums.append(acc[inside])
            docs.append(doc[:m][inside])
        short = np.flatnonzero((counts > 0) & (counts < n))
        if len(short):
            padded = np.concatenate((words, np.zeros(n, dtype=U64)))
            first = np.cumsum(counts)[short] - counts[short]
            acc = np.zeros(len(short), dtype=U64)
            for j in range(n):
                acc += padded[first + j] * _SLOTS[j] * (j < counts[short]).astype(U64)
            sums.append(acc)
            docs.append(short)
        return mix64(np.concatenate(sums)), np.concatenate(docs)


def distinct(
    shingles: NDArray[np.uint64], doc: NDArray[np.int64]
) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """The distinct (text, shingle) pairs, sorted by text, then shingle."""
    bits = max(1, int(doc.max(initial=0)).bit_length())
    # Sorting one uint64 key (text in the top bits, the shingle's top bits below) is ~10x faster than
    # np.lexsort; two different shingles of one text that tie on the key (rare) send us to lexsort.
    key = (doc.astype(U64) << U64(64 - bits)) | (shingles >> U64(bits))
    order = np.argsort(key)
    key, shingles = key[order], shingles[order]
    doc = (key >> U64(64 - bits)).astype(np.int64)
    if np.any((key[1:] == key[:-1]) & (shingles[1:] != shingles[:-1])):
        order = np.lexsort((shingles, doc))
        shingles, doc = shingles[order], doc[order]
    new = np.ones(len(shingles), dtype=bool)
    new[1:] = (shingles[1:] != shingles[:-1]) | (doc[1:] != doc[:-1])
    return shingles[new], doc[new]


def shingle_set(text: str, n: int = 5) -> NDArray[np.uint64]:
    """The sorted distinct shingle hashes of one text."""
    return distinct(*shingle_hashes(*word_hashes([text]), n))[0]


class MinHasher:
    """`permutations` universal hashes (a·x + b) mod (2^61 − 1) and the MinHash signature of a shingle set."""

    # Shingles hashed per step: the (permutations × chunk) work arrays stay in the L2 cache.
    chunk = 1024

    def __init__(self, permutations: int, seed: int) -> None:
        if permutations < 1:
            raise ValueError("MinHash needs at least one permutation")
        self.permutations = permutations
        values = _constants(seed, 2 * permutations) % _P
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
            acc += grouped[:, :, r] * _SLOTS[r]
        return mix64(acc)


def estimated_jaccard(a: NDArray[np.uint64], b: NDArray[np.uint64]) -> NDArray[np.float64]:
    """Fraction of equal MinHash values, row by row: the unbiased estimate of the sets' Jaccard."""
    return np.asarray((a == b).mean(axis=-1), dtype=np.float64)
