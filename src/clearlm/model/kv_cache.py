"""Keys and values of past tokens, kept so that decoding one more token costs one token of compute.

Each layer gets two tensors [B, K, max_len, Hd] allocated once up front (no growing, no copying);
`pos` counts the tokens already written. All B sequences advance together: a batch of prompts of the
same length, or one prompt. (Sequences of different lengths decoded together: `slot_cache.SlotBatch`.)

`Cache` is what the model asks of any cache: where the new tokens sit (their RoPE angles), where
their keys and values go, and which keys each new token may attend to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import torch

if TYPE_CHECKING:
    from clearlm.model.llama import Llama


class Cache(Protocol):
    """The model's view of a cache, one forward pass of T new tokens at a time."""

    def rope(self, table: torch.Tensor, seq: int) -> tuple[torch.Tensor, torch.Tensor]:
        """cos and sin of the new tokens' positions, from the model's table [2, max_len, Hd]."""
        ...

    def update(self, layer_idx: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store one layer's new k, v [B, K, T, Hd]; return the keys and values to attend to."""
        ...

    def attention_mask(self, seq: int, device: torch.device) -> tuple[torch.Tensor | None, bool]:
        """(attn_mask, is_causal) for scaled_dot_product_attention over what `update` returned."""
        ...

    def advance(self, n_tokens: int) -> None:
        """Every layer has written the new tokens: move past them."""
        ...


class KVCache:
    """Preallocated per-layer key/value storage plus the position of the next token."""

    def __init__(
        self,
        n_layers: int,
        batch_size: int,
        n_kv_heads: int,
        max_len: int,
        head_dim: int,
        *,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str | None = None,
    ) -> None:
        if min(n_layers, batch_size, n_kv_heads, max_len, head_dim) <= 0:
            raise ValueError("every KVCache dimension must be positive")
        shape = (batch_size, n_kv_heads, max_len, head_dim)
        self.keys = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(n_layers)]  # [B, K, L, Hd]
        self.values = [
            torch.zeros(shape, dtype=dtype, device=device) for _ in range(n_layers)
        ]  # [B, K, L, Hd]
        self.batch_size = batch_size
        self.max_len = max_len
        self._pos = 0

    @classmethod
    def over(cls, keys: list[torch.Tensor], values: list[torch.Tensor], pos: int) -> KVCache:
        """A cache on existing per-layer storage [B, K, L, Hd] (e.g. one slot of a SlotPool), at pos."""
        cache = cls.__new__(cls)
        cache.keys, cache.values = keys, values
        cache.batch_size, cache.max_len, cache._pos = keys[0].shape[0], keys[0].shape[2], pos
        return cache

    @classmethod
    def for_model(cls, model: Llama, batch_size: int = 1, max_len: int | None = None) -> KVCache:
        """A cache shaped for `model`, on its device and in its dtype, at most its context long."""
        config = model.config
        limit = config.max_seq_len if max_len is None else min(max_len, config.max_seq_len)
        weight = model.model.embed_tokens.weight
        return cls(
            config.n_layers,
            batch_size,
            config.n_kv_heads,
            limit,
            config.head_dim,
            dtype=weight.dtype,
            device=weight.device,
        )

    @property
    def pos(self) -> int:
        """How many tokens are cached: the position the next token will take."""
        return self._pos

    def update(self, layer_idx: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store this layer's new k, v [B, K, T, Hd] at `pos`; return all keys and values so far.

        `pos` itself moves only in `advance`, once every layer has written the same T tokens.
        """
        batch, _, seq, _ = k.shape
        end = self._pos + seq
        if batch != self.batch_size:
            raise ValueError(f"KVCache holds a batch of {self.batch_size}, got {batch}")
        if end > self.max_len:
            raise ValueError(f"KVCache is full: {self._pos} cached + {seq} new > max_len {self.max_len}")
        self.keys[layer_idx][:, :, self._pos : end] = k  # [B, K, T, Hd] written in place
        self.values[layer_idx][:, :, self._pos : end] = v  # [B, K, T, Hd] written in place
        return self.keys[layer_idx][:, :, :end], self.values[layer_idx][:, :, :end]  # [B, K, pos+T, Hd]

    def rope(self, table: torch.Tensor, seq: int) -> tuple[torch.Tensor, torch.Tensor]:
        """cos, sin [T, Hd] of positions pos … pos + T − 1."""
        if self._pos + seq > table.shape[1]:
            raise ValueError(f"{self._pos} + {seq} tokens exceed the context of {table.shape[1]}")
        return table[0, self._pos : self._pos + seq], table[1, self._pos : self._pos + seq]

    def attention_mask(self, seq: int, device: torch.device) -> tuple[torch.Tensor | None, bool]:
        """No mask for one new token (it sees every cached key) or a first pass (plain causal)."""
        start = self._pos
        if seq == 1:
            return None, False
        if start == 0:
            return None, True
        # SDPA's is_causal aligns the triangle top-left, wrong when T < S: spell the mask out.
        key_pos = torch.arange(start + seq, device=device)  # [S]
        query_pos = torch.arange(start, start + seq, device=device)  # [T]
        return key_pos[None, :] <= query_pos[:, None], False  # [T, S] bool, True = may attend

    def advance(self, n_tokens: int) -> None:
        """Move past the n_tokens every layer has just written."""
        if self._pos + n_tokens > self.max_len:
            raise ValueError(f"KVCache is full: cannot advance {n_tokens} past {self._pos}/{self.max_len}")
        self._pos += n_tokens

    def reset(self) -> None:
        """Forget every cached token (the memory is kept for the next sequence)."""
        self._pos = 0
