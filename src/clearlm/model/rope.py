"""Rotary position embeddings (RoPE, Su et al. 2021) in the layout of transformers' Llama.

A query or key vector is rotated by an angle proportional to its position, one frequency per pair
of dimensions, so that the dot product of a query and a key depends only on their distance. The
tables are computed once per model (`Llama.init_buffers`); `apply_rope` rotates q and k in the
attention of every layer.
"""

from __future__ import annotations

import torch


def rope_tables(
    head_dim: int, max_len: int, theta: float, device: torch.device | None = None
) -> torch.Tensor:
    """cos and sin of every (position, frequency) pair: [2, max_len, Hd], float32.

    The frequencies are laid out twice, [f0..f_{Hd/2-1}, f0..f_{Hd/2-1}], to pair dimension i with
    i + Hd/2 (`rotate_half`), the layout of HF checkpoints (Meta's code pairs 2i with 2i+1 instead).
    """
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, device=device).float() / head_dim))  # [Hd/2]
    positions = torch.arange(max_len, device=device).float()  # [max_len]
    freqs = torch.outer(positions, inv_freq)  # [max_len, Hd/2]
    angles = torch.cat((freqs, freqs), dim=-1)  # [max_len, Hd]
    return torch.stack((angles.cos(), angles.sin()))  # [2, max_len, Hd]


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    first, second = x.chunk(2, dim=-1)  # 2 × [..., Hd/2]
    return torch.cat((-second, first), dim=-1)  # [..., Hd]


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate queries or keys x [B, heads, T, Hd] by their positions' angles (cos, sin: [T, Hd])."""
    cos, sin = cos.to(x.dtype), sin.to(x.dtype)  # [T, Hd], broadcast over B and heads
    return x * cos + rotate_half(x) * sin  # [B, heads, T, Hd]
