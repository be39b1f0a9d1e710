"""Reading a token directory (WS/tokens/) as the tokenize stage wrote it.

The contract (docs/train.md, DESIGN.md "Token shards and lineage"): `manifest.json` is written last
and marks the folder complete; `shard-NNNNN.bin` are flat little-endian token ids, one split per shard,
train shards first; `index.parquet` has one row per placed document, ordered by (shard, start).

A split's shards are read as one flat stream through numpy memmaps, so a corpus larger than memory
costs only the pages a batch touches.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from numpy.typing import NDArray

from clearlm.errors import WorkspaceError

MANIFEST = "manifest.json"
INDEX = "index.parquet"
FORMAT = "clearlm-tokens-v1"
SHARD_NAME = re.compile(r"^shard-(\d+)\.bin$")
DTYPES: dict[str, np.dtype[Any]] = {"uint16": np.dtype("<u2"), "uint32": np.dtype("<u4")}


class TokenStream:
    """The shards of one split, concatenated in order, read without loading them whole."""

    def __init__(self, shards: list[NDArray[np.unsignedinteger[Any]]]) -> None:
        self.shards = shards
        lengths = [len(s) for s in shards]
        # offsets[i] is where shard i starts in the stream; offsets[-1] is the stream's length.
        self.offsets: NDArray[np.int64] = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(
            np.int64
        )

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def read(self, start: int, length: int) -> NDArray[np.int64]:
        """Tokens [start, start + length) of the stream, crossing shard boundaries as needed."""
        if start < 0 or start + length > len(self):
            raise IndexError(f"span [{start}, {start + length}) outside a stream of {len(self)} tokens")
        out = np.empty(length, dtype=np.int64)
        filled = 0
        shard = int(np.searchsorted(self.offsets, start, side="right")) - 1
        while filled < length:
            local = start + filled - int(self.offsets[shard])
            take = min(length - filled, len(self.shards[shard]) - local)
            out[filled : filled + take] = self.shards[shard][local : local + take]
            filled += take
            shard += 1
        return out


@dataclass
class DocSpans:
    """Where each training document copy lies in the train stream, with its id, group and licence."""

    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    group_codes: NDArray[np.int64]
    license_codes: NDArray[np.int64]
    doc_codes: NDArray[np.int64]
    groups: list[str]
    licenses: list[str]
    doc_ids: list[str]

    def tokens_in(self, starts: NDArray[np.int64], length: int) -> tuple[Counter[str], Counter[str]]:
        """Tokens of the spans [s, s + length) for s in `starts`, summed per group and per licence."""
        doc, overlap = self._overlaps(starts, length)
        return (
            _sum_by_code(self.group_codes[doc], overlap, self.groups),
            _sum_by_code(self.license_codes[doc], overlap, self.licenses),
        )

    def tally(
        self, starts: NDArray[np.int64], length: int
    ) -> tuple[Counter[str], Counter[str], Counter[str]]:
        """The same spans' tokens per group, per licence and per document id, from one overlap pass."""
        doc, overlap = self._overlaps(starts, length)
        return (
            _sum_by_code(self.group_codes[doc], overlap, self.groups),
            _sum_by_code(self.license_codes[doc], overlap, self.licenses),
            _sum_by_code(self.doc_codes[doc], overlap, self.doc_ids),
        )

    def _overlaps(
        self, starts: NDArray[np.int64], length: int
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(document copy, tokens of it) for every copy overlapping a span [s, s + length)."""
        a = np.asarray(starts, dtype=np.int64)
        b = a + length
        # Documents are disjoint and sorted, so both ends are sorted: the documents overlapping
        # [a, b) are those from the first ending after a up to the last starting before b.
        first = np.searchsorted(self.ends, a, side="right")
        stop = np.searchsorted(self.starts, b, side="left")
        counts = np.maximum(stop - first, 0)
        span_of = np.repeat(np.arange(len(a)), counts)
        offset_in_span = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        doc = first[span_of] + offset_in_span
        overlap = np.minimum(b[span_of], self.ends[doc]) - np.maximum(a[span_of], self.starts[doc])
        return doc, overlap


def _sum_by_code(codes: NDArray[np.int64], weights: NDArray[np.int64], names: list[str]) -> Counter[str]:
    totals = np.zeros(len(names), dtype=np.int64)
    np.add.at(totals, codes, weights)
    return Counter({name: int(t) for name, t in zip(names, totals, strict=True) if t})


@dataclass
class TokenDir:
    """A complete token directory: its manifest, the two split streams and the train documents."""

    path: Path
    manifest: dict[str, Any]
    train: TokenStream
    heldout: TokenStream
    train_docs: DocSpans

    @property
    def vocab_size(self) -> int:
        return int(self.manifest["vocab_size"])

    @property
    def special_ids(self) -> tuple[int, int, int | None]:
        """(bos, eos, pad) token ids, as config.json wants them."""
        pad = self.manifest.get("pad_id")
        return int(self.manifest["bos_id"]), int(self.manifest["eos_id"]), None if pad is None else int(pad)


def _read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = path / MANIFEST
    if not path.is_dir():
        raise WorkspaceError("token directory not found; run `clearlm tokenize` first", path)
    if not manifest_path.is_file():
        raise WorkspaceError(
            "token directory is incomplete (no manifest.json); rerun `clearlm tokenize`", path
        )
    try:
        manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WorkspaceError(f"unreadable manifest: {exc}", manifest_path) from exc
    if manifest.get("format") != FORMAT or manifest.get("dtype") not in DTYPES:
        raise WorkspaceError(f"not a {FORMAT} manifest (format/dtype)", manifest_path)
    return manifest


def _open_shard(path: Path, dtype: np.dtype[Any], tokens: int) -> NDArray[np.unsignedinteger[Any]]:
    if not path.is_file() or path.stat().st_size != tokens * dtype.itemsize:
        raise WorkspaceError(f"shard is missing or not {tokens} tokens long; rerun `clearlm tokenize`", path)
    if tokens == 0:  # numpy cannot map an empty file
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", shape=(tokens,))


def _train_doc_spans(path: Path, stream_start: dict[int, int]) -> DocSpans:
    index_path = path / INDEX
    if not index_path.is_file():
        raise WorkspaceError("token directory is incomplete (no index.parquet)", path)
    columns = ["shard", "start", "length", "split", "group", "license", "doc_id"]
    table = pq.read_table(index_path, columns=columns)
    split = table.column("split").to_numpy(zero_copy_only=False)
    train = split == "train"
    shard = table.column("shard").to_numpy()[train].astype(np.int64)
    unknown = set(np.unique(shard).tolist()) - set(stream_start)
    if unknown:
        raise WorkspaceError(
            f"index names train shards {sorted(unknown)} absent from the manifest", index_path
        )
    base = np.zeros(max(stream_start, default=0) + 1, dtype=np.int64)
    for number, offset in stream_start.items():
        base[number] = offset
    starts = base[shard] + table.column("start").to_numpy()[train].astype(np.int64)
    ends = starts + table.column("length").to_numpy()[train].astype(np.int64)
    order = np.argsort(starts, kind="stable")
    groups, group_codes = np.unique(
        table.column("group").to_numpy(zero_copy_only=False)[train], return_inverse=True
    )
    licenses, license_codes = np.unique(
        table.column("license").to_numpy(zero_copy_only=False)[train], return_inverse=True
    )
    doc_ids, doc_codes = np.unique(
        table.column("doc_id").to_numpy(zero_copy_only=False)[train], return_inverse=True
    )
    return DocSpans(
        starts=starts[order],
        ends=ends[order],
        group_codes=group_codes.astype(np.int64)[order],
        license_codes=license_codes.astype(np.int64)[order],
        doc_codes=doc_codes.astype(np.int64)[order],
        groups=[str(g) for g in groups],
        licenses=[str(x) for x in licenses],
        doc_ids=[str(d) for d in doc_ids],
    )


def open_token_dir(path: Path) -> TokenDir:
    """Open WS/tokens/ for reading; a missing or half-written folder is a WorkspaceError naming it."""
    path = Path(path)
    manifest = _read_manifest(path)
    dtype = DTYPES[manifest["dtype"]]
    streams: dict[str, list[NDArray[np.unsignedinteger[Any]]]] = {"train": [], "heldout": []}
    stream_start: dict[int, int] = {}
    for entry in manifest.get("shards", []):
        match = SHARD_NAME.match(str(entry.get("file", "")))
        if match is None or entry.get("split") not in streams:
            raise WorkspaceError(f"bad shard entry {entry!r}", path / MANIFEST)
        shard = _open_shard(path / entry["file"], dtype, int(entry["tokens"]))
        if entry["split"] == "train":
            stream_start[int(match.group(1))] = sum(len(s) for s in streams["train"])
        streams[entry["split"]].append(shard)
    return TokenDir(
        path=path,
        manifest=manifest,
        train=TokenStream(streams["train"]),
        heldout=TokenStream(streams["heldout"]),
        train_docs=_train_doc_spans(path, stream_start),
    )
