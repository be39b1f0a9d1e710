"""Which examples each step trains on, padded batches, and the assistant-only loss.

The order is a pure function of (seed, step): epoch e is a permutation drawn from the seed and e,
and step s takes positions s·B … s·B+B-1 of those epochs laid end to end. A resumed run needs no
saved data-loader state to take exactly the batches the killed run would have taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from clearlm.tune.encode import IGNORE, Example


@dataclass
class Batch:
    input_ids: torch.Tensor  # [B, T], right-padded with the pad id
    attention_mask: torch.Tensor  # [B, T], 1 on real tokens
    labels: torch.Tensor  # [B, T], IGNORE on padding and on everything but assistant tokens

    @property
    def n_labels(self) -> int:
        return int((self.labels != IGNORE).sum())


def epoch_order(n: int, seed: int, epoch: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    return np.random.default_rng([seed, epoch]).permutation(n)


def batch_indices(step: int, n: int, batch_size: int, seed: int) -> list[int]:
    """Indices into the training examples for optimizer step `step` (0-based)."""
    picked: list[int] = []
    position = step * batch_size
    while len(picked) < batch_size:
        epoch, offset = divmod(position, n)
        order = epoch_order(n, seed, epoch)
        take = min(batch_size - len(picked), n - offset)
        picked.extend(int(i) for i in order[offset : offset + take])
        position += take
    return picked


def collate(examples: list[Example], pad_id: int, device: torch.device) -> Batch:
    """Right-pad to the longest example; padding is masked from attention and from the loss."""
    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, example in enumerate(examples):
        n = len(example.input_ids)
        ids[row, :n] = torch.tensor(example.input_ids)
        labels[row, :n] = torch.tensor(example.labels)
        mask[row, :n] = 1
    return Batch(ids.to(device), mask.to(device), labels.to(device))


def loss_sum(model: Any, batch: Batch) -> tuple[torch.Tensor, int]:
    """Summed cross-entropy of the labelled tokens and how many there are.

    Position t predicts token t+1, so the logits drop their last position and the labels their first.
    A sum (not a mean) lets eval weight every assistant token equally across batches.
    """
    logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask).logits
    targets = batch.labels[:, 1:]
    loss = F.cross_entropy(
        logits[:, :-1].float().reshape(-1, logits.shape[-1]),
        targets.reshape(-1),
        ignore_index=IGNORE,
        reduction="sum",
    )
    return loss, int((targets != IGNORE).sum())


def evaluate(model: Any, examples: list[Example], batch_size: int, pad_id: int) -> float | None:
    """Mean loss per assistant token over `examples` (None when there are none), in eval mode."""
    usable = [e for e in examples if e.n_assistant_tokens]
    if not usable:
        return None
    device = next(p.device for p in model.parameters())
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(usable), batch_size):
            loss, n = loss_sum(model, collate(usable[start : start + batch_size], pad_id, device))
            total += float(loss)
            count += n
    model.train(was_training)
    return total / count if count else None
