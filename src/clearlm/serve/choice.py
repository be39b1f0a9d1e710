"""One choice of one request: tokens from `generate`, turned into text pieces that are safe to send.

Three things keep a streamed answer identical to the same answer sent whole, at a constant cost
per token:

* text is decoded incrementally, as vLLM does: only the last few ids are decoded again, with the ids
  just before them as context (some decoders treat the first token of a sequence differently), so a
  long answer is not decoded from the start for every token;
* a byte-level token can end in the middle of a UTF-8 character; the decoded text then ends in
  U+FFFD, and nothing is added until the character is complete;
* a stop string may arrive split over several tokens; the tail of the text that could still become
  a stop string is held back until it either completes one (the text is cut there, generation
  ends, finish_reason "stop") or cannot any more.

`ChoiceRun.step` is synchronous and runs on a worker thread; a lock makes `close` wait for a step in
progress, so a cancelled request can be cleaned up from any thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from clearlm.model.generate import generate
from clearlm.model.llama import Llama
from clearlm.serve.batcher import DecodeBatcher

REPLACEMENT = "\ufffd"


class StopText:
    """Decodes a growing list of ids and says which new text may be sent, cut at the first stop string."""

    def __init__(self, decode: Callable[[Sequence[int]], str], stops: Collection[str]) -> None:
        self.decode = decode
        self.stops = tuple(s for s in stops if s)
        self.ids: list[int] = []
        self.text = ""  # decoded so far, whole characters only
        self.sent = 0  # characters of `text` already handed out
        self.stopped = False
        # ids[_context:_done] were decoded last time and give the next decode its context.
        self._context = 0
        self._done = 0

    def push(self, token: int) -> str:
        """Add one id; return the text that became safe to send (often "")."""
        self.ids.append(token)
        self._decode_new()
        cut = self._first_stop(self.text)
        if cut is not None:
            self.stopped = True
            return self._take(self.text[:cut])
        return self._take(self.text[: len(self.text) - self._held_back(self.text)])

    def finish(self) -> str:
        """Generation ended without a stop string: whatever was held back is final now."""
        if self.stopped:
            return ""
        self._decode_new(final=True)  # an unfinished character stays U+FFFD
        return self._take(self.text)

    def _decode_new(self, final: bool = False) -> None:
        before = self.decode(self.ids[self._context : self._done])
        after = self.decode(self.ids[self._context :])
        if len(after) > len(before) and (final or not after.endswith(REPLACEMENT)):
            self.text += after[len(before) :]
            self._context, self._done = self._done, len(self.ids)

    def _take(self, upto: str) -> str:
        piece = upto[self.sent :]
        self.sent = max(self.sent, len(upto))
        return piece

    def _first_stop(self, text: str) -> int | None:
        # A stop string cannot begin inside text already sent: that tail would have been held back.
        found = [i for i in (text.find(stop, self.sent) for stop in self.stops) if i >= 0]
        return min(found) if found else None

    def _held_back(self, text: str) -> int:
        """Length of the longest tail of `text` (not yet sent) that begins some stop string."""
        longest = 0
        for stop in self.stops:
            for size in range(min(len(stop) - 1, len(text) - self.sent), longest, -1):
                if text.endswith(stop[:size]):
                    longest = size
                    break
        return longest


@dataclass(frozen=True)
class Sampling:
    """What one choice asks of `generate`, already checked against the model's limits."""

    max_tokens: int
    temperature: float
    top_p: float
    seed: int | None
    stops: tuple[str, ...] = ()


@dataclass(frozen=True)
class Piece:
    """Text that may be sent now, and why generation ended once it has ("stop" | "length")."""

    text: str
    finish_reason: str | None = None


class ChoiceRun:
    """Drives `generate` for one choice, a text piece at a time."""

    def __init__(
        self,
        model: Llama,
        prompt_ids: list[int],
        sampling: Sampling,
        stop_ids: Collection[int],
        decode: Callable[[Sequence[int]], str],
        batcher: DecodeBatcher | None = None,
    ) -> None:
        # generate stops at max_tokens or at the context, whichever comes first: both are "length".
        self.budget = min(sampling.max_tokens, model.config.max_seq_len - len(prompt_ids))
        # With a batcher the model runs on its thread, this choice's next token batched with others'.
        self._forward = batcher.forward() if batcher is not None else None
        self._tokens = generate(
            model,
            prompt_ids,
            sampling.max_tokens,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            seed=sampling.seed,
            stop_ids=stop_ids,
            forward=self._forward,
        )
        self._text = StopText(decode, sampling.stops)
        self._lock = threading.Lock()
        self.completion_tokens = 0
        self.finish_reason: str | None = None

    def step(self) -> Piece:
        """Generate until there is text to send or the choice ends (runs on a worker thread)."""
        with self._lock:
            while self.finish_reason is None:
                try:
                    token = next(self._tokens)
                except StopIteration:
                    self.finish_reason = "length" if self.completion_tokens >= self.budget else "stop"
                    self._give_back()
                    return Piece(self._text.finish(), self.finish_reason)
                self.completion_tokens += 1
                piece = self._text.push(token)
                if self._text.stopped:
                    self.finish_reason = "stop"
                    _close(self._tokens)
                    self._give_back()
                    return Piece(piece, self.finish_reason)
                if piece:
                    return Piece(piece)
            return Piece("", self.finish_reason)

    def close(self) -> None:
        """Stop generating and free the KV cache (waits for a step in progress)."""
        with self._lock:
            _close(self._tokens)
            self._give_back()
            if self.finish_reason is None:
                self.finish_reason = "cancelled"

    def _give_back(self) -> None:
        """Free the batcher slot the moment the choice ends, not when its response is done."""
        if self._forward is not None:
            self._forward.close()


def _close(tokens: Iterator[int]) -> None:
    """Close the generator behind `generate` (typed as an Iterator), freeing its KV cache now."""
    close = getattr(tokens, "close", None)
    if close is not None:
        close()
