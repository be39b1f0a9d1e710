"""The decode batcher: streams on many threads, one model pass for all their next tokens."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import torch

from clearlm.model.config import LlamaConfig
from clearlm.model.generate import generate, own_cache_forward
from clearlm.model.llama import Llama
from clearlm.serve.batcher import DecodeBatcher, SlotForward


@pytest.fixture(scope="module")
def model() -> Llama:
    config = LlamaConfig(vocab_size=300, dim=64, n_layers=2, n_heads=4, n_kv_heads=2, max_seq_len=64)
    model = Llama(config)
    model.init_weights(3)
    with torch.no_grad():  # weights large enough that the logits differ clearly between tokens
        for p in model.parameters():
            p.mul_(4.0) if p.dim() > 1 else None
    return model.eval()


def prompts(n: int) -> list[list[int]]:
    g = torch.Generator().manual_seed(11)
    return [torch.randint(0, 300, (3 + 2 * i,), generator=g).tolist() for i in range(n)]


def in_threads(fn: Callable[[int], list[torch.Tensor]], n: int) -> list[list[torch.Tensor]]:
    results: list[list[torch.Tensor]] = [[] for _ in range(n)]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = fn(i)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def feed(forward: Callable[[list[int]], torch.Tensor], prompt: list[int], steps: int) -> list[torch.Tensor]:
    """Teacher-forced: the prompt, then tokens 7, 8, 9 …; the logits after each call."""
    with torch.inference_mode():
        out = [forward(prompt).clone()]
        out += [forward([7 + s]).clone() for s in range(steps)]
    return out


def done(forward: SlotForward, prompt: list[int], steps: int) -> list[torch.Tensor]:
    """`feed`, then give the slot back as a finished choice does (or the batcher waits for it)."""
    try:
        return feed(forward, prompt, steps)
    finally:
        forward.close()


@pytest.mark.parametrize("chunk", [256, 4])  # 4: prompts run in chunks between decoding passes
def test_streams_on_threads_get_their_own_logits_from_batched_passes(model: Llama, chunk: int) -> None:
    batcher = DecodeBatcher(model, slots=4, gather_s=1.0, prefill_chunk=chunk)  # every stream joins
    try:
        ps = [p * 3 for p in prompts(4)]  # 9 to 27 tokens: several chunks of 4
        got = in_threads(lambda i: done(batcher.forward(), ps[i], 12), 4)
    finally:
        batcher.close()
    for i, p in enumerate(ps):
        want = feed(own_cache_forward(model), p, 12)
        torch.testing.assert_close(torch.stack(got[i]), torch.stack(want), atol=1e-4, rtol=1e-4)
    assert batcher.passes > 0 and batcher.batched_tokens >= 2 * batcher.passes  # really batched


def test_greedy_generation_through_the_batcher_is_unchanged(model: Llama) -> None:
    batcher = DecodeBatcher(model, slots=3)
    ps = prompts(3)
    try:
        got = in_threads(lambda i: list(generate(model, ps[i], 15, forward=batcher.forward())), 3)
    finally:
        batcher.close()
    assert got == [list(generate(model, p, 15)) for p in ps]


def test_a_stream_without_a_free_slot_decodes_on_its_own(model: Llama) -> None:
    batcher = DecodeBatcher(model, slots=1)
    try:
        first, second = batcher.forward(), batcher.forward()
        a = feed(first, prompts(1)[0], 3)
        b = feed(second, prompts(1)[0], 3)  # slot taken by `first`: a cache of its own instead
        first.close()
        third = batcher.forward()
        c = feed(third, prompts(1)[0], 3)  # the freed slot, reset for a new prompt
    finally:
        batcher.close()
    torch.testing.assert_close(torch.stack(a), torch.stack(b))
    torch.testing.assert_close(torch.stack(a), torch.stack(c))


def test_close_fails_waiting_and_later_streams_instead_of_hanging(model: Llama) -> None:
    batcher = DecodeBatcher(model, slots=2)
    forward = batcher.forward()
    feed(forward, [1, 2, 3], 1)
    batcher.close()
    with pytest.raises(RuntimeError, match="shutting down"):
        forward([4])
    forward.close()
    with pytest.raises(RuntimeError, match="given back"):
        forward([5])
