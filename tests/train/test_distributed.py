"""torchrun with 2 CPU processes (gloo): DDP and FSDP2 train the same curve as one process.

Each rank gets half the micro-batch, so the global batch, the data order and (up to float
rounding in the all-reduce) the gradients are those of the single process.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from safetensors.torch import load_file

from clearlm.train.metrics import read_metrics

SCRIPT = Path(__file__).with_name("run_train.py")
BASE = {"steps": 5, "grad_accum": 2, "eval_every": 5, "checkpoint_every": 3, "log_every": 1}
KEYS = ("loss", "grad_norm", "eval_loss")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(tokens_dir: Path, ws: Path, nproc: int, **overrides: object) -> dict[str, object]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    args = [str(SCRIPT), str(tokens_dir), str(ws), json.dumps({**BASE, **overrides})]
    if nproc > 1:
        port = str(_free_port())
        launcher = ["-m", "torch.distributed.run", f"--nproc_per_node={nproc}", f"--master_port={port}"]
        args = [*launcher, "--master_addr=127.0.0.1", *args]
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, timeout=280)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    summary: dict[str, object] = json.loads(done.stdout.decode().splitlines()[-1])
    return summary


def _rows(ws: Path) -> list[dict[str, object]]:
    return read_metrics(ws / "train" / "metrics.jsonl")


@pytest.fixture(scope="module")
def single_run(tokens_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("single")
    _run(tokens_dir, ws, 1, micro_batch=4)
    return ws


@pytest.mark.slow
@pytest.mark.parametrize("parallel", ["ddp", "fsdp"])
def test_two_ranks_match_one_process(
    tokens_dir: Path, single_run: Path, tmp_path: Path, parallel: str
) -> None:
    ws = tmp_path / parallel
    summary = _run(tokens_dir, ws, 2, micro_batch=2, parallel=parallel)
    assert summary["world_size"] == 2 and summary["parallel"] == parallel
    single, multi = _rows(single_run), _rows(ws)
    assert [r["step"] for r in multi] == [r["step"] for r in single] == [1, 2, 3, 4, 5]
    for a, b in zip(single, multi, strict=True):
        assert a["tokens"] == b["tokens"] and a["lr"] == b["lr"]
        for key in KEYS:
            assert (key in a) == (key in b)
            if key in a:
                assert b[key] == pytest.approx(a[key], rel=1e-4), (key, a["step"])
    # The checkpoint is the same full HF-named state dict whatever the parallelism.
    mine = load_file(ws / "checkpoints/step-000005/model.safetensors")
    ref = load_file(single_run / "checkpoints/step-000005/model.safetensors")
    assert mine.keys() == ref.keys()
    assert all((mine[k] - ref[k]).abs().max() < 1e-4 for k in ref)
    state = json.loads((ws / "checkpoints/step-000005/trainer_state.json").read_text())
    ref_state = json.loads((single_run / "checkpoints/step-000005/trainer_state.json").read_text())
    assert state["tokens_by_group"] == ref_state["tokens_by_group"]
    assert state["world_size"] == 2 and state["parallel"] == parallel

    # Resume under the same parallelism from step 3 (optimizer state re-sharded under FSDP2).
    before = [tuple(r.get(k) for k in ("step", *KEYS)) for r in multi]
    shutil.rmtree(ws / "checkpoints/step-000005")
    again = _run(tokens_dir, ws, 2, micro_batch=2, parallel=parallel)
    assert again["resumed_from"] == 3
    assert [tuple(r.get(k) for k in ("step", *KEYS)) for r in _rows(ws)] == before
