"""Checkpoints: WS/checkpoints/step-NNNNNN/ written whole or not at all, and `latest` naming the newest.

A checkpoint folder holds

    model.safetensors    full weights under transformers' LlamaForCausalLM key names (tied head left out)
    config.json          LlamaConfig.to_hf(...) — with model.safetensors, a loadable HF model folder
    optimizer.pt         AdamW state keyed by parameter name (torch.distributed.checkpoint's format)
    trainer_state.json   step, tokens seen (in all, per source group, per licence), RNG states,
                         world size, parallel mode, the train config, the resolved model config
    lineage.json         what data and code made these weights (the caller's lineage_fn)

It is written into a temporary sibling folder which is then renamed (atomic on POSIX; the folder
keeping that LoRA tuning shares lives in clearlm.checkpoint_folders), and only then is `latest`
rewritten (atomically) to name it. A kill at any moment leaves either no new folder or a
complete one. Under FSDP2 every rank joins the gather of full (unsharded) tensors and rank 0 writes
them, so a checkpoint looks the same whatever parallelism produced it.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import safetensors.torch
import torch
from torch import nn
from torch.distributed.checkpoint.state_dict import (
    StateDictOptions,
    get_model_state_dict,
    get_optimizer_state_dict,
    set_optimizer_state_dict,
)

from clearlm.atomic import atomic_write_text
from clearlm.checkpoint_folders import (
    LINEAGE_FILE,
    OPTIMIZER_FILE,
    STATE_FILE,
    STEP_DIR,
    StepCheckpoint,
    json_text,
    list_checkpoints,
    newest_checkpoint,
    prune_checkpoints,
    remove_stale,
    step_dir_name,
    write_step_folder,
)
from clearlm.train.distributed import is_fsdp, unwrap

# The folder-keeping names come from clearlm.checkpoint_folders; they stay importable from here.
__all__ = [
    "CONFIG_FILE",
    "LATEST",
    "LINEAGE_FILE",
    "MODEL_FILE",
    "OPTIMIZER_FILE",
    "STATE_FILE",
    "STEP_DIR",
    "Checkpoint",
    "gather_model_state",
    "gather_optimizer_state",
    "list_checkpoints",
    "load_latest",
    "mark_latest",
    "prune_checkpoints",
    "remove_stale",
    "restore_optimizer",
    "rng_state",
    "save_checkpoint",
    "set_rng_state",
    "step_dir_name",
]

LATEST = "latest"
MODEL_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
_FULL = StateDictOptions(full_state_dict=True, cpu_offload=True)


class Checkpoint(StepCheckpoint):
    """A complete pretraining checkpoint folder, its trainer state, and readers for its tensors."""

    def model_state(self) -> dict[str, torch.Tensor]:
        return safetensors.torch.load_file(self.path / MODEL_FILE)

    def optimizer_state(self) -> dict[str, Any]:
        state: dict[str, Any] = torch.load(self.path / OPTIMIZER_FILE, map_location="cpu", weights_only=True)
        return state


# -- gathering (every rank calls these; under FSDP2 they are collectives) ----------------------
def gather_model_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """Full CPU weights by HF key (on rank 0; other FSDP ranks get an empty dict)."""
    if is_fsdp(model):
        return {
            k: v for k, v in get_model_state_dict(model, options=_FULL).items() if isinstance(v, torch.Tensor)
        }
    return {k: v.detach().cpu() for k, v in unwrap(model).state_dict().items()}


def gather_optimizer_state(model: nn.Module, optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """Optimizer state keyed by parameter name, unsharded (on rank 0 under FSDP2)."""
    if is_fsdp(model):
        return get_optimizer_state_dict(model, optimizer, options=_FULL)
    return get_optimizer_state_dict(unwrap(model), optimizer)


def restore_optimizer(model: nn.Module, optimizer: torch.optim.Optimizer, state: dict[str, Any]) -> None:
    """Load a full, name-keyed optimizer state; under FSDP2 each rank keeps its own shard of it."""
    if is_fsdp(model):
        set_optimizer_state_dict(model, optimizer, state, options=StateDictOptions(full_state_dict=True))
    else:
        set_optimizer_state_dict(unwrap(model), optimizer, state)


def rng_state() -> dict[str, Any]:
    """torch and numpy global RNG states, JSON-ready (training draws no random numbers today, but
    a resumed run must continue any future dropout or sampling where the killed one stopped)."""
    kind, keys, pos, has_gauss, cached = np.random.get_state(legacy=True)
    state: dict[str, Any] = {
        "torch": base64.b64encode(torch.get_rng_state().numpy().tobytes()).decode("ascii"),
        "numpy": {
            "kind": kind,
            "keys": np.asarray(keys).tolist(),
            "pos": pos,
            "has_gauss": has_gauss,
            "cached": cached,
        },
    }
    if torch.cuda.is_available():
        state["cuda"] = base64.b64encode(torch.cuda.get_rng_state().numpy().tobytes()).decode("ascii")
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(torch.frombuffer(bytearray(base64.b64decode(state["torch"])), dtype=torch.uint8))
    n = state["numpy"]
    keys = np.array(n["keys"], dtype=np.uint32)
    np.random.set_state((n["kind"], keys, n["pos"], n["has_gauss"], n["cached"]))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(
            torch.frombuffer(bytearray(base64.b64decode(state["cuda"])), dtype=torch.uint8)
        )


# -- writing (rank 0 only) ----------------------------------------------------------------------
def save_checkpoint(
    root: Path,
    *,
    model_state: dict[str, torch.Tensor],
    optimizer_state: dict[str, Any],
    trainer_state: dict[str, Any],
    hf_config: dict[str, Any],
    lineage_fn: Callable[[dict[str, Any]], dict[str, Any]],
    keep: int,
) -> Path:
    """Write checkpoint `trainer_state["step"]` under `root`, point `latest` at it, prune old ones."""

    def write_files(folder: Path) -> None:
        # The tied head is the embedding matrix; safetensors refuses shared storage, and HF leaves it out.
        tied = _tied(hf_config)
        tensors = {k: v.contiguous() for k, v in model_state.items() if not (k == "lm_head.weight" and tied)}
        safetensors.torch.save_file(tensors, folder / MODEL_FILE, metadata={"format": "pt"})
        torch.save(optimizer_state, folder / OPTIMIZER_FILE)
        texts = {CONFIG_FILE: hf_config, STATE_FILE: trainer_state, LINEAGE_FILE: lineage_fn(trainer_state)}
        for file, obj in texts.items():
            (folder / file).write_text(json_text(obj), encoding="utf-8")

    final = write_step_folder(root, int(trainer_state["step"]), write_files)
    atomic_write_text(root / LATEST, final.name + "\n")
    prune_checkpoints(root, keep)
    return final


def _tied(hf_config: dict[str, Any]) -> bool:
    return bool(hf_config.get("tie_word_embeddings", False))


def load_latest(root: Path) -> Checkpoint | None:
    """The newest complete checkpoint under `root` (WS/checkpoints), or None when there is none.

    Normally the one `latest` names; a complete folder newer than that (a kill came between the
    rename and the `latest` update) is just as whole, so it wins.
    """
    return newest_checkpoint(root, Checkpoint)


def mark_latest(root: Path, checkpoint: Checkpoint) -> None:
    """Make `latest` name `checkpoint` if it names something else (or nothing)."""
    latest = root / LATEST
    current = latest.read_text(encoding="utf-8").strip() if latest.is_file() else ""
    if current != checkpoint.path.name:
        atomic_write_text(latest, checkpoint.path.name + "\n")
