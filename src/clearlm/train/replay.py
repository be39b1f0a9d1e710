"""What a checkpoint saw: the trainer's data order replayed over the token shards, without the model.

Training reads fixed-length chunks of the train stream in an order fixed by the seed and the batch
layout (`TrainData`). Given a checkpoint's lineage (seed, seq_len, micro-batch, accumulation, world
size, steps), the same order names every chunk it read, hence every document it saw and how many of
its tokens: the release gate checks lineage.json's counters against this, attributes only the
documents a checkpoint really saw, and `ledger affected` says which checkpoints saw a revoked one.
A document in the train split that the run had not reached yet was not trained on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from clearlm.errors import WorkspaceError

if TYPE_CHECKING:
    from clearlm.train.token_dir import TokenDir

_POSITIONS_PER_BLOCK = 1 << 16  # chunk positions mapped at a time: bounded memory for long runs


@dataclass(frozen=True)
class SeenTokens:
    """Tokens a run's first `steps` optimizer steps read, per group, per licence and per document."""

    by_group: Counter[str]
    by_licence: Counter[str]
    by_doc: Counter[str]  # doc_id -> tokens read (a repeated canary counts every copy)


@dataclass(frozen=True)
class RunShape:
    """The lineage fields that fix the training order."""

    steps: int
    seed: int
    seq_len: int
    micro_batch: int
    grad_accum: int
    world_size: int

    @classmethod
    def from_lineage(cls, lineage: dict[str, Any]) -> RunShape:
        """Read them from a checkpoint's lineage.json; KeyError/TypeError/ValueError when absent."""
        cfg = lineage["train_config"]
        return cls(
            steps=int(lineage["step"]),
            seed=int(lineage["seed"]),
            seq_len=int(cfg["seq_len"]),
            micro_batch=int(cfg["micro_batch"]),
            grad_accum=int(cfg.get("grad_accum", 1)),
            world_size=int(lineage.get("world_size") or 1),
        )

    @property
    def tokens(self) -> int:
        """Tokens the run read: steps × global batch × seq_len."""
        return self.steps * self.micro_batch * self.grad_accum * self.world_size * self.seq_len


def replay_seen(tokens: TokenDir | Path, shape: RunShape) -> SeenTokens:
    """Replay `shape`'s order over WS/tokens (a path, or the folder already open, as when several
    checkpoints are replayed); WorkspaceError/ConfigError when the data cannot serve it."""
    from clearlm.train.data import BatchLayout, TrainData  # imports torch: only when asked

    layout = BatchLayout(shape.micro_batch, shape.grad_accum, shape.world_size)
    data = TrainData(tokens, shape.seq_len, shape.seed, layout)
    total = shape.steps * data.layout.global_batch
    seen = SeenTokens(Counter(), Counter(), Counter())
    for first in range(0, total, _POSITIONS_PER_BLOCK):
        positions = np.arange(first, min(first + _POSITIONS_PER_BLOCK, total), dtype=np.int64)
        starts = data.chunk_ids(positions) * shape.seq_len
        groups, licences, docs = data.tokens.train_docs.tally(starts, shape.seq_len)
        seen.by_group.update(groups)
        seen.by_licence.update(licences)
        seen.by_doc.update(docs)
    return seen


def seen_by_checkpoint(
    tokens: TokenDir | Path, lineage: dict[str, Any]
) -> tuple[SeenTokens | None, str | None]:
    """(what the checkpoint with this lineage saw, None), or (None, why that cannot be told)."""
    from clearlm.errors import ConfigError

    try:
        shape = RunShape.from_lineage(lineage)
    except (KeyError, TypeError, ValueError):
        return None, "lineage.json lacks the run's shape (step, seed, train_config)"
    try:
        return replay_seen(tokens, shape), None
    except (WorkspaceError, ConfigError) as exc:
        return None, f"cannot replay the training order: {exc.message}"
