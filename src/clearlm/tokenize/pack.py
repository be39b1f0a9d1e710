"""Pack the tasks' token ids into the shards training reads (the contract in docs/tokenize.md).

Training copies (document × repeat) are shuffled by the run's seed and laid out back to back in
shards of at most `shard_tokens` (a document is never split; one longer than that gets a shard of
its own); held-out documents follow in doc_id order, in shards of their own. Ids are copied from
the tasks' memory-mapped files a document at a time, so the corpus is never in memory.

Every file is written atomically and manifest.json comes last: it is the completion marker. A pack
killed half-way is redone from the start and writes the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numpy.typing import NDArray

from clearlm.atomic import atomic_open
from clearlm.hashing import GOLDEN, mix64
from clearlm.tokenize.sidecar import TASK_TOKENS_SCHEMA, TOKENS_SUBDIR
from clearlm.tokenize.split import HELDOUT, TRAIN

INDEX_FILE = "index.parquet"
# The audit's canaries (clearlm.audit.plant) are one more sidecar, written by the driver, not a task.
CANARY_TASK = "canary"
INDEX_SCHEMA = pa.schema(
    [
        pa.field("shard", pa.int32(), False),
        pa.field("start", pa.int64(), False),
        pa.field("length", pa.int64(), False),
        pa.field("doc_id", pa.string(), False),
        pa.field("split", pa.string(), False),
        pa.field("repeat", pa.int32(), False),
        pa.field("source", pa.string(), False),
        pa.field("group", pa.string(), False),
        pa.field("license", pa.string(), False),
        pa.field("content_sha256", pa.string(), False),
    ]
)


@dataclass(frozen=True)
class Placement:
    """Every document copy in shard order: which task row it comes from, which copy, where it goes."""

    docs: pa.Table  # the tasks' rows, concatenated, plus `task` (which .bin file)
    row: NDArray[np.int64]  # row of `docs` for each placed copy
    repeat: NDArray[np.int32]
    shard: NDArray[np.int32]
    start: NDArray[np.int64]


def read_task_rows(stage_dir: Path) -> pa.Table:
    """All tasks' token rows in task order, with the task number of each."""
    files = sorted((stage_dir / TOKENS_SUBDIR).glob("[0-9]*.parquet"))
    canaries = stage_dir / TOKENS_SUBDIR / f"{CANARY_TASK}.parquet"
    if canaries.is_file():
        files.append(canaries)
    tables = []
    for path in files:
        table = pq.read_table(path)
        tables.append(table.append_column("task", pa.array([path.stem] * table.num_rows, pa.string())))
    if not tables:
        return TASK_TOKENS_SCHEMA.append(pa.field("task", pa.string())).empty_table()
    return pa.concat_tables(tables)


def _doc_hash64(seed: int, doc_ids: list[str]) -> NDArray[np.uint64]:
    return np.array(
        [int.from_bytes(hashlib.sha256(f"{seed}:shuffle:{d}".encode()).digest()[:8], "big") for d in doc_ids],
        dtype=np.uint64,
    )


def shuffled_train_copies(docs: pa.Table, seed: int) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
    """(row, repeat) of every training copy in the seeded shuffle order.

    Each copy's sort key is a 64-bit hash of (seed, doc_id, repeat), computed with plain integer
    maths, so the order is the same under every numpy version; doc_id and repeat break ties.
    """
    train = np.flatnonzero(pc.equal(docs["split"], TRAIN).to_numpy(zero_copy_only=False))
    repeats = docs["repeats"].to_numpy()[train].astype(np.int64)
    rows = np.repeat(train, repeats)
    first_copy = np.repeat(np.cumsum(repeats) - repeats, repeats)
    copy = (np.arange(len(rows)) - first_copy).astype(np.int32)
    doc_ids = docs["doc_id"].to_pylist()
    doc_rank = np.empty(len(doc_ids), dtype=np.int64)
    doc_rank[np.argsort(np.array(doc_ids, dtype=object), kind="stable")] = np.arange(len(doc_ids))
    hashes = _doc_hash64(seed, [doc_ids[i] for i in train])
    per_copy = np.repeat(hashes, repeats)
    key = mix64(per_copy + copy.astype(np.uint64) * GOLDEN)
    order = np.lexsort((copy, doc_rank[rows], key))
    return rows[order].astype(np.int64), copy[order]


def heldout_rows(docs: pa.Table) -> NDArray[np.int64]:
    held = np.flatnonzero(pc.equal(docs["split"], HELDOUT).to_numpy(zero_copy_only=False))
    ids = np.array(docs["doc_id"].to_pylist(), dtype=object)[held]
    return held[np.argsort(ids, kind="stable")].astype(np.int64)


def layout(
    lengths: NDArray[np.int64], heldout_from: int, shard_tokens: int
) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
    """(shard, start) of each copy in order: a new shard when the next copy would overflow the
    current one, and at `heldout_from`, where held-out copies begin (a shard holds one split)."""
    shard = np.empty(len(lengths), dtype=np.int32)
    start = np.empty(len(lengths), dtype=np.int64)
    current, filled = -1, 0
    for i, length in enumerate(lengths.tolist()):
        if current < 0 or i == heldout_from or (filled > 0 and filled + length > shard_tokens):
            current, filled = current + 1, 0
        shard[i], start[i] = current, filled
        filled += length
    return shard, start


def place(stage_dir: Path, seed: int, shard_tokens: int) -> Placement:
    docs = read_task_rows(stage_dir)
    train_rows, train_copies = shuffled_train_copies(docs, seed)
    held = heldout_rows(docs)
    row = np.concatenate([train_rows, held]).astype(np.int64)
    repeat = np.concatenate([train_copies, np.zeros(len(held), dtype=np.int32)]).astype(np.int32)
    lengths = docs["length"].to_numpy()[row].astype(np.int64) if len(row) else np.zeros(0, np.int64)
    shard, start = layout(lengths, len(train_rows), shard_tokens)
    return Placement(docs, row, repeat, shard, start)


def index_table(placement: Placement) -> pa.Table:
    picked = placement.docs.take(pa.array(placement.row, pa.int64()))
    return pa.table(
        {
            "shard": pa.array(placement.shard, pa.int32()),
            "start": pa.array(placement.start, pa.int64()),
            "length": picked["length"],
            "doc_id": picked["doc_id"],
            "split": picked["split"],
            "repeat": pa.array(placement.repeat, pa.int32()),
            "source": picked["source"],
            "group": picked["group"],
            "license": picked["license"],
            "content_sha256": picked["content_sha256"],
        },
        schema=INDEX_SCHEMA,
    )


def shard_name(number: int) -> str:
    return f"shard-{number:05d}.bin"


def write_shards(
    placement: Placement, stage_dir: Path, tokens_dir: Path, dtype: str, advance: Callable[[int], None]
) -> list[str]:
    """Write every shard (atomically), copying each copy's ids from its task file; their SHA-256s."""
    token_dtype = np.dtype(dtype).newbyteorder("<")
    sources: dict[str, NDArray[np.generic]] = {}
    tasks = placement.docs["task"].to_pylist()
    offsets = placement.docs["offset"].to_numpy()
    lengths = placement.docs["length"].to_numpy()
    digests: list[str] = []
    bounds = np.flatnonzero(np.diff(placement.shard, prepend=-1, append=-1))
    for begin, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        digest = hashlib.sha256()
        with atomic_open(tokens_dir / shard_name(int(placement.shard[begin]))) as fh:
            for row in placement.row[begin:end].tolist():
                task = tasks[row]
                if task not in sources:
                    path = stage_dir / TOKENS_SUBDIR / f"{task}.bin"
                    sources[task] = np.memmap(path, dtype=token_dtype, mode="r")
                ids = sources[task][offsets[row] : offsets[row] + lengths[row]]
                data = ids.tobytes()
                fh.write(data)
                digest.update(data)
                advance(int(lengths[row]))
        digests.append(digest.hexdigest())
    return digests
