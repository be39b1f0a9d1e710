"""The Llama architecture's hyper-parameters: a dataclass with no torch import (the CLI stays fast).

Field names follow Meta's reference code; `to_hf` / `from_hf` translate to and from a
transformers `LlamaConfig` dictionary, which is what `config.json` of an export holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class LlamaConfig:
    """A Llama model: RMSNorm, RoPE, SwiGLU, grouped-query attention, tied or untied embeddings."""

    # 0 = take it from the tokenizer at train time (its vocabulary size, rounded up to `vocab_multiple`).
    vocab_size: int = 0
    vocab_multiple: int = 64
    dim: int = 256
    n_layers: int = 4
    n_heads: int = 4
    # Grouped-query attention: key/value heads shared by n_heads / n_kv_heads query heads.
    n_kv_heads: int = 2
    # 0 = Llama's rule: 2/3 of 4·dim, rounded up to a multiple of `multiple_of`.
    ffn_dim: int = 0
    multiple_of: int = 32
    max_seq_len: int = 1024
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5
    tie_embeddings: bool = True
    init_std: float = 0.02

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_heads

    @property
    def hidden_dim(self) -> int:
        if self.ffn_dim:
            return self.ffn_dim
        hidden = int(2 * (4 * self.dim) / 3)
        return self.multiple_of * ((hidden + self.multiple_of - 1) // self.multiple_of)

    def validate(self) -> list[str]:
        """Problems with these numbers, as readable sentences (empty when the config is sound)."""
        problems = []
        if self.vocab_size <= 0:
            problems.append("model.vocab_size must be set (or taken from the tokenizer)")
        if self.dim % self.n_heads:
            problems.append(f"model.dim ({self.dim}) must be a multiple of model.n_heads ({self.n_heads})")
        if self.n_heads % self.n_kv_heads:
            problems.append(
                f"model.n_heads ({self.n_heads}) must be a multiple of model.n_kv_heads ({self.n_kv_heads})"
            )
        if self.head_dim % 2:
            problems.append(f"head dimension {self.head_dim} must be even for RoPE")
        return problems

    def num_params(self, include_embeddings: bool = True) -> int:
        """Parameter count, computed from the shapes (no model is built)."""
        attn = self.dim * self.dim * 2 + self.dim * self.n_kv_heads * self.head_dim * 2
        ffn = 3 * self.dim * self.hidden_dim
        per_layer = attn + ffn + 2 * self.dim
        embed = self.vocab_size * self.dim
        head = 0 if self.tie_embeddings else self.vocab_size * self.dim
        body = self.n_layers * per_layer + self.dim
        return body + (embed + head if include_embeddings else head)

    def flops_per_token(self, seq_len: int) -> float:
        """Training FLOPs per token: 6·N for the matmuls plus attention scores (PaLM appendix B)."""
        # The output projection is a matmul even when it shares the embedding's weights.
        lm_head = self.vocab_size * self.dim if self.tie_embeddings else 0
        n = self.num_params(include_embeddings=False) + lm_head
        return 6.0 * n + 12.0 * self.n_layers * self.dim * seq_len

    def to_hf(self, bos_token_id: int, eos_token_id: int, pad_token_id: int | None) -> dict[str, Any]:
        """The transformers `LlamaConfig` dictionary (config.json) for these hyper-parameters."""
        return {
            "architectures": ["LlamaForCausalLM"],
            "model_type": "llama",
            "vocab_size": self.vocab_size,
            "hidden_size": self.dim,
            "intermediate_size": self.hidden_dim,
            "num_hidden_layers": self.n_layers,
            "num_attention_heads": self.n_heads,
            "num_key_value_heads": self.n_kv_heads,
            "head_dim": self.head_dim,
            "max_position_embeddings": self.max_seq_len,
            "rms_norm_eps": self.norm_eps,
            "rope_theta": self.rope_theta,
            "tie_word_embeddings": self.tie_embeddings,
            "hidden_act": "silu",
            "attention_bias": False,
            "mlp_bias": False,
            "initializer_range": self.init_std,
            "bos_token_id": bos_token_id,
            "eos_token_id": eos_token_id,
            "pad_token_id": pad_token_id,
            "torch_dtype": "float32",
        }

    @classmethod
    def from_hf(cls, hf: dict[str, Any]) -> LlamaConfig:
        """Read a transformers Llama `config.json` dictionary (rope scaling is not supported)."""
        rope_theta = hf.get("rope_theta")
        if rope_theta is None:  # transformers 5 nests it under rope_parameters
            rope_theta = (hf.get("rope_parameters") or {}).get("rope_theta", 10000.0)
        dim = int(hf["hidden_size"])
        n_heads = int(hf["num_attention_heads"])
        return cls(
            vocab_size=int(hf["vocab_size"]),
            vocab_multiple=1,
            dim=dim,
            n_layers=int(hf["num_hidden_layers"]),
            n_heads=n_heads,
            n_kv_heads=int(hf.get("num_key_value_heads") or n_heads),
            ffn_dim=int(hf["intermediate_size"]),
            max_seq_len=int(hf.get("max_position_embeddings", 2048)),
            rope_theta=float(rope_theta),
            norm_eps=float(hf.get("rms_norm_eps", 1e-6)),
            tie_embeddings=bool(hf.get("tie_word_embeddings", False)),
            init_std=float(hf.get("initializer_range", 0.02)),
        )
