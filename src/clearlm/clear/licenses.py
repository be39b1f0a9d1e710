"""Licence detection: every licence statement that applies to a document, one Signal per licence.

Forms found: `SPDX-License-Identifier` lines, HTML `rel="license"` links and Creative Commons deed,
legal-code and badge URLs, plain-text notices ("licensed under …", the GNU "either version 2 … or any
later version" grammar, Debian `License:` fields), full licence texts recognised by their distinctive
clauses, GPL exceptions (`WITH`), dual licences (`OR`), and metadata fields (`license`, `rights`…).

The work is split: `license_scan` finds statements (Mentions) in text, `license_combine` groups
them, `license_ids` normalises and classifies SPDX expressions; this module adds metadata fields and
HTTP headers, keeps the statements that license the document itself, and builds the Signals.
"""

from __future__ import annotations

import re
from typing import Any

from clearlm.clear import license_patterns as P
from clearlm.clear.license_combine import combine, group_expr
from clearlm.clear.license_ids import (
    PUBLIC_DOMAIN_REF,
    and_parts,
    classify,
    license_keys,
    normalize_expression,
    url_id,
)
from clearlm.clear.license_scan import Mention, scan_text
from clearlm.clear.license_window import squash
from clearlm.clear.signals import Signal, http_headers, span_evidence
from clearlm.pipeline.document import Document

__all__ = [
    "PUBLIC_DOMAIN_REF",
    "Mention",
    "classify",
    "detect_licenses",
    "license_keys",
    "normalize_expression",
    "scan_text",
]

FIELD_KEYS = re.compile(
    r"^(?:licen[cs]es?|rights|spdx|copyright_licen[cs]e)(?:[_ -]?(?:spdx|ids?|name|url|expression))?$", re.I
)


KIND_PRIORITY = ("spdx-header", "rel-license", "metadata-field", "license-text", "cc-url", "notice")


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
                key = url_id(m.group(1))
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
    hits = list(P.ATTRIBUTION_TEXT.finditer(squash(text[max(0, start - 300) : start])))
    if hits:
        return hits[-1].group(1)
    after = P.ATTRIBUTION_TEXT.search(squash(text[start : start + 300]))
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
    groups = combine(text, mentions, excs) + [[m] for m in _metadata_mentions(doc)]
    found: dict[str, tuple[dict[str, Any], int]] = {}
    for group in groups:
        joined = group_expr(group)
        if not joined:
            continue
        evidence = _evidence(text, group)
        if evidence["kind"] in ("notice", "cc-url") and _asset_scoped(text, int(evidence.get("offset", -1))):
            continue
        rank = KIND_PRIORITY.index(evidence["kind"])
        for part in and_parts(joined):
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
