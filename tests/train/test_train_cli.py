"""`clearlm train` and `clearlm export` on a real tokenized workspace, end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from clearlm.cli import main
from clearlm.model.hf_weights import load_hf_folder

TINY = [
    "train.steps=6",
    "train.seq_len=32",
    "train.micro_batch=4",
    "train.eval_every=3",
    "train.eval_batches=1",
    "train.checkpoint_every=3",
    "train.warmup_steps=1",
    "train.log_every=1",
    "train.model.dim=32",
    "train.model.n_layers=2",
    "train.model.n_heads=2",
    "train.model.n_kv_heads=1",
    "executor.progress=false",
]


@pytest.fixture(scope="module")
def trained(tokenized_ws: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("cli") / "ws"
    shutil.copytree(tokenized_ws, ws)
    args = ["train", "-w", str(ws)]
    for setting in TINY:
        args += ["--set", setting]
    assert main(args) == 0
    return ws


def test_train_writes_checkpoints_lineage_and_curve(trained: Path) -> None:
    assert (trained / "checkpoints" / "latest").read_text().strip() == "step-000006"
    lineage = json.loads((trained / "checkpoints" / "step-000006" / "lineage.json").read_text())
    manifest = json.loads((trained / "tokens" / "manifest.json").read_text())
    assert lineage["tokens"]["tokenizer_sha256"] == manifest["tokenizer_sha256"]
    assert [s["sha256"] for s in lineage["tokens"]["shards"]] == [s["sha256"] for s in manifest["shards"]]
    assert lineage["step"] == 6 and lineage["seed"] == 0
    assert lineage["tokens_seen"] == 6 * 4 * 32 == sum(lineage["tokens_by_license"].values())
    assert set(lineage["tokens_by_license"]) <= set(manifest["tokens_by_license"])
    head = json.loads((trained / "ledger" / "head.json").read_text())
    assert lineage["ledger_head"]["row_hash"] == head["row_hash"]
    assert lineage["code"]["clearlm"]
    assert (trained / "train" / "loss.png").stat().st_size > 1000
    rows = [json.loads(x) for x in (trained / "train" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5, 6]


def test_status_reports_the_training_run(trained: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "-w", str(trained)]) == 0
    assert "train: 6 steps" in capsys.readouterr().out


def test_export_gives_a_transformers_folder_with_our_logits(trained: Path, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM

    out = tmp_path / "export"
    assert main(["export", "-w", str(trained), "-o", str(out)]) == 0
    assert {"config.json", "model.safetensors", "tokenizer.json", "model.gguf"} <= {
        p.name for p in out.iterdir()
    }
    ours, _ = load_hf_folder(trained / "checkpoints" / "step-000006")
    hf = AutoModelForCausalLM.from_pretrained(out, local_files_only=True)
    ids = torch.tensor([[1, 5, 9, 20, 3]])
    with torch.no_grad():
        torch.testing.assert_close(hf(ids).logits, ours(ids), atol=1e-5, rtol=1e-5)


def test_export_without_a_checkpoint_is_a_usage_error(tokenized_ws: Path, tmp_path: Path) -> None:
    assert main(["export", "-w", str(tokenized_ws), "-o", str(tmp_path / "x")]) == 2
