"""Finding licence statements in text: each a Mention with its SPDX id, kind and original span.

Precision first: a licence name counts only inside a licensing statement (a verb such as "licensed
under", a `License:` label, a licence text's own title) that refers to this document (a self
reference, a nearby copyright line, or its place at the head or tail of the document). Speed: long
documents are parsed only at their head and tail and around a few literal needles in between, and
each family is matched only where one of its lower-case literals occurs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from clearlm.clear import license_clauses as C
from clearlm.clear import license_families as F
from clearlm.clear import license_patterns as P
from clearlm.clear.license_ids import (
    PUBLIC_DOMAIN_REF,
    cc_url_id,
    normalize_expression,
    resolve_token,
    url_id,
    versioned,
)
from clearlm.clear.license_names import is_title, name_id, text_id
from clearlm.clear.license_window import (
    clause_after,
    normalize_window,
    placed,
    sentence_before,
    squash,
    to_orig,
)

FULL_SCAN_CHARS = 40_000  # shorter documents are parsed whole


HEAD_CHARS = 10_000


TAIL_CHARS = 10_000


WINDOW_BEFORE, WINDOW_AFTER_SHORT = 500, 900


MAX_WINDOWS = 300


@dataclass
class Mention:
    """One licence statement found in the document (original-text offsets)."""

    start: int
    end: int
    expr: str
    kind: str
    family: str = ""
    versioned: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


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
        _scan_raw(text, ws, we, text[ws:we].lower(), out)
        _scan_window(text, ws, we, n, trusted, out, excs)
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
        _scan_raw(text, s, e, low, out)
        for ws, we in _merge(spans):
            _scan_window(text, ws, we, n, trusted, out, excs)


def _scan_raw(text: str, s: int, e: int, low: str, out: list[Mention]) -> None:
    """SPDX tags, Creative Commons URLs and rel="license" links, read from the raw text."""
    if "spdx" in low:
        for m in P.SPDX_TAG.finditer(text, s, e):
            expr = normalize_expression(P.SPDX_TRAILER.sub("", m.group(1)).strip())
            if expr:
                out.append(Mention(m.start(), m.end(), expr, "spdx-header"))
    if "creativecommons" in low or "licensebuttons" in low:
        for m in P.CC_URL.finditer(text, s, e):
            key = cc_url_id(m)
            if key:
                out.append(Mention(m.start(), m.end(), key, "cc-url", extra={"url": m.group()}))
    if "rel=" in low or "rel =" in low:
        for m in P.REL_LICENSE.finditer(text, s, e):
            href = P.HREF.search(m.group())
            key = url_id(href.group(1)) if href else None
            if key and href:
                out.append(Mention(m.start(), m.end(), key, "rel-license", extra={"url": href.group(1)}))


def _finds(low: str, needle: str) -> list[int]:
    out = []
    i = low.find(needle)
    while i >= 0:
        out.append(i)
        i = low.find(needle, i + 1)
    return out


def _scan_window(
    text: str, ws: int, we: int, n: int, trusted: bool, out: list[Mention], excs: list[tuple[int, str]]
) -> None:
    norm, norm_at, orig_at = normalize_window(text, ws, we)
    low = norm.lower()
    low = (low if len(low) == len(norm) else norm).replace("\n", " ")

    def orig(i: int) -> int:
        return to_orig(norm_at, orig_at, i)

    def accept(i: int, need_trigger: bool = True) -> bool:
        look = sentence_before(norm, i)
        if trusted:
            return True
        if need_trigger and not P.TRIGGER.search(look):
            return False
        if placed(norm, i, orig(i), n, look):
            return True
        # a list of statements in one sentence ("X is licensed under the GPL, its documentation
        # under CC BY-SA and its scripts under the BSD licence") is placed by its first item
        head = orig(i - len(sentence_before(norm, i, 1_000)))
        return any(head <= o.start < orig(i) and o.kind == "notice" for o in out)

    candidates = sorted({(i, fam) for core, fam in F.CORES for i in _finds(low, core)})
    done: dict[str, int] = {}
    for i, fam in candidates:
        m = F.FAMILIES[fam].search(norm, max(0, i - 40), i + 80)
        if m is None or not m.start() <= i < m.end() or m.start() < done.get(fam, -1):
            continue
        done[fam] = m.end()
        got = name_id(m, norm, norm[m.end() : m.end() + 400])
        if got is None:
            continue
        key, end, versioned = got
        title = versioned and is_title(norm, m.start(), end)
        if title or accept(m.start()):
            kind = "license-text" if title else "notice"
            out.append(Mention(orig(m.start()), orig(end), key, kind, family=fam, versioned=versioned))
    for word in ("mit", "bsd", "apache", "expat", "isc", "zlib"):
        for i in _finds(low, word):
            m = None if i and low[i - 1].isalnum() else F.BARE.match(norm, i)
            if m is not None:
                _bare(norm, m, trusted, accept, orig, out)
    for i in _finds(low, "public domain") + _finds(low, "public-domain"):
        m = P.PUBLIC_DOMAIN.search(norm, max(0, i - 160), i + 40)
        if m and not P.NEGATED.search(norm, max(0, m.start() - 30), m.start()) and accept(m.start(), False):
            out.append(Mention(orig(m.start()), orig(m.end()), PUBLIC_DOMAIN_REF, "notice", family="pd"))
    gate = " ".join(low.split())
    for literal, pattern, lid in C.LICENSE_TEXTS:
        if literal in gate:
            for m in pattern.finditer(norm):
                key = text_id(lid, squash(text[orig(m.end()) : orig(m.end()) + 2_500]))
                out.append(Mention(orig(m.start()), orig(m.end()), key, "license-text", family=key))
    for literal, pattern, eid in C.EXCEPTIONS:
        if literal in gate:
            excs.extend((orig(m.start()), eid) for m in pattern.finditer(norm))
    found: str | None
    for i in _finds(low, "licen"):
        before = norm[i - 1] if i else " "
        m = P.LABEL.match(norm, i) if before in " \t\n\"'({[,@" else None
        if m and (m.group(1) or before == "@"):
            g = 1 if m.group(1) else 2
            value = m.group(g).strip()
            found = normalize_expression(value) or normalize_expression(
                re.split(r"\s*[(,;]|\s+-\s+", value)[0]
            )
            if found:
                out.append(
                    Mention(orig(m.start(g)), orig(m.start(g) + len(value)), found, "notice", family="label")
                )
    for i in _finds(low, " licensed") + _finds(low, " licenced"):
        m = P.SLASH_LICENSED.search(norm, max(0, i - 60), i + 9)
        if m:
            keys = [resolve_token(t) for t in m.group(1).split("/")]
            if all(keys) and accept(m.start(), need_trigger=False):
                expr = normalize_expression(" OR ".join(f"({k})" for k in keys if k))
                if expr:
                    out.append(Mention(orig(m.start()), orig(m.end(1)), expr, "notice", family="slash"))
    for i in _finds(low, "dual"):
        m = P.DUAL_SLASH.match(norm, i)
        if m and accept(m.start(), need_trigger=False):
            # a bare "BSD" in a dual licence means what it means after a licensing verb
            keys = [resolve_token(t) or F.BARE_IDS.get(t.lower()) for t in re.split(r"\s*/\s*", m.group(1))]
            expr = normalize_expression(" OR ".join(f"({k})" for k in keys)) if all(keys) else None
            if expr:
                out.append(Mention(orig(m.start()), orig(m.end()), expr, "notice", family="slash"))
    raw = text[ws:we]
    if "common-licenses" in raw:
        for m in P.COMMON_LICENSES.finditer(text, ws, we):
            found = resolve_token(m.group(1))
            if found:
                out.append(
                    Mention(m.start(), m.end(), found, "notice", family="common-licenses", versioned=False)
                )
    if "MODULE_LICENSE" in raw:
        for m in C.MODULE_LICENSE.finditer(text, ws, we):
            found = C.MODULE_IDS.get(m.group(1).lower())
            if found:
                out.append(Mention(m.start(), m.end(), found, "notice", family="module"))
    if ".org/" in low or "wtfpl.net" in low:
        for m in P.URL_ANY.finditer(text, ws, we):
            look = text[max(0, m.start() - 200) : m.start()]
            found = url_id(m.group())
            if found and (trusted or placed(look, len(look), m.start(), n, look)):
                out.append(
                    Mention(m.start(), m.end(), found, "notice", family="url", extra={"url": m.group()})
                )


def _bare(norm: str, m: re.Match[str], trusted: bool, accept: Any, orig: Any, out: list[Mention]) -> None:
    """A bare acronym ("MIT", "BSD") right after a licensing verb or in a dual-licence list."""
    look = sentence_before(norm, m.start(), 120)
    chained = F.BARE_CHAIN.search(look) and P.OR_CUE.search(look)
    if not (F.BARE_TRIGGER.search(look) or chained or trusted) or not accept(m.start(), need_trigger=False):
        return
    word = m.group().lower()
    key: str | None = F.BARE_IDS.get(word)
    end = m.end()
    if word == "apache":
        vm = F.VERSION.match(clause_after(norm, m.end()))
        key = versioned("Apache-{v}", vm.group(1)) if vm else None
        end += vm.end() if vm else 0
    if key:
        out.append(Mention(orig(m.start()), orig(end), key, "notice", family=word))
