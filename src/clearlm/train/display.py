"""The progress bar of a training run (rank 0 only): step, loss, tokens/s and MFU as they come."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)


class TrainProgress:
    """A rich progress bar over optimizer steps; a no-op when disabled (other ranks, tests, --quiet)."""

    def __init__(self, console: Console, total_steps: int, start_step: int, enabled: bool) -> None:
        self._progress = Progress(
            TextColumn("[bold]train"),
            # A short bar leaves room for the numbers in an 80-column terminal.
            BarColumn(bar_width=12),
            MofNCompleteColumn(),
            TextColumn(
                "loss [cyan]{task.fields[loss]}[/] eval [magenta]{task.fields[eval_loss]}[/] "
                "{task.fields[tokens_per_s]} tok/s MFU {task.fields[mfu]}"
            ),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
            transient=False,
        )
        self._task: TaskID = self._progress.add_task(
            "train",
            total=total_steps,
            completed=start_step,
            loss="-",
            eval_loss="-",
            tokens_per_s="-",
            mfu="-",
        )

    def __enter__(self) -> TrainProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(
        self,
        step: int,
        loss: float,
        tokens_per_s: float | None = None,
        mfu: float | None = None,
        eval_loss: float | None = None,
    ) -> None:
        fields: dict[str, Any] = {"loss": f"{loss:.4f}"}
        if tokens_per_s is not None:
            fields["tokens_per_s"] = f"{tokens_per_s:,.0f}"
        if mfu is not None:
            fields["mfu"] = f"{100 * mfu:.1f}%"
        if eval_loss is not None:
            fields["eval_loss"] = f"{eval_loss:.4f}"
        self._progress.update(self._task, completed=step, **fields)
