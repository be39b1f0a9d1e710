"""Keys and values of past tokens, kept so that decoding one more token costs one token of compute.

Each layer gets two tensors [B, K, max_len, Hd] allocated once up front (no growing, no copying);
`pos` counts the tokens already written. All B sequences advance together: a batch of prompts of the
same length, or one prompt, which is what `generate` and the server need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from clearlm.model.llama import Llama


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

    def advance(self, n_tokens: int) -> None:
        """Move past the n_tokens every layer has just written."""
        if self._pos + n_tokens > self.max_len:
            raise ValueError(f"KVCache is full: cannot advance {n_tokens} past {self._pos}/{self.max_len}")
        self._pos += n_tokens

    def reset(self) -> None:
        """Forget every cached token (the memory is kept for the next sequence)."""
        self._pos = 0
