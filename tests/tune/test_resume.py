"""Resuming: an interrupted or killed run, rerun, continues the same loss curve to the same adapter."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import safetensors.torch
import torch

from clearlm.errors import ConfigError
from clearlm.train.metrics import read_metrics
from clearlm.tune.config import TuneConfig
from clearlm.tune.run import run_tune
from tests.tune.conftest import conversations, write_jsonl

# Dropout draws random numbers every step, so an equal curve also shows the RNG state was restored.
CONFIG = TuneConfig(steps=20, lr=1e-2, dropout=0.1, eval_every=5, checkpoint_every=5, threads=1)
CURVE_KEYS = ("step", "loss", "eval_loss", "lr", "grad_norm", "assistant_tokens")


class Interrupt(Exception):
    pass


def curve(adapter: Path) -> list[dict[str, Any]]:
    return [{k: row.get(k) for k in CURVE_KEYS} for row in read_metrics(adapter / "metrics.jsonl")]


def weights(adapter: Path) -> dict[str, torch.Tensor]:
    return safetensors.torch.load_file(adapter / "adapter_model.safetensors")


def assert_same_run(adapter: Path, reference: Path) -> None:
    got, want = curve(adapter), curve(reference)
    assert [r["step"] for r in got] == list(range(1, CONFIG.steps + 1))
    for row, ref in zip(got, want, strict=True):
        assert [k for k in CURVE_KEYS if row[k] is None] == [k for k in CURVE_KEYS if ref[k] is None]
        numbers = {k: v for k, v in ref.items() if v is not None}
        assert {k: row[k] for k in numbers} == pytest.approx(numbers, rel=1e-6, abs=1e-7)
    ours, theirs = weights(adapter), weights(reference)
    assert ours.keys() == theirs.keys()
    for key in ours:
        torch.testing.assert_close(ours[key], theirs[key], rtol=1e-6, atol=1e-7)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("data") / "chat.jsonl", conversations())


@pytest.fixture(scope="module")
def reference(base_dir: Path, data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted run."""
    adapter = tmp_path_factory.mktemp("reference") / "adapter"
    run_tune(base_dir, data, adapter, CONFIG)
    return adapter


def test_interrupted_run_resumes_on_the_same_curve(
    base_dir: Path, data: Path, reference: Path, tmp_path: Path
) -> None:
    adapter = tmp_path / "adapter"

    def stop_at_13(step: int, loss: float) -> None:
        if step == 13:
            raise Interrupt

    with pytest.raises(Interrupt):
        run_tune(base_dir, data, adapter, CONFIG, on_step=stop_at_13)
    assert not (adapter / "lineage.json").exists()  # an unfinished adapter has no lineage
    assert len(read_metrics(adapter / "metrics.jsonl")) == 13
    result = run_tune(base_dir, data, adapter, CONFIG)
    assert result.resumed_from == 10
    assert_same_run(adapter, reference)


def test_rerunning_a_finished_run_changes_nothing(
    base_dir: Path, data: Path, reference: Path, tmp_path: Path
) -> None:
    adapter = shutil.copytree(reference, tmp_path / "adapter")
    before = (adapter / "adapter_model.safetensors").read_bytes()
    result = run_tune(base_dir, data, adapter, CONFIG)
    assert result.resumed_from == CONFIG.steps
    assert result.eval_loss == pytest.approx(read_metrics(reference / "metrics.jsonl")[-1]["eval_loss"])
    assert (adapter / "adapter_model.safetensors").read_bytes() == before
    assert curve(adapter) == curve(reference)


def test_resuming_with_other_settings_or_data_is_refused(
    base_dir: Path, data: Path, reference: Path, tmp_path: Path
) -> None:
    adapter = shutil.copytree(reference, tmp_path / "adapter")
    with pytest.raises(ConfigError, match=r"another settings \(lr\)"):
        run_tune(base_dir, data, adapter, TuneConfig(**{**asdict(CONFIG), "lr": 5e-3}))
    other = write_jsonl(tmp_path / "other.jsonl", conversations(12))
    with pytest.raises(ConfigError, match="another data"):
        run_tune(base_dir, other, adapter, CONFIG)
    # How often to evaluate or where to run changes nothing trained: that resumes.
    assert run_tune(base_dir, data, adapter, TuneConfig(**{**asdict(CONFIG), "eval_every": 7})).steps == 20


SCRIPT = """
import json, sys, time
from clearlm.tune.config import TuneConfig
from clearlm.tune.run import run_tune

base, data, adapter, settings = sys.argv[1:5]
# Slow the steps after the first checkpoint so the parent can kill the run between checkpoints.
run_tune(base, data, adapter, TuneConfig(**json.loads(settings)),
         on_step=lambda step, loss: time.sleep(0.4) if step >= 10 else None)
"""


@pytest.mark.slow
def test_kill_9_then_rerun_continues_the_same_curve(
    base_dir: Path, data: Path, reference: Path, tmp_path: Path
) -> None:
    adapter = tmp_path / "adapter"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    args = [sys.executable, "-c", SCRIPT, str(base_dir), str(data), str(adapter), json.dumps(asdict(CONFIG))]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not (adapter / "checkpoints" / "step-000010").is_dir():
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "no checkpoint within two minutes"
            time.sleep(0.02)
        time.sleep(0.6)  # into step 11 or 12: past the checkpoint, well before the end
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (adapter / "lineage.json").exists()
    logged = len(read_metrics(adapter / "metrics.jsonl"))
    assert 10 <= logged < CONFIG.steps
    result = run_tune(base_dir, data, adapter, CONFIG)
    assert 10 <= result.resumed_from < CONFIG.steps
    assert_same_run(adapter, reference)
