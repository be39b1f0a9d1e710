"""`clearlm lookup -w WS FILE... [--text TEXT]`: is this work in the workspace's data, and what became of it?

Each FILE (and each --text) is one query. Files are read first, so an unreadable, binary or
oversized one stops the command (exit 2, naming the file) before any index is built. The first
lookup after the ledger moved rebuilds WS/lookup/ (a line on stderr says so). `--format json`
prints one `LookupResult.to_dict()` object per query, one per line, and nothing else on stdout.
Exit 0 whether or not anything matched: "not found" is an answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clearlm.cli_options import WS_OPTION
from clearlm.errors import UserError
from clearlm.lookup import DEFAULT_MAX_BYTES, DEFAULT_THRESHOLD, read_query_file
from clearlm.workspace import Workspace

if TYPE_CHECKING:
    from clearlm.lookup.result import DocMatch, LookupResult

_SPAN_CHARS = 160  # a span is shown up to this many characters in the table


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def _decision(match: DocMatch) -> str:
    decision = escape(match.decision or "(not cleared)")
    if match.reasons:
        decision += " " + escape(", ".join(match.reasons))
    if match.revoked:
        decision += " [red]revoked[/]"
    return decision


def _kept(match: DocMatch) -> str:
    kept = _yes_no(match.kept)
    return kept + (f" ({escape(', '.join(match.drop_reasons))})" if match.drop_reasons else "")


def matches_table(result: LookupResult) -> Table:
    """One row per matched document: how it matched and what became of it."""
    table = Table(show_lines=True)
    for column in (
        "#",
        "doc_id",
        "source",
        "how",
        "jaccard",
        "decision",
        "licence",
        "kept",
        "trained",
        "releases",
    ):
        table.add_column(column, overflow="fold", justify="right" if column in ("#", "jaccard") else "left")
    for number, match in enumerate(result.matches, 1):
        jaccard = "-" if match.jaccard is None else f"{match.jaccard:.2f}"
        releases = ", ".join(f"{r.name} ({r.digest[:12]})" for r in match.releases) or "-"
        table.add_row(
            str(number),
            escape(match.doc_id),
            escape(match.source),
            ", ".join(match.how),
            jaccard,
            _decision(match),
            escape(match.license or "(none)"),
            _kept(match),
            _yes_no(match.trained),
            escape(releases),
        )
    return table


def print_result(console: Console, result: LookupResult) -> None:
    query = result.query
    what = escape(query.name or "text")
    console.print(
        f"[bold]{what}[/]: {query.chars:,} characters{' (HTML: main text compared)' if query.html else ''}, "
        f"sha256 {query.sha256}",
        highlight=False,
        soft_wrap=True,
    )
    for note in query.notes:
        console.print(f"  note: {escape(note)}", highlight=False, soft_wrap=True)
    if result.matches:
        console.print(matches_table(result))
    for number, match in enumerate(result.matches, 1):
        for span in match.spans:
            shown = span.text if len(span.text) <= _SPAN_CHARS else span.text[: _SPAN_CHARS - 1] + "…"
            console.print(
                f"  #{number} verbatim span, {span.tokens} tokens: {escape(repr(shown))}",
                highlight=False,
                soft_wrap=True,
            )
    console.print(
        f"[bold]{escape(result.summary)}[/]  [dim]({result.seconds * 1000:.0f} ms)[/]", highlight=False
    )


def register(cli: click.Group, console: Console) -> None:
    err_console = Console(stderr=True)

    @cli.command()
    @WS_OPTION
    @click.argument("files", nargs=-1, type=click.Path(path_type=Path))
    @click.option("--text", "texts", multiple=True, metavar="TEXT", help="Look up this text (repeatable).")
    @click.option(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        show_default=True,
        help="Report near duplicates with at least this MinHash-estimated Jaccard.",
    )
    @click.option(
        "--max-bytes", type=int, default=DEFAULT_MAX_BYTES, show_default=True, help="Refuse larger files."
    )
    @click.option("--rebuild", is_flag=True, help="Rebuild the lookup index even if it is up to date.")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    def lookup(
        ws: Path,
        files: tuple[Path, ...],
        texts: tuple[str, ...],
        threshold: float,
        max_bytes: int,
        rebuild: bool,
        fmt: str,
    ) -> None:
        """Is my work in this training data? Exact, near-duplicate and verbatim matches of FILE or TEXT."""
        if not files and not texts:
            raise UserError("lookup: give one or more FILEs or --text TEXT")
        if not 0.0 < threshold <= 1.0:
            raise UserError(f"lookup --threshold {threshold}: must be in (0, 1]")
        queries = [(str(path), read_query_file(path, max_bytes)) for path in files]
        queries += [("", text) for text in texts]
        Workspace.open(ws)
        from clearlm.lookup.index import LookupIndex  # numpy, trafilatura, curate steps: only here

        with err_console.status("lookup index: checking"):
            index = LookupIndex.open(ws, rebuild=rebuild)
        report = index.build_report
        if report.built:
            err_console.print(
                f"lookup index built ({report.reason}): {report.documents:,} documents "
                f"({report.reused:,} signatures reused) in {report.seconds:.1f} s",
                highlight=False,
                soft_wrap=True,
            )
        for name, text in queries:
            result = index.lookup(text, name=name, threshold=threshold)
            if fmt == "json":
                click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
            else:
                print_result(console, result)
