"""`clearlm ledger sql|verify|explain`: query, verify and explain the append-only ledger."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clearlm.errors import WorkspaceError
from clearlm.ledger import Ledger
from clearlm.ledger.query import rows_as_json, run_sql, to_jsonable
from clearlm.report import explain_rows
from clearlm.workspace import Workspace


def register(cli: click.Group, console: Console, ws_option: Callable[[Any], Any]) -> None:
    @cli.group()
    def ledger() -> None:
        """Query, verify and explain the append-only ledger."""

    @ledger.command("sql")
    @ws_option
    @click.argument("query")
    @click.option(
        "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
    )
    def ledger_sql(ws: Path, query: str, fmt: str) -> None:
        """Run SQL over the views `ledger` and one per stage output (e.g. `ingest`)."""
        Workspace.open(ws)
        columns, rows = run_sql(ws, query)
        _emit(console, columns, rows, fmt)

    @ledger.command("verify")
    @ws_option
    def ledger_verify(ws: Path) -> None:
        """Recompute the hash chain; exit 1 naming the first edited, removed or inserted row."""
        Workspace.open(ws)
        report = Ledger(ws / "ledger").verify()
        tail = f" ({report.uncommitted_tail} rows after head.json)" if report.uncommitted_tail else ""
        console.print(
            f"ledger OK: {report.rows} rows in {report.segments} segments, head {report.head_hash}{tail}"
        )

    @ledger.command("explain")
    @ws_option
    @click.argument("doc_id")
    def ledger_explain(ws: Path, doc_id: str) -> None:
        """Show one document's whole history: every stage, step, decision, reason and evidence."""
        Workspace.open(ws)
        columns, rows = explain_rows(ws, doc_id)
        if not rows:
            raise WorkspaceError(f"no ledger rows for doc_id {doc_id}", ws / "ledger")
        events = [dict(zip(columns, row, strict=True)) for row in rows]
        console.print(f"[bold]{doc_id}[/]  {escape(str(events[0]['source']))}", soft_wrap=True)
        for event in events:
            reasons = ", ".join(event["reasons"]) or "-"
            when = to_jsonable(event["ts"])
            console.print(
                f"  #{event['seq']:<6} {event['stage']}/{event['step']:<12} [bold]{event['decision']:<6}[/] "
                f"{escape(reasons)}  [dim]{when}[/]",
                soft_wrap=True,
            )
            console.print(
                f"          evidence {escape(str(event['evidence']))}", soft_wrap=True, highlight=False
            )


def _emit(console: Console, columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> None:
    if fmt == "json":
        click.echo(rows_as_json(columns, rows))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [json.dumps(v) if isinstance(v, list | dict) else v for v in map(to_jsonable, row)]
            )
        click.echo(buffer.getvalue(), nl=False)
    else:
        table = Table(show_lines=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(_cell(v) for v in row))
        console.print(table)
        console.print(f"{len(rows)} rows")


def _cell(value: Any) -> str:
    text = (
        json.dumps(to_jsonable(value), ensure_ascii=False) if isinstance(value, list | dict) else str(value)
    )
    return text if len(text) <= 200 else text[:197] + "…"
