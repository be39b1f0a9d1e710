"""A token directory built by hand, exactly as the contract in docs/train.md describes it.

Documents are `[bos] + pattern repeated + [eos]`, each pattern a fixed cycle of distinct token ids,
so the next token is (almost always) a function of the current one: a tiny model learns it in a few
dozen steps. Two train shards and one held-out shard; groups and licences vary by document.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from clearlm.model.config import LlamaConfig
from clearlm.train.config import TrainConfig

VOCAB = 60  # rounded up to 64 by vocab_multiple
BOS, EOS, PAD = 1, 2, 0
GROUPS = ["books/a", "books/b", "example.org"]
LICENSES = ["CC0-1.0", "CC-BY-4.0", ""]
PATTERNS = [list(range(3 + 7 * p, 10 + 7 * p)) for p in range(6)]  # 6 disjoint 7-token cycles


def _document(rng: np.random.Generator, number: int) -> list[int]:
    pattern = PATTERNS[number % len(PATTERNS)]
    length = int(rng.integers(20, 90))
    offset = int(rng.integers(0, len(pattern)))
    body = [pattern[(offset + i) % len(pattern)] for i in range(length)]
    return [BOS, *body, EOS]


def make_tokens_dir(root: Path, *, train_docs: tuple[int, int] = (40, 40), heldout_docs: int = 12) -> Path:
    """Write shard-00000/1 (train), shard-00002 (held-out), index.parquet and manifest.json."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1234)
    rows: dict[str, list[object]] = {k: [] for k in ("shard", "start", "length", "doc_id", "split", "repeat")}
    extra: dict[str, list[str]] = {"source": [], "group": [], "license": [], "content_sha256": []}
    shards: list[dict[str, Any]] = []
    number = 0
    for shard, (split, count) in enumerate(
        [("train", train_docs[0]), ("train", train_docs[1]), ("heldout", heldout_docs)]
    ):
        ids: list[int] = []
        for _ in range(count):
            doc = _document(rng, number)
            group, license_id = GROUPS[number % 3], LICENSES[(number // 2) % 3]
            rows["shard"].append(shard)
            rows["start"].append(len(ids))
            rows["length"].append(len(doc))
            rows["doc_id"].append(f"doc-{number:04d}")
            rows["split"].append(split)
            rows["repeat"].append(0)
            extra["source"].append(f"file:///data/{group}/{number}.txt")
            extra["group"].append(group)
            extra["license"].append(license_id)
            extra["content_sha256"].append(hashlib.sha256(str(doc).encode()).hexdigest())
            ids.extend(doc)
            number += 1
        data = np.array(ids, dtype="<u2").tobytes()
        name = f"shard-{shard:05d}.bin"
        (root / name).write_bytes(data)
        shards.append(
            {
                "file": name,
                "split": split,
                "tokens": len(ids),
                "docs": count,
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    table = pa.table(
        {
            "shard": pa.array(rows["shard"], pa.int32()),
            "start": pa.array(rows["start"], pa.int64()),
            "length": pa.array(rows["length"], pa.int64()),
            "doc_id": pa.array(rows["doc_id"], pa.string()),
            "split": pa.array(rows["split"], pa.string()),
            "repeat": pa.array(rows["repeat"], pa.int32()),
            **{k: pa.array(v, pa.string()) for k, v in extra.items()},
        }
    )
    pq.write_table(table, root / "index.parquet")
    train = table.filter(pc.equal(table["split"], "train"))

    def sums(key: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for k, n in zip(train[key].to_pylist(), train["length"].to_pylist(), strict=True):
            out[k] = out.get(k, 0) + n
        return dict(sorted(out.items()))

    manifest = {
        "format": "clearlm-tokens-v1",
        "dtype": "uint16",
        "vocab_size": VOCAB,
        "bos_id": BOS,
        "eos_id": EOS,
        "pad_id": PAD,
        "tokenizer_sha256": "0" * 64,
        "seed": 0,
        "shards": shards,
        "splits": {
            split: {
                "docs": sum(s["docs"] for s in shards if s["split"] == split),
                "tokens": sum(s["tokens"] for s in shards if s["split"] == split),
            }
            for split in ("train", "heldout")
        },
        "tokens_by_group": sums("group"),
        "tokens_by_license": sums("license"),
        "index_sha256": hashlib.sha256((root / "index.parquet").read_bytes()).hexdigest(),
        "ledger_head": "f" * 64,
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return root


def tiny_config(**overrides: object) -> TrainConfig:
    """dim 64, 2 layers, seq_len 32, fp32, one thread: seconds per dozens of steps on a CPU."""
    model = LlamaConfig(dim=64, n_layers=2, n_heads=4, n_kv_heads=2, max_seq_len=64, vocab_multiple=64)
    cfg = TrainConfig(
        model=model, seq_len=32, micro_batch=4, grad_accum=1, steps=20, lr=1e-2, warmup_steps=5,
        min_lr_ratio=0.1, dtype="fp32", eval_every=10, eval_batches=2, checkpoint_every=10,
        keep_checkpoints=2, log_every=1, threads=1,
    )  # fmt: skip
    return replace(cfg, **overrides)  # type: ignore[arg-type]
