"""Combining Mentions into statements: drop repeats and names quoted inside licence texts, attach
GPL exceptions (`WITH`), and join alternatives into one `OR` expression ("dual licensed under …").
"""

from __future__ import annotations

import re

from clearlm.clear import license_clauses as C
from clearlm.clear import license_families as F
from clearlm.clear import license_patterns as P
from clearlm.clear.license_ids import PUBLIC_DOMAIN_REF, normalize_expression
from clearlm.clear.license_scan import Mention
from clearlm.clear.license_window import sentence_before, squash


def _family(expr: str) -> str:
    return re.sub(r"-\d.*$", "", expr)


def _gnu_base(expr: str) -> str:
    return expr.split("-")[0] if re.match(r"^(?:[LA]?GPL|GFDL)-", expr) else ""


def combine(text: str, mentions: list[Mention], excs: list[tuple[int, str]]) -> list[list[Mention]]:
    """Drop statements inside licence texts or repeating a versioned one; attach exceptions; group ORs."""
    mentions.sort(key=lambda m: (m.start, -m.end))
    spans: list[tuple[int, int]] = []
    for m in mentions:
        if m.kind == "license-text" and m.family in F.FAMILIES:
            stop = C.TEXT_END.search(text, m.start, m.start + 45_000)
            if stop:
                spans.append((m.start, stop.end() + 4_000))
    keep = []
    for m in mentions:
        inside = m.kind == "notice" and any(a < m.start <= b for a, b in spans)
        inside = inside or any(
            o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start for o in mentions
        )
        # "the GPL" in a document that names "GPL version 2" elsewhere means that version.
        near = not m.versioned and any(o.versioned and _family(o.expr) == _family(m.expr) for o in mentions)
        pd_named = m.expr == PUBLIC_DOMAIN_REF and any(
            o.expr in C.PD_IDS and abs(o.start - m.start) < 400 for o in mentions
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
    return _undominated(text, groups)


def group_expr(group: list[Mention]) -> str | None:
    exprs = list(dict.fromkeys(m.expr for m in group))
    return exprs[0] if len(exprs) == 1 else normalize_expression(" OR ".join(f"({e})" for e in exprs))


def _undominated(text: str, groups: list[list[Mention]]) -> list[list[Mention]]:
    """Drop a lone licence that a nearby dual licence or exception statement already names."""
    exprs = [group_expr(g) or "" for g in groups]
    spans = [(min(m.start for m in g), max(m.end for m in g)) for g in groups]
    covers = []
    for expr in exprs:
        parts = (
            {p.strip("() ") for p in re.split(r"\s+OR\s+|\s+AND\s+", expr)}
            if " OR " in expr or " WITH " in expr
            else set()
        )
        covers.append(parts | {c.split(" WITH ")[0] for c in parts})
    # Repeats follow a dual-licence statement ("… the Eclipse Public License is available at"); a
    # notice *before* it is a separate statement unless in the same sentence, or unless the dual
    # licence is an SPDX tag, which sums up the notices above it.
    reach_back = [3_000 if any(m.kind == "spdx-header" for m in g) else 300 for g in groups]
    out = []
    for i, g in enumerate(groups):
        start, expr = spans[i][0], exprs[i]
        dominated = (
            all(m.kind == "notice" for m in g)
            and not _GRANT.search(squash(text[max(0, start - 200) : start]))
            and " OR " not in expr
            and any(
                j != i
                and expr in covers[j]
                and expr != exprs[j]
                and spans[j][0] - reach_back[j] <= start <= spans[j][1] + 3_000
                for j in range(len(groups))
            )
        )
        if not dominated:
            out.append(g)
    return out


# A full grant ("you can redistribute it and/or modify it under the terms of …") after a dual-licence
# line is that option's own notice (the "GPL LICENSE SUMMARY" of a dual BSD/GPL file), not a repeat.
_GRANT = re.compile(
    r"redistribute\s+it\s+and/or\s+modify\s+it\s+under\s+the\s+terms\s+of(?:\s+\S+){0,6}\s*$", re.I
)


def _joins(text: str, group: list[Mention], m: Mention) -> bool:
    """Whether `m` belongs to the statement in `group`: the same licence again, or an alternative."""
    prev = group[-1]
    if (
        m.kind not in ("notice", "license-text")
        or prev.kind not in ("notice", "license-text")
        or m.start < prev.end
    ):
        return False
    # The same licence again ("MIT License" … its text) is one statement, unless the group is a
    # choice: a licence text after "GPLv2 or MIT" states MIT on its own.
    if m.start - prev.end <= 300 and m.expr == prev.expr and all(g.expr == m.expr for g in group):
        return True
    if m.kind == "license-text":
        # "GPL version 2; or, when distributed separately, the following license: <MIT text>"
        gap = squash(text[prev.end : m.start]) if m.start - prev.end <= 600 else ""
        return prev.kind == "notice" and bool(P.OR_FOLLOWING.search(gap))
    # The Eclipse Foundation's "EPL and EDL" is a choice between the two (its dual-licensing model).
    if {prev.family, m.family} == {"epl", "edl"} and m.start - prev.end <= 200:
        return True
    if m.start - prev.end <= 200:
        gap = squash(text[prev.end : m.start])
        if P.GAP_OR.match(gap):
            return True
        statement = squash(text[max(0, group[0].start - 200) : m.start])
        if (
            P.OR_CUE.search(statement)
            and re.search(r"\b(?:or|and)\b|/", gap)
            and not re.search(r"[.;]\s", gap)
        ):
            return True
    before = squash(text[max(0, m.start - 400) : m.start])
    look = sentence_before(before, len(before), 10_000)
    return m.start - prev.end < 6_000 and bool(P.ALTERNATIVELY.search(look))
