"""Replaying a run's data order names the documents, and the tokens of each, that its steps read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from clearlm.train.data import BatchLayout, TrainData
from clearlm.train.replay import RunShape, replay_seen, seen_by_checkpoint
from clearlm.train.token_dir import open_token_dir


def shape(steps: int) -> RunShape:
    return RunShape(steps=steps, seed=7, seq_len=32, micro_batch=2, grad_accum=2, world_size=1)


def test_the_replay_adds_up_to_what_the_trainer_reads(tokens_dir: Path) -> None:
    run = shape(5)
    seen = replay_seen(tokens_dir, run)
    assert sum(seen.by_doc.values()) == sum(seen.by_group.values()) == run.tokens == 5 * 4 * 32
    # The same counters the training loop writes to lineage.json, step by step.
    data = TrainData(open_token_dir(tokens_dir), 32, 7, BatchLayout(2, 2, 1))
    groups: Counter[str] = Counter()
    licences: Counter[str] = Counter()
    for step in range(5):
        g, lic = data.step_tokens(step)
        groups.update(g)
        licences.update(lic)
    assert seen.by_group == groups and seen.by_licence == licences


def test_early_steps_have_not_seen_every_document_and_each_seen_one_is_in_the_train_split(
    tokens_dir: Path,
) -> None:
    index = pq.read_table(tokens_dir / "index.parquet").to_pylist()
    train = {r["doc_id"]: r["length"] for r in index if r["split"] == "train"}
    early = replay_seen(tokens_dir, shape(1))
    assert 0 < len(early.by_doc) < len(train)  # 128 tokens of ~4,000: a few documents, not all
    assert set(early.by_doc) <= set(train)
    assert all(early.by_doc[d] <= train[d] for d in early.by_doc)
    epochs = replay_seen(tokens_dir, shape(200))  # 25,600 tokens: several passes over the split
    assert set(epochs.by_doc) == set(train)


def test_a_lineage_that_lacks_the_run_shape_cannot_tell(tokens_dir: Path) -> None:
    seen, problem = seen_by_checkpoint(tokens_dir, {"step": 3})
    assert seen is None and problem is not None and "lacks" in problem
    lineage = {"step": 1, "seed": 7, "train_config": {"seq_len": 32, "micro_batch": 2}}
    seen, problem = seen_by_checkpoint(tokens_dir.parent / "missing", lineage)
    assert seen is None and problem is not None and problem.startswith("cannot replay")
    seen, problem = seen_by_checkpoint(tokens_dir, lineage)
    assert problem is None and seen is not None and sum(seen.by_doc.values()) == 64


@pytest.mark.parametrize("steps", [0, 3])
def test_run_shape_tokens(steps: int) -> None:
    assert shape(steps).tokens == steps * 2 * 2 * 32
