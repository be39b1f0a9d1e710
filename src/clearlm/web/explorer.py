"""The ledger explorer's queries: one row per document, filters, pages, one document's history.

Filtering the raw ledger on every request would re-read every Parquet segment, so a *snapshot* is
built once per ledger state: an in-memory DuckDB table `docs` (one row per document: source, licence,
clearance decision, where it stopped, whether it trained) and `events` (every row without its
evidence, for the decision/reason/stage filters). The snapshot is keyed by `head.json`, which every
append rewrites, so a revocation or a complaint shows up on the next request. One document's
evidence and text are read from the Parquet files directly: a lookup by id touches few row groups.
The form's filters become SQL in `clearlm.web.explorer_filters`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from clearlm.funnel import Funnel, chart_png, compute
from clearlm.ledger.query import connect
from clearlm.web.explorer_filters import NO_LICENSE, Filters, where_clause

PAGE_SIZE = 50
EXCERPT_CHARS = 600  # enough to recognise a work, short enough not to republish it
STOPPING = ("deny", "drop", "review")
NOT_A_STAGE_STOP = ("review",)  # a complaint asks for review; it does not stop the document itself

_SNAPSHOT_SQL = [
    "CREATE TABLE events AS SELECT seq, doc_id, stage, step, decision, reasons FROM ledger",
    """CREATE TABLE clear_facts AS
       SELECT doc_id, arg_max(decision, seq) AS clear_decision,
              arg_max(json_extract_string(evidence, '$.license'), seq) AS license
       FROM ledger WHERE stage = 'clear' GROUP BY doc_id""",
    f"""CREATE TABLE doc_facts AS
       SELECT doc_id, min(seq) AS first_seq, arg_min(source, seq) AS source,
              arg_max(stage, seq) AS last_stage,
              min(seq) FILTER (WHERE decision IN {STOPPING} AND stage NOT IN {NOT_A_STAGE_STOP}) AS stop_seq,
              bool_or(stage = 'revoke' AND decision = 'deny') AS revoked,
              count(*) AS events
       FROM ledger GROUP BY doc_id""",
]
_DOCS_SQL = """CREATE TABLE docs AS
    SELECT f.doc_id, f.first_seq, f.source, f.last_stage, f.revoked, f.events,
           c.clear_decision, c.license, s.stage AS stop_stage, s.step AS stop_step,
           s.decision AS stop_decision, s.reasons AS stop_reasons, {trained} AS trained
    FROM doc_facts f LEFT JOIN clear_facts c USING (doc_id) LEFT JOIN events s ON s.seq = f.stop_seq"""


@dataclass(frozen=True)
class DocRow:
    doc_id: str
    source: str
    license: str | None
    clear_decision: str | None
    outcome: str
    reasons: list[str]
    trained: bool
    events: int


@dataclass(frozen=True)
class Page:
    rows: list[DocRow]
    total: int
    number: int  # 1-based
    pages: int


@dataclass
class Snapshot:
    key: tuple[int, int]
    con: duckdb.DuckDBPyConnection
    options: dict[str, list[str]] = field(default_factory=dict)
    funnel: tuple[Funnel, bytes] | None = None


_ROW = """doc_id, source, license, clear_decision, revoked, stop_stage, stop_step, stop_decision,
          stop_reasons, trained, last_stage, events"""
PERSONAL_FIELDS = ("name", "email", "message")  # a complainant's: kept in the ledger, never shown here
WITHHELD = "(withheld: personal data)"


class Explorer:
    """Thread-safe queries over one workspace's ledger; each request takes its own DuckDB cursor."""

    def __init__(self, ws_root: Path) -> None:
        self.ws_root = Path(ws_root)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def _ledger_key(self) -> tuple[int, int]:
        head = self.ws_root / "ledger" / "head.json"  # every append rewrites it
        return (head.stat().st_mtime_ns, head.stat().st_size) if head.is_file() else (0, 0)

    def snapshot(self) -> Snapshot:
        key = self._ledger_key()
        with self._lock:
            if self._snapshot is None or self._snapshot.key != key:
                self._snapshot = self._build(key)
            return self._snapshot

    def _build(self, key: tuple[int, int]) -> Snapshot:
        con = connect(self.ws_root)
        for sql in _SNAPSHOT_SQL:
            con.execute(sql)
        has_tokens = _has_view(con, "tokens")
        trained = "f.doc_id IN (SELECT doc_id FROM tokens WHERE split = 'train')" if has_tokens else "false"
        con.execute(_DOCS_SQL.format(trained=trained))
        licences = _column(con, "SELECT DISTINCT license FROM docs WHERE license IS NOT NULL")
        options = {
            "license": [NO_LICENSE, *licences],
            "decision": _column(con, "SELECT DISTINCT decision FROM events"),
            "reason": _column(con, "SELECT DISTINCT unnest(reasons) FROM events"),
            "stage": _column(con, "SELECT stage FROM events GROUP BY stage ORDER BY min(seq)", sort=False),
        }
        return Snapshot(key, con, options)

    def options(self) -> dict[str, list[str]]:
        """The values each dropdown offers: only what the ledger actually holds."""
        return self.snapshot().options

    def page(self, filters: Filters, number: int = 1) -> Page:
        where, params = where_clause(filters)
        cursor = self.snapshot().con.cursor()
        (total,) = cursor.execute(f"SELECT count(*) FROM docs {where}", params).fetchone() or (0,)
        pages = max(1, -(-total // PAGE_SIZE))
        number = min(max(1, number), pages)
        offset = (number - 1) * PAGE_SIZE
        sql = f"SELECT {_ROW} FROM docs {where} ORDER BY first_seq LIMIT {PAGE_SIZE} OFFSET {offset}"
        rows = cursor.execute(sql, params).fetchall()
        return Page([_doc_row(r) for r in rows], total, number, pages)

    def summary(self, doc_id: str) -> DocRow | None:
        cursor = self.snapshot().con.cursor()
        row = cursor.execute(f"SELECT {_ROW} FROM docs WHERE doc_id = ?", [doc_id]).fetchone()
        return _doc_row(row) if row else None

    def history(self, doc_id: str) -> list[dict[str, Any]]:
        """Every ledger row of one document, oldest first, evidence parsed from its JSON text.

        A review request's evidence holds the complainant's name, e-mail and message, for the
        reviewer; the pages are public, so those values are replaced here.
        """
        cursor = self.snapshot().con.cursor()
        names = ["seq", "run_id", "stage", "step", "decision", "reasons", "evidence", "ts", "row_hash"]
        sql = f"SELECT {', '.join(names)} FROM ledger WHERE doc_id = ? ORDER BY seq"
        events = [dict(zip(names, row, strict=True)) for row in cursor.execute(sql, [doc_id]).fetchall()]
        for event in events:
            evidence = json.loads(event["evidence"] or "{}")
            if event["stage"] == "review" and isinstance(evidence, dict):
                evidence = {k: WITHHELD if k in PERSONAL_FIELDS else v for k, v in evidence.items()}
            event["evidence"] = evidence
        return events

    def excerpt(self, doc_id: str) -> dict[str, Any] | None:
        """The start of the document's text as ingested, with where it came from."""
        cursor = self.snapshot().con.cursor()
        if not _has_view(cursor, "ingest"):
            return None
        row = cursor.execute(
            f"""SELECT substr(text, 1, {EXCERPT_CHARS}), strlen(text), length(text), file_name, mime,
                       byte_offset, byte_length, meta FROM ingest WHERE doc_id = ? LIMIT 1""",
            [doc_id],
        ).fetchone()
        if row is None:
            return None
        names = ["text", "bytes", "chars", "file_name", "mime", "byte_offset", "byte_length", "meta"]
        found = dict(zip(names, row, strict=True))
        found["meta"] = json.loads(found["meta"] or "{}")
        found["truncated"] = found["chars"] > EXCERPT_CHARS
        return found

    def funnel(self) -> tuple[Funnel, bytes]:
        """The funnel and its chart, computed once per ledger state (it reads every document's size)."""
        snapshot = self.snapshot()
        with self._lock:
            if snapshot.funnel is None:
                funnel = compute(self.ws_root)
                snapshot.funnel = (funnel, chart_png(funnel))
            return snapshot.funnel


def _has_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]).fetchone() == (1,)


def _column(con: duckdb.DuckDBPyConnection, sql: str, *, sort: bool = True) -> list[str]:
    values = [str(r[0]) for r in con.execute(sql).fetchall() if r[0] is not None]
    return sorted(values) if sort else values


def _doc_row(row: tuple[Any, ...]) -> DocRow:
    (doc_id, source, license_, clear_decision, revoked, stop_stage, stop_step, stop_decision,
     stop_reasons, trained, last_stage, events) = row  # fmt: skip
    if revoked:
        outcome = "revoked"
    elif stop_decision is not None:
        outcome = f"{stop_decision} at {stop_stage}/{stop_step}"
    elif trained:
        outcome = "trained"
    else:
        outcome = f"passed {last_stage}"
    reasons = list(stop_reasons or []) if not revoked else ["revoked"]
    return DocRow(doc_id, source, license_, clear_decision, outcome, reasons, bool(trained), int(events))
