"""Token-by-token generation: one forward pass over the prompt, then one per new token, with a KV cache.

`generate` yields ids as they come, so a server can stream them. Greedy decoding (temperature 0)
picks the most likely token and matches `transformers`' `generate(do_sample=False)`. Sampling
divides the logits by the temperature, keeps the smallest set of tokens whose probability reaches
`top_p` (nucleus sampling, Holtzman et al. 2019) and draws from a torch.Generator seeded with `seed`:
the same seed gives the same tokens. The draw happens on the CPU so that it does not depend on the
device the model runs on.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

import torch

from clearlm.errors import InputError
from clearlm.model.kv_cache import KVCache
from clearlm.model.llama import Llama


def check_sampling(temperature: float, top_p: float) -> None:
    """Refuse settings that have no meaning (a user's request, hence InputError)."""
    if not temperature >= 0.0:
        raise InputError(f"temperature must be >= 0, got {temperature}")
    if not 0.0 < top_p <= 1.0:
        raise InputError(f"top_p must be in (0, 1], got {top_p}")


def nucleus_probs(logits: torch.Tensor, temperature: float, top_p: float) -> torch.Tensor:
    """Sampling distribution [V] from logits [V]: softmax(logits / T), cut to the top_p nucleus."""
    probs = torch.softmax(logits.float() / temperature, dim=-1)  # [V]
    if top_p >= 1.0:
        return probs
    sorted_probs, order = torch.sort(probs, descending=True)  # [V], [V]
    mass_before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs  # [V] mass of the better tokens
    # Keep a token while the better ones have not reached top_p yet; the best is always kept.
    sorted_probs = torch.where(mass_before < top_p, sorted_probs, torch.zeros_like(sorted_probs))  # [V]
    kept = torch.zeros_like(probs).scatter(0, order, sorted_probs)  # [V] back in vocabulary order
    return kept / kept.sum()  # [V]


def next_token(logits: torch.Tensor, temperature: float, top_p: float, rng: torch.Generator | None) -> int:
    """The id that follows, from the last position's logits [V]."""
    if temperature == 0.0 or rng is None:
        return int(torch.argmax(logits).item())
    probs = nucleus_probs(logits.cpu(), temperature, top_p)  # [V] on CPU
    return int(torch.multinomial(probs, num_samples=1, generator=rng).item())


Forward = Callable[[list[int]], torch.Tensor]  # ids (the prompt, then one token) -> next logits [V]


def own_cache_forward(model: Llama, max_len: int | None = None) -> Forward:
    """A sequence's model call with a KVCache of its own: what `generate` uses unless given another."""
    cache = KVCache.for_model(model, batch_size=1, max_len=max_len)
    device = cache.keys[0].device

    def forward(ids: list[int]) -> torch.Tensor:
        batch = torch.tensor([ids], dtype=torch.long, device=device)  # [1, T]
        logits: torch.Tensor = model(batch, cache)[0, -1]  # [V] logits of the token after the last id
        return logits

    return forward


@torch.inference_mode()
def generate(
    model: Llama,
    prompt_ids: list[int],
    max_new_tokens: int,
    *,
    temperature: float = 0.0,
    top_p: float = 1.0,
    seed: int | None = None,
    stop_ids: Collection[int] = (),
    forward: Forward | None = None,
) -> Iterator[int]:
    """Yield up to max_new_tokens ids continuing prompt_ids.

    Stops before a stop id (which is not yielded), after max_new_tokens, or when prompt plus output
    fill the model's context (max_seq_len). `forward` runs the model (the server's batcher gives one
    that decodes many streams together); by default the sequence gets a KVCache of its own.
    """
    check_sampling(temperature, top_p)
    context = model.config.max_seq_len
    if not prompt_ids:
        raise InputError("the prompt is empty: give at least one token (e.g. the BOS token)")
    if len(prompt_ids) >= context:
        raise InputError(f"the prompt has {len(prompt_ids)} tokens; the model's context is {context}")
    if not all(0 <= i < model.config.vocab_size for i in prompt_ids):
        raise InputError(f"the prompt has token ids outside the vocabulary [0, {model.config.vocab_size})")
    if max_new_tokens <= 0:
        return
    rng: torch.Generator | None = None
    if temperature > 0.0:
        rng = torch.Generator(device="cpu")
        if seed is None:
            rng.seed()  # fresh entropy: sampling without a seed is meant to differ run to run
        else:
            rng.manual_seed(seed)

    # Prompt plus output never exceed the context: the RoPE tables and the cache end there.
    total = min(context, len(prompt_ids) + max_new_tokens)
    forward = forward or own_cache_forward(model, max_len=total)
    stops = set(stop_ids)
    logits = forward(prompt_ids)  # [V] prefill: the whole prompt in one pass
    for produced in range(1, total - len(prompt_ids) + 1):
        token = next_token(logits, temperature, top_p, rng)
        if token in stops:
            return
        yield token
        if produced == total - len(prompt_ids):
            return
        logits = forward([token])  # [V] decode: one token against the cache
