"""One thread runs the model for every stream: prompts one at a time, next tokens all in one batch.

Without it, N concurrent streams meant N worker threads each running a forward pass of one token:
passes too small to use the CPU well, fighting over its cores. Now a stream's worker thread hands its
ids to the batcher and waits; the batcher thread gathers what every stream is waiting for (for at
most `gather_s` once the first request arrives, so that a stream a few microseconds late still
joins), runs the next `prefill_chunk` tokens of the oldest new prompt into that stream's slot of a
`SlotPool` (so a long prompt delays the others by one chunk per pass, not by all of it), then the
waiting streams' next tokens as one [B, 1] pass over a `SlotBatch`, and hands each its logits.

A stream decoding alone goes through `SlotPool.row`, the same arithmetic as an unbatched `generate`.
When every slot is taken (requests asking for several choices), a stream keeps a `KVCache` of its
own and runs on its worker thread as before: slower, never refused.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

import torch

from clearlm.model.generate import own_cache_forward
from clearlm.model.llama import Llama
from clearlm.model.slot_cache import SlotPool

GATHER_S = 0.002  # how long a step waits for the other open streams' requests
PREFILL_CHUNK = 256  # prompt tokens run per pass: a long prompt delays the others' tokens this much


@dataclass
class _Request:
    slot: int
    ids: list[int]
    result: Future[torch.Tensor] = field(default_factory=Future)
    done: int = 0  # prompt tokens already run into the slot


class DecodeBatcher:
    """`slots` streams decoded together on one thread; `forward()` gives a stream its model call."""

    def __init__(
        self, model: Llama, slots: int, gather_s: float = GATHER_S, prefill_chunk: int = PREFILL_CHUNK
    ) -> None:
        self.model, self.gather_s, self.prefill_chunk = model, gather_s, prefill_chunk
        self._prefilling: list[_Request] = []  # prompts part-way in; only the batcher thread touches it
        self.pool = SlotPool(model, slots)
        self._device = model.model.embed_tokens.weight.device
        self._free = list(range(slots - 1, -1, -1))
        self._open = 0  # slots held by streams, waiting or not
        self._prompts: list[_Request] = []
        self._tokens: list[_Request] = []
        self._cond = threading.Condition()
        self._closed = False
        self.passes = 0  # batched decode passes run, and the tokens they produced (for /health, tests)
        self.batched_tokens = 0
        self._thread = threading.Thread(target=self._run, name="clearlm-batcher", daemon=True)
        self._thread.start()

    def forward(self) -> SlotForward:
        """A new stream's model call (see `generate(forward=...)`): a slot is taken at its first call."""
        return SlotForward(self)

    def stats(self) -> dict[str, float]:
        """For /health: slots, batched passes so far and the mean streams per pass."""
        mean = self.batched_tokens / self.passes if self.passes else 0.0
        return {"slots": self.pool.slots, "passes": self.passes, "mean_batch": round(mean, 2)}

    def close(self) -> None:
        """Stop the thread; streams still waiting get an error instead of hanging."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=30)

    # -- called from the streams' threads ----------------------------------------------------------
    def _take_slot(self) -> int | None:
        with self._cond:
            if self._closed or not self._free:
                return None
            slot = self._free.pop()
            self.pool.lengths[slot] = 0
            self._open += 1
            return slot

    def _give_slot(self, slot: int) -> None:
        with self._cond:
            self._free.append(slot)
            self._open -= 1
            self._cond.notify_all()

    def _ask(self, slot: int, ids: list[int], prompt: bool) -> torch.Tensor:
        request = _Request(slot, ids)
        with self._cond:
            if self._closed:
                raise RuntimeError("the server is shutting down")
            (self._prompts if prompt else self._tokens).append(request)
            self._cond.notify_all()
        return request.result.result()

    # -- the batcher thread ------------------------------------------------------------------------
    def _gather(self) -> tuple[list[_Request], list[_Request]] | None:
        with self._cond:
            while not (self._prompts or self._tokens or self._closed or self._prefilling):
                self._cond.wait()
            deadline = time.monotonic() + self.gather_s
            # Wait for every open stream that will ask for a token (one may close meanwhile).
            while not self._closed and len(self._prompts) + len(self._tokens) < self._open - len(
                self._prefilling
            ):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            if self._closed:
                for request in self._prompts + self._tokens + self._prefilling:
                    request.result.set_exception(RuntimeError("the server is shutting down"))
                return None
            prompts, tokens = self._prompts, self._tokens
            self._prompts, self._tokens = [], []
            return prompts, tokens

    def _run(self) -> None:
        with torch.inference_mode():
            while (work := self._gather()) is not None:
                prompts, tokens = work
                self._prefilling += prompts
                if self._prefilling:  # one chunk of the oldest prompt, then everyone's next token
                    self._prefill_step(self._prefilling[0])
                if tokens:
                    self._settle(tokens, self._alone if len(tokens) == 1 else self._together)

    def _prefill_step(self, request: _Request) -> None:
        """Run the next `prefill_chunk` tokens of a prompt; answer the stream after the last chunk."""
        try:
            chunk = request.ids[request.done : request.done + self.prefill_chunk]
            request.done += len(chunk)
            logits = self._run_row(request.slot, chunk)  # [1, V]
        except Exception as exc:
            self._prefilling.remove(request)
            request.result.set_exception(exc)
            return
        if request.done >= len(request.ids):
            self._prefilling.remove(request)
            request.result.set_result(logits[0])

    def _alone(self, requests: list[_Request]) -> torch.Tensor:
        (request,) = requests
        return self._run_row(request.slot, request.ids)

    def _run_row(self, slot: int, ids: list[int]) -> torch.Tensor:
        cache = self.pool.row(slot)
        batch = torch.tensor([ids], dtype=torch.long, device=self._device)  # [1, T]
        logits: torch.Tensor = self.model(batch, cache)[:, -1]  # [1, V]
        self.pool.lengths[slot] = cache.pos
        return logits

    def _together(self, requests: list[_Request]) -> torch.Tensor:
        batch = self.pool.batch([r.slot for r in requests])
        ids = torch.tensor([r.ids for r in requests], dtype=torch.long, device=self._device)  # [B, 1]
        logits: torch.Tensor = self.model(ids, batch)[:, -1]  # [B, V]
        self.passes += 1
        self.batched_tokens += len(requests)
        return logits

    @staticmethod
    def _settle(requests: list[_Request], compute: Callable[[list[_Request]], torch.Tensor]) -> None:
        try:
            logits = compute(requests)  # [len(requests), V]
        except Exception as exc:  # the waiting streams fail with it; the batcher goes on
            for request in requests:
                request.result.set_exception(exc)
            return
        for row, request in enumerate(requests):
            request.result.set_result(logits[row])


class SlotForward:
    """One stream's `forward(ids) -> logits [V]`: its prompt first, then one token per call."""

    def __init__(self, batcher: DecodeBatcher) -> None:
        self._batcher = batcher
        self._slot: int | None = None
        self._fallback: Callable[[list[int]], torch.Tensor] | None = None
        self._closed = False

    def __call__(self, ids: list[int]) -> torch.Tensor:
        if self._closed:
            raise RuntimeError("this stream's slot was given back")
        if self._fallback is not None:
            return self._fallback(ids)
        if self._slot is None:
            self._slot = self._batcher._take_slot()
            if self._slot is None:  # every slot is busy: this stream decodes on its own thread
                self._fallback = own_cache_forward(self._batcher.model)
                return self._fallback(ids)
            return self._batcher._ask(self._slot, ids, prompt=True)
        if len(ids) != 1:
            raise ValueError("after the prompt a stream sends one token per call")
        return self._batcher._ask(self._slot, ids, prompt=False)

    def close(self) -> None:
        """Give the slot back (idempotent)."""
        slot, self._slot = self._slot, None
        self._fallback, self._closed = None, True
        if slot is not None:
            self._batcher._give_slot(slot)
