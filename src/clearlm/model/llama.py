"""The Llama decoder: RMSNorm, rotary position embeddings, SwiGLU and grouped-query attention.

One file, read top to bottom, in the style of transformers' modeling_llama and nanochat. Module and
parameter names are those of transformers' `LlamaForCausalLM`, so `state_dict()` keys match a HF
checkpoint one for one (`lm_head.weight` is absent when the embeddings are tied) and loading one is
`load_state_dict`. Shapes in comments: B batch, T new tokens, S keys attended (cache + new), D model
width, H query heads, K key/value heads, Hd head width, F feed-forward width, V vocabulary.

Training never passes a cache: the path is then free of Python branching on tensor values, so
`torch.compile` sees one graph, and every decoder layer is its own module in `model.layers`, so
FSDP2's `fully_shard` can wrap them one by one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from clearlm.model.config import LlamaConfig
from clearlm.model.kv_cache import Cache
from clearlm.model.linear_cross_entropy import linear_cross_entropy
from clearlm.model.rope import apply_rope, rope_tables


class RMSNorm(nn.Module):
    """x / rms(x) · weight, computed in float32 as transformers does (bf16 squares lose too much)."""

    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))  # [D]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.float()  # [..., D] float32
        variance = h.pow(2).mean(-1, keepdim=True)  # [..., 1]
        h = h * torch.rsqrt(variance + self.eps)  # [..., D]
        return self.weight * h.to(x.dtype)  # [..., D]


class LlamaAttention(nn.Module):
    """Causal self-attention where each key/value head serves n_heads / n_kv_heads query heads."""

    def __init__(self, config: LlamaConfig, layer_idx: int) -> None:
        super().__init__()
        self.layer_idx = layer_idx
        self.n_heads, self.n_kv_heads, self.head_dim = config.n_heads, config.n_kv_heads, config.head_dim
        self.q_proj = nn.Linear(config.dim, self.n_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(config.dim, self.n_kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(config.dim, self.n_kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.n_heads * self.head_dim, config.dim, bias=False)

    def forward(
        self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, cache: Cache | None
    ) -> torch.Tensor:
        batch, seq, _ = x.shape  # x: [B, T, D]
        if self.training:  # one wider matmul for q, k and v, as in LlamaMLP
            weight = torch.cat((self.q_proj.weight, self.k_proj.weight, self.v_proj.weight))
            sizes = [self.q_proj.out_features, self.k_proj.out_features, self.v_proj.out_features]
            q, k, v = torch.split(F.linear(x, weight), sizes, dim=-1)  # [B, T, H·Hd], 2 × [B, T, K·Hd]
        else:
            q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        q = q.view(batch, seq, self.n_heads, self.head_dim).transpose(1, 2)  # [B, H, T, Hd]
        k = k.view(batch, seq, self.n_kv_heads, self.head_dim).transpose(1, 2)  # [B, K, T, Hd]
        v = v.view(batch, seq, self.n_kv_heads, self.head_dim).transpose(1, 2)  # [B, K, T, Hd]
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)  # same shapes, rotated by position

        mask: torch.Tensor | None = None
        causal = True
        if cache is not None:
            mask, causal = cache.attention_mask(seq, x.device)  # asked before update moves nothing
            k, v = cache.update(self.layer_idx, k, v)  # [B, K, S, Hd]: the cached keys and the new ones
        out = F.scaled_dot_product_attention(
            q, k, v, attn_mask=mask, is_causal=causal, enable_gqa=self.n_kv_heads != self.n_heads
        )  # [B, H, T, Hd]
        out = out.transpose(1, 2).reshape(batch, seq, self.n_heads * self.head_dim)  # [B, T, H·Hd]
        projected: torch.Tensor = self.o_proj(out)  # [B, T, D]
        return projected


class LlamaMLP(nn.Module):
    """SwiGLU: down(silu(gate(x)) · up(x))."""

    def __init__(self, config: LlamaConfig) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(config.dim, config.hidden_dim, bias=False)
        self.up_proj = nn.Linear(config.dim, config.hidden_dim, bias=False)
        self.down_proj = nn.Linear(config.hidden_dim, config.dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            # One [D → 2F] matmul instead of two [D → F]: on CPU the wider product ran 1.4× faster
            # for D 256, F 688. The weights stay two HF-named parameters; the copy is D·2F floats.
            both = F.linear(x, torch.cat((self.gate_proj.weight, self.up_proj.weight)))  # [B, T, 2F]
            gate, up = both.chunk(2, dim=-1)  # 2 × [B, T, F]
        else:  # decoding one token: the copy would cost more than the second matmul saves
            gate, up = self.gate_proj(x), self.up_proj(x)  # 2 × [B, T, F]
        hidden = F.silu(gate) * up  # [B, T, F]
        out: torch.Tensor = self.down_proj(hidden)  # [B, T, D]
        return out


class LlamaDecoderLayer(nn.Module):
    """Pre-norm residual block: x + attn(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, config: LlamaConfig, layer_idx: int) -> None:
        super().__init__()
        self.input_layernorm = RMSNorm(config.dim, config.norm_eps)
        self.self_attn = LlamaAttention(config, layer_idx)
        self.post_attention_layernorm = RMSNorm(config.dim, config.norm_eps)
        self.mlp = LlamaMLP(config)

    def forward(
        self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, cache: Cache | None
    ) -> torch.Tensor:
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, cache)  # [B, T, D]
        out: torch.Tensor = x + self.mlp(self.post_attention_layernorm(x))  # [B, T, D]
        return out


class LlamaBody(nn.Module):
    """Embeddings, decoder layers and final norm: transformers' `LlamaModel`, hence the `model.` keys."""

    def __init__(self, config: LlamaConfig) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.dim)
        self.layers = nn.ModuleList(LlamaDecoderLayer(config, i) for i in range(config.n_layers))
        self.norm = RMSNorm(config.dim, config.norm_eps)


class Llama(nn.Module):
    """A causal language model: `forward(input_ids [B, T], cache=None) -> logits [B, T, V]`."""

    rope: torch.Tensor  # [2, max_seq_len, Hd]: cos then sin, float32 unless the model is cast

    def __init__(self, config: LlamaConfig) -> None:
        super().__init__()
        problems = config.validate()
        if problems:
            raise ValueError("; ".join(problems))
        self.config = config
        self.model = LlamaBody(config)
        # Tied: the output projection *is* the embedding matrix, so there is no lm_head module and
        # no `lm_head.weight` key, as in a tied HF checkpoint.
        self.lm_head = None if config.tie_embeddings else nn.Linear(config.dim, config.vocab_size, bias=False)
        # Recomputable from the config, so kept out of the state dict (persistent=False).
        self.register_buffer("rope", torch.empty(2, config.max_seq_len, config.head_dim), persistent=False)
        self.init_buffers()
        self.register_load_state_dict_pre_hook(_drop_tied_head)  # type: ignore[no-untyped-call]

    @property
    def layers(self) -> nn.ModuleList:
        """The decoder layers, the unit to wrap one by one with FSDP2's `fully_shard`."""
        return self.model.layers

    def init_buffers(self) -> None:
        """(Re)compute the RoPE tables, e.g. after `to_empty()` on a model built on the meta device."""
        c = self.config
        self.rope = rope_tables(c.head_dim, c.max_seq_len, c.rope_theta, device=self.rope.device)

    @torch.no_grad()
    def init_weights(self, seed: int) -> None:
        """Fresh weights, the same for the same seed on the same device, without touching global RNG.

        Every matrix ~ N(0, init_std), except the projections that write into the residual stream
        (o_proj, down_proj), scaled by 1/sqrt(2·n_layers) as GPT-2 and nanochat do, so the residual
        variance stays about constant with depth. Norm weights start at 1.
        """
        std = self.config.init_std
        residual_std = std / math.sqrt(2 * self.config.n_layers)
        device = self.model.embed_tokens.weight.device
        devices = [device] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            nn.init.normal_(self.model.embed_tokens.weight, mean=0.0, std=std)
            for layer in self.model.layers:
                assert isinstance(layer, LlamaDecoderLayer)
                attn, mlp = layer.self_attn, layer.mlp
                for linear in (attn.q_proj, attn.k_proj, attn.v_proj, mlp.gate_proj, mlp.up_proj):
                    nn.init.normal_(linear.weight, mean=0.0, std=std)
                for linear in (attn.o_proj, mlp.down_proj):
                    nn.init.normal_(linear.weight, mean=0.0, std=residual_std)
                nn.init.ones_(layer.input_layernorm.weight)
                nn.init.ones_(layer.post_attention_layernorm.weight)
            nn.init.ones_(self.model.norm.weight)
            if self.lm_head is not None:
                nn.init.normal_(self.lm_head.weight, mean=0.0, std=std)
        self.init_buffers()

    @property
    def head_weight(self) -> torch.Tensor:
        """The output projection [V, D]: the embedding matrix itself when tied."""
        return self.model.embed_tokens.weight if self.lm_head is None else self.lm_head.weight

    def forward(
        self, input_ids: torch.Tensor, cache: Cache | None = None, targets: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits [B, T, V]; or, given the next tokens `targets` [B, T], their mean cross-entropy.

        The loss is computed here so that a wrapper's hooks (FSDP2 gathers parameters in them) cover
        the output projection too; with gradients on, `linear_cross_entropy` never holds the logits.
        """
        seq = input_ids.shape[1]  # input_ids: [B, T]
        if cache is not None:
            cos, sin = cache.rope(self.rope, seq)  # [T, Hd] each ([B, 1, 1, Hd] for a SlotBatch)
        elif seq > self.config.max_seq_len:
            raise ValueError(f"0 + {seq} tokens exceed the context of {self.config.max_seq_len}")
        else:
            cos, sin = self.rope[0, :seq], self.rope[1, :seq]  # [T, Hd] each
        x = self.model.embed_tokens(input_ids)  # [B, T, D]
        for layer in self.model.layers:
            x = layer(x, cos, sin, cache)  # [B, T, D]
        x = self.model.norm(x)  # [B, T, D]
        if cache is not None:
            cache.advance(seq)
        if targets is not None and torch.is_grad_enabled():
            return linear_cross_entropy(x, self.head_weight, targets)  # [] fp32
        logits = F.linear(x, self.head_weight)  # [B, T, V]
        if targets is None:
            return logits
        return F.cross_entropy(logits.float().flatten(0, 1), targets.flatten())  # [] fp32


def _drop_tied_head(module: nn.Module, state_dict: Mapping[str, Any], prefix: str, *args: Any) -> None:
    # A tied HF model lists `lm_head.weight` in its state dict (the same tensor as the embeddings);
    # a tied Llama has nothing to load it into, and it can add nothing the embeddings do not hold.
    if isinstance(module, Llama) and module.lm_head is None and isinstance(state_dict, dict):
        state_dict.pop(prefix + "lm_head.weight", None)
