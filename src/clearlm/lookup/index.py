"""`LookupIndex`: "is my work in this training data?" for one workspace.

    index = LookupIndex.open(Path("WS"))     # builds WS/lookup/ if missing or stale, else loads it
    result = index.lookup(text, name="my-essay.html")   # LookupResult: exact, near, verbatim matches

Every ingested document is indexed, not only the ones that were kept: a rights holder wants to know
about a copy we collected and denied too. A query is compared three ways:

- exact: the SHA-256 of the text as given, of its normalised form and of its prepared form (html,
  boilerplate, normalize: near.py) against the content hash of every ingest, clear and curate
  ledger row (a step that rewrote a text recorded the new hash, so each stage's form is there);
- near: its MinHash signature against every document's, through the LSH bands (near.py);
- verbatim: the spans of its prepared form that the token shards hold (`TraceIndex`).

Then the ledger is asked, live, what became of each matched document (result.py). The files under
WS/lookup/ and when they are rebuilt: store.py. Builds and loads hold WS/lookup/.lock.
"""

from __future__ import annotations

import copy
import fcntl
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from clearlm.atomic import atomic_write_text
from clearlm.curate.config import CurateConfig
from clearlm.errors import UserError
from clearlm.ledger import Ledger
from clearlm.ledger.query import connect
from clearlm.lookup import DEFAULT_THRESHOLD
from clearlm.lookup.near import BandIndex, NearSettings, Sketcher, TextPreparer
from clearlm.lookup.result import Hit, LookupResult, QueryInfo, Span, describe
from clearlm.lookup.store import (
    DOCS,
    EXACT_DOCS,
    EXACT_KEYS,
    FORMAT,
    META,
    config_stamp,
    index_key,
    read_meta,
    read_previous,
    stale_reason,
    write_index,
)
from clearlm.pipeline.document import sha256_hex
from clearlm.workspace import Workspace

LOOKUP_DIR = "lookup"
# Characters of a query traced for verbatim spans by default. Trace searches ~10,000 query tokens a
# second here (a suffix-array search per token and split), so 10,000 characters (~2,500 tokens of
# English with a 32k vocabulary) keep a lookup well under a second; exact and near matching always
# see the whole text. `POST /v1/trace` accepts up to 100,000.
TRACE_MAX_CHARS = 10_000
# A verbatim span counts as evidence of a document only with this many content words (about a
# sentence; trace's own default is 2). Shorter shared runs are licence notices and stock phrases
# that many documents hold ("This text is dedicated to the public domain under CC0 1.0 Universal"
# has 6), which would list every document with the same notice. Each span may name as many
# documents as trace lets it occur in before it counts as common.
SPAN_CONTENT_WORDS = 8
_SPAN_DOCS = 20
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class IndexBuild:
    """How `open` got the index: built (and why) or loaded, and what it covers."""

    built: bool
    reason: str | None
    documents: int
    reused: int  # signatures carried over from the previous index
    seconds: float


def looks_like_html(text: str, name: str = "") -> bool:
    """An HTML page by its file name, or (pasted text) by its first tag."""
    if name.lower().endswith(_HTML_SUFFIXES):
        return True
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<head" in head and head[:1] == "<")


class LookupIndex:
    """A workspace's lookup index, open for queries. Get one with `LookupIndex.open(ws_root)`.

    `lookup` only reads (memory maps and one DuckDB connection used under a lock), so a server may
    share one index between threads; `open` hands back the same object until the ledger moves.
    """

    _cache: dict[Path, LookupIndex] = {}  # noqa: RUF012 (shared on purpose: one index per workspace)
    _cache_lock = threading.Lock()

    def __init__(self, ws_root: Path, config: CurateConfig, meta: dict[str, Any], build: IndexBuild) -> None:
        folder = ws_root / LOOKUP_DIR
        self.ws_root = ws_root
        self.config = config
        self.head = dict(meta["ledger_head"])
        self.key = dict(meta["key"])
        self.build_report = build
        self.preparer = TextPreparer(config)
        self.sketcher = Sketcher(NearSettings.from_curate(config))
        docs = pq.read_table(folder / DOCS)
        self.doc_ids: list[str] = docs["doc_id"].to_pylist()
        self.shingles = docs["shingles"].to_numpy()
        self.rows = {doc_id: row for row, doc_id in enumerate(self.doc_ids)}
        self.bands = BandIndex.load(self.sketcher.settings, folder, mmap=len(self.doc_ids) > 0)
        self.exact_keys = np.load(folder / EXACT_KEYS)
        self.exact_docs: list[str] = pq.read_table(folder / EXACT_DOCS)["doc_id"].to_pylist()
        self._con = connect(ws_root)
        self._con_lock = threading.Lock()
        self.config_stamp: tuple[int, int] | None = None  # clearlm.toml as `open` last saw it

    @classmethod
    def open(cls, ws_root: Path, *, rebuild: bool = False, cache: bool = True) -> LookupIndex:
        """The index of `ws_root`: from memory when the ledger has not moved, else from WS/lookup/,
        built there first when missing or stale (or when `rebuild`). `cache=False` skips memory."""
        root = Path(ws_root).resolve()
        ledger_head = Ledger(root / "ledger").head()
        head = {"seq": ledger_head.seq, "row_hash": ledger_head.row_hash}
        stamp = config_stamp(root)
        with cls._cache_lock:
            cached = cls._cache.get(root) if cache and not rebuild else None
            # The fast path a server takes on every request: two small file reads, no config parsing.
            if cached is not None and cached.head == head and cached.config_stamp == stamp:
                return cached
            config = Workspace.open(root).load_config().curate
            key = index_key(config)
            folder = root / LOOKUP_DIR
            folder.mkdir(parents=True, exist_ok=True)
            with open(folder / ".lock", "w") as lock:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
                meta = read_meta(folder)
                started = time.perf_counter()
                reason = "rebuild asked" if rebuild else stale_reason(root, meta, head, key)
                documents, reused = int((meta or {}).get("documents", 0)), 0
                if reason is not None:
                    previous = None if rebuild else read_previous(folder, meta, key)
                    documents, reused = write_index(root, folder, config, previous)
                if meta is None or reason is not None or meta["ledger_head"] != head:
                    meta = {"format": FORMAT, "key": key, "ledger_head": head, "documents": documents}
                    atomic_write_text(folder / META, json.dumps(meta, indent=1))
                build = IndexBuild(
                    reason is not None, reason, documents, reused, time.perf_counter() - started
                )
                if reason is None and cached is not None and cached.key == key:
                    index = cached._moved_to(head, build)  # same files: only the ledger view is new
                else:
                    index = cls(root, config, meta, build)
            index.config_stamp = stamp
            if cache:
                cls._cache[root] = index
        if index.has_tokens:
            from clearlm.audit.trace_index import TraceIndex

            TraceIndex.open(root)  # built or loaded now, so the first lookup does not wait for it
        return index

    @property
    def has_tokens(self) -> bool:
        """Whether the workspace has token shards (and so verbatim spans to search)."""
        return (self.ws_root / "tokens" / "manifest.json").is_file()

    def _moved_to(self, head: dict[str, Any], build: IndexBuild) -> LookupIndex:
        """This index under a later ledger head: the same arrays, a connection that sees the new rows."""
        moved = copy.copy(self)
        moved.head, moved.build_report = dict(head), build
        moved._con, moved._con_lock = connect(self.ws_root), threading.Lock()
        return moved

    def __len__(self) -> int:
        return len(self.doc_ids)

    def lookup(
        self,
        text: str,
        *,
        name: str = "",
        threshold: float = DEFAULT_THRESHOLD,
        trace_chars: int = TRACE_MAX_CHARS,
    ) -> LookupResult:
        """Every document `text` matches exactly, nearly (estimated Jaccard ≥ `threshold`) or by
        verbatim spans in the token shards (of its first `trace_chars` characters); `name` (a file
        name) marks HTML by its suffix."""
        if not 0.0 < threshold <= 1.0:
            raise UserError(f"lookup: threshold {threshold} is not in (0, 1]")
        started = time.perf_counter()
        html = looks_like_html(text, name)
        prepared = self.preparer.prepare(text, "text/html" if html else "text/plain")
        digests = {sha256_hex(t) for t in (text, self.preparer.normalize(text), prepared)}
        hits: dict[str, Hit] = {}
        for digest in sorted(digests):
            key = np.bytes_(digest.encode("ascii"))
            lo, hi = (
                np.searchsorted(self.exact_keys, key, "left"),
                np.searchsorted(self.exact_keys, key, "right"),
            )
            for doc_id in self.exact_docs[int(lo) : int(hi)]:
                hits.setdefault(doc_id, Hit()).how.add("exact")
        signature, sizes = self.sketcher.sketch([prepared])
        if sizes[0] > 0 and len(self.bands):
            rows, estimates = self.bands.query(signature[0], threshold)
            for row, estimate in zip(rows.tolist(), estimates.tolist(), strict=True):
                hit = hits.setdefault(self.doc_ids[row], Hit())
                hit.how.add("near")
                hit.jaccard = estimate
        notes, traced = self._verbatim(prepared[: max(0, trace_chars)], len(prepared), hits)
        for doc_id, hit in hits.items():  # an exact or verbatim match shows its Jaccard too
            row = self.rows.get(doc_id)
            if hit.jaccard is None and sizes[0] > 0 and row is not None and self.shingles[row] > 0:
                hit.jaccard = float(self.bands.jaccard(np.array([row]), signature[0])[0])
        with self._con_lock:
            matches = describe(self.ws_root, self._con, hits)
        query = QueryInfo(name, len(text), sha256_hex(text), sha256_hex(prepared), html, traced, notes)
        return LookupResult(query, matches, threshold, len(self), time.perf_counter() - started)

    def _verbatim(self, traced: str, total: int, hits: dict[str, Hit]) -> tuple[list[str], int]:
        """Add the documents whose token shards hold spans of `traced` (the first characters of a
        prepared text of `total`); returns (notes, characters traced)."""
        if not self.has_tokens:
            return ["no token shards yet: verbatim spans not searched"], 0
        if not traced.strip():
            return [], 0
        from clearlm.audit.plant import CANARY_GROUP
        from clearlm.audit.trace_index import TraceIndex  # tokenizers, suffix arrays: only when tracing

        notes = []
        if len(traced) < total:
            notes.append(f"verbatim spans searched in the first {len(traced):,} of {total:,} characters")
        result = TraceIndex.open(self.ws_root).trace(
            traced, min_content_words=SPAN_CONTENT_WORDS, max_docs=_SPAN_DOCS, max_occurrences=_SPAN_DOCS
        )
        for span in [*result.spans, *result.heldout_spans]:
            for doc in span.docs:
                if doc.group == CANARY_GROUP:  # planted secrets, not anybody's work
                    continue
                hit = hits.setdefault(doc.doc_id, Hit())
                hit.how.add("verbatim")
                if all(s.text != span.text for s in hit.spans):
                    hit.spans.append(Span(span.text, span.length))
        return notes, len(traced)
