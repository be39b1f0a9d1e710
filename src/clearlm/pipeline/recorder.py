"""Per-task sinks: ledger events, stats, quarantine and output part, published atomically.

A task writes everything under temporary names and publishes it only when it has finished, the
`done/` marker last. A task killed half-way leaves no file a reader would trust, and its rerun
writes exactly the same outputs.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clearlm.atomic import atomic_write_text, publish, tmp_path_for
from clearlm.ledger.events import EVENT_SCHEMA, make_event
from clearlm.pipeline.document import DOC_SCHEMA, Document, Malformed
from clearlm.pipeline.step import Verdict

_EVENT_FLUSH_ROWS = 8192
# Bytes of a malformed record kept in quarantine: enough to see what it was, bounded for huge records.
QUARANTINE_RAW_BYTES = 4096


class TaskPaths:
    """Where task `index` of `stage` writes, inside a workspace root."""

    def __init__(self, ws_root: Path, stage: str, index: int) -> None:
        stage_dir = ws_root / "stages" / stage
        name = f"{index:05d}"
        self.part = stage_dir / f"part-{name}.parquet"
        self.events = stage_dir / "events" / f"{name}.parquet"
        self.stats = stage_dir / "stats" / f"{name}.json"
        self.done = stage_dir / "done" / name
        self.quarantine = ws_root / "quarantine" / stage / f"{name}.jsonl"
        self.quarantine_rel = f"quarantine/{stage}/{name}.jsonl"

    def make_dirs(self) -> None:
        for path in (self.part, self.events, self.stats, self.done, self.quarantine):
            path.parent.mkdir(parents=True, exist_ok=True)


class TaskRecorder:
    """Collects what one task decided; the step base class is its only caller for events."""

    def __init__(self, run_id: str, stage: str, paths: TaskPaths, dry_run: bool = False) -> None:
        self.run_id = run_id
        self.stage = stage
        self.paths = paths
        self.dry_run = dry_run
        self.steps: dict[str, dict[str, Any]] = {}
        self.quarantine_reasons: Counter[str] = Counter()
        self._events: list[dict[str, Any]] = []
        paths.make_dirs()
        self._events_tmp = tmp_path_for(paths.events)
        self._events_writer = pq.ParquetWriter(self._events_tmp, EVENT_SCHEMA)
        self._quarantine_lines: list[str] = []

    def _step_stats(self, step: str) -> dict[str, Any]:
        return self.steps.setdefault(
            step, {"in": 0, "out": 0, "decisions": Counter(), "reasons": Counter(), "by_decision": {}}
        )

    def record(self, step: str, doc: Document, verdict: Verdict) -> None:
        stats = self._step_stats(step)
        stats["in"] += 1
        stats["out"] += int(verdict.passes or self.dry_run)
        stats["decisions"][verdict.decision] += 1
        stats["reasons"].update(verdict.reasons)
        stats["by_decision"].setdefault(verdict.decision, Counter()).update(verdict.reasons)
        self._event(
            step,
            doc.doc_id,
            doc.source,
            doc.content_sha256,
            verdict.decision,
            list(verdict.reasons),
            verdict.evidence,
        )

    def quarantine(self, step: str, item: Malformed) -> None:
        """Send a malformed record to quarantine and record a `drop` event naming where it went."""
        stats = self._step_stats(step)
        stats["in"] += 1
        stats["decisions"]["drop"] += 1
        stats["reasons"][item.reason] += 1
        stats["by_decision"].setdefault("drop", Counter())[item.reason] += 1
        self.quarantine_reasons[item.reason] += 1
        raw = item.raw[:QUARANTINE_RAW_BYTES]
        entry = {
            "doc_id": item.doc_id,
            "file": item.file,
            "position": item.position,
            "reason": item.reason,
            "detail": item.detail,
            "raw_bytes": len(item.raw),
            "raw_head_b64": base64.b64encode(raw).decode(),
        }
        self._quarantine_lines.append(json.dumps(entry, ensure_ascii=False, sort_keys=True))
        evidence = {
            "file": item.file,
            "position": item.position,
            "detail": item.detail,
            "quarantine": self.paths.quarantine_rel,
        }
        self._event(
            step,
            item.doc_id,
            item.source or Path(item.file).resolve().as_uri(),
            _sha256(item.raw),
            "drop",
            [item.reason],
            evidence,
        )

    def _event(
        self,
        step: str,
        doc_id: str,
        source: str,
        sha: str,
        decision: str,
        reasons: list[str],
        evidence: dict[str, Any],
    ) -> None:
        self._events.append(
            make_event(
                run_id=self.run_id,
                stage=self.stage,
                step=step,
                doc_id=doc_id,
                source=source,
                content_sha256=sha,
                decision=decision,
                reasons=reasons,
                evidence=evidence,
            )
        )
        if len(self._events) >= _EVENT_FLUSH_ROWS:
            self._flush_events()

    def _flush_events(self) -> None:
        if self._events:
            self._events_writer.write_table(pa.Table.from_pylist(self._events, schema=EVENT_SCHEMA))
            self._events = []

    def publish(self, summary: dict[str, Any]) -> dict[str, Any]:
        """Publish events, quarantine and stats; the caller publishes the part and the done marker."""
        self._flush_events()
        self._events_writer.close()
        publish(self._events_tmp, self.paths.events)
        if self._quarantine_lines:
            atomic_write_text(self.paths.quarantine, "\n".join(self._quarantine_lines) + "\n")
        stats = {
            **summary,
            "quarantined": sum(self.quarantine_reasons.values()),
            "quarantine_reasons": dict(sorted(self.quarantine_reasons.items())),
            "steps": {
                name: {
                    **s,
                    "decisions": dict(sorted(s["decisions"].items())),
                    "reasons": dict(sorted(s["reasons"].items())),
                    "by_decision": {d: dict(sorted(c.items())) for d, c in sorted(s["by_decision"].items())},
                }
                for name, s in self.steps.items()
            },
        }
        atomic_write_text(self.paths.stats, json.dumps(stats, indent=1, sort_keys=True))
        return stats

    def abort(self) -> None:
        self._events_writer.close()
        self._events_tmp.unlink(missing_ok=True)


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


class PartWriter:
    """Streams a task's output documents into one Parquet part, published at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp = tmp_path_for(path)
        self._writer = pq.ParquetWriter(self._tmp, DOC_SCHEMA, compression="zstd")
        self.docs = 0
        self.text_bytes = 0

    def write(self, docs: list[Document]) -> None:
        if docs:
            self._writer.write_table(pa.Table.from_pylist([d.to_row() for d in docs], schema=DOC_SCHEMA))
            self.docs += len(docs)
            self.text_bytes += sum(len(d.text.encode("utf-8")) for d in docs)

    def publish(self) -> None:
        self._writer.close()
        publish(self._tmp, self.path)

    def abort(self) -> None:
        self._writer.close()
        self._tmp.unlink(missing_ok=True)
