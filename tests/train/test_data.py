"""Data order: deterministic, world-size independent, epoch after epoch; token accounting; errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from clearlm.errors import ConfigError, WorkspaceError
from clearlm.train.data import BatchLayout, TrainData
from clearlm.train.token_dir import open_token_dir

from .token_fixture import make_tokens_dir

SEQ = 32


def _data(
    tokens_dir: Path, b: int = 4, accum: int = 1, world: int = 1, rank: int = 0, seed: int = 0
) -> TrainData:
    return TrainData(tokens_dir, SEQ, seed, BatchLayout(b, accum, world, rank))


def _train_stream(tokens_dir: Path) -> np.ndarray:
    manifest = json.loads((tokens_dir / "manifest.json").read_text())
    files = [s["file"] for s in manifest["shards"] if s["split"] == "train"]
    return np.concatenate([np.fromfile(tokens_dir / f, dtype="<u2") for f in files]).astype(np.int64)


def test_order_is_a_function_of_the_seed(tokens_dir: Path) -> None:
    a, b, other = _data(tokens_dir), _data(tokens_dir), _data(tokens_dir, seed=1)
    assert all(a.train_batch(s, 0).equal(b.train_batch(s, 0)) for s in range(5))
    assert not all(a.train_batch(s, 0).equal(other.train_batch(s, 0)) for s in range(5))


def test_each_epoch_visits_every_chunk_once_then_wraps(tokens_dir: Path) -> None:
    data = _data(tokens_dir)
    n = data.n_chunks
    first, second = data.chunk_ids(np.arange(n)), data.chunk_ids(np.arange(n, 2 * n))
    assert sorted(first.tolist()) == list(range(n)) == sorted(second.tolist())
    assert not np.array_equal(first, second)  # a fresh permutation per epoch
    # A step straddling the epoch boundary takes the end of one order and the start of the next.
    straddle = data.chunk_ids(np.arange(n - 2, n + 2))
    assert straddle.tolist() == [*first[-2:].tolist(), *second[:2].tolist()]


def test_sequences_are_the_stream_cut_at_stride_seq_len(tokens_dir: Path) -> None:
    data, stream = _data(tokens_dir), _train_stream(tokens_dir)
    assert data.n_chunks == (len(stream) - 1) // SEQ
    for step in range(12):  # enough chunks that some cross the boundary between the two train shards
        ids = data.chunk_ids(data.micro_positions(step, 0))
        expected = np.stack([stream[c * SEQ : c * SEQ + SEQ + 1] for c in ids])
        assert np.array_equal(data.train_batch(step, 0).numpy(), expected)
    boundary = len(np.fromfile(tokens_dir / "shard-00000.bin", dtype="<u2"))
    crossing = boundary // SEQ
    assert crossing * SEQ < boundary < crossing * SEQ + SEQ + 1
    tokens = open_token_dir(tokens_dir)
    assert np.array_equal(
        tokens.train.read(crossing * SEQ, SEQ + 1), stream[crossing * SEQ : crossing * SEQ + SEQ + 1]
    )


@pytest.mark.parametrize(("world", "accum"), [(2, 1), (4, 1), (2, 2)])
def test_ranks_split_the_single_process_batch_without_overlap_or_loss(
    tokens_dir: Path, world: int, accum: int
) -> None:
    single = _data(tokens_dir, b=4, accum=accum)
    ranks = [_data(tokens_dir, b=4 // world, accum=accum, world=world, rank=r) for r in range(world)]
    for step in range(6):
        whole = [single.chunk_ids(single.micro_positions(step, m)) for m in range(accum)]
        for m in range(accum):
            parts = [d.chunk_ids(d.micro_positions(step, m)) for d in ranks]
            assert np.array_equal(np.concatenate(parts), whole[m])
            joined = np.concatenate([d.train_batch(step, m).numpy() for d in ranks])
            assert np.array_equal(joined, single.train_batch(step, m).numpy())
        seen = np.concatenate([d.chunk_ids(d.micro_positions(step, m)) for d in ranks for m in range(accum)])
        assert len(set(seen.tolist())) == len(seen)  # no chunk twice within a step


def test_eval_set_is_fixed_and_split_evenly_over_ranks(tokens_dir: Path) -> None:
    single = _data(tokens_dir)
    ranks = [_data(tokens_dir, b=2, world=2, rank=r) for r in range(2)]
    ids = [d.eval_chunk_ids(3) for d in ranks]
    assert not set(ids[0].tolist()) & set(ids[1].tolist())
    assert np.array_equal(np.concatenate(ids), single.eval_chunk_ids(3))
    assert len(single.eval_chunk_ids(3)) == 12
    batches = single.eval_batches(3)
    assert [tuple(b.shape) for b in batches] == [(4, SEQ + 1)] * 3
    # The held-out shard starts with its first document's bos.
    assert int(batches[0][0, 0]) == 1
    # Asking for more than exists takes what there is.
    assert len(single.eval_chunk_ids(1000)) == (len(open_token_dir(tokens_dir).heldout) - 1) // SEQ


def _token_labels(tokens_dir: Path, column: str) -> np.ndarray:
    """The group (or licence) of every train-stream token, from the index, the slow obvious way."""
    table = pq.read_table(tokens_dir / "index.parquet").to_pylist()
    offsets = {0: 0, 1: len(np.fromfile(tokens_dir / "shard-00000.bin", dtype="<u2"))}
    labels = np.empty(len(_train_stream(tokens_dir)), dtype=object)
    for row in table:
        if row["split"] == "train":
            start = offsets[row["shard"]] + row["start"]
            labels[start : start + row["length"]] = row[column]
    return labels


def test_tokens_by_group_and_license_match_a_token_by_token_count(tokens_dir: Path) -> None:
    data = _data(tokens_dir, b=2, accum=3)
    groups, licenses = _token_labels(tokens_dir, "group"), _token_labels(tokens_dir, "license")
    total_g: Counter[str] = Counter()
    total_l: Counter[str] = Counter()
    steps = data.n_chunks // data.layout.global_batch + 3  # runs into the second epoch
    for step in range(steps):
        by_group, by_license = data.step_tokens(step)
        expected_g: Counter[str] = Counter()
        expected_l: Counter[str] = Counter()
        for chunk in data.chunk_ids(data.step_positions(step)):
            expected_g.update(groups[chunk * SEQ : (chunk + 1) * SEQ].tolist())
            expected_l.update(licenses[chunk * SEQ : (chunk + 1) * SEQ].tolist())
        assert by_group == expected_g and by_license == expected_l
        total_g.update(by_group)
        total_l.update(by_license)
    assert sum(total_g.values()) == sum(total_l.values()) == steps * data.tokens_per_step


def test_missing_or_incomplete_token_dir_is_a_workspace_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not found"):
        open_token_dir(tmp_path / "nope")
    tokens = make_tokens_dir(tmp_path / "tokens")
    (tokens / "manifest.json").rename(tmp_path / "manifest.json")
    with pytest.raises(WorkspaceError, match="incomplete") as err:
        open_token_dir(tokens)
    assert str(tokens) in str(err.value)
    (tmp_path / "manifest.json").rename(tokens / "manifest.json")
    with open(tokens / "shard-00001.bin", "r+b") as fh:
        fh.truncate(100)
    with pytest.raises(WorkspaceError, match=r"shard-00001\.bin"):
        open_token_dir(tokens)


def test_too_few_tokens_for_one_batch_is_a_config_error(tokens_dir: Path) -> None:
    with pytest.raises(ConfigError, match="fewer than one batch") as err:
        _data(tokens_dir, b=1000)
    assert "manifest.json" in str(err.value)
