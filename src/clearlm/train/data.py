"""Which token sequences each step, micro-step and rank trains on — a pure function of the seed.

The train stream is cut into chunks of seq_len + 1 tokens at stride seq_len (the extra token is the
last target). Epoch e visits every chunk once, in the order of a permutation drawn from
numpy's Generator seeded with (seed, e); epochs follow each other in one long list of *positions*.

Global step s, micro-step m, rank r of w, micro-batch b reads positions

    (s·accum + m)·w·b + r·b  …  + b

so a step always covers the same `accum·w·b` positions: two ranks with half the micro-batch see
exactly the sequences one process sees, and a resumed run reads on where the killed one stopped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from numpy.typing import NDArray

from clearlm.errors import ConfigError
from clearlm.train.token_dir import MANIFEST, TokenDir, TokenStream, open_token_dir


@dataclass(frozen=True)
class BatchLayout:
    """How one optimizer step's sequences are split over micro-steps and ranks."""

    micro_batch: int
    grad_accum: int = 1
    world_size: int = 1
    rank: int = 0

    @property
    def global_batch(self) -> int:
        """Sequences per optimizer step, over all ranks and micro-steps."""
        return self.micro_batch * self.grad_accum * self.world_size


def _chunk_count(stream: TokenStream, seq_len: int) -> int:
    return max(len(stream) - 1, 0) // seq_len


class TrainData:
    """Batches of token ids for training and evaluation, and which data a step consumed."""

    def __init__(self, tokens: TokenDir | Path, seq_len: int, seed: int, layout: BatchLayout) -> None:
        self.tokens = tokens if isinstance(tokens, TokenDir) else open_token_dir(tokens)
        self.seq_len = seq_len
        self.seed = seed
        self.layout = layout
        self.n_chunks = _chunk_count(self.tokens.train, seq_len)
        if self.n_chunks < layout.global_batch:
            raise ConfigError(
                f"{len(self.tokens.train)} training tokens make {self.n_chunks} sequences of "
                f"{seq_len + 1} tokens, fewer than one batch ({layout.global_batch}); "
                "lower train.seq_len or train.micro_batch, or add data",
                self.tokens.path / MANIFEST,
            )
        self._orders: dict[int, NDArray[np.int64]] = {}

    # -- order ------------------------------------------------------------------------------
    def epoch_order(self, epoch: int) -> NDArray[np.int64]:
        """Chunk ids in the order epoch `epoch` visits them."""
        if epoch not in self._orders:
            if len(self._orders) >= 2:  # a step spans at most two epochs: keep the newest
                del self._orders[min(self._orders)]
            rng = np.random.Generator(np.random.PCG64([self.seed, epoch]))
            self._orders[epoch] = rng.permutation(self.n_chunks).astype(np.int64)
        return self._orders[epoch]

    def chunk_ids(self, positions: NDArray[np.int64]) -> NDArray[np.int64]:
        """Chunk ids at these positions of the epoch-after-epoch order."""
        out = np.empty(len(positions), dtype=np.int64)
        epochs = positions // self.n_chunks
        for epoch in np.unique(epochs).tolist():
            here = epochs == epoch
            out[here] = self.epoch_order(int(epoch))[positions[here] % self.n_chunks]
        return out

    def micro_positions(self, step: int, micro: int) -> NDArray[np.int64]:
        """Positions this rank reads at global step `step`, micro-step `micro`."""
        lay = self.layout
        first = (
            step * lay.grad_accum + micro
        ) * lay.world_size * lay.micro_batch + lay.rank * lay.micro_batch
        return np.arange(first, first + lay.micro_batch, dtype=np.int64)

    def step_positions(self, step: int) -> NDArray[np.int64]:
        """Positions all ranks read at global step `step` together."""
        size = self.layout.global_batch
        return np.arange(step * size, (step + 1) * size, dtype=np.int64)

    # -- batches ----------------------------------------------------------------------------
    def _sequences(self, stream: TokenStream, chunks: NDArray[np.int64]) -> torch.Tensor:
        rows = [stream.read(int(c) * self.seq_len, self.seq_len + 1) for c in chunks]
        return (
            torch.from_numpy(np.stack(rows)) if rows else torch.empty(0, self.seq_len + 1, dtype=torch.int64)
        )

    def train_batch(self, step: int, micro: int) -> torch.Tensor:
        """int64 [micro_batch, seq_len + 1]: inputs are [:, :-1], next-token targets [:, 1:]."""
        return self._sequences(self.tokens.train, self.chunk_ids(self.micro_positions(step, micro)))

    def eval_chunk_ids(self, eval_batches: int) -> NDArray[np.int64]:
        """This rank's share of the held-out chunks evaluated: the first eval_batches·b·w, split evenly."""
        lay = self.layout
        available = _chunk_count(self.tokens.heldout, self.seq_len)
        total = min(eval_batches * lay.micro_batch * lay.world_size, available)
        # Equal shares keep every rank making the same number of forward calls (FSDP needs that).
        share = total // lay.world_size
        return np.arange(lay.rank * share, (lay.rank + 1) * share, dtype=np.int64)

    def eval_batches(self, eval_batches: int) -> list[torch.Tensor]:
        """This rank's held-out batches (fixed for the whole run), each at most micro_batch sequences."""
        ids = self.eval_chunk_ids(eval_batches)
        b = self.layout.micro_batch
        return [self._sequences(self.tokens.heldout, ids[i : i + b]) for i in range(0, len(ids), b)]

    # -- accounting -------------------------------------------------------------------------
    def step_tokens(self, step: int) -> tuple[Counter[str], Counter[str]]:
        """Tokens global step `step` trained on, per source group and per licence.

        A sequence counts its seq_len input tokens [c·seq_len, (c + 1)·seq_len): the chunks' strides
        tile the stream, so one epoch counts each token once.
        """
        starts = self.chunk_ids(self.step_positions(step)) * self.seq_len
        return self.tokens.train_docs.tokens_in(starts, self.seq_len)

    @property
    def tokens_per_step(self) -> int:
        return self.layout.global_batch * self.seq_len
