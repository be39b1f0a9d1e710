"""torch.compile: the compiled training step computes the eager step's numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clearlm.train.loop import train
from clearlm.train.metrics import read_metrics

from .token_fixture import tiny_config


@pytest.mark.slow
@pytest.mark.skipif(
    not any(shutil.which(c) for c in ("c++", "g++", "clang++")),
    reason="torch.compile on CPU needs a C++ compiler (inductor builds its kernels with it)",
)
def test_compiled_run_matches_eager(tokens_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(steps=4, eval_every=4, checkpoint_every=4)
    eager = train(cfg, seed=0, tokens_dir=tokens_dir, out_dir=tmp_path / "eager", progress=False)
    compiled = train(
        tiny_config(steps=4, eval_every=4, checkpoint_every=4, compile=True),
        seed=0,
        tokens_dir=tokens_dir,
        out_dir=tmp_path / "compiled",
        progress=False,
    )
    a = read_metrics(tmp_path / "eager" / "train" / "metrics.jsonl")
    b = read_metrics(tmp_path / "compiled" / "train" / "metrics.jsonl")
    assert [r["loss"] for r in b] == pytest.approx([r["loss"] for r in a], rel=1e-4)
    assert compiled["final_eval_loss"] == pytest.approx(eager["final_eval_loss"], rel=1e-4)
