"""What a lookup answers: the documents a text matched, what the ledger says about each, a summary.

`LookupResult.to_dict()` is the JSON the CLI prints and the web page reads:

    {"query": {"chars", "sha256", "normalized_sha256", "html", "traced_chars", "notes"},
     "threshold", "documents",
     "matches": [{"doc_id", "source", "how": ["exact" | "near" | "verbatim"], "jaccard",
                  "spans": [{"text", "tokens"}], "decision", "reasons", "license", "kept",
                  "drop_reasons", "trained", "revoked", "releases": [{"digest", "name", "dir"}]}],
     "summary"}

The summary is one sentence, written by `clearlm.lookup.summary`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from clearlm.lookup.summary import summarize
from clearlm.release.records import ReleaseRecord, releases_by_doc

HOW_ORDER = ("exact", "near", "verbatim")


@dataclass(frozen=True)
class Span:
    """A run of the query found verbatim in the token shards of this document."""

    text: str
    tokens: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "tokens": self.tokens}


@dataclass(frozen=True)
class DocMatch:
    """One document the query matched, and its history: clearance, curation, training, releases."""

    doc_id: str
    source: str
    how: list[str]
    jaccard: float | None  # estimated (MinHash); None when the document has no signature
    spans: list[Span]
    decision: str | None  # latest clearance decision: allow | deny | review; None: never cleared
    reasons: list[str]
    license: str | None
    kept: bool | None  # in curation's output; None when curation has not run
    drop_reasons: list[str]  # why curation dropped it (empty when kept or never curated)
    trained: bool  # has tokens in the train split
    revoked: bool  # a `revoke` event withdrew it after the fact
    releases: list[ReleaseRecord] = field(default_factory=list)

    def status(self) -> str:
        """Where the document ended up, in a few words (the summary counts these)."""
        if self.trained:
            return "trained"
        if self.decision == "deny":
            return "denied"
        if self.decision == "review":
            return "held for review"
        if self.decision is None:
            return "not cleared"
        if self.kept is False:
            return "dropped by curation"
        return "not trained"

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "how": list(self.how),
            "jaccard": None if self.jaccard is None else round(self.jaccard, 4),
            "spans": [s.to_dict() for s in self.spans],
            "decision": self.decision,
            "reasons": list(self.reasons),
            "license": self.license,
            "kept": self.kept,
            "drop_reasons": list(self.drop_reasons),
            "trained": self.trained,
            "revoked": self.revoked,
            "status": self.status(),
            "releases": [{"digest": r.digest, "name": r.name, "dir": r.dir} for r in self.releases],
        }


@dataclass(frozen=True)
class QueryInfo:
    """The query as it was compared: its size and hashes, and what was done to it."""

    name: str
    chars: int
    sha256: str  # of the text as given (UTF-8)
    normalized_sha256: str  # of the text after curation's html/boilerplate/normalize steps
    html: bool
    traced_chars: int  # characters given to the verbatim trace (0: no token shards)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "chars": self.chars,
            "sha256": self.sha256,
            "normalized_sha256": self.normalized_sha256,
            "html": self.html,
            "traced_chars": self.traced_chars,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class LookupResult:
    """Every document the query matched, best matches first, and one sentence that sums them up."""

    query: QueryInfo
    matches: list[DocMatch]
    threshold: float
    documents: int  # documents the near search covered
    seconds: float

    @property
    def summary(self) -> str:
        return summarize(self.matches, self.threshold, self.documents)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.to_dict(),
            "threshold": self.threshold,
            "documents": self.documents,
            "matches": [m.to_dict() for m in self.matches],
            "summary": self.summary,
            "seconds": round(self.seconds, 4),
        }


@dataclass
class Hit:
    """How the query found one document, before the ledger is asked about it."""

    how: set[str] = field(default_factory=set)
    jaccard: float | None = None
    spans: list[Span] = field(default_factory=list)


# One pass over the ledger for every matched document: first source, latest clearance decision,
# reasons and evidence, latest curation drop, and whether a revocation withdrew it.
_FACTS_SQL = """
SELECT doc_id,
       arg_min(source, seq),
       arg_max(decision, seq) FILTER (WHERE stage = 'clear'),
       arg_max(reasons, seq) FILTER (WHERE stage = 'clear'),
       arg_max(evidence, seq) FILTER (WHERE stage = 'clear'),
       arg_max(reasons, seq) FILTER (WHERE stage = 'curate' AND decision = 'drop'),
       coalesce(bool_or(stage = 'revoke' AND decision = 'deny'), false)
FROM ledger WHERE list_contains(?, doc_id) GROUP BY doc_id
"""


def _license(evidence: str | None) -> str | None:
    """The clearance evidence's licence, else the first signal that names one."""
    data = json.loads(evidence) if evidence else {}
    found = data.get("license") if isinstance(data, dict) else None
    for signal in data.get("signals", []) if isinstance(data, dict) else []:
        found = found or (signal.get("license") if isinstance(signal, dict) else None)
    return str(found) if found else None


def _doc_ids_in(
    con: duckdb.DuckDBPyConnection, view: str, doc_ids: list[str], where: str = ""
) -> set[str] | None:
    """The asked doc ids that `view` holds (None when the view does not exist: the stage never ran)."""
    views = {
        row[0] for row in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    }
    if view not in views:
        return None
    sql = f"SELECT DISTINCT doc_id FROM {view} WHERE list_contains(?, doc_id) {where}"
    return {row[0] for row in con.execute(sql, [doc_ids]).fetchall()}


def describe(ws_root: Path, con: duckdb.DuckDBPyConnection, hits: dict[str, Hit]) -> list[DocMatch]:
    """Each hit with its ledger history and releases: exact matches first, then by Jaccard and span length."""
    doc_ids = sorted(hits)
    if not doc_ids:
        return []
    facts = {row[0]: row[1:] for row in con.execute(_FACTS_SQL, [doc_ids]).fetchall()}
    kept = _doc_ids_in(con, "curate", doc_ids)
    trained = _doc_ids_in(con, "tokens", doc_ids, "AND split = 'train'") or set()
    releases = releases_by_doc(ws_root, [d for d in doc_ids if d in trained])
    matches = []
    for doc_id in doc_ids:
        hit = hits[doc_id]
        source, decision, reasons, evidence, dropped, revoked = facts.get(
            doc_id, ("", None, [], None, [], False)
        )
        matches.append(
            DocMatch(
                doc_id=doc_id,
                source=source or "",
                how=[h for h in HOW_ORDER if h in hit.how],
                jaccard=hit.jaccard,
                spans=hit.spans,
                decision=decision,
                reasons=list(reasons or []),
                license=_license(evidence),
                kept=None if kept is None else doc_id in kept,
                drop_reasons=list(dropped or []) if kept is None or doc_id not in kept else [],
                trained=doc_id in trained,
                revoked=bool(revoked),
                releases=releases.get(doc_id, []),
            )
        )
    matches.sort(key=lambda m: ("exact" not in m.how, -(m.jaccard or 0.0), -sum(s.tokens for s in m.spans)))
    return matches
