"""Licence names read at a match: family, version, "or later", CC flags; whole-text variants.

Each function takes a family match in a normalised window (see `license_window`) and returns the
SPDX id it names, or None when the name is too vague to be an id (an unversioned name without a
version the licence itself defines).
"""

from __future__ import annotations

import re

from clearlm.clear import license_clauses as C
from clearlm.clear import license_families as F
from clearlm.clear.license_ids import is_spdx, lookup, versioned
from clearlm.clear.license_window import clause_after


def gnu_id(m: re.Match[str], norm: str) -> tuple[str, int, bool] | None:
    fam, after = m.lastgroup, clause_after(norm, m.end())
    ver = plus = None
    if fam == "gnu":
        base = {"lesser": "LGPL", "library": "LGPL", "affero": "AGPL"}.get(
            (m.group("gq") or m.group("gq2") or "").lower(), "GPL"
        )
    elif fam == "gfdl":
        base = "GFDL"
    else:
        tm = re.match(r"([LA]?GPL|GFDL)(?:-?v?(\d(?:\.\d)?))?(\+|-or-later|-only)?", m.group(), re.I)
        assert tm is not None
        base, ver, plus = tm.group(1).upper(), tm.group(2), tm.group(3)
    vend = 0
    if ver is None:
        vm = F.VERSION.match(after) or F.FSF_VERSION.match(after)
        pre = None if vm else F.PRE_VERSION.search(norm, max(0, m.start() - 80), m.start())
        if pre is not None:
            ver, plus = pre.group(1), "+" if pre.group("later") else "-only"
        elif vm is None and base == "GPL" and F.LINUX_COPYING.match(norm, m.end(), m.end() + 200):
            return "GPL-2.0-only", m.end(), True
        elif vm is None:
            return F.GNU_DEFAULT[base], m.end(), False
        else:
            ver, vend = next(g for g in vm.groups() if g), vm.end()
    later = F.OR_LATER.match(after[vend:]) if plus is None else None
    if later:
        vend += later.end()
    suffix = "or-later" if later or plus in ("+", "-or-later") else "only"
    key = f"{base}-{ver if '.' in ver else ver + '.0'}-{suffix}"
    return (str(lookup()[key.lower()]), m.end() + vend, True) if is_spdx(key) else None


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
    vm = F.VERSION.match(after) or pre
    if vm is None:
        return None
    key = versioned(f"CC-{kind}-{{v}}", vm.group(1))
    if vm is pre:
        return (key, 0) if key else None
    port = re.match(
        r"\s*(?:[\w-]+\s+)?(Germany|Austria|Netherlands|United States|Australia|France|IGO|Japan)",
        after[vm.end() :],
        re.I,
    )
    if key and port:
        ported = f"{key}-{F.CC_PORTS[port.group(1).lower()].upper()}"
        key = ported if is_spdx(ported) else key
    return (key, vm.end()) if key else None


def name_id(m: re.Match[str], norm: str, raw_after: str) -> tuple[str, int, bool] | None:
    """SPDX id named at a NAMES match, the end of the name (with version), and whether versioned."""
    fam = m.lastgroup or ""
    if fam in ("gnu", "gab", "gfdl"):
        return gnu_id(m, norm)
    if fam in F.FIXED:
        return F.FIXED[fam], m.end(), True
    if fam == "w3c":
        # the 2015 "Software and Document" licence, the 1998 notice (named by its date), else 2002's
        w3c = "W3C-20150513" if m.group("w3doc") else "W3C-19980720" if "19980720" in raw_after else "W3C"
        return w3c, m.end(), True
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
        pre = F.PRE_VERSION.search(norm, max(0, m.start() - 80), m.start())
        got = _cc_id(m.groupdict().get("ccn") or m.group(), clause_after(norm, m.end()), pre)
        return (got[0], m.end() + got[1], True) if got else None
    template = F.TEMPLATES.get(fam)
    if template is None:
        return None
    vm = F.VERSION.match(clause_after(norm, m.end()))
    if vm is not None:
        key = versioned(template, vm.group(1))
        return (key, m.end() + vm.end(), True) if key else None
    pre = F.PRE_VERSION.search(norm, max(0, m.start() - 80), m.start())
    if pre is not None:
        key = versioned(template, pre.group(1))
        return (key, m.end(), True) if key else None
    if fam == "cddl" and F.CDDL_11.search(raw_after):
        return "CDDL-1.1", m.end(), True
    default = F.DEFAULT_VERSION.get(fam)
    return (template.format(v=default), m.end(), False) if default else None


def is_title(norm: str, s: int, end: int) -> bool:
    """A licence's own title line ("GNU GENERAL PUBLIC LICENSE / Version 2, June 1991", "MIT License")."""
    line_start = norm.rfind("\n", 0, s) + 1
    if not F.TITLE_PREFIX.fullmatch(norm, line_start, s):
        return False
    line_end = norm.find("\n", end)
    rest = norm[end : line_end if line_end >= 0 else len(norm)]
    return len(rest.strip()) <= 40 and not F.TITLE_REST_BAD.search(rest)


def text_id(lid: str, body: str) -> str:
    """The licence a distinctive clause belongs to, told apart by the clauses that follow it."""
    if lid == "#mit":
        return "MIT" if C.MIT_CONDITION.search(body) else "MIT-0"
    if lid == "#isc":
        return "curl" if C.CURL_CLAUSE.search(body) and not C.ISC_DISCLAIMER.search(body) else "ISC"
    if lid == "#bsd":
        nxt = re.search(r"Redistribution\s+and\s+use", body, re.I)
        body = body[: nxt.start()] if nxt else body
        return (
            "BSD-4-Clause"
            if C.BSD_ADVERT.search(body)
            else "BSD-3-Clause"
            if C.BSD_THIRD.search(body)
            else "BSD-2-Clause"
        )
    return lid
