"""Clearance verbs of the command line: clear, scan, policy show, registry add/list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clearlm.clear.policy import load_policy
from clearlm.errors import ConfigError

POLICY_OPTION = click.option(
    "--policy",
    type=click.Path(path_type=Path),
    help="Policy TOML (default: commercial open-weights release).",
)


def register(cli: click.Group, console: Console) -> None:
    """Add the clearance commands to the main `clearlm` group."""

    @cli.command()
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
    @POLICY_OPTION
    @click.option(
        "--robots",
        "robots_dirs",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Folder of robots.txt files (<host>.txt or <host>/robots.txt).",
    )
    @click.option("--registry", type=click.Path(path_type=Path), help="Protected-works registry folder.")
    @click.option("--as-of", help="Date to check contracts against (YYYY-MM-DD; default today).")
    @click.option(
        "--format", "fmt", type=click.Choice(["jsonl", "table"]), default="table", show_default=True
    )
    def scan(
        paths: tuple[Path, ...],
        policy: Path | None,
        robots_dirs: tuple[Path, ...],
        registry: Path | None,
        as_of: str | None,
        fmt: str,
    ) -> None:
        """Read-only: what clearance would decide for every document under PATHS."""
        from clearlm.clear.scan import scan_paths  # detectors load only for commands that use them

        overrides = {"registry_path": str(registry)} if registry else None
        effective = load_policy(policy, overrides)
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise ConfigError(f"--as-of must be YYYY-MM-DD, not {as_of!r}") from None
        results = scan_paths(list(paths), effective, [str(d) for d in robots_dirs], day)
        if fmt == "jsonl":
            for row in results:
                row.pop("file_name", None)
                click.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))
            return
        table = Table(title=f"clearance scan · policy {effective.name}")
        for column in ("decision", "reasons", "license", "source"):
            table.add_column(column, overflow="fold")
        counts: dict[str, int] = {}
        for row in results:
            counts[row["decision"]] = counts.get(row["decision"], 0) + 1
            colour = {"allow": "green", "deny": "red"}.get(row["decision"], "yellow")
            table.add_row(
                f"[{colour}]{row['decision']}[/]",
                escape(", ".join(row["reasons"])),
                escape(str(row["license"] or "")),
                escape(_short(row["source"])),
            )
        console.print(table)
        console.print(" · ".join(f"{k}: {v}" for k, v in sorted(counts.items())))

    @cli.group()
    def policy() -> None:
        """Inspect clearance policies."""

    @policy.command("show")
    @POLICY_OPTION
    def policy_show(policy: Path | None) -> None:
        """Print the effective policy as TOML (the default, or --policy FILE resolved)."""
        click.echo(load_policy(policy).to_toml(), nl=False)

    @cli.group()
    def registry() -> None:
        """The protected-works registry: works whose excerpts are denied (registry.match)."""

    registry_option = click.option(
        "--registry",
        "folder",
        type=click.Path(path_type=Path),
        default=Path("registry"),
        show_default=True,
        help="Registry folder.",
    )

    @registry.command("add")
    @click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option("--holder", required=True, help="The rights holder's name, recorded with each work.")
    @registry_option
    def registry_add(files: tuple[Path, ...], holder: str, folder: Path) -> None:
        """Fingerprint FILES as protected works of HOLDER."""
        from clearlm.clear.registry import add_works

        works = add_works(folder, list(files), holder)
        for work in works:
            console.print(
                f"registered {work.work_id}  {escape(work.title)}  ({work.words} words, {escape(holder)})"
            )

    @registry.command("list")
    @registry_option
    def registry_list(folder: Path) -> None:
        """List registered works."""
        from clearlm.clear.registry import Registry

        table = Table(title=f"registry {folder}")
        for column in ("work_id", "title", "holder", "words", "added"):
            table.add_column(column)
        for work in Registry.open(folder).works():
            table.add_row(work.work_id, escape(work.title), escape(work.holder), str(work.words), work.added)
        console.print(table)


def _short(source: str) -> str:
    return source if len(source) <= 90 else "…" + source[-89:]
