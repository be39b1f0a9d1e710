"""`TraceIndex`: which spans of a text occur verbatim in the token shards, and in which documents.

    index = TraceIndex.open(Path("WS"))          # builds WS/tokens/trace/ if missing or stale
    result = index.trace("some model output")   # TraceResult: spans, their documents, decisions

`open` keeps one index per workspace in memory and hands the same object to every caller until the
shards change; `trace` only reads (memory maps, the tokenizer, a locked ledger connection), so a
server may call it from many threads at once. How the search works: trace_search.py; the index
files: trace_build.py; the span filters and the result: trace_query.py.
"""

from __future__ import annotations

import json
import mmap
import re
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from tokenizers import Tokenizer

from clearlm.audit.trace_build import TRACE_DIR, BuildReport, Progress, ensure_index, stale_reason
from clearlm.audit.trace_query import (
    DocHit,
    LedgerDecisions,
    TraceResult,
    TraceSettings,
    TraceSpan,
    content_words,
)
from clearlm.audit.trace_search import TokenSuffixes, maximal_spans
from clearlm.errors import WorkspaceError
from clearlm.ledger.query import connect

_SHARD_NUMBER = re.compile(r"(\d+)")
_INDEX_SQL = 'SELECT shard, start, length, doc_id, split, source, license, "group" FROM tokens'


@dataclass(frozen=True)
class SplitIndex:
    """One split's token suffixes and documents (rows sorted by where they start)."""

    name: str
    suffixes: TokenSuffixes
    doc_starts: NDArray[np.int64]
    docs: pa.Table


def _map(path: Path) -> Any:
    """A read-only memory map of a file (b"" when empty: mmap refuses empty files)."""
    if path.stat().st_size == 0:
        return b""
    with open(path, "rb") as fh:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def _open_split(ws_root: Path, manifest: dict[str, Any], split: str, index: pa.Table) -> SplitIndex:
    trace = ws_root / "tokens" / TRACE_DIR
    entry = manifest["splits"][split]
    n, width = int(entry["tokens"]), np.dtype(manifest["dtype"]).itemsize
    sa = np.asarray(np.load(trace / f"{split}.sa.npy", mmap_mode="r")) if n else np.zeros(0, np.int64)
    suffixes = TokenSuffixes(
        _map(trace / f"{split}.tokens.bin"), width, sa, np.load(trace / f"{split}.buckets.npy")
    )
    # Where each shard starts in the concatenation, by shard number (the index names shards so).
    base: dict[int, int] = {}
    offset = 0
    for shard in entry["shards"]:
        base[int(_SHARD_NUMBER.findall(shard["file"])[-1])] = offset
        offset += shard["size"] // width
    rows = index.filter(pc.equal(index["split"], split))
    shard_col = rows["shard"].to_numpy().astype(np.int64)
    if set(shard_col.tolist()) - set(base):
        raise WorkspaceError("index.parquet names shards the trace index lacks", ws_root / "tokens")
    lookup = np.zeros(max(base, default=0) + 1, dtype=np.int64)
    for number, start in base.items():
        lookup[number] = start
    starts = lookup[shard_col] + rows["start"].to_numpy().astype(np.int64)
    order = np.argsort(starts, kind="stable")
    return SplitIndex(split, suffixes, starts[order], rows.take(pa.array(order)))


class TraceIndex:
    """A workspace's trace index, open for queries. Get one with `TraceIndex.open(ws_root)`."""

    _cache: dict[Path, TraceIndex] = {}  # noqa: RUF012 (shared on purpose: one index per workspace)
    _cache_lock = threading.Lock()

    def __init__(self, ws_root: Path, splits: dict[str, SplitIndex], build: BuildReport) -> None:
        self.ws_root = ws_root
        self.splits = splits
        self.build_report = build
        tokens_dir = ws_root / "tokens"
        self.tokenizer = Tokenizer.from_file(str(tokens_dir / "tokenizer.json"))
        # Special tokens (bos, eos, chat markers) sit only at document edges in the shards.
        self.special_ids = {i for i, t in self.tokenizer.get_added_tokens_decoder().items() if t.special}
        self.decisions = LedgerDecisions(ws_root)

    @classmethod
    def open(
        cls, ws_root: Path, *, rebuild: bool = False, build: bool = True, progress: Progress | None = None
    ) -> TraceIndex:
        """The index of `ws_root`, built first when missing or stale (unless `build` is False)."""
        root = Path(ws_root).resolve()
        tokens_dir = root / "tokens"
        with cls._cache_lock:
            reason = stale_reason(tokens_dir)
            cached = cls._cache.get(root)
            if cached is not None and reason is None and not rebuild:
                return cached
            if (reason or rebuild) and not build:
                raise WorkspaceError(
                    f"trace index needs building ({reason}); run `clearlm trace --build`", root
                )
            report = ensure_index(tokens_dir, force=rebuild, progress=progress)
            manifest = _read_trace_manifest(tokens_dir)
            if not (tokens_dir / "index.parquet").is_file():
                raise WorkspaceError(
                    "token directory has no index.parquet; rerun `clearlm tokenize`", tokens_dir
                )
            con = connect(root)
            try:
                index = con.sql(_INDEX_SQL).to_arrow_table()
            finally:
                con.close()
            splits = {s: _open_split(root, manifest, s, index) for s in manifest["splits"]}
            cls._cache[root] = cls(root, splits, report)
            return cls._cache[root]

    def trace(self, text: str, settings: TraceSettings | None = None, **overrides: Any) -> TraceResult:
        """The maximal verbatim spans of `text` in the shards; `overrides` are TraceSettings fields."""
        settings = replace(settings or TraceSettings(), **overrides)
        started = time.perf_counter()
        encoding = self.tokenizer.encode(text, add_special_tokens=False)
        query = np.asarray(encoding.ids, dtype=np.int64)
        barriers = np.flatnonzero(np.isin(query, list(self.special_ids))).astype(np.int64)
        dropped = [0, 0]
        found: dict[str, list[TraceSpan]] = {}
        names = ["train", "heldout"] if settings.include_heldout else ["train"]
        for split in (self.splits[name] for name in names):
            lengths = split.suffixes.longest_matches(query, barriers)
            spans = []
            for start, length in maximal_spans(lengths, settings.min_tokens):
                span = self._span(split, query, encoding.offsets, text, start, length, settings, dropped)
                if span is not None:
                    spans.append(span)
            spans.sort(key=lambda s: (-s.length, s.occurrences, s.start))
            found[split.name] = spans[: settings.max_spans]
        self._join_ledger(found)
        return TraceResult(
            text=text,
            tokens=len(query),
            spans=found["train"],
            heldout_spans=found.get("heldout", []),
            dropped_common=dropped[0],
            dropped_few_words=dropped[1],
            seconds=time.perf_counter() - started,
            settings=settings,
        )

    def _span(
        self,
        split: SplitIndex,
        query: NDArray[np.int64],
        offsets: list[tuple[int, int]],
        text: str,
        start: int,
        length: int,
        settings: TraceSettings,
        dropped: list[int],
    ) -> TraceSpan | None:
        suffixes = split.suffixes
        lo, hi = suffixes.match_range(suffixes.encode(query[start : start + length]))
        if hi - lo > settings.max_occurrences:
            dropped[0] += 1
            return None
        char_start, char_end = offsets[start][0], offsets[start + length - 1][1]
        if content_words(text[char_start:char_end]) < settings.min_content_words:
            dropped[1] += 1
            return None
        positions = suffixes.positions(lo, hi)
        rows = np.searchsorted(split.doc_starts, positions, side="right") - 1
        docs: dict[str, DocHit] = {}
        for position, row in zip(positions.tolist(), rows.tolist(), strict=True):
            record = {k: split.docs[k][row].as_py() for k in ("doc_id", "source", "license", "group")}
            record["license"] = record["license"] or None  # the index writes "" for none
            hit = docs.get(record["doc_id"])
            if hit is not None:
                docs[record["doc_id"]] = replace(hit, copies=hit.copies + 1)
            elif len(docs) < settings.max_docs:
                offset = position - int(split.doc_starts[row])
                docs[record["doc_id"]] = DocHit(split=split.name, offset=offset, copies=1, **record)
        return TraceSpan(
            text[char_start:char_end], start, start + length, char_start, char_end, hi - lo, split.name,
            list(docs.values()),
        )  # fmt: skip

    def _join_ledger(self, found: dict[str, list[TraceSpan]]) -> None:
        doc_ids = sorted({d.doc_id for spans in found.values() for s in spans for d in s.docs})
        decisions = self.decisions.lookup(doc_ids) if doc_ids else {}
        for spans in found.values():
            for i, span in enumerate(spans):
                hits = [
                    replace(d, decision=decisions[d.doc_id][0], reasons=decisions[d.doc_id][1],
                            revoked=decisions[d.doc_id][2])
                    for d in span.docs
                ]  # fmt: skip
                spans[i] = replace(span, docs=hits)


def _read_trace_manifest(tokens_dir: Path) -> dict[str, Any]:
    path = tokens_dir / TRACE_DIR / "manifest.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WorkspaceError(f"unreadable trace manifest: {exc}", path) from None
    return data
