"""Finding licence statements in text: each a Mention with its SPDX id, kind and original span.

Precision first: a licence name counts only inside a licensing statement (a verb such as "licensed
under", a `License:` label, a licence text's own title) that refers to this document (a self
reference, a nearby copyright line, or its place at the head or tail of the document). Speed: long
documents are parsed only at their head and tail and around a few literal needles in between, and
each family is matched only where one of its lower-case literals occurs.

This module decides which stretches of a document to read; `license_statements` reads each one.
"""

from __future__ import annotations

from clearlm.clear import license_patterns as P
from clearlm.clear.license_statements import Mention, scan_raw, scan_window

__all__ = ["Mention", "scan_text"]

FULL_SCAN_CHARS = 40_000  # shorter documents are parsed whole
HEAD_CHARS = 10_000
TAIL_CHARS = 10_000
WINDOW_BEFORE, WINDOW_AFTER_SHORT = 500, 900
MAX_WINDOWS = 300


def scan_text(text: str, trusted: bool = False) -> tuple[list[Mention], list[tuple[int, str]]]:
    """Licence statements and GPL exceptions in `text` (`trusted`: every statement counts, e.g. a field).

    Short documents are parsed whole; long ones at their head and tail (anchored by literals) and
    around each "licen" in between.
    """
    out: list[Mention] = []
    excs: list[tuple[int, str]] = []
    first, n = _content_span(text)
    if n - first <= FULL_SCAN_CHARS:
        _scan_region(text, first, n, n, trusted, out, excs)
        return out, excs
    lo, hi = first + HEAD_CHARS, n - TAIL_CHARS
    _scan_region(text, first, lo, n, trusted, out, excs)
    middle: list[tuple[int, int]] = []
    for needle in P.MIDDLE_NEEDLES:
        i = text.find(needle, lo, hi)
        while i >= 0 and len(middle) < MAX_WINDOWS:
            # "licen[cs]…" as a word ("Millicent", "licentious" are not licences)
            if (
                text[i - 1] in "lL"
                and text[i + 4 : i + 5] in ("s", "c", "S", "C")
                and not text[i - 2].isalpha()
            ):
                middle.append((max(lo, i - WINDOW_BEFORE), min(hi, i + WINDOW_AFTER_SHORT)))
                i = text.find(needle, i + WINDOW_AFTER_SHORT // 2, hi)
            else:
                i = text.find(needle, i + 4, hi)
    # a Linux module's licence tag, MODULE_LICENSE("GPL"), sits anywhere in a long source file
    i = text.find("MODULE_LICENSE", lo, hi)
    if i >= 0:
        middle.append((max(lo, i - WINDOW_BEFORE), min(hi, i + WINDOW_AFTER_SHORT)))
    for ws, we in _merge(middle):
        scan_raw(text, ws, we, text[ws:we].lower(), out)
        scan_window(text, ws, we, n, trusted, out, excs)
    _scan_region(text, hi, n, n, trusted, out, excs)
    return out, excs


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _content_span(text: str) -> tuple[int, int]:
    """The text between Project Gutenberg's header and footer (boilerplate around a trademark
    licence that licenses nothing), or the whole text."""
    first, n = 0, len(text)
    for marker in P.GUTENBERG_START:
        i = text.find(marker, 0, 40_000)
        if i >= 0 and "GUTENBERG" in text[i : i + 80].upper():
            first = i
            break
    for marker in P.GUTENBERG_END:
        i = text.rfind(marker, max(first, n - 60_000))
        if i >= 0 and "GUTENBERG" in text[i : i + 80].upper():
            return first, i
    return first, n


def _scan_region(
    text: str, s: int, e: int, n: int, trusted: bool, out: list[Mention], excs: list[tuple[int, str]]
) -> None:
    low = text[s:e].lower()
    spans: list[tuple[int, int]] = []
    for anchor, after in P.ANCHORS:
        i = low.find(anchor)
        while i >= 0:
            spans.append((max(s, s + i - WINDOW_BEFORE), min(e, s + i + after)))
            i = low.find(anchor, i + WINDOW_BEFORE)
    if spans:
        scan_raw(text, s, e, low, out)
        for ws, we in _merge(spans):
            scan_window(text, ws, we, n, trusted, out, excs)
