"""Checkpoint folders: contents, round trip, `latest`, pruning, leftovers of a killed save."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import torch

from clearlm.model.llama import Llama
from clearlm.train import checkpoint as ckpt
from clearlm.train.schedule import make_optimizer

from .token_fixture import tiny_config

CFG = tiny_config()
MODEL_CFG = replace(CFG.model, vocab_size=64)


def _trained(seed: int = 0) -> tuple[Llama, torch.optim.Optimizer]:
    model = Llama(MODEL_CFG)
    model.init_weights(seed)
    optimizer = make_optimizer(model, CFG)
    ids = torch.randint(0, 64, (2, 9), generator=torch.Generator().manual_seed(seed))
    for _ in range(2):
        torch.nn.functional.cross_entropy(model(ids[:, :-1]).flatten(0, 1), ids[:, 1:].flatten()).backward()  # type: ignore[no-untyped-call]
        optimizer.step()
        optimizer.zero_grad()
    return model, optimizer


def _save(root: Path, step: int, model: Llama, optimizer: torch.optim.Optimizer, keep: int = 3) -> Path:
    state: dict[str, Any] = {"step": step, "tokens_seen": step * 10, "rng": ckpt.rng_state()}
    return ckpt.save_checkpoint(
        root,
        model_state=ckpt.gather_model_state(model),
        optimizer_state=ckpt.gather_optimizer_state(model, optimizer),
        trainer_state=state,
        hf_config=MODEL_CFG.to_hf(1, 2, 0),
        lineage_fn=lambda s: {"step": s["step"], "made_by": "test"},
        keep=keep,
    )


def test_round_trip_restores_weights_optimizer_and_rng(tmp_path: Path) -> None:
    model, optimizer = _trained()
    path = _save(tmp_path, 7, model, optimizer)
    assert path == tmp_path / "step-000007"
    assert sorted(p.name for p in path.iterdir()) == sorted(
        ["model.safetensors", "config.json", "optimizer.pt", "trainer_state.json", "lineage.json"]
    )
    assert (tmp_path / "latest").read_text().strip() == "step-000007"
    assert json.loads((path / "lineage.json").read_text()) == {"step": 7, "made_by": "test"}
    assert json.loads((path / "config.json").read_text())["tie_word_embeddings"] is True

    expected_rng = torch.rand(3)
    loaded = ckpt.load_latest(tmp_path)
    assert loaded is not None and loaded.step == 7
    weights = loaded.model_state()
    assert set(weights) == set(model.state_dict()) and "lm_head.weight" not in weights
    fresh, _ = _trained(seed=5)
    fresh.load_state_dict(weights)
    assert all(
        torch.equal(a, b)
        for a, b in zip(fresh.state_dict().values(), model.state_dict().values(), strict=True)
    )
    fresh_opt = make_optimizer(fresh, CFG)
    ckpt.restore_optimizer(fresh, fresh_opt, loaded.optimizer_state())
    for a, b in zip(
        fresh_opt.state_dict()["state"].values(), optimizer.state_dict()["state"].values(), strict=True
    ):
        assert all(torch.equal(a[k], b[k]) for k in ("exp_avg", "exp_avg_sq", "step"))
    ckpt.set_rng_state(loaded.state["rng"])
    assert torch.equal(torch.rand(3), expected_rng)


def test_transformers_loads_a_checkpoint_folder_as_llama(tmp_path: Path) -> None:
    transformers = pytest.importorskip("transformers")
    model, optimizer = _trained()
    path = _save(tmp_path, 1, model, optimizer)
    hf = transformers.LlamaForCausalLM.from_pretrained(path, local_files_only=True).eval()
    ids = torch.randint(0, 64, (1, 12), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        assert torch.allclose(hf(ids).logits, model(ids), atol=1e-4)


def test_latest_moves_and_old_checkpoints_are_pruned(tmp_path: Path) -> None:
    model, optimizer = _trained()
    for step in (10, 20, 30, 40):
        _save(tmp_path, step, model, optimizer, keep=2)
    assert [p.name for p in ckpt.list_checkpoints(tmp_path)] == ["step-000030", "step-000040"]
    assert (tmp_path / "latest").read_text().strip() == "step-000040"


def test_a_killed_save_leaves_nothing_trusted(tmp_path: Path) -> None:
    assert ckpt.load_latest(tmp_path) is None
    model, optimizer = _trained()
    _save(tmp_path, 10, model, optimizer)
    # A save killed before its rename: a temporary folder, half written.
    half = tmp_path / ".tmp-999-step-000020"
    half.mkdir()
    (half / "model.safetensors").write_bytes(b"\0" * 10)
    loaded = ckpt.load_latest(tmp_path)
    assert loaded is not None and loaded.step == 10
    ckpt.remove_stale(tmp_path)
    assert not half.exists()


def test_a_complete_folder_newer_than_latest_wins(tmp_path: Path) -> None:
    model, optimizer = _trained()
    _save(tmp_path, 10, model, optimizer)
    _save(tmp_path, 20, model, optimizer)
    # Killed between the rename and the `latest` update.
    (tmp_path / "latest").write_text("step-000010\n")
    loaded = ckpt.load_latest(tmp_path)
    assert loaded is not None and loaded.step == 20
    ckpt.mark_latest(tmp_path, loaded)
    assert (tmp_path / "latest").read_text().strip() == "step-000020"
    # Saving a step that already exists (a rerun after such a kill) replaces it whole.
    _save(tmp_path, 20, model, optimizer)
    assert [p.name for p in ckpt.list_checkpoints(tmp_path)] == ["step-000010", "step-000020"]
    assert not list(tmp_path.glob(".tmp-*"))
