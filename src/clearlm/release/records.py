"""Which releases were made from a workspace, and which documents trained each of them.

    WS/release/releases.jsonl              one JSON object per release, appended, never rewritten
    WS/release/docs-<digest16>.parquet     (doc_id, tokens) of every document the release trained on

A rights holder who opts out after the fact needs to know which published models saw their work
(`clearlm ledger affected`, the lookup page), so `clearlm release` records every release here.
The documents file is written first and atomically, then the line is appended under a lock and
fsynced: a crash leaves either no record or a complete one whose documents file exists.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from clearlm.atomic import atomic_open
from clearlm.errors import WorkspaceError

RELEASES_FILE = "releases.jsonl"
_LOCK_FILE = ".releases.lock"
_DIGEST_RE = re.compile(r"^[0-9a-f]{64}$")
DOCS_SCHEMA = pa.schema([pa.field("doc_id", pa.string(), nullable=False), pa.field("tokens", pa.int64())])


@dataclass(frozen=True)
class ReleaseRecord:
    """One release folder made from the workspace."""

    digest: str  # SHA-256 of the release's SHA256SUMS file: names the release's exact bytes
    name: str
    dir: str  # absolute path of the release folder when it was made
    checkpoint: str  # relative to the workspace, e.g. "checkpoints/step-000060"
    step: int
    created: str  # ISO 8601, UTC

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReleaseRecord:
        """Raises KeyError/TypeError/ValueError on a record that is not one; callers name the line."""
        record = cls(
            digest=str(data["digest"]),
            name=str(data["name"]),
            dir=str(data["dir"]),
            checkpoint=str(data["checkpoint"]),
            step=int(data["step"]),
            created=str(data["created"]),
        )
        if not _DIGEST_RE.match(record.digest):
            raise ValueError(f"digest {record.digest!r} is not a lower-case SHA-256 hex string")
        return record


def release_dir(ws_root: Path) -> Path:
    return Path(ws_root) / "release"


def docs_path(ws_root: Path, digest: str) -> Path:
    """The documents file of one release; 16 hex digits keep names short and are unique in practice."""
    return release_dir(ws_root) / f"docs-{digest[:16]}.parquet"


def _docs_table(doc_tokens: pa.Table) -> pa.Table:
    missing = [c for c in DOCS_SCHEMA.names if c not in doc_tokens.column_names]
    if missing:
        raise ValueError(f"doc_tokens lacks column(s) {missing}; it needs {DOCS_SCHEMA.names}")
    table = doc_tokens.select(DOCS_SCHEMA.names)
    try:
        return table.cast(DOCS_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ValueError(f"doc_tokens columns cannot be read as {DOCS_SCHEMA}: {exc}") from None


def add_release(ws_root: Path, record: ReleaseRecord, doc_tokens: pa.Table) -> None:
    """Record `record` and the documents (doc_id, tokens) it trained on.

    Recording the same record twice (a retried `clearlm release`) adds no second line.
    """
    ReleaseRecord.from_dict(record.to_dict())  # the same checks a reader applies
    table = _docs_table(doc_tokens)
    folder = release_dir(ws_root)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_open(docs_path(ws_root, record.digest)) as fh:
        pq.write_table(table, fh)
    with open(folder / _LOCK_FILE, "w") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if record in read_releases(ws_root):
            return
        line = json.dumps(record.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
        # O_APPEND: the line lands at the end even if another writer ignores the lock.
        fd = os.open(folder / RELEASES_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


def read_releases(ws_root: Path) -> list[ReleaseRecord]:
    """Every recorded release, oldest first; none when the workspace never released."""
    path = release_dir(ws_root) / RELEASES_FILE
    if not path.is_file():
        return []
    records = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise TypeError("not a JSON object")
                records.append(ReleaseRecord.from_dict(data))
            except (ValueError, KeyError, TypeError) as exc:
                what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
                raise WorkspaceError(f"line {number} is not a release record: {what}", path) from None
    return records


def read_release_docs(ws_root: Path, record: ReleaseRecord) -> pa.Table:
    """The (doc_id, tokens) table of one recorded release."""
    path = docs_path(ws_root, record.digest)
    if not path.is_file():
        raise WorkspaceError(f"documents of release {record.name} ({record.digest[:16]}) are missing", path)
    try:
        return pq.read_table(path, columns=DOCS_SCHEMA.names)
    except (OSError, pa.ArrowException) as exc:
        raise WorkspaceError(f"documents of release {record.name} cannot be read: {exc}", path) from None


def releases_by_doc(ws_root: Path, doc_ids: Iterable[str]) -> dict[str, list[ReleaseRecord]]:
    """For each asked doc id (every one is a key), the releases that trained on it, oldest first."""
    wanted = list(dict.fromkeys(doc_ids))
    found: dict[str, list[ReleaseRecord]] = {doc_id: [] for doc_id in wanted}
    if not wanted:
        return found
    needle = pa.array(wanted, type=pa.string())
    for record in read_releases(ws_root):
        docs = read_release_docs(ws_root, record)
        hits = docs.filter(pc.is_in(docs["doc_id"], value_set=needle))["doc_id"].to_pylist()
        for doc_id in dict.fromkeys(hits):
            found[doc_id].append(record)
    return found
