"""Admission and execution: at most `max_concurrency` generations at once, `max_queue` waiting, no more.

Every token is computed on a worker thread of a pool of `max_concurrency` threads, one `step` at a
time (the model itself runs on the `DecodeBatcher`'s thread, which batches the streams' next
tokens), so the event loop only ever awaits and a slow generation never delays /health or another
stream; tokenizing a prompt runs on one more thread of its own. A request first gets a `Lease` (its
slot); when the slots are taken it waits in the queue; when the queue is full too it is refused at
once (429) rather than left to time out. While the server shuts down, new and queued requests get 503.

A lease ends when its response is done or its client went away. If a step is still running then,
the slot is handed back only when that step returns, so the pool never runs more generations than
there are slots.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from clearlm.serve.batcher import DecodeBatcher
from clearlm.serve.choice import ChoiceRun, Piece

T = TypeVar("T")


class Overloaded(Exception):
    """Every slot is busy and the queue is full (HTTP 429)."""


class ShuttingDown(Exception):
    """The server is stopping and takes no new work (HTTP 503)."""


@dataclass(frozen=True)
class Load:
    """What the engine is doing now: generations running and requests queued."""

    active: int
    waiting: int
    max_concurrency: int
    max_queue: int


class Engine:
    """The worker pool plus the counters that decide who runs, who waits and who is refused."""

    def __init__(self, max_concurrency: int, max_queue: int, batcher: DecodeBatcher | None = None) -> None:
        if max_concurrency < 1 or max_queue < 0:
            raise ValueError("max_concurrency must be >= 1 and max_queue >= 0")
        self.max_concurrency, self.max_queue = max_concurrency, max_queue
        self.batcher = batcher  # runs the model for every choice that gets one of its slots
        self.pool = concurrent.futures.ThreadPoolExecutor(max_concurrency, thread_name_prefix="clearlm-gen")
        # Tokenizing a 1 MiB prompt takes most of a second: off the event loop, but not in a slot.
        self._prep = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="clearlm-prep")
        self._slots = asyncio.Semaphore(max_concurrency)
        self._admitted = 0  # running + waiting
        self._active = 0
        self.closing = False

    def load(self) -> Load:
        return Load(self._active, self._admitted - self._active, self.max_concurrency, self.max_queue)

    async def prepare(self, fn: Callable[[], T]) -> T:
        """`fn()` (tokenize, render a chat) on the preparation thread, before a slot is asked for."""
        return await asyncio.wrap_future(self._prep.submit(fn))

    async def admit(self) -> Lease:
        """A slot for one request: immediately, after waiting in the queue, or an exception."""
        if self.closing:
            raise ShuttingDown
        if self._admitted >= self.max_concurrency + self.max_queue:
            raise Overloaded
        self._admitted += 1
        try:
            await self._slots.acquire()
        except BaseException:  # the client left while queued
            self._admitted -= 1
            raise
        if self.closing:
            self._free()
            raise ShuttingDown
        self._active += 1
        return Lease(self, asyncio.get_running_loop())

    def _free(self) -> None:
        self._admitted -= 1
        self._slots.release()

    def _end(self) -> None:
        self._active -= 1
        self._free()

    def begin_shutdown(self) -> None:
        """Refuse new work from now on; generations already running finish."""
        self.closing = True

    def close(self) -> None:
        """Stop the worker threads once the steps they run return."""
        self.closing = True
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._prep.shutdown(wait=False, cancel_futures=True)
        if self.batcher is not None:
            self.batcher.close()


class Lease:
    """One admitted request's slot; runs its choices' steps on the pool until `release`."""

    def __init__(self, engine: Engine, loop: asyncio.AbstractEventLoop) -> None:
        self._engine, self._loop = engine, loop
        self._runs: list[ChoiceRun] = []
        self._inflight: concurrent.futures.Future[Piece] | None = None
        self._released = False

    def track(self, run: ChoiceRun) -> ChoiceRun:
        """Close `run` when the lease ends, however it ends."""
        self._runs.append(run)
        return run

    async def step(self, run: ChoiceRun) -> Piece:
        """The next piece of `run`, computed on a worker thread."""
        if self._released:
            raise RuntimeError("step on a released lease")
        self._inflight = self._engine.pool.submit(run.step)
        return await asyncio.wrap_future(self._inflight)

    def release(self) -> None:
        """Give the slot back (idempotent); after a running step returns if one is in flight."""
        if self._released:
            return
        self._released = True
        pending = self._inflight
        if pending is not None and not pending.done():
            # The step cannot be interrupted: clean up on its thread when it returns.
            pending.add_done_callback(lambda _: self._cleanup(from_worker=True))
        else:
            self._cleanup(from_worker=False)

    def _cleanup(self, *, from_worker: bool) -> None:
        for run in self._runs:
            run.close()
        self._runs.clear()
        if not from_worker:
            self._engine._end()
            return
        # The loop may have stopped meanwhile (server shut down): then nobody waits for the slot.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._engine._end)
