"""kill -9 in the middle of training, rerun: the metrics curve equals the uninterrupted run's exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clearlm.train.metrics import read_metrics

SCRIPT = Path(__file__).with_name("run_train.py")
CONFIG = {"steps": 150, "checkpoint_every": 10, "eval_every": 25, "log_every": 1, "keep_checkpoints": 2}
EXACT = ("step", "loss", "lr", "grad_norm", "tokens", "eval_loss")


def _start(tokens_dir: Path, ws: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, str(SCRIPT), str(tokens_dir), str(ws), json.dumps(CONFIG)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _curve(ws: Path) -> list[tuple[object, ...]]:
    return [tuple(row.get(k) for k in EXACT) for row in read_metrics(ws / "train" / "metrics.jsonl")]


@pytest.mark.slow
def test_kill_9_then_rerun_logs_the_uninterrupted_curve(tokens_dir: Path, tmp_path: Path) -> None:
    full, killed = tmp_path / "full", tmp_path / "killed"
    run = _start(tokens_dir, full)
    assert run.wait(timeout=240) == 0, run.stderr.read() if run.stderr else ""

    run = _start(tokens_dir, killed)
    latest = killed / "checkpoints" / "latest"
    deadline = time.monotonic() + 240
    while not (latest.exists() and latest.read_text().strip() >= "step-000030"):
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.005)
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert not (killed / "train" / "summary.json").exists()  # it really died mid-run
    killed_at = len(read_metrics(killed / "train" / "metrics.jsonl"))
    assert 30 <= killed_at < CONFIG["steps"]

    rerun = _start(tokens_dir, killed)
    out, err = rerun.communicate(timeout=240)
    assert rerun.returncode == 0, err.decode()
    summary = json.loads(out.decode().splitlines()[-1])
    assert summary["resumed_from"] >= 30
    assert _curve(killed) == _curve(full)
    assert len(_curve(full)) == CONFIG["steps"]
    final = "checkpoints/step-000150/model.safetensors"
    assert (killed / final).read_bytes() == (full / final).read_bytes()
