"""The `clearlm` command line. The only place that turns errors into exit codes.

Exit codes: 0 done; 1 a check failed (verify found tampering, gate refused); 2 bad usage or input,
with one line naming the file and what is wrong.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clearlm import __version__
from clearlm.audit.cli import register as register_audit_command
from clearlm.audit.trace_cli import register as register_trace_command
from clearlm.clear.cli import register as register_clear_commands
from clearlm.cli_ledger import register as register_ledger_commands
from clearlm.cli_options import SET_OPTION, WS_OPTION
from clearlm.cli_report import register as register_report_command
from clearlm.cli_train import register as register_train_commands
from clearlm.config import RunConfig, load_config
from clearlm.errors import ClearLMError, ConfigError
from clearlm.lookup.cli import register as register_lookup_command
from clearlm.release.cli import register as register_release_commands
from clearlm.report import audit_release_lines, ledger_line, quarantine_rows, stage_table, train_line
from clearlm.revoke.cli import register as register_revoke_commands
from clearlm.serve.cli import register as register_serve_command
from clearlm.tune.cli import register as register_tune_command
from clearlm.web.cli import register as register_web_command
from clearlm.workspace import Workspace

# Piped output (files, other programs) gets wide tables instead of rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else 200)
err_console = Console(stderr=True)


def run_stages(
    config: RunConfig, ws: Path, stages: Sequence[str] | None = None, console: Console | None = None
) -> None:
    """The stages' code (detectors, models, libraries) is imported only when a stage runs."""
    from clearlm.runner import run_stages as run

    run(config, ws, stages, console=console)


def _resolve_config(ws: Path, recipe: Path | None, overrides: Sequence[str]) -> RunConfig:
    """Recipe if given, else the workspace's own clearlm.toml, else defaults; then overrides."""
    if recipe is None and (ws / "clearlm.toml").is_file():
        recipe = ws / "clearlm.toml"
    return load_config(recipe, overrides)


def _print_results(ws: Path) -> None:
    console.print(stage_table(ws))
    trained = train_line(ws)
    if trained:
        console.print(trained, soft_wrap=True)
    for line in audit_release_lines(ws):
        console.print(line, soft_wrap=True)
    console.print(ledger_line(ws))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clearlm")
def cli() -> None:
    """clearlm: train open language models on data you can prove you may use."""


@cli.command()
@WS_OPTION
@click.option("--policy", type=click.Path(path_type=Path), help="Policy TOML (default: commercial release).")
@SET_OPTION
def clear(ws: Path, policy: Path | None, overrides: tuple[str, ...]) -> None:
    """Decide, deny by default, whether each ingested document may be trained on."""
    config = _resolve_config(ws, None, overrides)
    if policy is not None:
        config.clear.policy = str(policy.resolve())
    Workspace.open(ws)
    run_stages(config, ws, ["clear"], console=err_console)
    _print_results(ws)


@cli.command()
@WS_OPTION
@click.option("--dry-run", is_flag=True, help="Record what every rule would do, but drop nothing.")
@SET_OPTION
def curate(ws: Path, dry_run: bool, overrides: tuple[str, ...]) -> None:
    """Boilerplate, normalisation, language, quality, PII and dedup over the allowed documents."""
    config = _resolve_config(ws, None, overrides)
    if dry_run:
        config.curate.dry_run = True
    Workspace.open(ws)
    run_stages(config, ws, ["curate"], console=err_console)
    _print_results(ws)


@cli.command()
@click.argument("recipe", type=click.Path(path_type=Path))
@WS_OPTION
@click.option("--until", metavar="STAGE", help="Stop after this stage (tokenize: data only).")
@SET_OPTION
def run(recipe: Path, ws: Path, until: str | None, overrides: tuple[str, ...]) -> None:
    """Run the whole pipeline from RECIPE.toml; rerun to resume after any interruption."""
    from clearlm.runner import STAGE_RUNNERS

    config = load_config(recipe, overrides)
    names = list(STAGE_RUNNERS)
    if until is not None and until not in names:
        raise ConfigError(f"--until {until}: unknown stage (known: {', '.join(names)})")
    run_stages(config, ws, names[: names.index(until) + 1] if until else None, console=err_console)
    _print_results(ws)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@WS_OPTION
@click.option("--recipe", type=click.Path(path_type=Path), help="Recipe to take settings from.")
@SET_OPTION
def ingest(paths: tuple[Path, ...], ws: Path, recipe: Path | None, overrides: tuple[str, ...]) -> None:
    """Read PATHS (folders, .txt/.md/.html, JSONL[.gz|.zst], Parquet, WARC[.gz]) into the workspace."""
    config = _resolve_config(ws, recipe, overrides)
    if paths:
        config.ingest.inputs = [str(p.resolve()) for p in paths]
    run_stages(config, ws, ["ingest"], console=err_console)
    _print_results(ws)


@cli.command()
@WS_OPTION
def status(ws: Path) -> None:
    """Show each stage's progress and counts, and the ledger head."""
    Workspace.open(ws)
    _print_results(ws)


@cli.command()
@WS_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
def quarantine(ws: Path, fmt: str) -> None:
    """List what could not be read: file, position, reason."""
    Workspace.open(ws)
    rows = quarantine_rows(ws)
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table(title=f"quarantine: {len(rows)} records")
    for column in ("stage", "file", "position", "reason", "detail"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["stage"], Path(row["file"]).name, row["position"], row["reason"], row["detail"][:120]
        )
    console.print(table)


register_clear_commands(cli, console)
register_ledger_commands(cli, console, WS_OPTION)
register_report_command(cli, console, WS_OPTION)
register_train_commands(cli, console, err_console, WS_OPTION, SET_OPTION, _resolve_config, run_stages)
register_tune_command(cli, console, err_console)
register_serve_command(cli, console)
register_trace_command(cli, console, WS_OPTION)
register_audit_command(cli, console, WS_OPTION)
register_release_commands(cli, console)
register_revoke_commands(cli, console)
register_lookup_command(cli, console)
register_web_command(cli, console)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI, turning ClearLMError into a one-line message and exit code."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="clearlm", standalone_mode=False)
    except ClearLMError as exc:
        err_console.print(f"[red]clearlm: error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except click.exceptions.Abort:
        err_console.print("clearlm: aborted")
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
