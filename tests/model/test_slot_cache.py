"""Sequences of different lengths decoded together in one pass give each its own logits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import transformers

from clearlm.model.kv_cache import KVCache
from clearlm.model.llama import Llama
from clearlm.model.slot_cache import SlotPool

Pair = Callable[..., tuple[transformers.LlamaForCausalLM, Llama]]


def alone(model: Llama, ids: list[int]) -> torch.Tensor:
    """Logits [T, V] of one sequence, decoded token by token with a cache of its own."""
    cache = KVCache.for_model(model)
    rows = [model(torch.tensor([ids[:3]]), cache)[0]]
    rows += [model(torch.tensor([[t]]), cache)[0] for t in ids[3:]]
    return torch.cat(rows)


@pytest.mark.parametrize("n_kv_heads", [1, 4])
def test_slots_at_different_positions_decode_together(make_pair: Pair, n_kv_heads: int) -> None:
    _, model = make_pair(tied=False, n_kv_heads=n_kv_heads)
    g = torch.Generator().manual_seed(5)
    seqs = {0: 14, 2: 9, 3: 20}  # slot -> length; slot 1 stays empty
    ids = {s: torch.randint(0, 256, (n,), generator=g).tolist() for s, n in seqs.items()}
    pool = SlotPool(model, slots=4)
    got: dict[int, list[torch.Tensor]] = {s: [] for s in seqs}
    with torch.inference_mode():
        for slot in seqs:  # each prompt (3 tokens) alone, into its slot's row
            cache = pool.row(slot)
            got[slot].append(model(torch.tensor([ids[slot][:3]]), cache)[0])
            pool.lengths[slot] = cache.pos
        for t in range(3, max(seqs.values())):
            live = [s for s, n in seqs.items() if t < n]  # shorter sequences drop out of the batch
            batch = pool.batch(live)
            logits = model(torch.tensor([[ids[s][t]] for s in live]), batch)  # [B, 1, V]
            for row, slot in enumerate(live):
                got[slot].append(logits[row])
        for slot in seqs:
            want = alone(model, ids[slot])
            torch.testing.assert_close(torch.cat(got[slot]), want, atol=1e-5, rtol=1e-5)
    assert pool.lengths == [14, 0, 9, 20]


def test_batch_refuses_full_slots_and_repeated_slots(make_pair: Pair) -> None:
    _, model = make_pair(tied=True)
    pool = SlotPool(model, slots=2, max_len=4)
    pool.lengths[0] = 4
    with pytest.raises(ValueError, match="full"):
        pool.batch([0, 1])
    with pytest.raises(ValueError, match="distinct"):
        pool.batch([1, 1])
