"""Fold a peft LoRA adapter into the base weights once, at load: W += (B @ A) · lora_alpha / r.

After the merge the model is a plain Llama again, so serving an adapter costs nothing per token
(what peft's `merge_and_unload` does). The adapter folder is what peft's `save_pretrained` writes:

    adapter_config.json         {"peft_type": "LORA", "r": 8, "lora_alpha": 16, "target_modules": [...]}
    adapter_model.safetensors   base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight  [r, in]
                                base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight  [out, r]

What this merge cannot reproduce exactly (DoRA, LoRA biases, extra trained modules, per-module rank
patterns, embedding LoRA) is refused with an InputError naming the file, never dropped silently.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import torch

from clearlm.errors import InputError
from clearlm.files import read_json_object
from clearlm.model.hf_weights import read_safetensors
from clearlm.model.llama import Llama

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
# peft prefixes the wrapped model's keys; some versions keep the adapter's name ("default").
KEY_RE = re.compile(r"^(?:base_model\.model\.)?(?P<module>.+)\.lora_(?P<part>A|B)(?:\.[\w-]+)?\.weight$")


def read_adapter_config(path: Path) -> dict[str, Any]:
    """adapter_config.json, refused when it asks for something a plain merge does not do."""
    config = read_json_object(path, "adapter config", missing_hint=" (is this a peft LoRA adapter folder?)")
    if config.get("peft_type", "LORA") != "LORA":
        raise InputError(f"peft_type is {config.get('peft_type')!r}; only LORA adapters are served", path)
    refused = [
        name
        for name, value in (
            ("use_dora", config.get("use_dora")),
            ("fan_in_fan_out", config.get("fan_in_fan_out")),
            ("lora_bias", config.get("lora_bias")),
            ("modules_to_save", config.get("modules_to_save")),
            ("rank_pattern", config.get("rank_pattern")),
            ("alpha_pattern", config.get("alpha_pattern")),
        )
        if value
    ]
    if config.get("bias", "none") != "none":
        refused.append(f"bias={config['bias']!r}")
    if refused:
        raise InputError(f"not supported in a merged adapter: {', '.join(refused)}", path)
    for key in ("r", "lora_alpha"):
        if not isinstance(config.get(key), int | float) or config[key] <= 0:
            raise InputError(f"{key} must be a positive number, got {config.get(key)!r}", path)
    return config


def lora_pairs(tensors: dict[str, torch.Tensor], path: Path) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """module name (our / HF key without `.weight`) → (A [r, in], B [out, r])."""
    parts: dict[str, dict[str, torch.Tensor]] = {}
    for key, tensor in tensors.items():
        match = KEY_RE.match(key)
        if match is None:
            raise InputError(f"unexpected tensor {key!r} (only lora_A / lora_B weights are merged)", path)
        parts.setdefault(match["module"], {})[match["part"]] = tensor
    pairs = {}
    for module, found in sorted(parts.items()):
        if set(found) != {"A", "B"}:
            raise InputError(f"{module} has lora_{''.join(found)} but not both lora_A and lora_B", path)
        pairs[module] = (found["A"], found["B"])
    if not pairs:
        raise InputError("the adapter holds no LoRA weights", path)
    return pairs


def lora_scale(config: dict[str, Any]) -> float:
    """alpha / r, or alpha / sqrt(r) for rank-stabilised LoRA (Kalajdzievski 2023), as peft computes it."""
    rank, alpha = float(config["r"]), float(config["lora_alpha"])
    return alpha / math.sqrt(rank) if config.get("use_rslora") else alpha / rank


@torch.no_grad()
def merge_lora(model: Llama, adapter_dir: Path) -> list[str]:
    """Add every LoRA delta of the adapter in `adapter_dir` to `model`'s weights; return the modules."""
    adapter_dir = Path(adapter_dir)
    if not adapter_dir.is_dir():
        raise InputError("adapter folder not found", adapter_dir)
    config = read_adapter_config(adapter_dir / ADAPTER_CONFIG)
    weights_path = adapter_dir / ADAPTER_WEIGHTS
    pairs = lora_pairs(read_safetensors(weights_path), weights_path)
    scale = lora_scale(config)
    params = dict(model.named_parameters())
    for module, (lora_a, lora_b) in pairs.items():
        if module == "lm_head" and model.lm_head is None:
            raise InputError(
                "the adapter changes lm_head, which this model ties to its embeddings", weights_path
            )
        weight = params.get(f"{module}.weight")
        if weight is None or weight.dim() != 2:
            raise InputError(
                f"the adapter targets {module}, which is not a linear layer of the model", weights_path
            )
        rank = lora_a.shape[0]
        if rank != config["r"]:
            raise InputError(
                f"{module}: lora_A has rank {rank}, adapter_config.json says r={config['r']}", weights_path
            )
        expected = (weight.shape[0], rank), (rank, weight.shape[1])
        if (tuple(lora_b.shape), tuple(lora_a.shape)) != expected:
            raise InputError(
                f"{module}: lora_B {list(lora_b.shape)} @ lora_A {list(lora_a.shape)} does not fit "
                f"the weight {list(weight.shape)}",
                weights_path,
            )
        # float32 for the product whatever the storage: a bf16 delta would round away small updates.
        delta = (lora_b.float() @ lora_a.float()) * scale  # [out, in]
        weight.add_(delta.to(device=weight.device, dtype=weight.dtype))
    return list(pairs)
