"""Project Gutenberg editions: `source.gutenberg` for a public-domain edition, a deny for a copyrighted one.

A PG edition is recognised by its structure, never by a mention of the name: at least two of the
header line ("The Project Gutenberg eBook of …", "Project Gutenberg's …, by …", "**The Project
Gutenberg Etext of …"), the `*** START OF THE/THIS PROJECT GUTENBERG EBOOK` marker, the END marker
(or "End of the Project Gutenberg EBook of …") and the licence (the full PG licence, or the 1990s
"Small Print!"), one of them a marker or the licence. An essay that names Project Gutenberg is not one.

PG also carries works still in copyright, shared by permission ("This is a COPYRIGHTED Project
Gutenberg eBook", "Copyright (C) 1998 by …" before the START marker, the World Library Shakespeare
notice "PERSONAL USE ONLY … PROHIBITED COMMERCIAL DISTRIBUTION"). Those are looked for only in the
header (before START) and just after END, where PG puts them; the standard licence text, which talks
about copyright holders and permissions in general, is never read for them. For such a file the
detector returns `copyright.all-rights-reserved` (evidence kind "gutenberg-copyrighted") and no
`source.gutenberg`. Project Gutenberg Australia/Canada files (public domain only under their own
countries' terms) get neither. Evidence: the header line (or marker) as `span_evidence`, the eBook
number, the pieces found, and `jurisdiction: "US"` with the notice line when the file carries PG's
US-only notice ("… located in the United States … check the laws of the country"). `layout()` also
tells `clear.copyright` where the book's body is. Only the first 40 KB and last 32 KB are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from clearlm.clear.signals import Signal, span_evidence
from clearlm.clear.text_search import Span, find_all, line_span, lowered, search_near
from clearlm.pipeline.document import Document
from clearlm.reasons import COPYRIGHT_ALL_RIGHTS_RESERVED, SOURCE_GUTENBERG

PG_LICENSE = "LicenseRef-PD-US-Gutenberg"
HEAD = 40_000  # a 1990s header and "Small Print!" licence sit in the first ~15 KB
HEADER_ZONE = 8_000  # a modern header line, eBook number and START marker sit in the first ~1-2 KB
TAIL = 32_000  # the END marker sits ~19-20 KB before the end of the file, ahead of the full licence
OLD_HEAD = 16_000  # header region of an eBook without START marker
# Same default as Policy.public_domain_before_year: a dated claim from this year on is in copyright.
CUTOFF = date.today().year - 95


def _keys(spec: str) -> tuple[str, ...]:
    return tuple(spec.split("|"))


_HEADER = re.compile(
    r"^[ \t*]*(?:(?:the\s+)?project\s+gutenberg(?:['’]s)?\s+(?:e-?book|e-?text)s?\b"
    r"|project\s+gutenberg['’]s\s+[^\n]{1,200}?,\s+by\s"
    r"|this\s+e-?(?:text|book)(?:\s+file)?\s+(?:is|was)\s+(?:presented|prepared|produced)\s+by"
    r"\s+project\s+gutenberg)"
    r"[^\n]*",
    re.I | re.M,
)
_EBOOK = re.compile(r"\b(?:e-?book|e-?text)\s*(?:#|no\.?\s*)\s*(\d{1,6})|should be named (\d{1,6})", re.I)
_EBOOK_URL = re.compile(r"gutenberg\.org/(?:ebooks/|files/|(?:\d/)+)(\d{1,6})")
_COPYRIGHTED = re.compile(
    r"copyrighted\s+project\s+gutenberg"
    r"|\bis\s+a\s+copyrighted\s+(?:e-?book|e-?text|work|file)"
    r"|\b(?:this|the)\s+(?:e-?book|e-?text|file|work|book|translation|edition)\s+is\s+(?:copyrighted"
    r"|copyright\s+protected|protected\s+by\s+copyright|not\s+in\s+the\s+public\s+domain)"
    r"|\bnot\s+(?:in|placed\s+in)\s+the\s+public\s+domain|neither\s+shareware\s+nor\s+public\s+domain"
    r"|personal\s+use\s+only|prohibited\s+commercial\s+distribution"
    r"|copyright[^.]{0,160}?\b(?:with|by)\s+(?:the\s+)?(?:kind\s+)?permission\b",
    re.I,
)
_DATED = re.compile(
    r"(?:copyright|©|\(c\))[\s.,:]{0,4}(?:\(c\)|©)?[\s.,:]{0,4}(?:[^\n\d]{0,50}?\s)?((?:19|20)\d\d)(?!\d)"
    r"(?:\s*[-–]\s*((?:19|20)\d\d))?",
    re.I,
)
# Where, around each key, a copyrighted-eBook phrase may start and end (chars before, chars after).
_COPYRIGHTED_KEYS = {"copyright": (60, 180), "public domain": (40, 14), "personal use": (1, 20),
                     "commercial dis": (12, 28)}  # fmt: skip
# The licence as PG prints it, not a mention of it: the full licence, or the 1990s "Small Print!".
_LICENCE_KEYS = _keys(
    "FULL PROJECT GUTENBERG LICENSE|Full Project Gutenberg License|START: FULL LICENSE|SMALL PRINT!"
    "|THE SMALL PRINT"
)
_END_KEYS = _keys("*** END|***END|End of the Project|End of Project|End of this Project|END OF THE PROJECT")
# The US-only notice: "… located in the United States … check the laws of the country" (header, any era)
# or "If you are outside the United States, check the laws of your country" (the full licence).
_US_KEYS = _keys(
    "located in the united states|check the laws of the country|in the united states|laws for your country"
)
_US_TAIL_KEYS = _keys("outside the United States|located in the United States|in the United States")
_REGIONAL_KEYS = _keys(
    "gutenberg.net.au|gutenberg australia|gutenberg of australia|gutenberg.ca|gutenberg canada"
)
_TRAILER_STOP = _keys("updated editions will replace|start: full license|creating the works from|small print")


@dataclass(frozen=True)
class Layout:
    """Where the pieces of a PG file are (character spans), and what its header says."""

    header: Span | None
    start: Span | None
    end: Span | None
    licence: Span | None
    body: Span  # the book itself: between the markers (the whole text when there are none)
    ebook: str | None
    us_notice: Span | None
    copyrighted: Span | None
    regional: bool

    @property
    def pieces(self) -> list[str]:
        named = (("header", self.header), ("start", self.start), ("end", self.end), ("licence", self.licence))
        return [name for name, span in named if span is not None]

    @property
    def is_edition(self) -> bool:
        """Two pieces of PG structure, so one is a marker or the licence (a header alone is a mention)."""
        return len(self.pieces) >= 2

    @property
    def public_domain(self) -> bool:
        """A PG public-domain edition: PG vetted it (US), nothing in its header says otherwise."""
        return self.is_edition and self.copyrighted is None and not self.regional


_memo: tuple[str, Layout | None] | None = None


def layout(text: str) -> Layout | None:
    """The PG layout of `text`, or None when no PG wording is near its start or end (memoised per text)."""
    global _memo
    memo = _memo  # one entry: detect_gutenberg and detect_copyright look at the same text in a row
    if memo is not None and memo[0] is text:
        return memo[1]
    found = _layout(text)
    _memo = (text, found)
    return found


def _layout(text: str) -> Layout | None:
    n = len(text)
    tail_at = max(0, n - TAIL)
    if not any(k in text[:HEADER_ZONE] or text.find(k, tail_at) >= 0 for k in ("utenberg", "UTENBERG")):
        return None
    lh = lowered(text[:HEADER_ZONE])
    start = _marker(text, lh, ("start of the project gutenberg", "start of this project gutenberg"))
    if start is None and n > HEADER_ZONE:  # rare: an old header, or no PG file at all
        lh = lowered(text[:HEAD])
        start = _marker(text, lh, ("start of the project gutenberg", "start of this project gutenberg"))
    m = _HEADER.search(text, 0, HEADER_ZONE)
    header = m.span() if m else None
    end = _end_marker(text, max(tail_at, start[1] if start else 0))
    after_end = end[1] if end else tail_at
    found = (text.find(k, lo, lo + HEAD) for k in _LICENCE_KEYS for lo in (after_end, 0))
    licence = next((line_span(text, i) for i in found if i >= 0), None)
    if not (header or start or end or licence):
        return Layout(None, None, None, None, (0, n), None, None, None, False)
    body_start = start[1] if start else 0
    if start is None and licence is not None and (old := text.rfind("SMALL PRINT", 0, OLD_HEAD)) >= 0:
        body_start = line_span(text, old)[1]  # a 1990s eBook: the book follows the "Small Print!"
    body = (body_start, end[0] if end and end[0] > body_start else n)
    em = _EBOOK.search(text, 0, HEADER_ZONE) or _EBOOK_URL.search(text, after_end)
    ebook = next((g for g in em.groups() if g), None) if em else None
    regional = any(k in lh for k in _REGIONAL_KEYS)
    us_tail = (text.find(k, after_end, after_end + HEAD) for k in _US_TAIL_KEYS)
    us_notice = _first(text, lh, _US_KEYS) or next((line_span(text, i) for i in us_tail if i >= 0), None)
    return Layout(
        header, start, end, licence, body, ebook, us_notice, _copyrighted(text, lh, start, end), regional
    )


def _first(text: str, low: str, keys: tuple[str, ...]) -> Span | None:
    """The line of the first of `keys` found in `low` (a lowered prefix of text)."""
    return next((line_span(text, i) for k in keys if (i := low.find(k)) >= 0), None)


def _marker(text: str, low: str, keys: tuple[str, ...]) -> Span | None:
    """The earliest line of `low` (a lowered prefix of text) starting, after `*`s and blanks, with a key."""
    best: int | None = None
    for key in keys:
        at = low.find(key)
        while at >= 0 and (best is None or at < best):
            if not low[low.rfind("\n", 0, at) + 1 : at].strip(" \t*"):
                best = at
                break
            at = low.find(key, at + 1)
    return line_span(text, best) if best is not None else None


def _end_marker(text: str, lo: int) -> Span | None:
    """The first END line after `lo`: "*** END OF TH… PROJECT GUTENBERG", "End of Project Gutenberg…"."""
    for key in _END_KEYS:
        at = text.find(key, lo)
        while at >= 0:
            ls, le = line_span(text, at)
            line = lowered(text[ls:le]).strip(" \t*")
            if line.startswith("end of") and "project gutenberg" in line:
                return ls, le
            at = text.find(key, at + 1)
    return None


def _copyrighted(text: str, lh: str, start: Span | None, end: Span | None) -> Span | None:
    """A PG header or trailer saying the eBook is still in copyright (shared by permission)."""
    header_end = min(start[0] if start else OLD_HEAD, len(lh))
    segments = [(lh, 0, header_end)]
    if end is not None:
        low_after = lowered(text[end[1] : end[1] + 2500])
        cut = min([i for k in _TRAILER_STOP if (i := low_after.find(k)) >= 0] or [len(low_after)])
        segments.append((low_after, end[1], end[1] + cut))
    for low, base, hi in segments:
        if m := search_near(_COPYRIGHTED, text, low, base, base, hi, _COPYRIGHTED_KEYS):
            return m.span()
    renewed = "publication was renewed" in lh or "copyright was not renewed" in lh
    for key in ("copyright", "©", "(c)"):
        for i in find_all(lh, key, 0, header_end):
            m = _DATED.match(text, i, header_end)
            if m is None or renewed:
                continue
            year = max(int(y) for y in m.groups() if y)
            after = lowered(text[m.end() : m.end() + 80])
            if CUTOFF <= year <= date.today().year + 1 and "hart" not in after and "gutenberg" not in after:
                return m.span()
    return None


def detect_gutenberg(doc: Document) -> list[Signal]:
    """`source.gutenberg` for a PG public-domain edition; a copyright deny for a PG copyrighted eBook."""
    text = doc.text
    found = layout(text)
    if found is None or not found.pieces:
        return []
    extra: dict[str, Any] = {"ebook": found.ebook, "pieces": found.pieces}
    if found.copyrighted is not None:
        evidence = span_evidence(text, found.copyrighted, kind="gutenberg-copyrighted", **extra)
        return [Signal(COPYRIGHT_ALL_RIGHTS_RESERVED, evidence)]
    if not found.is_edition or found.regional:
        return []
    where = found.header or found.start or found.end or found.licence
    assert where is not None
    extra["jurisdiction"] = "US" if found.us_notice else None
    if found.us_notice:
        extra["us_notice"] = text[found.us_notice[0] : found.us_notice[1]].strip()[:200]
    evidence = span_evidence(text, where, kind="gutenberg-edition", **extra)
    return [Signal(SOURCE_GUTENBERG, evidence, license=PG_LICENSE)]
