"""Ledger row schema and the hash that chains rows together.

A stage's tasks run in parallel and stage their events without hashes (EVENT_SCHEMA); the single
ledger writer later gives them a sequence number and chains them (LEDGER_SCHEMA), in task order, so
the chain is the same however many workers ran.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

GENESIS_HASH = "0" * 64

EVENT_FIELDS: list[pa.Field] = [
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("stage", pa.string(), nullable=False),
    pa.field("step", pa.string(), nullable=False),
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("content_sha256", pa.string(), nullable=False),
    pa.field("decision", pa.string(), nullable=False),
    pa.field("reasons", pa.list_(pa.string()), nullable=False),
    # Evidence is canonical JSON text: steps need free-form evidence,
    # and a string hashes stably.
    pa.field("evidence", pa.string(), nullable=False),
    pa.field("ts", pa.timestamp("us", tz="UTC"), nullable=False),
]
EVENT_SCHEMA = pa.schema(EVENT_FIELDS)
LEDGER_SCHEMA = pa.schema(
    [
        pa.field("seq", pa.int64(), nullable=False),
        *EVENT_FIELDS,
        pa.field("prev_hash", pa.string(), nullable=False),
        pa.field("row_hash", pa.string(), nullable=False),
    ]
)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def make_event(
    *,
    run_id: str,
    stage: str,
    step: str,
    doc_id: str,
    source: str,
    content_sha256: str,
    decision: str,
    reasons: list[str],
    evidence: dict[str, Any] | None = None,
    ts: datetime | None = None,
) -> dict[str, Any]:
    """One unchained event row (EVENT_SCHEMA)."""
    return {
        "run_id": run_id,
        "stage": stage,
        "step": step,
        "doc_id": doc_id,
        "source": source,
        "content_sha256": content_sha256,
        "decision": decision,
        "reasons": list(reasons),
        "evidence": canonical_json(evidence or {}),
        "ts": ts or datetime.now(UTC),
    }


def _ts_micros(ts: datetime) -> int:
    # Hash the instant as an integer: text forms of timestamps differ between libraries.
    delta = ts.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def row_hash(row: dict[str, Any], seq: int, prev_hash: str) -> str:
    """SHA-256 over the row's content, its position and the previous row's hash."""
    payload = [
        seq,
        row["run_id"],
        row["stage"],
        row["step"],
        row["doc_id"],
        row["source"],
        row["content_sha256"],
        row["decision"],
        list(row["reasons"]),
        row["evidence"],
        _ts_micros(row["ts"]),
        prev_hash,
    ]
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
