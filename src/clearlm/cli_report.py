"""`clearlm report`: the run's funnel as tables, plus a PNG chart and an HTML page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clearlm.workspace import Workspace


def register(cli: click.Group, console: Console, ws_option: Callable[[Any], Any]) -> None:
    @cli.command()
    @ws_option
    def report(ws: Path) -> None:
        """The funnel: docs, MB and words in/out per step, why documents stopped, final mix by licence."""
        from clearlm.funnel import compute, write_report  # matplotlib: imported only when reporting

        Workspace.open(ws)
        funnel = compute(ws)
        steps = Table(title="funnel (sizes as ingested)")
        for column in ("stage/step", "docs in", "docs out", "MB in", "MB out", "words in", "words out"):
            steps.add_column(column, justify="left" if column == "stage/step" else "right")
        for stage, step, n_in, n_out, mb_in, mb_out, w_in, w_out in funnel.steps:
            steps.add_row(
                f"{stage}/{step}",
                str(n_in),
                str(n_out),
                f"{mb_in or 0:.2f}",
                f"{mb_out or 0:.2f}",
                str(w_in or 0),
                str(w_out or 0),
            )
        console.print(steps)
        stopped = Table(title="why documents stopped")
        for column in ("stage/step", "decision", "reason", "docs"):
            stopped.add_column(column)
        for stage, step, decision, reason, n in funnel.stopped:
            stopped.add_row(f"{stage}/{step}", decision, escape(reason), str(n))
        console.print(stopped)
        mix = Table(title="what is left, by licence")
        for column in ("licence", "docs", "MB"):
            mix.add_column(column)
        for licence, n, mb in funnel.mix:
            mix.add_row(escape(str(licence)), str(n), f"{mb:.2f}")
        console.print(mix)
        png, page = write_report(ws, funnel)
        console.print(f"chart: {png}\npage:  {page}", soft_wrap=True)
