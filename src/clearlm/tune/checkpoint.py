"""Resumable tuning checkpoints: ADAPTER/checkpoints/step-NNNNNN/, written whole or not at all.

    adapter_config.json, adapter_model.safetensors   the LoRA weights (peft's save_pretrained: each
                                                     checkpoint is itself a loadable adapter)
    optimizer.pt                                     AdamW state (moments and step counts)
    trainer_state.json                               step, assistant tokens trained, RNG state and
                                                     the fingerprint of base, data and settings

The folder is built under a temporary name and renamed into place (atomic on POSIX; the folder
keeping is pretraining's, clearlm.checkpoint_folders), so a kill at any moment leaves the old set of
checkpoints or the old set plus one complete new one. A rerun continues from the newest, after
checking it was made from the same base, data and settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import safetensors.torch
import torch

from clearlm.checkpoint_folders import (
    OPTIMIZER_FILE,
    STATE_FILE,
    StepCheckpoint,
    json_text,
    newest_checkpoint,
    prune_checkpoints,
    remove_stale,
    write_step_folder,
)
from clearlm.errors import ConfigError
from clearlm.train.checkpoint import rng_state, set_rng_state

CHECKPOINTS_DIR = "checkpoints"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"
# peft's save_pretrained also writes a model-card stub; an adapter folder here holds only what we list.
PEFT_EXTRAS = ("README.md",)


def save_adapter_files(model: Any, folder: Path) -> None:
    """adapter_config.json + adapter_model.safetensors of a peft model in `folder` (peft's own format)."""
    model.save_pretrained(str(folder), safe_serialization=True)
    for extra in PEFT_EXTRAS:
        (folder / extra).unlink(missing_ok=True)


def save_checkpoint(
    root: Path, model: Any, optimizer: torch.optim.Optimizer, state: dict[str, Any], keep: int
) -> Path:
    """Write checkpoint `state["step"]` under `root` (ADAPTER/checkpoints) and prune older ones."""

    def write_files(folder: Path) -> None:
        save_adapter_files(model, folder)
        torch.save(optimizer.state_dict(), folder / OPTIMIZER_FILE)
        (folder / STATE_FILE).write_text(json_text({**state, "rng": rng_state()}), encoding="utf-8")

    final = write_step_folder(root, int(state["step"]), write_files)
    prune_checkpoints(root, keep)
    return final


def latest_checkpoint(root: Path) -> StepCheckpoint | None:
    """The newest complete checkpoint under `root`, after clearing what a killed save left behind."""
    remove_stale(root)
    return newest_checkpoint(root, StepCheckpoint)


def check_fingerprint(checkpoint: StepCheckpoint, fingerprint: dict[str, Any]) -> None:
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


def restore_checkpoint(checkpoint: StepCheckpoint, model: Any, optimizer: torch.optim.Optimizer) -> None:
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
