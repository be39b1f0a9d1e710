"""The training loop in one process: it learns, writes its outputs, resumes exactly and refuses
a changed config."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from clearlm.errors import ConfigError, WorkspaceError
from clearlm.train.distributed import DistInfo, wrap_model
from clearlm.train.loop import train
from clearlm.train.metrics import read_metrics

from .token_fixture import tiny_config

# The numbers a run computes; tokens/s and MFU are timings and differ from run to run.
EXACT = ("step", "loss", "lr", "grad_norm", "tokens", "eval_loss")


def _curve(ws: Path) -> list[tuple[Any, ...]]:
    return [tuple(row.get(k) for k in EXACT) for row in read_metrics(ws / "train" / "metrics.jsonl")]


def test_loss_falls_and_outputs_are_written(tokens_dir: Path, tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []

    def lineage(state: dict[str, Any]) -> dict[str, Any]:
        seen.append(state)
        return {"step": state["step"], "by_group": state["tokens_by_group"]}

    cfg = tiny_config(steps=60, eval_every=20, checkpoint_every=20, log_every=5)
    summary = train(cfg, seed=0, tokens_dir=tokens_dir, out_dir=tmp_path, lineage_fn=lineage, progress=False)
    rows = read_metrics(tmp_path / "train" / "metrics.jsonl")
    assert [r["step"] for r in rows] == list(range(5, 61, 5))
    assert rows[-1]["loss"] < 0.25 * rows[0]["loss"]
    evals = [r["eval_loss"] for r in rows if "eval_loss" in r]
    assert len(evals) == 3 and evals[-1] < 0.5 * evals[0]
    assert summary["final_loss"] == rows[-1]["loss"] and summary["final_eval_loss"] == evals[-1]
    assert summary["tokens"] == 60 * 4 * 32 and summary["params"] > 0
    assert summary["tokens_per_s"] > 0 and 0 < summary["mfu"] < 1
    assert [p.name for p in sorted((tmp_path / "checkpoints").glob("step-*"))] == [
        "step-000040",
        "step-000060",
    ]
    state = json.loads((tmp_path / "checkpoints" / "step-000060" / "trainer_state.json").read_text())
    assert state["tokens_seen"] == summary["tokens"] == sum(state["tokens_by_group"].values())
    assert sum(state["tokens_by_license"].values()) == state["tokens_seen"]
    assert state["model_config"]["vocab_size"] == 64  # 60 ids rounded up to a multiple of 64
    assert [s["step"] for s in seen] == [20, 40, 60]
    lineage_file = json.loads((tmp_path / "checkpoints" / "step-000060" / "lineage.json").read_text())
    assert lineage_file == {"step": 60, "by_group": state["tokens_by_group"]}
    assert (tmp_path / "train" / "loss.png").stat().st_size > 0
    assert json.loads((tmp_path / "train" / "summary.json").read_text())["steps"] == 60


def test_resume_continues_the_exact_curve(tokens_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(steps=16, eval_every=4, checkpoint_every=6, log_every=1, keep_checkpoints=0)
    full, resumed = tmp_path / "full", tmp_path / "resumed"
    train(cfg, seed=0, tokens_dir=tokens_dir, out_dir=full, progress=False)
    shutil.copytree(full, resumed)
    # Without checkpoints 12 and 16 the rerun resumes from 6: it must drop the rows 7-16 already
    # logged and log them again, identical.
    for step in ("step-000012", "step-000016"):
        shutil.rmtree(resumed / "checkpoints" / step)
    summary = train(cfg, seed=0, tokens_dir=tokens_dir, out_dir=resumed, progress=False)
    assert summary["resumed_from"] == 6
    assert _curve(resumed) == _curve(full)
    for name in ("model.safetensors", "trainer_state.json"):
        assert (resumed / "checkpoints/step-000016" / name).read_bytes() == (
            full / "checkpoints/step-000016" / name
        ).read_bytes()
    # Rerunning a finished run trains nothing and reports the same result.
    again = train(cfg, seed=0, tokens_dir=tokens_dir, out_dir=resumed, progress=False)
    assert again["resumed_from"] == 16 and again["tokens_this_run"] == 0
    assert again["final_loss"] == summary["final_loss"]


def test_resume_under_another_config_is_refused(tokens_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(steps=4, checkpoint_every=2)
    train(cfg, seed=0, tokens_dir=tokens_dir, out_dir=tmp_path, progress=False)
    with pytest.raises(WorkspaceError, match=r"train\.lr .*train\.model\.dim") as err:
        train(tiny_config(steps=4, lr=0.5, model=cfg.model.__class__(dim=32, n_layers=2)), seed=0,
              tokens_dir=tokens_dir, out_dir=tmp_path, progress=False)  # fmt: skip
    assert "step-000004" in str(err.value)
    with pytest.raises(WorkspaceError, match="seed"):
        train(cfg, seed=1, tokens_dir=tokens_dir, out_dir=tmp_path, progress=False)
    # Watching and speed settings may change.
    summary = train(tiny_config(steps=4, checkpoint_every=1, log_every=3, threads=2), seed=0,
                    tokens_dir=tokens_dir, out_dir=tmp_path, progress=False)  # fmt: skip
    assert summary["resumed_from"] == 4


def test_gradient_accumulation_matches_one_big_batch(tokens_dir: Path, tmp_path: Path) -> None:
    one = train(
        tiny_config(steps=5, micro_batch=4),
        seed=0,
        tokens_dir=tokens_dir,
        out_dir=tmp_path / "a",
        progress=False,
    )
    two = train(tiny_config(steps=5, micro_batch=2, grad_accum=2), seed=0, tokens_dir=tokens_dir,
                out_dir=tmp_path / "b", progress=False)  # fmt: skip
    assert two["final_loss"] == pytest.approx(one["final_loss"], rel=1e-4)
    a, b = _curve(tmp_path / "a"), _curve(tmp_path / "b")
    assert [r[1] for r in b] == pytest.approx([r[1] for r in a], rel=1e-4)


def test_bad_numbers_are_config_errors(tokens_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max_seq_len"):
        train(tiny_config(seq_len=128), seed=0, tokens_dir=tokens_dir, out_dir=tmp_path, progress=False)
    with pytest.raises(ConfigError, match=r"train\.parallel"):
        wrap_model(object(), [], DistInfo(), "zero3")  # type: ignore[arg-type]
    with pytest.raises(WorkspaceError, match="not found"):
        train(tiny_config(), seed=0, tokens_dir=tmp_path / "missing", out_dir=tmp_path, progress=False)
