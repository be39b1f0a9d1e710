"""Learning-rate schedule and optimizer: linear warmup, cosine decay, AdamW with nanoGPT's decay rule."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from clearlm.train.config import TrainConfig


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Learning rate of optimizer step `step` (0-based).

    Warmup climbs linearly to cfg.lr over the first warmup_steps steps (step 0 already gets
    lr / warmup_steps, never 0, so no step is wasted); then a half cosine takes it down to
    lr · min_lr_ratio at the last step, where it stays if training runs on.
    """
    peak = cfg.lr
    floor = cfg.lr * cfg.min_lr_ratio
    if step < cfg.warmup_steps:
        return peak * (step + 1) / cfg.warmup_steps
    decay_steps = cfg.steps - 1 - cfg.warmup_steps
    if decay_steps <= 0:
        return peak
    progress = min((step - cfg.warmup_steps) / decay_steps, 1.0)
    return floor + 0.5 * (peak - floor) * (1.0 + math.cos(math.pi * progress))


def param_groups(model: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """Two AdamW groups: matrices (≥ 2-D: projections, embeddings) decay; vectors (norm gains) do not.

    This is nanoGPT's rule: decaying a norm's gain pulls it towards 0, which only fights the norm.
    Parameters are listed in module order, so group contents are the same in every process.
    """
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    return [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]


def _fused_available(model: nn.Module) -> bool:
    # The fused AdamW kernel exists for CUDA and (since torch 2.4) CPU tensors; other devices take
    # the foreach path.
    device = next(model.parameters()).device
    return device.type in ("cuda", "cpu")


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.AdamW:
    """AdamW over `model` with cfg's betas and weight decay (fused kernel where the device has one)."""
    return torch.optim.AdamW(
        param_groups(model, cfg.weight_decay),
        lr=lr_at(0, cfg),
        betas=(cfg.beta1, cfg.beta2),
        eps=1e-8,
        fused=_fused_available(model),
    )


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr
