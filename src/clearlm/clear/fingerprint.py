"""Text fingerprints for the protected-works registry: normalise, tokenise, hash, winnow.

The whole path is vectorised with numpy so that a 500 KB document costs tens of milliseconds:

1. normalise: NFKC (skipped for ASCII) and casefold, so case, ligatures and full-width forms vanish;
2. tokenise on code points with a class table: letters, digits and combining marks are word
   characters; apostrophes and hyphens *between* word characters are dropped (``don't`` = ``don’t``
   = ``dont``, ``well-known`` = ``wellknown``), and so is a hyphen at a line break followed by a word
   (``remark-\\n  able`` = ``remarkable``); everything else — quotes of any shape, dashes of any
   length, punctuation, whitespace, underscores — separates words. CJK ideographs and kana are one
   token each (those scripts have no spaces);
3. hash every token to 64 bits from two prefix sums over per-code-point random values (their sum,
   and their sum weighted by position in the token, so "dog" ≠ "god"; no Python runs per token),
   then every run of K tokens (a shingle) to 64 bits;
4. winnow (Schleimer, Wilkerson & Aiken, SIGMOD 2003, the MOSS algorithm): keep the minimum hash of
   every window of W consecutive shingles. Two texts that share a run of at least K + W - 1 words are
   guaranteed to share a selected fingerprint, and about 2 / (W + 1) of the shingles are kept.

Hashes are stable across processes and machines (fixed constants, little-endian code points), so an
index built once can be stored on disk. Bumping SCHEME invalidates stored indexes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from clearlm.hashing import GOLDEN, M1, M2, U64, mix64

SCHEME = "clearlm-winnow-v1"
K = 8  # words per shingle: long enough that a shared shingle is rarely a coincidence
W = 10  # winnowing window: any shared run of K + W - 1 = 17 words shares a fingerprint

_SEP, _WORD, _JOIN, _SINGLE = 0, 1, 2, 3
_JOINERS = "'’‘ʼ`-\u00ad\u2010\u2011"  # apostrophes and hyphens: dropped between word characters
_SINGLES = [(0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF)]
_LINE_BREAK_HYPHEN = re.compile(r"[-\u00ad\u2010\u2011][ \t]*\r?\n[ \t]*")


def _char_class(ch: str) -> int:
    cp = ord(ch)
    if ch in _JOINERS:
        return _JOIN
    if any(lo <= cp <= hi for lo, hi in _SINGLES):
        return _SINGLE
    if ch.isalnum() or unicodedata.category(ch).startswith("M"):
        return _WORD
    return _SEP


@cache
def _tables() -> tuple[NDArray[np.uint8], NDArray[np.uint64]]:
    """Class and random value of every code point in the Basic Multilingual Plane (built once)."""
    classes = np.array([_char_class(chr(cp)) for cp in range(0x10000)], dtype=np.uint8)
    return classes, mix64(np.arange(0x10000, dtype=U64) * M1 + GOLDEN)


# One random odd multiplier per shingle slot, so word order matters.
_SLOTS = mix64(np.arange(1, K + 1, dtype=U64) * GOLDEN) | U64(1)


@dataclass(frozen=True)
class Fingerprints:
    """The winnowed fingerprints of one text.

    hashes/positions: the selected shingle hashes and the token index of each shingle's first word.
    starts/ends: character span of every token in the normalised text (see `char_span`).
    """

    hashes: NDArray[np.uint64]
    positions: NDArray[np.int64]
    words: int
    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    same_length: bool  # normalising kept every character in place: spans index the original text


def normalise(text: str) -> str:
    """NFKC and casefold; keeps the length (and so every offset) for ASCII and most other text."""
    if text.isascii():
        return text.lower()
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


def _classes(norm: str) -> tuple[NDArray[np.uint32], NDArray[np.uint8], NDArray[np.uint64]]:
    """Code points of `norm`, their classes, and a random 64-bit value per code point."""
    cps = np.frombuffer(norm.encode("utf-32-le"), dtype="<u4").astype(np.uint32)
    classes, values = _tables()
    bmp = np.minimum(cps, 0xFFFF)
    cls, val = classes[bmp], values[bmp]
    astral = np.flatnonzero(cps > 0xFFFF)  # emoji, historic scripts, rare CJK
    if len(astral):
        distinct, inverse = np.unique(cps[astral], return_inverse=True)
        cls[astral] = np.array([_char_class(chr(int(c))) for c in distinct], dtype=np.uint8)[inverse]
        val[astral] = mix64(cps[astral].astype(U64) * M1 + GOLDEN)
    return cps, cls, val


def _shift(a: NDArray[np.bool_], by: int) -> NDArray[np.bool_]:
    """`a` moved right (by=1: out[i] = a[i-1]) or left (by=-1), filled with False."""
    out = np.zeros_like(a)
    if by > 0:
        out[by:] = a[:-by]
    else:
        out[:by] = a[-by:]
    return out


def tokenise(norm: str) -> tuple[NDArray[np.uint64], NDArray[np.int64], NDArray[np.int64]]:
    """64-bit hashes of the tokens of a normalised text, and their character starts and ends."""
    _, classes, values = _classes(norm)
    n = len(classes)
    word = (classes == _WORD) | (classes == _SINGLE)
    drop = np.zeros(n, dtype=bool)  # joiners inside a word: skipped, the word goes on
    drop[1:-1] = (classes[1:-1] == _JOIN) & word[:-2] & word[2:]
    if "\n" in norm:
        spans = np.array([m.span() for m in _LINE_BREAK_HYPHEN.finditer(norm)], dtype=np.int64)
        if len(spans):
            a, b = spans[:, 0], spans[:, 1]
            ok = (a > 0) & (b < n)
            a, b = a[ok], b[ok]
            ok = word[a - 1] & word[b]
            delta = np.zeros(n + 1, dtype=np.int64)
            np.add.at(delta, a[ok], 1)
            np.add.at(delta, b[ok], -1)
            drop |= np.cumsum(delta[:n]) > 0
    single = classes == _SINGLE
    cont = word | drop
    is_start = word & (~_shift(cont, 1) | single | _shift(single, 1))
    is_end = word & (~_shift(cont, -1) | single | _shift(single, -1))
    starts = np.flatnonzero(is_start)
    ends = np.flatnonzero(is_end) + 1
    # Token hash from two prefix sums over kept characters: the sum of their values, and the sum
    # weighted by position in the token (so order matters); no Python loop over tokens.
    pos = np.cumsum(~drop).astype(U64)
    values = values * word
    s1 = np.zeros(n + 1, dtype=U64)
    s2 = np.zeros(n + 1, dtype=U64)
    np.cumsum(values, out=s1[1:])
    np.cumsum(values * pos, out=s2[1:])
    total = s1[ends] - s1[starts]
    weighted = (s2[ends] - s2[starts]) - pos[starts] * total
    length = pos[ends - 1] - pos[starts] + U64(1)
    hashes = mix64(total + mix64(weighted + length * GOLDEN) * M2)
    return hashes, starts.astype(np.int64), ends.astype(np.int64)


def _slide(x: NDArray[np.uint64], w: int, op: np.ufunc) -> NDArray[np.uint64]:
    """op (minimum/maximum) over every window of w consecutive items, by doubling: len(x) - w + 1."""
    r, span = x, 1
    while span * 2 <= w:
        r = op(r[:-span], r[span:])
        span *= 2
    if span < w:
        r = op(r[: len(x) - w + 1], r[w - span : len(x) - span + 1])
    return r


def winnow(
    tokens: NDArray[np.uint64], k: int = K, w: int = W
) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """Shingle hashes kept by winnowing, and the token index where each shingle starts."""
    m = len(tokens) - k + 1
    if m <= 0:
        return np.zeros(0, dtype=U64), np.zeros(0, dtype=np.int64)
    slots = _SLOTS if k == K else mix64(np.arange(1, k + 1, dtype=U64) * GOLDEN) | U64(1)
    shingles = np.zeros(m, dtype=U64)
    for j in range(k):
        shingles += tokens[j : j + m] * slots[j]
    shingles = mix64(shingles)
    if m <= w:
        positions = np.array([int(np.argmin(shingles))], dtype=np.int64)
    else:
        # A shingle is kept when it is the minimum of some window holding it: the largest of the
        # minima of the windows holding it equals it.
        minima = _slide(shingles, w, np.minimum)
        pad = np.zeros(w - 1, dtype=U64)
        covering = _slide(np.concatenate((pad, minima, pad)), w, np.maximum)
        positions = np.flatnonzero(shingles == covering).astype(np.int64)
    return shingles[positions], positions


def fingerprint(text: str, k: int = K, w: int = W) -> Fingerprints:
    """Normalise, tokenise, shingle and winnow `text`."""
    norm = normalise(text)
    tokens, starts, ends = tokenise(norm)
    hashes, positions = winnow(tokens, k, w)
    return Fingerprints(hashes, positions, len(tokens), starts, ends, len(norm) == len(text))


def char_span(text: str, fp: Fingerprints, first_token: int, last_token: int) -> tuple[int, int]:
    """Character offsets in `text` from the start of one token to the end of another."""
    start, end = int(fp.starts[first_token]), int(fp.ends[last_token])
    if fp.same_length:
        return start, end
    # NFKC/casefold changed lengths (ligatures, ellipses, ß…): map back with each character's
    # normalised length (exact but for combining sequences that NFKC composes).
    cps = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    lengths = np.ones(len(cps), dtype=np.int64)
    wide = np.flatnonzero(cps > 127)
    if len(wide):
        distinct, inverse = np.unique(cps[wide], return_inverse=True)
        lengths[wide] = np.array([len(normalise(chr(int(c)))) for c in distinct], dtype=np.int64)[inverse]
    grown = np.cumsum(lengths)
    return int(np.searchsorted(grown, start, side="right")), int(np.searchsorted(grown, end - 1) + 1)
