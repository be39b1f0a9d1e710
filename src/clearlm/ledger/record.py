"""Ledger events that come from people, not stages: revocations and review requests.

Stages write through the pipeline's step base class; these two acts happen after the run, when a
rights holder opts out (`clearlm revoke`) or files a complaint (the lookup page's form). Each call
writes one ledger segment with a unique key, so it is chained and verified like every other event.

    revoke   decision deny,   reasons [revoked, …]      the training door and release gate refuse the doc
    review   decision review, reasons [complaint.<kind>] a person must read it; it changes no decision

A review request names the documents it is about, or none (then one row with doc_id
`request-<id>` carries it). The complainant's name, e-mail and message are personal data that may
have to be erased, so they are stored beside the ledger (clearlm.ledger.contacts) and the ledger
keeps the request id, its kind, the documents and a salted commitment to the details.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from clearlm.errors import UserError
from clearlm.ledger.contacts import store_contact
from clearlm.ledger.events import EVENT_SCHEMA, canonical_json, make_event
from clearlm.ledger.query import connect
from clearlm.ledger.store import Ledger
from clearlm.reasons import COMPLAINT_PREFIX, REVIEW_REASONS, REVOKED
from clearlm.workspace import Workspace

REVIEW_KINDS = tuple(code.removeprefix(COMPLAINT_PREFIX) for code in REVIEW_REASONS)
MAX_NAME, MAX_EMAIL, MAX_MESSAGE = 200, 320, 5000
MAX_EVIDENCE_CHARS = 20_000  # what a form may attach (a lookup's hashes and matches), not documents
MAX_REVIEW_DOCS = 1000
_EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")
_STEP_RE = re.compile(r"^[a-z][a-z0-9_.-]*$")
_REVIEW_FIELDS = (
    "request_id",
    "kind",
    "name",
    "email",
    "message",
    "doc_ids",
    "contact_sha256",
    "message_chars",
)


@dataclass(frozen=True)
class LedgerDoc:
    """What the ledger says a document is: where it came from and its latest content hash."""

    doc_id: str
    source: str
    content_sha256: str


def ledger_docs(ws_root: Path, doc_ids: Iterable[str]) -> dict[str, LedgerDoc]:
    """The asked documents that the pipeline recorded (review requests are not documents)."""
    wanted = list(dict.fromkeys(doc_ids))
    if not wanted:
        return {}
    con = connect(Path(ws_root))
    try:
        rows = con.execute(
            "SELECT doc_id, arg_min(source, seq), arg_max(content_sha256, seq) FROM ledger "
            "WHERE doc_id IN (SELECT unnest(?)) AND stage NOT IN ('review', 'revoke') GROUP BY doc_id",
            [wanted],
        ).fetchall()
    finally:
        con.close()
    return {row[0]: LedgerDoc(str(row[0]), str(row[1]), str(row[2])) for row in rows}


def revoked_doc_ids(ws_root: Path) -> set[str]:
    """Every document some `revoke` event denies."""
    con = connect(Path(ws_root))
    try:
        rows = con.execute(
            "SELECT DISTINCT doc_id FROM ledger WHERE stage = 'revoke' AND decision = 'deny'"
        ).fetchall()
    finally:
        con.close()
    return {str(row[0]) for row in rows}


def _require_known(ws_root: Path, doc_ids: list[str]) -> dict[str, LedgerDoc]:
    known = ledger_docs(ws_root, doc_ids)
    unknown = [d for d in doc_ids if d not in known]
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise UserError(f"no such document in the ledger: {shown}", Path(ws_root) / "ledger")
    return known


def _segment_key(kind: str) -> str:
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def record_revocations(
    ws_root: Path,
    doc_ids: list[str],
    *,
    step: str,
    reasons: list[str],
    evidence: dict[str, Any],
    per_doc: dict[str, dict[str, Any]] | None = None,
) -> int:
    """Deny `doc_ids` from now on; returns how many were newly revoked (already revoked ones are skipped).

    `evidence` goes on every row; `per_doc[doc_id]` (e.g. the registry work found in it) is added
    to that document's row. Unknown doc ids raise UserError before anything is written.
    """
    if not _STEP_RE.match(step):
        raise UserError(f"revocation step {step!r} must be a lower-case word")
    ws = Workspace.open(Path(ws_root))
    wanted = list(dict.fromkeys(doc_ids))
    if not wanted:
        return 0
    known = _require_known(ws.root, wanted)
    codes = [REVOKED, *dict.fromkeys(r for r in reasons if r != REVOKED)]
    # One writer at a time from "which are revoked already" to the append, so two concurrent
    # revocations of the same document record it once.
    with open(ws.ledger_dir / ".record.lock", "w") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        already = revoked_doc_ids(ws.root)
        rows = [
            make_event(
                run_id=ws.run_id,
                stage="revoke",
                step=step,
                doc_id=doc_id,
                source=known[doc_id].source,
                content_sha256=known[doc_id].content_sha256,
                decision="deny",
                reasons=codes,
                evidence={**evidence, **(per_doc or {}).get(doc_id, {})},
            )
            for doc_id in wanted
            if doc_id not in already
        ]
        if rows:
            Ledger(ws.ledger_dir).append(_segment_key("revoke"), pa.Table.from_pylist(rows, EVENT_SCHEMA))
    return len(rows)


def _clean(value: str, field: str, limit: int, *, required: bool) -> str:
    if not isinstance(value, str):
        raise UserError(f"{field} must be text")
    text = value.strip()
    if required and not text:
        raise UserError(f"{field} is required")
    if len(text) > limit:
        raise UserError(f"{field} is {len(text)} characters; at most {limit} are accepted")
    if "\x00" in text:
        raise UserError(f"{field} contains a NUL character")
    return text


def request_review(
    ws_root: Path,
    *,
    doc_ids: list[str],
    name: str,
    email: str,
    message: str,
    kind: str,
    evidence: dict[str, Any],
) -> str:
    """Record a complaint or opt-out request for a person to review; returns its request id.

    Raises UserError for a kind outside REVIEW_KINDS, a missing or too long name, an implausible
    e-mail address, a message over MAX_MESSAGE characters, a request about nothing (no documents
    and no message), unknown documents, or evidence that is not a small JSON object.
    """
    if kind not in REVIEW_KINDS:
        raise UserError(f"review kind {kind!r} is not one of {', '.join(REVIEW_KINDS)}")
    name = _clean(name, "name", MAX_NAME, required=True)
    email = _clean(email, "email", MAX_EMAIL, required=True)
    if not _EMAIL_RE.match(email):
        raise UserError(f"email {email[:80]!r} is not an e-mail address")
    message = _clean(message, "message", MAX_MESSAGE, required=not doc_ids)
    if not isinstance(evidence, dict):
        raise UserError("review evidence must be a JSON object")
    clash = sorted(set(evidence) & set(_REVIEW_FIELDS))
    if clash:
        raise UserError(f"review evidence may not set {', '.join(clash)}")
    if len(canonical_json(evidence)) > MAX_EVIDENCE_CHARS:
        raise UserError(f"review evidence is larger than {MAX_EVIDENCE_CHARS} characters")
    wanted = list(dict.fromkeys(doc_ids))
    if len(wanted) > MAX_REVIEW_DOCS:
        raise UserError(f"a review request may name at most {MAX_REVIEW_DOCS} documents")
    ws = Workspace.open(Path(ws_root))
    known = _require_known(ws.root, wanted)
    request_id = uuid.uuid4().hex[:16]
    contact = store_contact(ws.root, request_id, {"name": name, "email": email, "message": message})
    details = {**json.loads(canonical_json(evidence)), "request_id": request_id, "kind": kind}
    details |= {"contact_sha256": contact, "message_chars": len(message), "doc_ids": wanted}
    targets = [known[d] for d in wanted] or [
        LedgerDoc(f"request-{request_id}", "", hashlib.sha256(canonical_json(details).encode()).hexdigest())
    ]
    rows = [
        make_event(
            run_id=ws.run_id,
            stage="review",
            step="request",
            doc_id=doc.doc_id,
            source=doc.source,
            content_sha256=doc.content_sha256,
            decision="review",
            reasons=[COMPLAINT_PREFIX + kind],
            evidence=details,
        )
        for doc in targets
    ]
    Ledger(ws.ledger_dir).append(_segment_key("review"), pa.Table.from_pylist(rows, EVENT_SCHEMA))
    return request_id
