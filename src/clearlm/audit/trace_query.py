"""What a trace returns, the rule that drops common spans, and the ledger lookup behind each document.

A *span* is a run of at least `min_tokens` consecutive tokens of the traced text that occurs verbatim
in the token shards and is *maximal*: no longer run of the text around it occurs too. Two rules drop
spans that say nothing about where the text came from (OLMoTrace keeps the spans least likely
under a unigram model for the same reason; these rules need no model and are easy to explain):

- `max_occurrences`: a span found more often than this (default 20 times, repeats included) is a
  stock phrase or boilerplate, not a quotation of one document;
- `min_content_words`: a span needs this many content words (default 2): words of three or more
  letters or digits that are not English stop words. Runs of punctuation, numbers and "of the, and
  the" fragments are dropped.

The rest are ranked longest first, then rarest first.
"""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from clearlm.errors import UserError
from clearlm.ledger.query import connect

_STOP_TEXT = """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up upon very was we were what when where which while who whom why will
    with would you your yours yourself yourselves shall may might must said one"""
STOPWORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"\w+")


def content_words(text: str) -> int:
    """Words that carry content: ≥ 3 characters, not all digits, not a stop word."""
    words = (w.lower() for w in _WORD.findall(text))
    return sum(1 for w in words if len(w) >= 3 and not w.isdigit() and w not in STOPWORDS)


@dataclass(frozen=True)
class TraceSettings:
    """The knobs of one trace; see the module docstring for what the filters mean."""

    min_tokens: int = 8
    max_occurrences: int = 20
    min_content_words: int = 2
    max_docs: int = 5
    max_spans: int = 50
    include_heldout: bool = True

    def __post_init__(self) -> None:
        for name in ("min_tokens", "max_occurrences", "max_docs", "max_spans"):
            if getattr(self, name) < 1:
                raise UserError(f"trace: {name.replace('_', '-')} must be at least 1")
        if self.min_content_words < 0:
            raise UserError("trace: min-content-words must not be negative")


@dataclass(frozen=True)
class DocHit:
    """One document a span occurs in, with what the index and the ledger say about it."""

    doc_id: str
    split: str  # train | heldout
    source: str
    license: str | None  # SPDX expression, None when clearance found none
    group: str
    offset: int  # token offset of the first occurrence inside the document (its bos is 0)
    copies: int  # occurrences of the span in this document's placed copies
    decision: str | None = None  # latest clearance decision (allow | deny | review)
    reasons: list[str] = field(default_factory=list)
    revoked: bool = False  # a later `revoke` event withdrew it


@dataclass(frozen=True)
class TraceSpan:
    """A maximal verbatim match: where it is in the traced text and where it occurs in the data."""

    text: str
    start: int  # token offsets [start, end) in the traced text
    end: int
    char_start: int  # character offsets [char_start, char_end) in the traced text
    char_end: int
    occurrences: int
    split: str
    docs: list[DocHit]

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class TraceResult:
    """Spans found in training data, and (flagged apart) spans found only in held-out data."""

    text: str
    tokens: int
    spans: list[TraceSpan]
    heldout_spans: list[TraceSpan]
    dropped_common: int
    dropped_few_words: int
    seconds: float
    settings: TraceSettings

    def to_dict(self) -> dict[str, Any]:
        def span(s: TraceSpan) -> dict[str, Any]:
            return {**asdict(s), "length": s.length}

        return {
            "text": self.text,
            "tokens": self.tokens,
            "spans": [span(s) for s in self.spans],
            "heldout_spans": [span(s) for s in self.heldout_spans],
            "dropped": {"common": self.dropped_common, "few_content_words": self.dropped_few_words},
            "seconds": round(self.seconds, 4),
            "settings": asdict(self.settings),
        }


_DECISIONS_SQL = """
SELECT doc_id,
       arg_max(decision, seq) FILTER (WHERE stage = 'clear'),
       arg_max(reasons, seq) FILTER (WHERE stage = 'clear'),
       coalesce(bool_or(stage = 'revoke' AND decision = 'deny'), false)
FROM ledger
WHERE stage IN ('clear', 'revoke') AND list_contains(?, doc_id)
GROUP BY doc_id
"""
Decision = tuple[str | None, list[str], bool]


class LedgerDecisions:
    """Clearance decision, reasons and revocation per doc id, read through the ledger's DuckDB views.

    One connection serves every thread (under a lock: a DuckDB connection is not for concurrent use);
    answers are cached until the ledger's head moves, so a revocation shows on the next trace.
    """

    def __init__(self, ws_root: Path) -> None:
        self.ws_root = ws_root
        self._lock = threading.Lock()
        self._head: tuple[int, int] | None = None
        self._con: Any = None
        self._cache: dict[str, Decision] = {}

    def _head_stamp(self) -> tuple[int, int]:
        head = self.ws_root / "ledger" / "head.json"
        stat = head.stat() if head.is_file() else None
        return (stat.st_mtime_ns, stat.st_size) if stat else (0, 0)

    def lookup(self, doc_ids: list[str]) -> dict[str, Decision]:
        with self._lock:
            head = self._head_stamp()
            if head != self._head or self._con is None:
                if self._con is not None:
                    self._con.close()
                self._con, self._head, self._cache = connect(self.ws_root), head, {}
            missing = sorted(set(doc_ids) - set(self._cache))
            if missing:
                for doc_id, decision, reasons, revoked in self._con.execute(
                    _DECISIONS_SQL, [missing]
                ).fetchall():
                    self._cache[doc_id] = (decision, list(reasons or []), bool(revoked))
                for doc_id in missing:
                    self._cache.setdefault(doc_id, (None, [], False))
            return {d: self._cache[d] for d in doc_ids}
