"""metrics.jsonl: appended rows, cut back on resume, a kill's half line ignored; the loss plot."""

from __future__ import annotations

import json
from pathlib import Path

from clearlm.train.metrics import MetricsLog, plot_loss, read_metrics


def _row(step: int, eval_loss: float | None = None) -> dict[str, object]:
    return {"step": step, "loss": 5.0 / step, "tokens": 128 * step, "eval_loss": eval_loss}


def test_resume_drops_rows_after_the_checkpoint_and_half_lines(tmp_path: Path) -> None:
    path = tmp_path / "train" / "metrics.jsonl"
    with MetricsLog(path, resumed_step=0) as log:
        for step in range(1, 8):
            log.log(_row(step, eval_loss=1.0 if step == 5 else None))
    with open(path, "a") as fh:
        fh.write('{"step": 8, "loss": 0.')  # what kill -9 in the middle of a write leaves
    assert [r["step"] for r in read_metrics(path)] == list(range(1, 8))
    assert "eval_loss" not in read_metrics(path)[0]  # None values are left out
    with MetricsLog(path, resumed_step=5) as log:
        log.log(_row(6))
    rows = read_metrics(path)
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[4]["eval_loss"] == 1.0
    assert all(json.loads(line) for line in path.read_text().splitlines())  # every line whole again


def test_a_fresh_start_clears_an_old_curve(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    with MetricsLog(path, resumed_step=0) as log:
        log.log(_row(1))
    with MetricsLog(path, resumed_step=0) as log:
        log.log(_row(1))
    assert len(read_metrics(path)) == 1


def test_non_finite_numbers_are_written_as_null(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    with MetricsLog(path, resumed_step=0) as log:
        log.log({"step": 1, "loss": float("nan")})
    assert json.loads(path.read_text()) == {"step": 1, "loss": None}


def test_loss_plot_is_a_png(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    with MetricsLog(path, resumed_step=0) as log:
        for step in range(1, 21):
            log.log(_row(step, eval_loss=0.3 if step % 10 == 0 else None))
    png = plot_loss(path, tmp_path / "plots" / "loss.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 5000
    assert not list(png.parent.glob(".tmp-*"))
