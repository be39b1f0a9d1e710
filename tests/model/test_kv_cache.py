"""Decoding with the KV cache gives the logits of a full forward pass, token for token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import transformers

from clearlm.model.config import LlamaConfig
from clearlm.model.kv_cache import KVCache
from clearlm.model.llama import Llama

Pair = Callable[..., tuple[transformers.LlamaForCausalLM, Llama]]


@pytest.mark.parametrize("tied", [True, False])
def test_prefill_then_single_tokens_match_full_forward(make_pair: Pair, tied: bool) -> None:
    _, model = make_pair(tied=tied)
    ids = torch.randint(0, 256, (3, 24), generator=torch.Generator().manual_seed(0))  # a batch of 3
    cache = KVCache.for_model(model, batch_size=3)
    with torch.inference_mode():
        full = model(ids)
        steps = [model(ids[:, :10], cache)]  # prefill
        steps += [model(ids[:, t : t + 1], cache) for t in range(10, 24)]  # one token at a time
    assert cache.pos == 24
    torch.testing.assert_close(torch.cat(steps, dim=1), full, atol=1e-5, rtol=1e-5)


def test_multi_token_chunk_after_a_prefix_is_masked_causally(make_pair: Pair) -> None:
    # A chunk of several tokens after cached ones: each must see the prefix and only its own past.
    _, model = make_pair(tied=False, n_kv_heads=1)
    ids = torch.randint(0, 256, (1, 20), generator=torch.Generator().manual_seed(1))
    cache = KVCache.for_model(model)
    with torch.inference_mode():
        full = model(ids)
        chunks = [model(ids[:, a:b], cache) for a, b in [(0, 5), (5, 12), (12, 13), (13, 20)]]
    torch.testing.assert_close(torch.cat(chunks, dim=1), full, atol=1e-5, rtol=1e-5)


def test_reset_reuses_the_cache_for_a_new_sequence(make_pair: Pair) -> None:
    _, model = make_pair(tied=True)
    first, second = torch.tensor([[5, 6, 7, 8]]), torch.tensor([[9, 10, 11]])
    cache = KVCache.for_model(model, max_len=8)
    with torch.inference_mode():
        model(first, cache)
        cache.reset()
        assert cache.pos == 0
        again = model(second, cache)
        torch.testing.assert_close(again, model(second), atol=1e-5, rtol=1e-5)


def test_cache_refuses_to_overflow_or_change_batch() -> None:
    config = LlamaConfig(vocab_size=64, dim=32, n_layers=2, n_heads=4, n_kv_heads=2, max_seq_len=16)
    model = Llama(config)
    model.init_weights(0)
    cache = KVCache.for_model(model, batch_size=2, max_len=100)
    assert cache.max_len == 16  # never longer than the model's context
    assert cache.keys[0].shape == (2, 2, 16, 8)
    with torch.inference_mode():
        model(torch.zeros(2, 12, dtype=torch.long), cache)
        with pytest.raises(ValueError, match="exceed the context of 16"):
            model(torch.zeros(2, 5, dtype=torch.long), cache)
    small = KVCache.for_model(model, batch_size=2, max_len=4)
    with torch.inference_mode(), pytest.raises(ValueError, match="full"):
        model(torch.zeros(2, 5, dtype=torch.long), small)
    with torch.inference_mode(), pytest.raises(ValueError, match="batch of 2"):
        model(torch.zeros(1, 1, dtype=torch.long), cache)
    with pytest.raises(ValueError, match="positive"):
        KVCache(2, 0, 2, 16, 8)
