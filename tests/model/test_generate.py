"""generate(): greedy equals transformers' greedy search; sampling is reproducible under a seed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import transformers

from clearlm.errors import InputError
from clearlm.model.generate import generate, nucleus_probs
from clearlm.model.llama import Llama

Pair = Callable[..., tuple[transformers.LlamaForCausalLM, Llama]]
PROMPT = [0, 17, 42, 99, 3, 250, 8]


@pytest.mark.parametrize("tied", [True, False])
def test_greedy_matches_transformers_generate(make_pair: Pair, tied: bool) -> None:
    hf, model = make_pair(tied=tied, seed=4)
    ours = list(generate(model, PROMPT, max_new_tokens=20))
    with torch.no_grad():
        prompt = torch.tensor([PROMPT])
        out = hf.generate(
            prompt,
            attention_mask=torch.ones_like(prompt),  # else token 0, the pad id, would be masked out
            max_new_tokens=20,
            do_sample=False,
            eos_token_id=None,
            pad_token_id=0,
        )
    assert ours == out[0, len(PROMPT) :].tolist()
    assert len(set(ours)) > 1  # not a degenerate model repeating one token


def test_stops_at_stop_id_without_yielding_it(make_pair: Pair) -> None:
    _, model = make_pair(tied=True, seed=4)
    free = list(generate(model, PROMPT, max_new_tokens=20))
    stop = free[5]
    first = free.index(stop)
    assert list(generate(model, PROMPT, max_new_tokens=20, stop_ids={stop})) == free[:first]


def test_output_stops_at_the_context_length(make_pair: Pair) -> None:
    _, model = make_pair(tied=False)
    context = model.config.max_seq_len  # 48
    assert len(list(generate(model, PROMPT, max_new_tokens=500))) == context - len(PROMPT)
    assert list(generate(model, PROMPT, max_new_tokens=0)) == []
    with pytest.raises(InputError, match="context is 48"):
        list(generate(model, list(range(48)), max_new_tokens=1))
    with pytest.raises(InputError, match="empty"):
        list(generate(model, [], max_new_tokens=1))
    with pytest.raises(InputError, match="outside the vocabulary"):
        list(generate(model, [3, 256], max_new_tokens=1))


def test_seeded_sampling_is_reproducible(make_pair: Pair) -> None:
    _, model = make_pair(tied=True)
    runs = [list(generate(model, PROMPT, 25, temperature=1.0, top_p=0.9, seed=s)) for s in (11, 11, 12)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    greedy = list(generate(model, PROMPT, 25))
    assert runs[0] != greedy


def test_tiny_top_p_is_greedy(make_pair: Pair) -> None:
    _, model = make_pair(tied=False, seed=2)
    greedy = list(generate(model, PROMPT, 10))
    assert list(generate(model, PROMPT, 10, temperature=0.7, top_p=1e-6, seed=5)) == greedy


def test_nucleus_keeps_the_smallest_set_reaching_top_p() -> None:
    logits = torch.log(torch.tensor([0.1, 0.5, 0.3, 0.1]))
    probs = nucleus_probs(logits, temperature=1.0, top_p=0.75)
    torch.testing.assert_close(probs, torch.tensor([0.0, 0.5 / 0.8, 0.3 / 0.8, 0.0]))
    torch.testing.assert_close(nucleus_probs(logits, 1.0, 1.0), torch.tensor([0.1, 0.5, 0.3, 0.1]))
    sharper = nucleus_probs(logits, temperature=0.5, top_p=1.0)
    assert sharper[1] > 0.5


def test_bad_sampling_settings_are_refused(make_pair: Pair) -> None:
    _, model = make_pair(tied=True)
    with pytest.raises(InputError, match="temperature"):
        list(generate(model, PROMPT, 3, temperature=-1.0))
    with pytest.raises(InputError, match="top_p"):
        list(generate(model, PROMPT, 3, temperature=1.0, top_p=0.0))
