"""Revocation tests run on a private copy of the release tests' trained and audited workspace."""

from __future__ import annotations

from pathlib import Path

from clearlm.ledger.query import run_sql
from tests.release.conftest import audited_ws, fresh_ws  # noqa: F401


def trained_doc_ids(ws: Path, split: str = "train", group: str = "%") -> list[str]:
    """Corpus documents (no canaries) in `group` (a LIKE pattern) with tokens in `split` of the index."""
    _, rows = run_sql(
        ws,
        'SELECT DISTINCT doc_id FROM tokens WHERE split = ? AND "group" <> \'canary\' AND "group" LIKE ? '
        "ORDER BY doc_id",
        [split, group],
    )
    return [str(r[0]) for r in rows]


def heldout_only_doc_id(ws: Path) -> str:
    _, rows = run_sql(
        ws,
        "SELECT doc_id FROM tokens GROUP BY doc_id HAVING bool_and(split = 'heldout') "
        "ORDER BY doc_id LIMIT 1",
    )
    assert rows, "the fixture workspace has a held-out document"
    return str(rows[0][0])


def ledger_rows(ws: Path, stage: str) -> list[dict[str, object]]:
    columns, rows = run_sql(
        ws,
        "SELECT doc_id, step, decision, reasons, evidence FROM ledger WHERE stage = ? ORDER BY seq",
        [stage],
    )
    return [dict(zip(columns, row, strict=True)) for row in rows]
