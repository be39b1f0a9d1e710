"""`clearlm trace -w WS "TEXT"`: the spans of TEXT found verbatim in the training shards.

The first trace of a workspace builds WS/tokens/trace/ (a status line on stderr says what it is
doing, then how long it took); later traces reuse it until the shards change. `--format json`
prints TraceResult.to_dict() and nothing else on stdout, for programs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from clearlm.audit.trace_query import TraceResult, TraceSettings, TraceSpan
from clearlm.errors import InputError, UserError
from clearlm.workspace import Workspace

if TYPE_CHECKING:
    from clearlm.audit.trace_index import TraceIndex

TRAIN_STYLE = "bold black on yellow"
HELDOUT_STYLE = "underline magenta"


def _read_input(text: str | None, file: Path | None) -> str | None:
    if text is not None and file is not None:
        raise UserError("trace: give TEXT or --file, not both")
    if file is None:
        return text
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("trace --file: file not found", file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"trace --file: cannot read it as UTF-8 text ({type(exc).__name__})", file) from None


def _open_index(ws: Path, rebuild: bool, err_console: Console) -> TraceIndex:
    from clearlm.audit.trace_index import TraceIndex  # numpy, tokenizers: imported only when tracing

    with err_console.status("trace index: checking") as status:
        index = TraceIndex.open(ws, rebuild=rebuild, progress=lambda m: status.update(f"trace index: {m}"))
    report = index.build_report
    if report.built:
        sizes = ", ".join(f"{split} {n:,} tokens" for split, n in report.tokens.items())
        err_console.print(
            f"trace index built ({report.reason}): {sizes} in {report.seconds:.1f} s",
            highlight=False,
            soft_wrap=True,
        )
    return index


def highlighted(result: TraceResult) -> Text:
    """The traced text with training spans highlighted and held-out-only spans underlined."""
    text = Text(result.text)
    for span in result.heldout_spans:
        text.stylize(HELDOUT_STYLE, span.char_start, span.char_end)
    for span in result.spans:
        text.stylize(TRAIN_STYLE, span.char_start, span.char_end)
    return text


def spans_table(title: str, spans: list[TraceSpan]) -> Table:
    table = Table(title=title, show_lines=True)
    for column in ("#", "tokens", "found", "span", "doc_id", "source", "licence", "decision"):
        table.add_column(
            column, overflow="fold", justify="right" if column in ("#", "tokens", "found") else "left"
        )
    for number, span in enumerate(spans, 1):
        shown = span.text if len(span.text) <= 120 else span.text[:117] + "…"
        first = [str(number), str(span.length), str(span.occurrences), escape(shown)]
        for i, doc in enumerate(span.docs):
            decision = doc.decision or "(no clearance)"
            if doc.reasons:
                decision += f" {', '.join(doc.reasons)}"
            if doc.revoked:
                decision += " [red]revoked[/]"
            cells = [escape(doc.doc_id), escape(doc.source), escape(doc.license or "(none)"), decision]
            table.add_row(*(first if i == 0 else ["", "", "", ""]), *cells)
    return table


def print_result(console: Console, result: TraceResult) -> None:
    console.print(highlighted(result))
    if result.spans:
        console.print(spans_table("spans found in training data", result.spans))
    if result.heldout_spans:
        console.print(spans_table("spans found only in held-out data (not trained on)", result.heldout_spans))
    console.print(
        f"{len(result.spans)} span(s) in training data, {len(result.heldout_spans)} only in held-out data; "
        f"dropped {result.dropped_common} as common (> {result.settings.max_occurrences} occurrences) and "
        f"{result.dropped_few_words} with < {result.settings.min_content_words} content words; "
        f"{result.tokens} tokens traced in {result.seconds * 1000:.1f} ms",
        highlight=False,
    )


def register(cli: click.Group, console: Console, ws_option: Callable[[Any], Any]) -> None:
    err_console = Console(stderr=True)

    @cli.command()
    @ws_option
    @click.argument("text", required=False)
    @click.option("--file", "file", type=click.Path(path_type=Path), help="Trace the text of this file.")
    @click.option("--min-tokens", type=int, default=8, show_default=True, help="Shortest span reported.")
    @click.option(
        "--max-occurrences", type=int, default=20, show_default=True, help="Drop spans found more often."
    )
    @click.option("--docs", "max_docs", type=int, default=5, show_default=True, help="Documents per span.")
    @click.option("--no-heldout", is_flag=True, help="Do not look for spans in held-out data.")
    @click.option("--build", is_flag=True, help="(Re)build the index now; with no TEXT, only build it.")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    def trace(
        ws: Path,
        text: str | None,
        file: Path | None,
        min_tokens: int,
        max_occurrences: int,
        max_docs: int,
        no_heldout: bool,
        build: bool,
        fmt: str,
    ) -> None:
        """Find the longest spans of TEXT that occur verbatim in the training token shards."""
        traced = _read_input(text, file)
        if traced is None and not build:
            raise UserError("trace: give TEXT, --file FILE, or --build")
        settings = TraceSettings(
            min_tokens=min_tokens,
            max_occurrences=max_occurrences,
            max_docs=max_docs,
            include_heldout=not no_heldout,
        )
        Workspace.open(ws)
        index = _open_index(ws, build, err_console)
        if traced is None:
            return
        result = index.trace(traced, settings)
        if fmt == "json":
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        else:
            print_result(console, result)
