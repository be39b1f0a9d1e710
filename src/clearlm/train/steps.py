"""One optimizer step and one evaluation pass: the arithmetic of training, without the bookkeeping."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from clearlm.train.data import TrainData
from clearlm.train.distributed import DistInfo, all_reduce_mean, all_reduce_sum, gradient_sync


def autocast_for(
    device: torch.device, dtype: torch.dtype
) -> Callable[[], contextlib.AbstractContextManager[None]]:
    """A factory of the mixed-precision context: bf16 autocast, or nothing for fp32.

    Weights and optimizer state stay fp32 either way; only the matmuls run in bf16.
    """
    if dtype == torch.float32:
        return contextlib.nullcontext
    return lambda: torch.autocast(device_type=device.type, dtype=dtype)


def next_token_loss(logits: torch.Tensor, targets: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Cross-entropy of logits [B, T, V] against the next tokens [B, T], in fp32.

    Documents are not masked from each other inside a sequence: each starts with bos and ends
    with eos, which is what tells the model a new document began (GPT-2 / nanoGPT packing).
    """
    return F.cross_entropy(logits.float().flatten(0, 1), targets.flatten(), reduction=reduction)


class NextTokenLoss(nn.Module):
    """The model and its loss as one module: what training calls, and what torch.compile compiles.

    The model computes the loss itself (`Llama.forward(..., targets=)`), through the chunked
    `linear_cross_entropy` that never materialises the [B·T, V] logits: on CPU that took the
    projection plus loss from a third of a step to ~1/8 (bench/train_vs_hf.py). Under torch.compile
    the decoder is one graph and the loss runs eagerly after it.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        loss: torch.Tensor = self.model(inputs, targets=targets)
        return loss


def _total_norm(norm: torch.Tensor) -> float:
    # Under FSDP2 the norm is a DTensor holding per-rank partial sums; full_tensor() reduces it.
    full = getattr(norm, "full_tensor", None)
    return float(full() if callable(full) else norm)


def train_step(
    *,
    runner: nn.Module,
    wrapped: nn.Module,
    optimizer: torch.optim.Optimizer,
    data: TrainData,
    step: int,
    grad_clip: float,
    autocast: Callable[[], contextlib.AbstractContextManager[None]],
    info: DistInfo,
) -> tuple[float, float]:
    """Run global step `step` (all its micro-steps) and the optimizer; returns (mean loss, grad norm).

    `runner` is the NextTokenLoss called (maybe torch.compile'd), `wrapped` the DDP/FSDP module whose gradient
    sync is held back on all but the last micro-step. Each micro-step's loss is scaled by 1/accum so
    the summed gradients equal one big batch's; DDP averages over ranks on top, which makes w ranks
    with micro-batch b/w match one process with b.
    """
    accum = data.layout.grad_accum
    loss_sum = torch.zeros((), dtype=torch.float64)
    for micro in range(accum):
        batch = data.train_batch(step, micro).to(info.device, non_blocking=True)
        inputs, targets = batch[:, :-1], batch[:, 1:]
        with gradient_sync(wrapped, enabled=micro == accum - 1), autocast():
            loss: torch.Tensor = runner(inputs, targets)
        (loss / accum).backward()  # type: ignore[no-untyped-call]
        loss_sum += loss.detach().double().cpu()
    max_norm = grad_clip if grad_clip > 0 else float("inf")
    norm = torch.nn.utils.clip_grad_norm_(wrapped.parameters(), max_norm)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    (mean_loss,) = all_reduce_mean([float(loss_sum) / accum], info)
    return mean_loss, _total_norm(norm)


@torch.no_grad()
def evaluate(
    runner: nn.Module,
    batches: list[torch.Tensor],
    autocast: Callable[[], contextlib.AbstractContextManager[None]],
    info: DistInfo,
) -> float | None:
    """Mean next-token loss over the held-out batches of every rank (None when there are none)."""
    runner.eval()
    total = torch.zeros((), dtype=torch.float64)
    count = 0
    for batch in batches:
        batch = batch.to(info.device)
        with autocast():
            loss = next_token_loss(runner(batch[:, :-1]), batch[:, 1:], reduction="sum")
        total += loss.double().cpu()
        count += batch[:, 1:].numel()
    runner.train()
    summed, counted = all_reduce_sum([float(total), float(count)], info)
    return summed / counted if counted else None
