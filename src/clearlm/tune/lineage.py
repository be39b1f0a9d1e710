"""An adapter's own lineage: which base, which private examples (by hash only), which settings and code.

    ADAPTER/lineage.json            format "clearlm-adapter-lineage-v1": the base (path, manifest
                                    digest, the base's run id and ledger head), the private ledger's
                                    SHA-256, counts per split, the TuneConfig, steps, code version
    ADAPTER/private-ledger.parquet  one row per training example: example_id (SHA-256 of its
                                    canonical JSON), line, split, n_tokens, n_assistant_tokens,
                                    truncated, decision "allow", reasons ["first-party"]

The private ledger lives beside the adapter, never in the base's workspace: the base's ledger and
release stay exactly as published, and the tuned data stays with whoever owns it. No row holds any
text of a conversation; an example_id lets its owner prove an exact conversation was (or was not)
trained on, and tells anyone else nothing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clearlm.atomic import atomic_write_text, publish, tmp_path_for
from clearlm.checkpoint_folders import LINEAGE_FILE
from clearlm.files import file_sha256
from clearlm.reasons import FIRST_PARTY
from clearlm.release.sums import SUMS_FILE
from clearlm.tune.config import TuneConfig
from clearlm.tune.encode import Example, split_counts

LINEAGE_FORMAT = "clearlm-adapter-lineage-v1"
PRIVATE_LEDGER_FILE = "private-ledger.parquet"
# Without a release's SHA256SUMS, these files pin the base: the architecture, the weights, the vocabulary.
BASE_FILES = ("config.json", "model.safetensors", "tokenizer.json")

LEDGER_SCHEMA = pa.schema(
    [
        ("example_id", pa.string()),
        ("line", pa.int64()),
        ("split", pa.string()),
        ("n_tokens", pa.int64()),
        ("n_assistant_tokens", pa.int64()),
        ("truncated", pa.bool_()),
        ("decision", pa.string()),
        ("reasons", pa.list_(pa.string())),
    ]
)


def base_digest(base: Path) -> dict[str, Any]:
    """How the base is pinned: its release SHA256SUMS, or the sorted (name, sha256) of its key files."""
    sums = base / SUMS_FILE
    if sums.is_file():
        return {"digest_of": SUMS_FILE, "digest": file_sha256(sums)}
    files = {name: file_sha256(base / name) for name in BASE_FILES if (base / name).is_file()}
    listing = "".join(f"{name}  {sha}\n" for name, sha in sorted(files.items()))
    return {
        "digest_of": sorted(files),
        "digest": hashlib.sha256(listing.encode("utf-8")).hexdigest(),
        "files": files,
    }


def base_lineage_links(base: Path) -> dict[str, Any]:
    """run_id and ledger_head of the base's own lineage.json, when it has one.

    A base that is itself a merged adapter carries an adapter lineage: its links are its base's.
    """
    path = base / LINEAGE_FILE
    if not path.is_file():
        return {"run_id": None, "ledger_head": None}
    try:
        lineage = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {"run_id": None, "ledger_head": None, "lineage_unreadable": True}
    if not isinstance(lineage, dict):
        return {"run_id": None, "ledger_head": None}
    if lineage.get("format") == LINEAGE_FORMAT and isinstance(lineage.get("base"), dict):
        lineage = lineage["base"]
    return {"run_id": lineage.get("run_id"), "ledger_head": lineage.get("ledger_head")}


def describe_base(base: Path) -> dict[str, Any]:
    """The lineage's `base` entry; computed before training so a changed base is noticed on resume."""
    return {"path": str(base.resolve()), **base_digest(base), **base_lineage_links(base)}


def write_private_ledger(path: Path, examples: list[Example]) -> str:
    """The per-example ledger (no content), written atomically; returns its SHA-256."""
    rows = sorted(examples, key=lambda e: e.line)
    table = pa.table(
        {
            "example_id": [e.example_id for e in rows],
            "line": [e.line for e in rows],
            "split": [e.split for e in rows],
            "n_tokens": [len(e.input_ids) for e in rows],
            "n_assistant_tokens": [e.n_assistant_tokens for e in rows],
            "truncated": [e.truncated for e in rows],
            "decision": ["allow"] * len(rows),
            # The user vouches for their own data: the allow reason the clear stage gives first-party input.
            "reasons": [[FIRST_PARTY] for _ in rows],
        },
        schema=LEDGER_SCHEMA,
    )
    tmp = tmp_path_for(path)
    try:
        pq.write_table(table, tmp, compression="zstd")
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return file_sha256(path)


def read_private_ledger(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


def build_lineage(
    *,
    base: dict[str, Any],
    data: dict[str, Any],
    examples: list[Example],
    ledger_sha256: str,
    config: TuneConfig,
    max_len: int,
    steps: int,
    adapter_sha256: str,
) -> dict[str, Any]:
    from clearlm.train.lineage import code_version

    return {
        "format": LINEAGE_FORMAT,
        "base": base,
        "data": data,
        "private_ledger": {"file": PRIVATE_LEDGER_FILE, "sha256": ledger_sha256, "rows": len(examples)},
        "counts": split_counts(examples),
        "tune_config": config.to_dict(),
        "max_len_used": max_len,
        "steps": steps,
        "adapter": {"file": "adapter_model.safetensors", "sha256": adapter_sha256},
        "code": code_version(),
    }


def write_lineage(folder: Path, lineage: dict[str, Any]) -> Path:
    path = folder / LINEAGE_FILE
    atomic_write_text(path, json.dumps(lineage, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path
