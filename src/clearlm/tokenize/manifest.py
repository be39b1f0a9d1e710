"""The last part of the tokenize stage: shards, index.parquet, then manifest.json (the done marker).

manifest.json names the hashes of everything training trusts (every shard, the index, the
tokenizer) and the ledger head at pack time, so a checkpoint's lineage and the release gate can
check the tokens against the ledger that produced them.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from clearlm.atomic import atomic_open, atomic_write_text, remove_stale_tmp
from clearlm.files import file_sha256
from clearlm.ledger import Ledger
from clearlm.tokenize.pack import INDEX_FILE, index_table, place, shard_name, write_shards
from clearlm.tokenize.split import HELDOUT, TRAIN
from clearlm.tokenize.tokenizer import TOKENIZER_FILE

MANIFEST_FILE = "manifest.json"
FORMAT = "clearlm-tokens-v1"
# Below this many tokens packing takes a blink; a progress bar would only flicker.
_PROGRESS_MIN_TOKENS = 50_000_000


@dataclass(frozen=True)
class TokenizerInfo:
    vocab_size: int
    bos_id: int
    eos_id: int
    pad_id: int
    dtype: str


def pack_tokens(
    ws_root: Path,
    stage_dir: Path,
    tokens_dir: Path,
    info: TokenizerInfo,
    seed: int,
    shard_tokens: int,
    console: Console | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Write shards, index and manifest (unless manifest.json says it is done); return the manifest."""
    manifest_path = tokens_dir / MANIFEST_FILE
    if manifest_path.is_file():
        loaded: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        return loaded
    remove_stale_tmp(tokens_dir)
    placement = place(stage_dir, seed, shard_tokens)
    index = index_table(placement)
    total = int(pc.sum(index["length"]).as_py() or 0)
    show = progress and console is not None and total >= _PROGRESS_MIN_TOKENS
    columns = [TextColumn("[bold]tokenize pack[/]"), BarColumn(), DownloadColumn(), TimeElapsedColumn()]
    bar_context = Progress(*columns, console=console, transient=False) if show else nullcontext()
    with bar_context as bar:
        itemsize = np.dtype(info.dtype).itemsize
        bar_id = bar.add_task("pack", total=total * itemsize) if bar is not None else None

        def advance(tokens: int) -> None:
            if bar is not None and bar_id is not None:
                bar.update(bar_id, advance=tokens * itemsize)

        digests = write_shards(placement, stage_dir, tokens_dir, info.dtype, advance)
    with atomic_open(tokens_dir / INDEX_FILE) as fh:
        pq.write_table(index, fh)
    manifest = _manifest(ws_root, tokens_dir, info, seed, index, digests)
    atomic_write_text(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def _sums(table: pa.Table, key: str) -> dict[str, int]:
    totals = table.group_by(key).aggregate([("length", "sum")]).to_pydict()
    return dict(sorted(zip(totals[key], (int(v) for v in totals["length_sum"]), strict=True)))


def _manifest(
    ws_root: Path,
    tokens_dir: Path,
    info: TokenizerInfo,
    seed: int,
    index: pa.Table,
    digests: list[str],
) -> dict[str, Any]:
    """Totals by shard, split, group and licence, aggregated by Arrow (no Python row per copy)."""
    per_shard = (
        index.group_by(["shard", "split"])
        .aggregate([("length", "sum"), ("doc_id", "count")])
        .sort_by("shard")
        .to_pylist()
    )
    shards = [
        {
            "file": shard_name(int(row["shard"])),
            "split": row["split"],
            "tokens": int(row["length_sum"]),
            "docs": int(row["doc_id_count"]),
            "sha256": digest,
        }
        for row, digest in zip(per_shard, digests, strict=True)
    ]
    splits: dict[str, dict[str, int]] = {}
    for name in (TRAIN, HELDOUT):
        part = index.filter(pc.equal(index["split"], name))
        splits[name] = {
            "docs": len(pc.unique(part["doc_id"])),
            "copies": part.num_rows,
            "tokens": int(pc.sum(part["length"]).as_py() or 0),
        }
    # What training sees, repeats included: the numbers lineage and the data summary report.
    train = index.filter(pc.equal(index["split"], TRAIN))
    return {
        "format": FORMAT,
        "dtype": info.dtype,
        "vocab_size": info.vocab_size,
        "bos_id": info.bos_id,
        "eos_id": info.eos_id,
        "pad_id": info.pad_id,
        "tokenizer_sha256": file_sha256(tokens_dir / TOKENIZER_FILE),
        "seed": seed,
        "shards": shards,
        "splits": splits,
        "tokens_by_group": _sums(train, "group"),
        "tokens_by_license": _sums(train, "license"),
        "index_sha256": file_sha256(tokens_dir / INDEX_FILE),
        "ledger_head": Ledger(ws_root / "ledger").head().row_hash,
    }
