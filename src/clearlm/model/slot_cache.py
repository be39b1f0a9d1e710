"""Key/value storage for several sequences of different lengths, decoded one token each in one pass.

A server decoding N streams one at a time runs N forward passes per token, each too small to keep
the CPU's cores busy. Here every stream owns a *slot*, a row of per-layer tensors [S, K, L, Hd] with
its own length, so the waiting streams' next tokens go through the model as one batch [B, 1]:

* each row takes its own RoPE angles (cos, sin: [B, 1, 1, Hd], broadcast over heads);
* its new key and value are written at its own position (one indexed store per layer);
* it attends to its own keys only: a boolean mask [B, 1, 1, S'] with S' the longest row + 1.

A prompt is still run for one slot alone, through a `KVCache` viewing that slot's row (`row`),
since prompts of different lengths would need padding. This is the "continuous batching" of Orca
and vLLM, reduced to what a CPU server needs: no paging, a fixed number of slots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from clearlm.model.kv_cache import KVCache

if TYPE_CHECKING:
    from clearlm.model.llama import Llama


class SlotPool:
    """`slots` rows of key/value storage for `model`, each with the number of tokens it holds."""

    def __init__(self, model: Llama, slots: int, max_len: int | None = None) -> None:
        if slots < 1:
            raise ValueError("a SlotPool needs at least one slot")
        template = KVCache.for_model(model, batch_size=slots, max_len=max_len)
        self.keys, self.values = template.keys, template.values  # per layer [S, K, L, Hd]
        self.max_len = template.max_len
        self.lengths = [0] * slots

    @property
    def slots(self) -> int:
        return len(self.lengths)

    def row(self, slot: int) -> KVCache:
        """A one-sequence cache over slot `slot`'s storage, at its length (for a prompt, or one token)."""
        keys = [k[slot : slot + 1] for k in self.keys]  # views [1, K, L, Hd]: writes land in the pool
        values = [v[slot : slot + 1] for v in self.values]
        return KVCache.over(keys, values, self.lengths[slot])

    def batch(self, slots: list[int]) -> SlotBatch:
        """The cache for one decoding pass over these slots, one new token each."""
        return SlotBatch(self, slots)


class SlotBatch:
    """One forward pass of one token for each of B slots, each at its own position."""

    def __init__(self, pool: SlotPool, slots: list[int]) -> None:
        if not slots or len(set(slots)) != len(slots):
            raise ValueError("a SlotBatch needs distinct slots")
        positions = [pool.lengths[s] for s in slots]
        if max(positions) >= pool.max_len:
            raise ValueError(f"KVCache is full: a slot holds {max(positions)} of max_len {pool.max_len}")
        device = pool.keys[0].device
        self.pool, self.slots = pool, slots
        self.rows = torch.tensor(slots, device=device)  # [B]
        self.positions = torch.tensor(positions, device=device)  # [B] where each new token goes
        self.span = max(positions) + 1  # keys anyone in the batch attends to

    def rope(self, table: torch.Tensor, seq: int) -> tuple[torch.Tensor, torch.Tensor]:
        if seq != 1:
            raise ValueError(f"a SlotBatch decodes one token per slot, got {seq}")
        cos = table[0].index_select(0, self.positions)[:, None, None, :]  # [B, 1, 1, Hd]
        sin = table[1].index_select(0, self.positions)[:, None, None, :]  # [B, 1, 1, Hd]
        return cos, sin

    def update(self, layer_idx: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        keys, values = self.pool.keys[layer_idx], self.pool.values[layer_idx]  # [S, K, L, Hd]
        # Row b's new key goes to (slot b, every head, position b): indexed by slot and position.
        keys[self.rows, :, self.positions] = k[:, :, 0]  # [B, K, Hd]
        values[self.rows, :, self.positions] = v[:, :, 0]  # [B, K, Hd]
        span = self.span
        return (
            keys[:, :, :span].index_select(0, self.rows),  # [B, K, S', Hd]
            values[:, :, :span].index_select(0, self.rows),  # [B, K, S', Hd]
        )

    def attention_mask(self, seq: int, device: torch.device) -> tuple[torch.Tensor | None, bool]:
        key_pos = torch.arange(self.span, device=device)  # [S']
        mask = key_pos[None, :] <= self.positions[:, None]  # [B, S'] True = this row's own keys
        return mask[:, None, None, :], False  # [B, 1, 1, S'] broadcast over heads and the one query

    def advance(self, n_tokens: int) -> None:
        for slot in self.slots:
            self.pool.lengths[slot] += n_tokens
