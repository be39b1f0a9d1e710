"""Normalised words and word n-gram shingles of texts, as 64-bit hashes, vectorised with numpy.

Normalisation (FineWeb-style; exact and near dedup share it, so "the same text" means one thing):
lowercase; every run of digits is one "0" ("chapter 12" = "chapter 7"); whitespace, punctuation and
symbols separate words, ASCII and non-ASCII alike (U+0080–U+00BF, ×, ÷, U+2000–U+2BFF: dashes, curly
quotes, ellipsis, arrows…, U+3000–U+303F, emoji), so wrapping, quote and dash styles vanish and
"don't" is "don t". Unlike FineWeb, diacritics stay ("café" ≠ "cafe") and there is no NFKC: both
cost a Python pass per code point, copies of a text share its accents, and curate's normalize step
has already made every text NFC.

Words are hashed to 64 bits by a polynomial over their UTF-8 bytes (prefix sums: no Python per word,
and a batch of texts is one array), and shingles of `n` words by a slot-weighted sum of word hashes.
Constants come from splitmix64 of fixed seeds, not numpy's generators (whose streams may change
between releases), so hashes agree across machines. `clearlm.curate.minhash` turns shingle sets
into MinHash signatures.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from clearlm.hashing import GOLDEN, U64, mix64

_SPACE = 32
_MARK = 1  # joins the texts of a batch; the byte table makes every \x01 inside a text a space
# Texts are tokenised in segments of at most this many bytes (cut at a space), which bounds the
# per-byte arrays and the power tables below however long a document is.
_SEGMENT = 1 << 20


def seeded_constants(seed: int, count: int) -> NDArray[np.uint64]:
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


SLOTS = seeded_constants(0x5EED, 64) | U64(1)  # one odd multiplier per position in a shingle (or band row)


def shingle_hashes(
    words: NDArray[np.uint64], counts: NDArray[np.int64], n: int
) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """Hashes of every run of `n` consecutive words within one text, and the text of each.

    A text of fewer than `n` words (but some) is one shingle of all its words.
    """
    if n > len(SLOTS):
        raise ValueError(f"shingles of more than {len(SLOTS)} words are not supported")
    doc = np.repeat(np.arange(len(counts)), counts)
    sums, docs = [np.zeros(0, dtype=U64)], [np.zeros(0, dtype=np.int64)]
    m = len(words) - n + 1
    with np.errstate(over="ignore"):
        if m > 0:
            acc = np.zeros(m, dtype=U64)
            for j in range(n):
                acc += words[j : j + m] * SLOTS[j]
            inside = doc[:m] == doc[n - 1 :]  # the window does not cross into the next text
            sums.append(acc[inside])
            docs.append(doc[:m][inside])
        short = np.flatnonzero((counts > 0) & (counts < n))
        if len(short):
            padded = np.concatenate((words, np.zeros(n, dtype=U64)))
            first = np.cumsum(counts)[short] - counts[short]
            acc = np.zeros(len(short), dtype=U64)
            for j in range(n):
                acc += padded[first + j] * SLOTS[j] * (j < counts[short]).astype(U64)
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
