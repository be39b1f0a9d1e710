"""The explorer's filters, and the SQL WHERE clause over its `docs` snapshot table they become.

Every value a visitor types is a query parameter, never SQL text: the source is an ILIKE pattern with
its wildcards escaped, and the decision, reason and stage filters select documents with a matching
ledger row in `events`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NO_LICENSE = "(none)"  # the licence filter's value for documents whose clearance named none


@dataclass(frozen=True)
class Filters:
    """What the explorer's form asks for; empty strings mean "any"."""

    source: str = ""
    license: str = ""
    decision: str = ""
    reason: str = ""
    stage: str = ""

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_clause(filters: Filters) -> tuple[str, list[Any]]:
    """A WHERE clause with placeholders only: user text never becomes SQL."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.source:
        clauses.append("source ILIKE ? ESCAPE '\\'")
        params.append(_like_pattern(filters.source))
    if filters.license == NO_LICENSE:
        clauses.append("license IS NULL")
    elif filters.license:
        clauses.append("license = ?")
        params.append(filters.license)
    event_clauses: list[str] = []
    for column in ("stage", "decision"):
        value = getattr(filters, column)
        if value:
            event_clauses.append(f"{column} = ?")
            params.append(value)
    if filters.reason:
        event_clauses.append("list_contains(reasons, ?)")
        params.append(filters.reason)
    if event_clauses:
        clauses.append(f"doc_id IN (SELECT doc_id FROM events WHERE {' AND '.join(event_clauses)})")
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params
