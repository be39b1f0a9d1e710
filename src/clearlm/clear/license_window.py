"""Text windows for licence matching: markup and comment decoration blanked, offsets kept.

Licence statements sit in source comments, HTML and plain prose alike; patterns are written once
for plain prose and run on a normalised copy of a window, whose positions map back to the original
text so evidence points at the real span.
"""

from __future__ import annotations

import bisect
import html

from clearlm.clear import license_patterns as P

PLACEMENT_CHARS = 3_000  # a statement this close to either end speaks for the document


def normalize_window(text: str, start: int, end: int) -> tuple[str, list[int], list[int]]:
    """Window text line by line, comment leaders and box borders, tags and entities blanked.

    Returns the text and two parallel offset lists mapping positions back to the original.
    """
    parts: list[str] = []
    norm_at: list[int] = []
    orig_at: list[int] = []
    npos, pos = 0, start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        lead = P.LEADER.match(text, pos, line_end)
        s = lead.end() if lead else pos
        seg = text[s:line_end].rstrip(" \t\r")
        if seg and seg[-1] in P.TRAILER_CHARS:
            for tail in P.TRAILERS:
                if seg.endswith(tail):
                    seg = seg[: -len(tail)].rstrip(" \t")
                    break
        if "<" in seg or "&" in seg:
            pieces: list[tuple[str, int]] = []  # (text, original offset or -1 for a replacement)
            at = 0
            for m in P.MARKUP.finditer(seg):
                pieces.append((seg[at : m.start()], s + at))
                inner = m.start() > 0 and m.end() < len(seg)
                pieces.append(
                    (html.unescape(m.group()) if m.group().startswith("&") else " " if inner else "", -1)
                )
                at = m.end()
            if pieces and not "".join(p for p, _ in pieces).strip() and not seg[at:].strip():
                pos = line_end + 1  # a line of markup only: no text, no line break
                continue
            for piece, origin in pieces:
                if origin >= 0:
                    norm_at.append(npos)
                    orig_at.append(origin)
                parts.append(piece)
                npos += len(piece)
            seg, s = seg[at:], s + at
        parts.append(seg)
        norm_at.append(npos)
        orig_at.append(s)
        parts.append("\n")
        npos += len(seg) + 1
        pos = line_end + 1
    return "".join(parts), norm_at or [0], orig_at or [start]


def to_orig(norm_at: list[int], orig_at: list[int], i: int) -> int:
    k = bisect.bisect_right(norm_at, i) - 1
    return orig_at[k] + (i - norm_at[k])


def squash(text: str) -> str:
    return " ".join(normalize_window(text, 0, len(text))[0].split())


def placed(norm: str, s: int, opos: int, n: int, look: str) -> bool:
    """Whether a statement refers to this document (self reference, copyright line, head or tail)."""
    if opos < PLACEMENT_CHARS or n - opos < PLACEMENT_CHARS or P.SELF_REF.search(look):
        return True
    return bool(P.COPYRIGHT_NEAR.search(norm[max(0, s - 400) : s]))


def sentence_before(norm: str, s: int, width: int = 240) -> str:
    look = norm[max(0, s - width) : s]
    cuts = [m.end() for m in P.SENTENCE_END.finditer(look)]
    return look[cuts[-1] :] if cuts else look


def clause_after(norm: str, end: int, width: int = 300) -> str:
    after = norm[end : end + width]
    stop = P.AFTER_END.search(after)
    return after[: stop.start()] if stop else after
