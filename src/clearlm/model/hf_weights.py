"""Read and write Llama weights in the Hugging Face layout (config.json + model.safetensors).

No transformers import: a folder is a JSON config that `LlamaConfig.from_hf` reads and a safetensors
file whose keys are already our state-dict keys. What this code cannot run faithfully (rope scaling,
biases, another activation) is refused with an InputError naming the file, never silently ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from clearlm.atomic import atomic_write_text, publish, tmp_path_for
from clearlm.errors import InputError
from clearlm.files import read_json_object
from clearlm.model.config import LlamaConfig
from clearlm.model.llama import Llama

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
TIED_HEAD_KEY = "lm_head.weight"
EMBED_KEY = "model.embed_tokens.weight"


def read_hf_config(path: Path) -> tuple[LlamaConfig, dict[str, Any]]:
    """The LlamaConfig a transformers `config.json` describes, and the raw dictionary."""
    raw = read_json_object(path, "model config")
    model_type = raw.get("model_type", "llama")
    if model_type != "llama":
        raise InputError(f"model_type is {model_type!r}; only 'llama' is supported", path)
    unsupported = _unsupported_features(raw)
    if unsupported:
        raise InputError(f"not supported: {unsupported}", path)
    try:
        config = LlamaConfig.from_hf(raw)
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"model config lacks or mistypes {err}", path) from None
    head_dim = raw.get("head_dim")
    if head_dim is not None and int(head_dim) != config.head_dim:
        raise InputError(f"head_dim {head_dim} != hidden_size / num_attention_heads {config.head_dim}", path)
    problems = config.validate()
    if problems:
        raise InputError("; ".join(problems), path)
    return config, raw


def _unsupported_features(raw: dict[str, Any]) -> str:
    found = []
    if raw.get("rope_scaling"):
        found.append("rope_scaling")
    rope_type = (raw.get("rope_parameters") or {}).get("rope_type", "default")
    if rope_type != "default":
        found.append(f"rope_type {rope_type!r}")
    if raw.get("attention_bias") or raw.get("mlp_bias"):
        found.append("biases")
    if raw.get("hidden_act", "silu") != "silu":
        found.append(f"hidden_act {raw['hidden_act']!r}")
    return ", ".join(found)


def read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    """Every tensor of a safetensors file, on the CPU."""
    if not path.is_file():
        raise InputError("missing model weights", path)
    try:
        return load_file(path, device="cpu")
    except (SafetensorError, OSError, ValueError) as err:
        raise InputError(f"unreadable safetensors file ({err})", path) from None


def load_state_into(model: Llama, tensors: Mapping[str, torch.Tensor], path: Path) -> None:
    """Copy `tensors` into `model`, naming the file when a key or a shape does not fit."""
    state = dict(tensors)
    if model.lm_head is None:
        state.pop(TIED_HEAD_KEY, None)  # written by some tools even when tied: the same matrix
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise InputError(
            f"weights do not fit the config: missing {missing[:3]}, unexpected {unexpected[:3]}", path
        )
    for key, tensor in state.items():
        if tuple(tensor.shape) != tuple(expected[key].shape):
            raise InputError(
                f"{key} has shape {list(tensor.shape)}, config implies {list(expected[key].shape)}", path
            )
    model.load_state_dict(state, strict=True)


def load_hf_folder(
    path: Path | str, *, device: torch.device | str = "cpu", keep_dtype: bool = False
) -> tuple[Llama, LlamaConfig]:
    """The model in a HF folder (config.json + model.safetensors), in eval mode.

    Float32, or with `keep_dtype` the dtype the file stores (a bf16 checkpoint stays bf16).
    """
    folder = Path(path)
    config, _ = read_hf_config(folder / CONFIG_FILE)
    tensors = read_safetensors(folder / WEIGHTS_FILE)
    model = Llama(config)
    load_state_into(model, tensors, folder / WEIGHTS_FILE)
    dtype = tensors[EMBED_KEY].dtype if keep_dtype else torch.float32
    return model.to(device=device, dtype=dtype).eval(), config


def state_dict_for_saving(model_or_state: nn.Module | Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """CPU, contiguous tensors under HF keys, without a tied lm_head (safetensors refuses shared storage)."""
    if isinstance(model_or_state, nn.Module):
        state = model_or_state.state_dict()
        tied = isinstance(model_or_state, Llama) and model_or_state.lm_head is None
    else:
        state = dict(model_or_state)
        head, embed = state.get(TIED_HEAD_KEY), state.get(EMBED_KEY)
        tied = head is not None and embed is not None and head.data_ptr() == embed.data_ptr()
    if tied:
        state.pop(TIED_HEAD_KEY, None)
    return {key: tensor.detach().to("cpu").contiguous() for key, tensor in state.items()}


def save_safetensors(model_or_state: nn.Module | Mapping[str, torch.Tensor], path: Path | str) -> None:
    """Write the weights to `path` atomically, in HF's layout with metadata {"format": "pt"}.

    Takes a model or a full state dict (what FSDP2's `get_model_state_dict(full_state_dict=True)`
    returns); the same weights always give the same bytes.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path_for(target)
    try:
        save_file(state_dict_for_saving(model_or_state), tmp, metadata={"format": "pt"})
        # safetensors creates the file owner-only (0600); weights are meant to be shared and served.
        tmp.chmod(0o644)
        publish(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_hf_folder(model: Llama, folder: Path, bos_id: int, eos_id: int, pad_id: int | None) -> None:
    """config.json and model.safetensors for `model` in `folder` (each file written atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    hf = model.config.to_hf(bos_id, eos_id, pad_id)
    hf["torch_dtype"] = str(model.model.embed_tokens.weight.dtype).removeprefix("torch.")
    atomic_write_text(folder / CONFIG_FILE, json.dumps(hf, indent=2) + "\n")
    save_safetensors(model, folder / WEIGHTS_FILE)
