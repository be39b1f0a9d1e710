"""Reading licence statements out of one stretch of text, each a Mention with its SPDX id and span.

`scan_raw` reads the raw text for SPDX tags, Creative Commons URLs and rel="license" links.
`scan_window` reads a normalised window (comment leaders, tags and entities blanked: see
`license_window`) for licence names after a licensing verb, bare acronyms ("MIT", "BSD"),
public-domain dedications, whole licence texts and GPL exceptions, `License:` labels, slash and
dual-licence lists, /usr/share/common-licenses paths, MODULE_LICENSE tags and licence URLs. Which
windows to read is `license_scan`'s business.
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


def scan_raw(text: str, s: int, e: int, low: str, out: list[Mention]) -> None:
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


def scan_window(
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
