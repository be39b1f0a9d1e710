"""Building the trace index (WS/tokens/trace/) and telling whether it still matches the shards.

Per split (`train`, `heldout`) the index holds three files, plus a small JSON that names what they
were built from:

    <split>.tokens.bin   the split's shards concatenated in manifest order, as big-endian ids of the
                         shards' width (so that bytes compare like token sequences: trace_search.py),
                         one offset addressing the whole split
    <split>.sa.npy       int64 suffix array over those tokens (numpy .npy, opened as a memmap)
    <split>.buckets.npy  where each token's run of suffixes starts in the array (vocabulary + 1 int64)
    <split>.json         {tokens, seconds, shards: [{file, sha256, size, mtime_ns}]}
    manifest.json        format, dtype and both split entries; written last, so it marks the index done

The suffix array comes from pydivsufsort (`trace_search.suffix_array` says how it handles ids
wider than a byte, and what memory it needs).

Every file is written under a temporary name and renamed; a split whose JSON still matches the shards
is reused, so a build killed half-way redoes only the unfinished split.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clearlm.atomic import atomic_open, atomic_write_text, remove_stale_tmp
from clearlm.audit.trace_search import first_token_ranges, suffix_array
from clearlm.errors import WorkspaceError
from clearlm.files import file_sha256
from clearlm.train.door import read_manifest
from clearlm.train.token_dir import open_token_dir

TRACE_DIR = "trace"
FORMAT = "clearlm-trace-v1"
SPLITS = ("train", "heldout")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildReport:
    """What `ensure_index` did: which splits it (re)built, why, and how long it took."""

    built: tuple[str, ...]
    reason: str | None
    seconds: float
    tokens: dict[str, int]


def _stamp(tokens_dir: Path, entry: dict[str, Any]) -> dict[str, Any]:
    stat = (tokens_dir / entry["file"]).stat()
    return {
        "file": entry["file"],
        "sha256": entry["sha256"],
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
    }


def _split_stale(tokens_dir: Path, manifest: dict[str, Any], split: str) -> str | None:
    """Why the split's index no longer matches the shards, or None when it does."""
    trace = tokens_dir / TRACE_DIR
    try:
        recorded = json.loads((trace / f"{split}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"no {split} index yet"
    wanted = [(s["file"], s["sha256"]) for s in manifest["shards"] if s["split"] == split]
    if [(s["file"], s["sha256"]) for s in recorded["shards"]] != wanted:
        return f"{split} shards were re-tokenized"
    itemsize = np.dtype(manifest["dtype"]).itemsize
    sa_bytes = recorded["tokens"] * 8
    tokens_file, sa_file = trace / f"{split}.tokens.bin", trace / f"{split}.sa.npy"
    if not tokens_file.is_file() or tokens_file.stat().st_size != recorded["tokens"] * itemsize:
        return f"{tokens_file.name} is missing or truncated"
    if not sa_file.is_file() or sa_file.stat().st_size < sa_bytes:
        return f"{sa_file.name} is missing or truncated"
    if not (trace / f"{split}.buckets.npy").is_file():
        return f"{split}.buckets.npy is missing"
    for stamp in recorded["shards"]:
        path = tokens_dir / stamp["file"]
        if not path.is_file():
            return f"{stamp['file']} is missing"
        stat = path.stat()
        # Same size and mtime: unchanged. Otherwise only the bytes can tell (a copy, a touch).
        if (stat.st_size, stat.st_mtime_ns) != (stamp["size"], stamp["mtime_ns"]) and (
            file_sha256(path) != stamp["sha256"]
        ):
            return f"{stamp['file']} changed since the index was built"
    return None


def stale_reason(tokens_dir: Path) -> str | None:
    """None when WS/tokens/trace/ answers for the current shards; else why it must be (re)built."""
    manifest = read_manifest(tokens_dir)
    try:
        trace_manifest = json.loads((tokens_dir / TRACE_DIR / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no trace index yet"
    if trace_manifest.get("format") != FORMAT or trace_manifest.get("dtype") != manifest["dtype"]:
        return "trace index of another format"
    for split in SPLITS:
        reason = _split_stale(tokens_dir, manifest, split)
        if reason:
            return reason
    return None


def _build_split(tokens_dir: Path, split: str, progress: Progress) -> int:
    token_dir = open_token_dir(tokens_dir)
    manifest = token_dir.manifest
    entries = [s for s in manifest["shards"] if s["split"] == split]
    arrays = token_dir.train.shards if split == "train" else token_dir.heldout.shards
    trace = tokens_dir / TRACE_DIR
    tokens_file = trace / f"{split}.tokens.bin"
    stamps = []
    with atomic_open(tokens_file) as out:
        for number, (entry, array) in enumerate(zip(entries, arrays, strict=True), 1):
            progress(f"copying {split} shard {number}/{len(entries)} ({entry['file']})")
            data = np.ascontiguousarray(array)
            if hashlib.sha256(data.tobytes()).hexdigest() != entry["sha256"]:
                raise WorkspaceError(
                    "SHA-256 differs from manifest.json; rerun `clearlm tokenize`", tokens_dir / entry["file"]
                )
            out.write(data.astype(data.dtype.newbyteorder(">")).tobytes())
            stamps.append(_stamp(tokens_dir, entry))
    n = sum(len(a) for a in arrays)
    start = time.perf_counter()
    progress(f"sorting the suffixes of {n:,} {split} tokens (divsufsort)")
    tokens = np.fromfile(tokens_file, dtype=np.dtype(manifest["dtype"]).newbyteorder(">"))
    sa = suffix_array(tokens)
    with atomic_open(trace / f"{split}.buckets.npy") as out:
        np.save(out, first_token_ranges(tokens, int(manifest["vocab_size"])), allow_pickle=False)
    del tokens
    progress(f"writing the {split} suffix array ({n * 8 / 1e6:,.1f} MB)")
    with atomic_open(trace / f"{split}.sa.npy") as out:
        np.save(out, sa, allow_pickle=False)
    record = {"tokens": n, "seconds": round(time.perf_counter() - start, 3), "shards": stamps}
    atomic_write_text(trace / f"{split}.json", json.dumps(record, indent=1) + "\n")
    return n


def ensure_index(tokens_dir: Path, *, force: bool = False, progress: Progress | None = None) -> BuildReport:
    """Build WS/tokens/trace/ unless it is complete and matches the shards (or `force`)."""
    say = progress or (lambda _message: None)
    manifest = read_manifest(tokens_dir)
    reason = "rebuild asked for" if force else stale_reason(tokens_dir)
    if reason is None:
        return BuildReport((), None, 0.0, {})
    trace = tokens_dir / TRACE_DIR
    trace.mkdir(exist_ok=True)
    remove_stale_tmp(trace)
    (trace / "manifest.json").unlink(missing_ok=True)  # from here on the index is not done
    start = time.perf_counter()
    built, sizes = [], {}
    for split in SPLITS:
        if force or _split_stale(tokens_dir, manifest, split) is not None:
            sizes[split] = _build_split(tokens_dir, split, say)
            built.append(split)
    seconds = time.perf_counter() - start
    splits = {s: json.loads((trace / f"{s}.json").read_text(encoding="utf-8")) for s in SPLITS}
    record = {
        "format": FORMAT,
        "dtype": manifest["dtype"],
        "build_seconds": round(seconds, 3),
        "splits": splits,
    }
    atomic_write_text(trace / "manifest.json", json.dumps(record, indent=1) + "\n")
    return BuildReport(tuple(built), reason, seconds, sizes)
