"""A word splitter in numpy: tokens as code-point spans and 64-bit hashes, close to spaCy's.

datatrove splits words with spaCy's blank English tokenizer; the rules below approximate it (see
`clearlm.curate.words` for what differs), at about 40 MB/s on one core.

- a run of letters, digits and combining marks is a word; any other non-space character is a token
  of its own ("Hello," → "Hello" ","), except that a run of ".", "-", "—", "–" or "…" is one token
  ("...", "--"), as spaCy keeps ellipses and dash runs;
- ".", ",", ":", "/" between two digits stay in the number ("3.5", "1,000", "10:30");
- an apostrophe between a word character and a letter starts a clitic: "John's" → "John" "'s";
- a "." stays on a single letter ("J.", "I."), in initialisms ("U.S.", "e.g.") and on a short list
  of abbreviations ("Mr.", "Dr.", "St.");
- URLs and e-mail addresses are one token.

Each character gets a class, a special code and a random 64-bit value from tables over the Basic
Multilingual Plane (others are classified one by one); token boundaries are boolean arrays fixed up
at the few special characters; a token's hash is sum(value[c_i] * BASE**i) mod 2**64 over its
characters, read off prefix sums, so equal strings anywhere in any text hash alike.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

_SPACE, _WORD, _PUNCT = 0, 1, 2
# Characters some rule looks at again, by their code in the special table.
_DOT, _NUM_JOIN, _APOSTROPHE, _RUN = 1, 2, 3, 4
_SPECIALS = {".": _DOT, ",": _NUM_JOIN, ":": _NUM_JOIN, "/": _NUM_JOIN, "'": _APOSTROPHE, "’": _APOSTROPHE}
_SPECIALS.update(dict.fromkeys("-—–…", _RUN))
# Abbreviations that keep their period (a subset of spaCy's English exceptions).
_ABBREVIATIONS = frozenset(
    {
        *("Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "Mt", "Messrs", "Rev", "Gen", "Gov", "Sen", "Rep"),
        *("Prof", "Adm", "Capt", "Col", "Lt", "Co", "co", "Corp", "Inc", "Ltd", "Bros", "vs", "etc"),
        *("Jan", "Feb", "Mar", "Apr", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"),
    }
)
_MAX_ABBREVIATION = max(map(len, _ABBREVIATIONS))
# The rest of a URL or e-mail address after its anchor, less punctuation that ends a sentence.
_LINK_TAIL = re.compile(r"[^\s<>\"']*[^\s<>\"'.,;:!?)\]]")
_LETTER = re.compile(r"[^\W\d_]")
_EMAIL_DOMAIN = re.compile(r"@[^\W_][\w-]*\.[^\s<>\"']*[^\s<>\"'.,;:!?)\]]")
# Token hash: sum(value[c_i] * BASE**i) mod 2**64, from prefix sums; BASE is odd, so invertible.
_BASE = 0x9E3779B97F4A7C15
_BASE_INV = pow(_BASE, -1, 2**64)
_POWERS_CACHED = 1 << 21  # powers kept for texts up to 2M code points (32 MiB); longer ones compute
_powers_cache: list[tuple[NDArray[np.uint64], NDArray[np.uint64]]] = []
# The hashes of spans (starts, ends) of the text being tokenised.
_SpanHash = Callable[[NDArray[np.intp], NDArray[np.intp]], NDArray[np.uint64]]


def _classify(ch: str) -> int:
    if ch.isspace():
        return _SPACE
    return _WORD if ch.isalnum() or unicodedata.category(ch).startswith("M") else _PUNCT


@functools.cache
def _tables() -> tuple[
    NDArray[np.uint8], NDArray[np.bool_], NDArray[np.bool_], NDArray[np.uint8], NDArray[np.uint64]
]:
    """Class, is-letter, is-digit, special code and a random hash value of each BMP code point."""
    chars = [chr(c) for c in range(0x10000)]
    special = np.zeros(0x10000, np.uint8)
    special[[ord(ch) for ch in _SPECIALS]] = list(_SPECIALS.values())
    rng = np.random.default_rng(20240611)  # fixed: hashes are equal across processes and runs
    return (
        np.array([_classify(ch) for ch in chars], np.uint8),
        np.array([ch.isalpha() for ch in chars]),
        np.array([ch.isdigit() for ch in chars]),
        special,
        rng.integers(0, np.iinfo(np.uint64).max, 0x10000, dtype=np.uint64, endpoint=True),
    )


def _powers(n: int) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """BASE**i and BASE**-i mod 2**64 for i < at least n (numpy's integer products wrap, as wanted)."""
    if _powers_cache and len(_powers_cache[0][0]) >= n:
        return _powers_cache[0]
    size = n if n > _POWERS_CACHED else 1 << max(16, (n - 1).bit_length())
    pw, ipw = np.full(size, _BASE, np.uint64), np.full(size, _BASE_INV, np.uint64)
    pw[0] = ipw[0] = 1
    powers = np.cumprod(pw), np.cumprod(ipw)
    if size <= _POWERS_CACHED:
        _powers_cache[:] = [powers]
    return powers


@dataclass(frozen=True)
class Tokens:
    """The tokens of a text: code-point spans, 64-bit hashes (equal strings, equal hashes), whether
    each is a word (has a letter or digit, not only punctuation) and its first code point."""

    starts: NDArray[np.int32]
    ends: NDArray[np.int32]
    hashes: NDArray[np.uint64]
    wordlike: NDArray[np.bool_]
    firsts: NDArray[np.uint32]

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def lengths(self) -> NDArray[np.int32]:
        return self.ends - self.starts

    def strings(self, text: str) -> list[str]:
        return [text[s:e] for s, e in zip(self.starts.tolist(), self.ends.tolist(), strict=True)]


def tokenize(text: str) -> Tokens:
    """Split `text` into tokens (the rules are in the module docstring)."""
    n = len(text)
    if n == 0 or text.isspace():
        none = np.zeros(0, np.int32)
        return Tokens(none, none, np.zeros(0, np.uint64), np.zeros(0, np.bool_), np.zeros(0, np.uint32))
    cls_t, _, _, special_t, value_t = _tables()
    cps = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    bmp = np.minimum(cps, 0xFFFF)
    cls, values = np.take(cls_t, bmp), np.take(value_t, bmp)
    astral = np.flatnonzero(cps > 0xFFFF)
    if astral.size:  # rare: emoji, historic scripts, CJK extensions
        cls[astral] = [_classify(chr(c)) for c in cps[astral].tolist()]
        values[astral] ^= cps[astral].astype(np.uint64) * np.uint64(_BASE)
    # hash(span) = (prefix[end] - prefix[start]) * BASE**-start, whatever the span.
    pw, ipw = _powers(n + 1)
    prefix = np.zeros(n + 1, np.uint64)
    np.cumsum(values * pw[:n], out=prefix[1:])
    tok, word = cls != _SPACE, cls == _WORD
    start = tok.copy()
    start[1:] &= ~(word[1:] & word[:-1])
    idx = np.flatnonzero(np.take(special_t, bmp))
    if idx.size:
        _join_specials(cps, bmp, cls, idx, word, start, lambda a, b: (prefix[b] - prefix[a]) * ipw[a])
    for s, e in _links(text):
        word[s:e], start[s], start[s + 1 : e] = True, True, False
        start[e : e + 1], word[e : e + 1] = cls[e : e + 1] != _SPACE, cls[e : e + 1] == _WORD

    after = np.ones(n, np.bool_)
    after[:-1] = start[1:] | ~tok[1:]
    starts, ends = np.flatnonzero(start), np.flatnonzero(tok & after) + 1
    hashes = (prefix[ends] - prefix[starts]) * ipw[starts]
    # int32 offsets halve what a cached split holds; texts of 2**31 characters do not get here.
    return Tokens(starts.astype(np.int32), ends.astype(np.int32), hashes, word[starts], cps[starts])


def _join_specials(
    cps: NDArray[np.uint32],
    bmp: NDArray[np.uint32],
    cls: NDArray[np.uint8],
    idx: NDArray[np.intp],
    word: NDArray[np.bool_],
    start: NDArray[np.bool_],
    span_hash: _SpanHash,
) -> None:
    """Numbers, clitics, abbreviations and punctuation runs: update `word` and `start` at `idx`."""
    _, alpha_t, digit_t, special_t, _ = _tables()
    n = len(cps)
    code = special_t[bmp[idx]]
    prev, nxt = np.maximum(idx - 1, 0), np.minimum(idx + 1, n - 1)
    has_prev, has_next = idx > 0, idx < n - 1
    number = ((code == _DOT) | (code == _NUM_JOIN)) & has_prev & has_next
    number &= digit_t[bmp[prev]] & digit_t[bmp[nxt]]
    clitic = (code == _APOSTROPHE) & has_prev & (cls[prev] == _WORD) & has_next & alpha_t[bmp[nxt]]
    same_prev = has_prev & (cps[prev] == cps[idx])
    same_next = has_next & (cps[nxt] == cps[idx])
    # Not after a clitic: "John's." ends with "'s" and ".", as in spaCy.
    after_clitic = (idx >= 2) & (special_t[bmp[np.maximum(idx - 2, 0)]] == _APOSTROPHE)
    dot = (code == _DOT) & has_prev & alpha_t[bmp[prev]] & ~number & ~same_next & ~after_clitic
    if dot.any():
        dot[dot] = _keeps_period(cls, idx[dot], span_hash)
    run = ((code == _RUN) | (code == _DOT)) & same_prev & ~number

    joined = idx[number | clitic | dot]
    word[joined] = True
    # Joining changes which characters continue a word: recompute the starts next to them.
    near = np.unique(np.concatenate([joined, np.minimum(joined + 1, n - 1)]))
    start[near] = (cls[near] != _SPACE) & ~(word[near] & word[np.maximum(near - 1, 0)] & (near > 0))
    start[idx[clitic]] = True
    start[idx[run]] = False


def _keeps_period(cls: NDArray[np.uint8], dots: NDArray[np.intp], span_hash: _SpanHash) -> NDArray[np.bool_]:
    """Which periods (each after a letter) end a single letter or a listed abbreviation."""
    # The length of the run of word characters before each period, counted up to one past the list's.
    length = np.zeros(len(dots), np.intp)
    alive = np.ones(len(dots), np.bool_)
    for k in range(1, _MAX_ABBREVIATION + 2):
        alive &= (dots >= k) & (cls[np.maximum(dots - k, 0)] == _WORD)
        length += alive
    short = (length >= 2) & (length <= _MAX_ABBREVIATION)
    listed = np.isin(span_hash(dots[short] - length[short], dots[short]), _abbreviation_hashes())
    keep: NDArray[np.bool_] = length == 1
    keep[short] = listed
    return keep


@functools.cache
def _abbreviation_hashes() -> NDArray[np.uint64]:
    return np.array([tokenize(a).hashes[0] for a in _ABBREVIATIONS], np.uint64)


def _links(text: str) -> list[tuple[int, int]]:
    """Spans of URLs and e-mail addresses. A regex over the whole text would be slow (every word may
    start one), so this looks only at the anchors "://", "www." and "@"."""
    found = []
    for anchor, back in (("://", str.isalpha), ("www.", None), ("@", _in_local_part)):
        pos = text.find(anchor)
        while pos != -1:
            begin = pos
            while back is not None and begin > 0 and pos - begin < 64 and back(text[begin - 1]):
                begin -= 1
            tail = (_EMAIL_DOMAIN if anchor == "@" else _LINK_TAIL).match(text, pos)
            standalone = begin < pos if back is not None else pos == 0 or not text[pos - 1].isalnum()
            if tail and standalone:
                found.append((begin, tail.end()))
            pos = text.find(anchor, pos + 1)
    spans: list[tuple[int, int]] = []
    for begin, end in sorted(found):  # "http://www.x.org" is found twice: merge overlaps
        if spans and begin < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((begin, end))
    return spans


def _in_local_part(ch: str) -> bool:
    return ch.isalnum() or ch in "._+-"


def has_letter(text: str, tokens: Tokens) -> NDArray[np.bool_]:
    """Which tokens hold at least one letter."""
    _, alpha_t, _, special_t, _ = _tables()
    firsts = np.minimum(tokens.firsts, 0xFFFF)
    out = alpha_t[firsts] & (tokens.firsts <= 0xFFFF)
    # A clitic ("'s") has a letter after its apostrophe by construction.
    out |= tokens.wordlike & (special_t[firsts] == _APOSTROPHE)
    # Words starting otherwise ("3rd", "1,000", emoji-led): look inside; few in prose.
    starts, ends = tokens.starts, tokens.ends
    for i in np.flatnonzero(tokens.wordlike & ~out).tolist():
        out[i] = _LETTER.search(text, int(starts[i]), int(ends[i])) is not None
    return out
