"""`clearlm tune BASE DATA.jsonl -o ADAPTER`: LoRA fine-tuning on private chat data.

The heavy imports (torch, transformers, peft) happen only when the command runs, so the rest of the
CLI stays fast. Errors are clearlm errors; the CLI's main turns them into one line and exit code 2.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from clearlm.tune.config import build_tune_config


def register(cli: click.Group, console: Console, err_console: Console | None = None) -> None:
    """Add `tune` to `cli`; results go to `console`, the progress bar to `err_console` (stderr)."""
    progress_console = err_console or Console(stderr=True)

    @cli.command()
    @click.argument("base", type=click.Path(path_type=Path))
    @click.argument("data", type=click.Path(path_type=Path))
    @click.option(
        "-o",
        "--output",
        "adapter",
        type=click.Path(path_type=Path),
        required=True,
        help="Folder for the adapter, its lineage and checkpoints (rerun to resume).",
    )
    @click.option("--steps", type=int, help="Optimizer steps (default 100).")
    @click.option("--lr", type=float, help="Peak learning rate (default 1e-3).")
    @click.option("--rank", "r", type=int, help="LoRA rank r (default 8).")
    @click.option("--batch-size", type=int, help="Conversations per step (default 4).")
    @click.option("--max-len", type=int, help="Tokens per conversation; longer ones are cut (default 512).")
    @click.option(
        "--merge",
        type=click.Path(path_type=Path),
        help="Also write the base with the adapter merged in, as a HF model folder.",
    )
    @click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="Any TuneConfig setting, e.g. --set alpha=32 --set eval_fraction=0.2 (repeatable).",
    )
    @click.option("--quiet", is_flag=True, help="No progress bar.")
    def tune(
        base: Path,
        data: Path,
        adapter: Path,
        steps: int | None,
        lr: float | None,
        r: int | None,
        batch_size: int | None,
        max_len: int | None,
        merge: Path | None,
        overrides: tuple[str, ...],
        quiet: bool,
    ) -> None:
        """Train a LoRA adapter of BASE (a model folder) on DATA.jsonl (OpenAI chat messages)."""
        flags = {"steps": steps, "lr": lr, "r": r, "batch_size": batch_size, "max_len": max_len}
        config = build_tune_config(flags, overrides)  # a bad setting fails before anything loads
        from clearlm.tune.run import run_tune

        result = run_tune(
            base, data, adapter, config, merge=merge, console=None if quiet else progress_console
        )
        table = Table(title="tune")
        table.add_column("what")
        table.add_column("value", justify="right")
        for split, counts in result.counts.items():
            table.add_row(
                f"{split} examples / tokens / assistant tokens",
                f"{counts['examples']:,} / {counts['tokens']:,} / {counts['assistant_tokens']:,}",
            )
        truncated = sum(c["truncated"] for c in result.counts.values())
        table.add_row(f"cut to {result.max_len} tokens", f"{truncated:,}")
        resumed = f" (resumed at {result.resumed_from})" if result.resumed_from else ""
        table.add_row("steps", f"{result.steps:,}{resumed}")
        table.add_row("final loss", "-" if result.loss is None else f"{result.loss:.4f}")
        table.add_row("eval loss", "-" if result.eval_loss is None else f"{result.eval_loss:.4f}")
        table.add_row("adapter", str(result.adapter))
        if result.merged is not None:
            table.add_row("merged model", str(result.merged))
        console.print(table)
