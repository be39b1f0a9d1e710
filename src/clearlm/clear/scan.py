"""`clearlm scan`: the clear stage's decisions for files on disk, with no workspace and no writes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from clearlm.clear.policy import Policy
from clearlm.clear.stage import ClearContext
from clearlm.config import IngestConfig
from clearlm.ingest.readers import read_file
from clearlm.ingest.stage import discover
from clearlm.pipeline.document import Document, Malformed


def scan_paths(
    paths: Sequence[Path],
    policy: Policy,
    robots_dirs: Sequence[str] = (),
    as_of: date | None = None,
    ingest: IngestConfig | None = None,
) -> Iterator[dict[str, Any]]:
    """One result per document (a container's records are documents), in path order.

    Reads everything first: robots.txt and tdmrep.json records anywhere in the input are evidence for
    the pages of their hosts, wherever those pages sit. Unreadable input is reported as a deny with
    its input.* reason, so nothing scanned is silently missing from the answer.
    """
    config = ingest or IngestConfig()
    items: list[Document | Malformed] = []
    for key, path in discover([str(p) for p in paths]):
        items.extend(read_file(path, key, config))
    context = ClearContext(policy, as_of or date.today(), robots_dirs)
    context.add_evidence(item for item in items if isinstance(item, Document))
    for item in items:
        if isinstance(item, Malformed):
            yield {
                "doc_id": item.doc_id,
                "source": item.source or Path(item.file).resolve().as_uri(),
                "decision": "deny",
                "reasons": [item.reason],
                "license": None,
                "evidence": {"file": item.file, "position": item.position, "detail": item.detail},
            }
            continue
        verdict = context.clear(item)
        yield {
            "doc_id": item.doc_id,
            "source": item.source,
            "decision": verdict.decision,
            "reasons": list(verdict.reasons),
            "license": verdict.evidence.get("license"),
            "evidence": verdict.evidence,
            "file_name": item.file_name,
        }
