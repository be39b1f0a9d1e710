"""Tiny random transformers Llama models, the reference our Llama must match."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import transformers

from clearlm.model.config import LlamaConfig
from clearlm.model.llama import Llama

VOCAB = 256


def random_hf_llama(*, tied: bool, n_kv_heads: int = 2, seed: int = 0) -> transformers.LlamaForCausalLM:
    """A 2-layer HF Llama whose every weight, norms included, is random and far from its init.

    transformers initialises norms to 1 and matrices at std 0.02: a model like that hides a swapped
    norm or a wrong RoPE in logits that barely move, so the test weights are larger and all random.
    """
    config = transformers.LlamaConfig(
        vocab_size=VOCAB,
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=n_kv_heads,
        max_position_embeddings=48,
        rope_theta=500.0,
        rms_norm_eps=1e-5,
        tie_word_embeddings=tied,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=None,
    )
    model = transformers.LlamaForCausalLM(config).eval()
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            noise = torch.randn(param.shape, generator=generator)
            param.copy_(1.0 + 0.1 * noise if name.endswith("norm.weight") else 0.15 * noise)
    return model


def ours_from_hf(hf: transformers.LlamaForCausalLM) -> Llama:
    """Our Llama with the HF model's hyper-parameters and weights."""
    model = Llama(LlamaConfig.from_hf(hf.config.to_dict())).eval()
    model.load_state_dict(hf.state_dict())
    return model


@pytest.fixture
def make_pair() -> Callable[..., tuple[transformers.LlamaForCausalLM, Llama]]:
    """make_pair(tied=..., n_kv_heads=...) -> (random HF model, our model holding its weights)."""

    def make(
        *, tied: bool, n_kv_heads: int = 2, seed: int = 0
    ) -> tuple[transformers.LlamaForCausalLM, Llama]:
        hf = random_hf_llama(tied=tied, n_kv_heads=n_kv_heads, seed=seed)
        return hf, ours_from_hf(hf)

    return make
