"""The train stage: the door check, then the training loop, with lineage on every checkpoint.

Under `torchrun` every rank runs this; each checks the door itself (a refused shard stops every
rank before the process group forms), and only rank 0 writes files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rich.console import Console

from clearlm.config import RunConfig
from clearlm.train.door import check_tokens
from clearlm.train.lineage import LineageBuilder
from clearlm.workspace import Workspace


def world_rank() -> tuple[int, int]:
    """(world size, rank) from torchrun's environment; (1, 0) when run as a single process."""
    return int(os.environ.get("WORLD_SIZE", "1")), int(os.environ.get("RANK", "0"))


def run_train(config: RunConfig, ws: Workspace, console: Console | None = None) -> dict[str, Any]:
    """Train (or resume) on the workspace's token shards; returns the trainer's summary."""
    from clearlm.train.loop import train  # torch is imported only when training runs

    manifest = check_tokens(ws.root)
    lineage = LineageBuilder(ws.root, ws.run_id, config, manifest)
    summary: dict[str, Any] = train(
        config.train,
        seed=config.seed,
        tokens_dir=ws.root / "tokens",
        out_dir=ws.root,
        lineage_fn=lineage,
        console=console,
        progress=config.executor.progress,
    )
    return summary


def train_summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The summary as (what, value) rows for a table, each number in the unit people read it in."""

    def fmt(key: str, value: Any) -> str:
        if value is None:
            return "-"
        if key == "mfu":
            return f"{value:.1%}"
        if key == "peak_flops":
            return f"{value / 1e9:,.1f} GFLOP/s (measured)"
        if key == "checkpoint":
            return Path(value).name
        if isinstance(value, float):
            return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return str(value)

    return [
        (key.replace("_", " "), fmt(key, value))
        for key, value in summary.items()
        if not isinstance(value, dict)
    ]
