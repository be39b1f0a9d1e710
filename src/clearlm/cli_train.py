"""`clearlm tokenize`, `clearlm train` and `clearlm export`: from kept documents to a model folder.

`train` also runs under torchrun (`torchrun --nproc_per_node N -m clearlm.cli train -w WS`): every
rank trains, only rank 0 writes the config, takes the workspace lock and prints the summary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from clearlm.config import RunConfig
from clearlm.errors import WorkspaceError
from clearlm.workspace import Workspace

ResolveConfig = Callable[[Path, Path | None, Sequence[str]], RunConfig]
RunStages = Callable[..., None]


def register(
    cli: click.Group,
    console: Console,
    err_console: Console,
    ws_option: Callable[[Any], Any],
    set_option: Callable[[Any], Any],
    resolve_config: ResolveConfig,
    run_stages: RunStages,
) -> None:
    @cli.command()
    @ws_option
    @click.option("--tokenizer", type=click.Path(path_type=Path), help="Reuse this tokenizer.json.")
    @set_option
    def tokenize(ws: Path, tokenizer: Path | None, overrides: tuple[str, ...]) -> None:
        """Train (or reuse) a BPE tokenizer and write token shards + index of the kept documents."""
        config = resolve_config(ws, None, overrides)
        if tokenizer is not None:
            config.tokenize.tokenizer = str(tokenizer.resolve())
        Workspace.open(ws)
        run_stages(config, ws, ["tokenize"], console=err_console)
        _print_tokens(console, ws)

    @cli.command()
    @ws_option
    @set_option
    def train(ws: Path, overrides: tuple[str, ...]) -> None:
        """Train the Llama model on the token shards (refused unless every document is cleared)."""
        from clearlm.train.stage import run_train, train_summary_rows, world_rank

        config = resolve_config(ws, None, overrides)
        world, rank = world_rank()
        workspace = Workspace.open(ws)
        if rank == 0:
            workspace = Workspace.create_or_open(ws, config)
            workspace.lock()
        try:
            summary = run_train(config, workspace, console=err_console if rank == 0 else None)
        finally:
            workspace.unlock()
        if rank == 0:
            table = Table(title=f"train ({world} process{'es' if world > 1 else ''})")
            table.add_column("what")
            table.add_column("value", justify="right")
            for what, value in train_summary_rows(summary):
                table.add_row(what, value)
            console.print(table)

    @cli.command()
    @ws_option
    @click.argument("checkpoint", required=False, type=click.Path(path_type=Path))
    @click.option("-o", "--output", "out", type=click.Path(path_type=Path), required=True)
    @click.option("--gguf/--no-gguf", default=True, show_default=True, help="Also write model.gguf.")
    def export(ws: Path, checkpoint: Path | None, out: Path, gguf: bool) -> None:
        """Write a checkpoint as a transformers folder (safetensors, tokenizer, chat template) and GGUF."""
        from clearlm.export.gguf_file import export_gguf
        from clearlm.export.hf_folder import export_hf_folder

        Workspace.open(ws)
        ckpt = checkpoint or latest_checkpoint(ws)
        folder = export_hf_folder(ckpt, ws / "tokens", out)
        console.print(f"transformers folder: {folder}", soft_wrap=True)
        if gguf:
            console.print(f"GGUF: {export_gguf(folder, folder / 'model.gguf')}", soft_wrap=True)


def latest_checkpoint(ws: Path) -> Path:
    """The newest checkpoint folder named by `checkpoints/latest`."""
    marker = ws / "checkpoints" / "latest"
    if not marker.is_file():
        raise WorkspaceError("no checkpoint yet; run `clearlm train` first", ws / "checkpoints")
    path = ws / "checkpoints" / marker.read_text(encoding="utf-8").strip()
    if not path.is_dir():
        raise WorkspaceError(f"checkpoints/latest names {path.name}, which is missing", marker)
    return path


def _print_tokens(console: Console, ws: Path) -> None:
    from clearlm.train.door import read_manifest

    manifest = read_manifest(ws / "tokens")
    caption = f"{manifest['dtype']} shards, vocabulary {manifest['vocab_size']:,}"
    table = Table(title="tokens", caption=caption)
    for column in ("split", "docs", "tokens"):
        table.add_column(column, justify="left" if column == "split" else "right")
    for split, counts in manifest["splits"].items():
        table.add_row(split, f"{counts['docs']:,}", f"{counts['tokens']:,}")
    console.print(table)
    by_license = Table(title="training tokens by licence")
    by_license.add_column("licence")
    by_license.add_column("tokens", justify="right")
    for licence, n in sorted(manifest["tokens_by_license"].items(), key=lambda kv: -kv[1]):
        by_license.add_row(licence or "(none)", f"{n:,}")
    console.print(by_license)
