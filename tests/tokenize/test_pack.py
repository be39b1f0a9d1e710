"""Pack's layout and shuffle on their own: shard boundaries, and an order fixed by seed alone."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from clearlm.tokenize.pack import layout, shuffled_train_copies


def test_layout_never_splits_a_document_and_gives_held_out_its_own_shards() -> None:
    lengths = np.array([5, 5, 20, 3, 3, 3, 4], dtype=np.int64)
    shard, start = layout(lengths, heldout_from=5, shard_tokens=10)
    # 5+5 fill shard 0; 20 is too long for any shard and gets one alone; held-out starts shard 3.
    assert shard.tolist() == [0, 0, 1, 2, 2, 3, 3]
    assert start.tolist() == [0, 5, 0, 0, 3, 0, 3]
    assert layout(np.zeros(0, np.int64), 0, 10)[0].tolist() == []


def _docs(order: list[int]) -> pa.Table:
    ids = [f"d{i:03d}" for i in range(40)]
    return pa.table(
        {
            "doc_id": [ids[i] for i in order],
            "split": ["heldout" if i % 10 == 0 else "train" for i in order],
            "repeats": pa.array([1 + i % 3 for i in order], pa.int32()),
        }
    )


def _sequence(docs: pa.Table, seed: int) -> list[tuple[str, int]]:
    rows, copies = shuffled_train_copies(docs, seed)
    ids = docs["doc_id"].to_pylist()
    return [(ids[r], int(c)) for r, c in zip(rows.tolist(), copies.tolist(), strict=True)]


def test_shuffle_depends_on_seed_and_documents_not_on_their_order() -> None:
    forward = _docs(list(range(40)))
    backward = _docs(list(reversed(range(40))))
    sequence = _sequence(forward, seed=0)
    assert sequence == _sequence(backward, seed=0)
    assert sequence != _sequence(forward, seed=1)
    assert sorted(sequence) == sorted(
        (f"d{i:03d}", c) for i in range(40) if i % 10 for c in range(1 + i % 3)
    ), "every training copy exactly once, no held-out document"
    assert sequence != sorted(sequence), "shuffled"
