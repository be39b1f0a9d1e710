"""The training curve: WS/train/metrics.jsonl (one JSON object per logged step) and its loss plot.

Rows are appended as training goes. A resumed run first drops every row past the step it resumed
from (rows a killed run logged after its last checkpoint), so the file reads as one uninterrupted
run: the steps it replays log the same numbers again, once.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import IO, Any

from clearlm.atomic import atomic_write_text, publish, tmp_path_for

METRICS_FILE = "metrics.jsonl"
PLOT_FILE = "loss.png"


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """The rows of a metrics file; a line cut short by a kill is skipped."""
    rows: list[dict[str, Any]] = []
    if not path.is_file():
        return rows
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and isinstance(row.get("step"), int):
            rows.append(row)
    return rows


def truncate_metrics(path: Path, last_step: int) -> int:
    """Keep only rows with step ≤ last_step (atomically); returns how many rows were dropped."""
    if not path.exists():
        return 0
    rows = read_metrics(path)
    kept = [row for row in rows if row["step"] <= last_step]
    text = "".join(json.dumps(row, sort_keys=True) + "\n" for row in kept)
    atomic_write_text(path, text)
    return len(rows) - len(kept)


class MetricsLog:
    """Appends rows to metrics.jsonl, after cutting it back to `resumed_step` (0 on a fresh start)."""

    def __init__(self, path: Path, resumed_step: int) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        truncate_metrics(path, resumed_step)
        self._fh: IO[str] = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def log(self, row: dict[str, Any]) -> None:
        clean = {k: _finite(v) for k, v in row.items() if v is not None}
        self._fh.write(json.dumps(clean, sort_keys=True) + "\n")
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> MetricsLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _finite(value: Any) -> Any:
    # JSON has no NaN or infinity; a diverged loss is written as null rather than breaking readers.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def plot_loss(metrics_path: Path, png_path: Path) -> Path:
    """Train and eval loss against tokens seen, as a PNG (written atomically); returns its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = read_metrics(metrics_path)
    train = [(r["tokens"], r["loss"]) for r in rows if r.get("loss") is not None and "tokens" in r]
    evals = [(r["tokens"], r["eval_loss"]) for r in rows if r.get("eval_loss") is not None and "tokens" in r]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    if train:
        ax.plot(*zip(*train, strict=True), label="train loss", linewidth=1.2)
    if evals:
        ax.plot(*zip(*evals, strict=True), "o-", label="eval loss (held-out)", markersize=4)
    ax.set_xlabel("tokens seen")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.set_title("Training loss")
    ax.grid(True, alpha=0.3)
    if train or evals:
        ax.legend()
    fig.tight_layout()
    png_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path_for(png_path)
    try:
        fig.savefig(tmp, format="png")
        publish(tmp, png_path)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)
    return png_path
