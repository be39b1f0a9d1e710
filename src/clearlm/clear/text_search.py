"""Offset-preserving text search for the Gutenberg and copyright detectors.

Both detectors find cheap lower-case literals first and run their regular expressions only around
them, then report spans in the original text. These helpers keep that arithmetic in one place: a
lowering that never changes the length (so offsets in the lowered copy are offsets in the text),
the line around an offset, a bounded `find` loop, and a regex search confined to the neighbourhood
of such literals.
"""

from __future__ import annotations

import re

_ASCII_LOWER = {i: i + 32 for i in range(65, 91)}
Span = tuple[int, int]


def lowered(s: str) -> str:
    """`s.lower()` with the same length (offsets stay valid); ASCII-only folding where they would not."""
    low = s.lower()
    return low if len(low) == len(s) else s.translate(_ASCII_LOWER)


def line_span(text: str, i: int) -> Span:
    start = text.rfind("\n", 0, i) + 1
    end = text.find("\n", i)
    return start, len(text) if end < 0 else end


def find_all(low: str, key: str, lo: int = 0, hi: int | None = None, limit: int = 64) -> list[int]:
    """Offsets of `key` in low[lo:hi] (at most `limit`)."""
    found: list[int] = []
    hi = len(low) if hi is None else hi
    i = low.find(key, lo, hi)
    while i >= 0 and len(found) < limit:
        found.append(i)
        i = low.find(key, i + 1, hi)
    return found


def search_near(
    rx: re.Pattern[str], text: str, low: str, base: int, lo: int, hi: int, keys: dict[str, tuple[int, int]]
) -> re.Match[str] | None:
    """`rx` searched only around the keys found in `low` (text[base:] lowered), within text[lo:hi]."""
    for key, (back, ahead) in keys.items():
        for i in find_all(low, key, lo - base, hi - base):
            if m := rx.search(text, max(lo, base + i - back), min(hi, base + i + ahead)):
                return m
    return None
