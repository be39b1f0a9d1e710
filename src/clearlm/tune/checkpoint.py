"""Resumable tuning checkpoints: ADAPTER/checkpoints/step-NNNNNN/, written whole or not at all.

    adapter_config.json, adapter_model.safetensors   the LoRA weights (peft's save_pretrained: each
                                                     checkpoint is itself a loadable adapter)
    optimizer.pt                                     AdamW state (moments and step counts)
    trainer_state.json                               step, assistant tokens trained, RNG state and
                                                     the fingerprint of base, data and settings

The folder is built under a temporary name and renamed into place (atomic on POSIX), so a kill at
any moment leaves the old set of checkpoints or the old set plus one complete new one. A rerun
continues from the newest, after checking it was made from the same base, data and settings.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import safetensors.torch
import torch

from clearlm.atomic import TMP_PREFIX
from clearlm.errors import ConfigError
from clearlm.train.checkpoint import (
    STATE_FILE,
    list_checkpoints,
    prune_checkpoints,
    remove_stale,
    rng_state,
    set_rng_state,
    step_dir_name,
)

CHECKPOINTS_DIR = "checkpoints"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"
OPTIMIZER_FILE = "optimizer.pt"
# peft's save_pretrained also writes a model-card stub; an adapter folder here holds only what we list.
PEFT_EXTRAS = ("README.md",)


@dataclass
class TuneCheckpoint:
    path: Path
    state: dict[str, Any]

    @property
    def step(self) -> int:
        return int(self.state["step"])


def save_adapter_files(model: Any, folder: Path) -> None:
    """adapter_config.json + adapter_model.safetensors of a peft model in `folder` (peft's own format)."""
    model.save_pretrained(str(folder), safe_serialization=True)
    for extra in PEFT_EXTRAS:
        (folder / extra).unlink(missing_ok=True)


def _fsync_tree(folder: Path) -> None:
    for written in folder.iterdir():
        with open(written, "rb+") as fh:
            os.fsync(fh.fileno())


def save_checkpoint(
    root: Path, model: Any, optimizer: torch.optim.Optimizer, state: dict[str, Any], keep: int
) -> Path:
    """Write checkpoint `state["step"]` under `root` (ADAPTER/checkpoints) and prune older ones."""
    root.mkdir(parents=True, exist_ok=True)
    name = step_dir_name(int(state["step"]))
    final = root / name
    tmp = root / f"{TMP_PREFIX}{os.getpid()}-{name}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    save_adapter_files(model, tmp)
    torch.save(optimizer.state_dict(), tmp / OPTIMIZER_FILE)
    full_state = {**state, "rng": rng_state()}
    (tmp / STATE_FILE).write_text(json.dumps(full_state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    _fsync_tree(tmp)
    if final.exists():  # a killed run saved this step already; the replay wrote the same numbers
        old = root / f"{TMP_PREFIX}{os.getpid()}-old-{name}"
        os.rename(final, old)
        os.rename(tmp, final)
        shutil.rmtree(old)
    else:
        os.rename(tmp, final)
    prune_checkpoints(root, keep)
    return final


def latest_checkpoint(root: Path) -> TuneCheckpoint | None:
    """The newest complete checkpoint under `root`, after clearing what a killed save left behind."""
    remove_stale(root)
    found = list_checkpoints(root)
    if not found:
        return None
    newest = found[-1]
    state = json.loads((newest / STATE_FILE).read_text(encoding="utf-8"))
    return TuneCheckpoint(newest, state)


def check_fingerprint(checkpoint: TuneCheckpoint, fingerprint: dict[str, Any]) -> None:
    """Refuse to continue a run that was started from another base, other data or other settings."""
    saved = checkpoint.state.get("fingerprint", {})
    differ = sorted(key for key in fingerprint if saved.get(key) != fingerprint[key])
    if differ:
        if "config" in differ:
            old, new = saved.get("config") or {}, fingerprint["config"]
            keys = sorted(k for k in new if old.get(k) != new[k])
            differ[differ.index("config")] = "settings (" + ", ".join(keys) + ")"
        raise ConfigError(
            f"this adapter folder's checkpoints were made with another {', '.join(differ)}; "
            "rerun with the same inputs to resume, or choose a new -o folder",
            checkpoint.path,
        )


def restore_checkpoint(checkpoint: TuneCheckpoint, model: Any, optimizer: torch.optim.Optimizer) -> None:
    """Load the LoRA weights, the optimizer state and the RNG state of `checkpoint` in place."""
    from peft import set_peft_model_state_dict

    device = next(p.device for p in model.parameters())
    weights = safetensors.torch.load_file(checkpoint.path / ADAPTER_WEIGHTS, device=str(device))
    result = set_peft_model_state_dict(model, weights)
    unexpected = getattr(result, "unexpected_keys", [])
    if unexpected:
        raise ConfigError(f"adapter weights do not fit the model: {unexpected[:3]}", checkpoint.path)
    state = torch.load(checkpoint.path / OPTIMIZER_FILE, map_location=device, weights_only=True)
    optimizer.load_state_dict(state)
    if "rng" in checkpoint.state:
        set_rng_state(checkpoint.state["rng"])
