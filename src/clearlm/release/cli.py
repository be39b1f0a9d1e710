"""`clearlm release -w WS [CHECKPOINT] -o DIR` and `clearlm verify-release DIR`.

release: exit 1 when the gate refuses (every violation listed), 2 for a usage mistake (e.g. an
output folder that holds something else). verify-release: exit 1 listing every problem found.
torch, transformers and the exporters are imported only when a command runs.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clearlm.cli_options import WS_OPTION
from clearlm.errors import CheckFailed


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


def register(cli: click.Group, console: Console) -> None:
    @cli.command()
    @WS_OPTION
    @click.argument("checkpoint", required=False, type=click.Path(path_type=Path))
    @click.option(
        "-o",
        "--out",
        type=click.Path(path_type=Path),
        help="Release folder (default: WS/release/<model>-step-NNNNNN).",
    )
    @click.option(
        "--as-of",
        callback=parse_date,
        metavar="DATE",
        help="Judge contracts on this ISO date (default: release.as_of, else today).",
    )
    def release(ws: Path, checkpoint: Path | None, out: Path | None, as_of: date | None) -> None:
        """Gate a checkpoint (default: the latest) and write its signed release folder."""
        from clearlm.release.build import build_release

        started = time.perf_counter()
        result = build_release(ws, checkpoint, out, as_of=as_of, console=console)
        seconds = time.perf_counter() - started
        caption = f"{result.checkpoint}, step {result.step}"
        table = Table(title=f"release {escape(result.name)}", caption=escape(caption))
        table.add_column("file", overflow="fold")
        table.add_column("size", justify="right")
        for name, size in result.files:
            table.add_row(escape(name), human_size(size))
        total = sum(size for _, size in result.files)
        table.add_section()
        table.add_row(f"{len(result.files)} files", human_size(total))
        console.print(table)
        console.print(f"folder:   {escape(str(result.dir))}", soft_wrap=True, highlight=False)
        console.print(f"digest:   sha256:{result.digest}  (SHA-256 of SHA256SUMS)", highlight=False)
        console.print(f"licence:  {escape(result.license)}", highlight=False)
        console.print(
            f"signed:   Ed25519 key {result.public_key_sha256[:16]}… ({escape(str(result.key_path))})",
            soft_wrap=True,
            highlight=False,
        )
        console.print(
            f"made in {seconds:.1f} s; check it with: clearlm verify-release {escape(str(result.dir))}"
        )

    @cli.command("verify-release")
    @click.argument("folder", type=click.Path(path_type=Path))
    @click.option(
        "--public-key",
        type=click.Path(path_type=Path),
        help="The publisher's Ed25519 public key (PEM); the signature must verify with it.",
    )
    def verify_release_command(folder: Path, public_key: Path | None) -> None:
        """Check a release folder offline: checksums, signature, documents, model files."""
        from clearlm.release.verify import verify_release

        report = verify_release(folder, public_key=public_key)
        for check in report.checked:
            console.print(f"  checked: {escape(check)}", highlight=False)
        if not report.ok:
            lines = "\n  ".join(report.problems)
            raise CheckFailed(f"verify-release found {len(report.problems)} problem(s):\n  {lines}", folder)
        name = escape(report.name or folder.name)
        console.print(f"[green]release OK[/]: {name}, digest sha256:{report.digest}", highlight=False)
