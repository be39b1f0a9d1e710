"""One document the checkpoint trained on, as the release documents describe it, read from the ledger.

`trained_docs` joins the gate's trained documents (a DuckDB view named `trained`) with their latest
clearance decision (licence, obligations, credits) and with what ingest recorded about where they
came from (URI, crawl date), sorting each into a source category of the EU AI Act summary.
`trained_counts` adds the flags (pii.*) they carry and the date the newest of them was ingested.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from clearlm import reasons
from clearlm.tokenize.reasons import TOKENIZE_CANARY


@dataclass(frozen=True)
class TrainedDoc:
    """One document with tokens in the train split, and what the ledger says about it."""

    doc_id: str
    source: str
    group: str
    license: str  # SPDX id; "" when the right is not a licence (public domain, contract, first party)
    basis: str  # the reason code that cleared it: license.cc-by, contract.<id>, first-party, canary …
    tokens: int  # trained tokens, counting repeats
    canary: bool
    obligations: tuple[str, ...] = ()
    credits: tuple[str, ...] = ()  # attribution strings from the clearance evidence
    # Where it came from, for the EU AI Act summary's source categories (sections 2.1–2.6):
    # public | licensed | crawled | first-party | synthetic.
    category: str = "public"
    domain: str = ""  # host of a web document
    fetched: str = ""  # ISO date a crawled document was fetched
    licensor: str = ""  # the licensor of a contract's data

    @property
    def mix_label(self) -> str:
        """How the data mix names its licence: the SPDX id, else the reason that allowed it."""
        return self.license or self.basis


def trained_docs(con: Any) -> list[TrainedDoc]:
    """Every trained document (the `trained` view of `con`) by doc_id, with what the ledger says."""
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    ingest = "ingest" if "ingest" in views else "(SELECT NULL::VARCHAR AS doc_id, NULL::VARCHAR AS meta)"
    rows = con.execute(f"""
        WITH decided AS (SELECT doc_id, arg_max(reasons, seq) AS reasons, arg_max(evidence, seq) AS evidence
                         FROM ledger WHERE stage = 'clear' GROUP BY doc_id),
             ingested AS (SELECT doc_id, any_value(meta) AS meta FROM {ingest} GROUP BY doc_id)
        SELECT t.doc_id, t.source, t."group", t.license, t.tokens, t.canary, d.reasons, d.evidence, i.meta
        FROM trained t LEFT JOIN decided d USING (doc_id) LEFT JOIN ingested i USING (doc_id)
        ORDER BY t.doc_id""").fetchall()
    docs = []
    for doc_id, source, group, licence, tokens, canary, why, evidence, meta in rows:
        found = json.loads(evidence) if evidence else {}
        signals = [s for s in found.get("signals", []) if isinstance(s, dict)]
        basis = TOKENIZE_CANARY if canary else next(iter(why or []), reasons.LICENSE_UNKNOWN)
        credits = [str(s["evidence"]["attribution"]) for s in signals if _credit(s)]
        docs.append(
            TrainedDoc(
                doc_id=doc_id,
                source=source,
                group=group,
                license=licence or found.get("license") or "",
                basis=basis,
                tokens=int(tokens),
                canary=bool(canary),
                obligations=tuple(found.get("obligations") or ()),
                credits=tuple(dict.fromkeys(c.strip() for c in credits if c.strip())),
                **_origin(source, basis, signals, json.loads(meta) if meta else {}),
            )
        )
    return docs


def _origin(source: str, basis: str, signals: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, str]:
    """Category (EU summary section), web host and crawl date of one document."""
    uri = str(meta.get("target_uri") or source)
    host = (urlsplit(uri).hostname or "") if uri.startswith(("http://", "https://")) else ""
    crawled = meta.get("format") == "warc" or "http_headers" in meta
    fetched = str(meta.get("warc_date") or "")[:10]
    if crawled and not fetched:
        date_header = next((v for k, v in meta.get("http_headers", []) if k.lower() == "date"), "")
        with contextlib.suppress(TypeError, ValueError):
            fetched = parsedate_to_datetime(date_header).date().isoformat()
    licensor = next((str(s["evidence"].get("licensor", "")) for s in signals if s.get("code") == basis), "")
    if basis == TOKENIZE_CANARY:
        category = "synthetic"
    elif basis.startswith(reasons.CONTRACT_PREFIX):
        category = "licensed"
    elif basis == reasons.FIRST_PARTY:
        category = "first-party"
    else:
        category = "crawled" if crawled else "public"
    return {"category": category, "domain": host, "fetched": fetched if crawled else "", "licensor": licensor}


def trained_counts(con: Any) -> tuple[dict[str, int], str]:
    """Flags (pii.*) per trained document, and the date the newest trained document was ingested."""
    flagged = con.execute("""
        SELECT reason, count(DISTINCT doc_id) FROM (SELECT doc_id, unnest(reasons) AS reason FROM ledger
        JOIN trained USING (doc_id) WHERE decision = 'flag') GROUP BY 1 ORDER BY 1""").fetchall()
    latest = con.execute(
        "SELECT max(ts) FROM ledger JOIN trained USING (doc_id) WHERE stage = 'ingest'"
    ).fetchone()
    newest = latest[0].date().isoformat() if latest and latest[0] else ""
    return {str(k): int(v) for k, v in flagged}, newest


def _credit(signal: dict[str, Any]) -> bool:
    evidence = signal.get("evidence")
    return (
        signal.get("class", "allow") == "allow" and isinstance(evidence, dict) and "attribution" in evidence
    )
