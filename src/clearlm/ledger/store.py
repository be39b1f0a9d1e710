"""The ledger on disk: numbered Parquet segments chained by hash, plus a head file.

    ledger/00000001-ingest-00000.parquet   rows seq 1..k, each row_hash = H(row, seq, prev_hash)
    ledger/00000002-ingest-00001.parquet   first prev_hash = last row_hash of the segment before
    ledger/head.json                       {"seq", "row_hash", "segment"} of the last committed row,
                                           plus "files": the SHA-256 of every committed segment file

Only `append` writes, under a file lock, one whole segment at a time (atomic rename), so a crash
leaves either the old ledger or the old ledger plus one complete segment. The head file anchors the
end of the chain: deleting trailing rows or segments is caught because head names a row that is
gone. Every segment carries a commit key so re-committing a task after a crash is a no-op.

The row chain covers what a row says; the file digests in head.json cover the bytes around it, so a
flipped bit in Parquet statistics, padding or the footer (which the rows never read) is caught too.
"""

from __future__ import annotations

import fcntl
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clearlm.atomic import atomic_open, atomic_write_text, remove_stale_tmp
from clearlm.errors import LedgerTampered, WorkspaceError
from clearlm.files import file_sha256
from clearlm.ledger.events import EVENT_SCHEMA, GENESIS_HASH, LEDGER_SCHEMA, row_hash

SEGMENT_RE = re.compile(r"^(\d{8})-([A-Za-z0-9_.-]+)\.parquet$")
KEY_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
HEAD_FILE = "head.json"


@dataclass(frozen=True)
class Head:
    seq: int
    row_hash: str
    segment: str = ""
    files: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class VerifyReport:
    rows: int
    segments: int
    head_hash: str
    uncommitted_tail: int = 0


class Ledger:
    """Append-only access to `WS/ledger/`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def segments(self) -> list[tuple[int, str, Path]]:
        """(number, commit key, path) of every segment, in chain order."""
        found = []
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                match = SEGMENT_RE.match(path.name)
                if match:
                    found.append((int(match.group(1)), match.group(2), path))
        return sorted(found)

    def committed_keys(self) -> set[str]:
        return {key for _, key, _ in self.segments()}

    def head(self) -> Head:
        path = self.folder / HEAD_FILE
        if not path.is_file():
            return Head(0, GENESIS_HASH)
        data = json.loads(path.read_text(encoding="utf-8"))
        files = tuple(sorted((str(k), str(v)) for k, v in dict(data.get("files", {})).items()))
        return Head(int(data["seq"]), str(data["row_hash"]), str(data.get("segment", "")), files)

    # -- writing ------------------------------------------------------------------------------
    def append(self, key: str, events: pa.Table) -> bool:
        """Chain `events` (EVENT_SCHEMA rows) onto the ledger as one segment named by `key`.

        Returns False, writing nothing, when a segment with this key is already committed.
        """
        if not KEY_RE.match(key):
            raise ValueError(f"ledger commit key {key!r} must match {KEY_RE.pattern}")
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "w") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            remove_stale_tmp(self.folder)
            head = self._roll_forward()
            segments = self.segments()
            if key in {k for _, k, _ in segments}:
                return False
            rows = events.select(EVENT_SCHEMA.names).to_pylist()
            seq, prev = head.seq, head.row_hash
            for row in rows:
                seq += 1
                row["seq"] = seq
                row["prev_hash"] = prev
                row["row_hash"] = prev = row_hash(row, seq, prev)
            number = (segments[-1][0] if segments else 0) + 1
            name = f"{number:08d}-{key}.parquet"
            table = pa.Table.from_pylist(rows, schema=LEDGER_SCHEMA)
            with atomic_open(self.folder / name) as fh:
                pq.write_table(table, fh)
            self._write_head(Head(seq, prev, name, (*head.files, (name, file_sha256(self.folder / name)))))
        return True

    def _write_head(self, head: Head) -> None:
        body = {"seq": head.seq, "row_hash": head.row_hash, "segment": head.segment}
        body["files"] = dict(head.files)
        atomic_write_text(self.folder / HEAD_FILE, json.dumps(body, indent=0))

    def _roll_forward(self) -> Head:
        """If a crash came between writing a segment and moving the head, move the head now."""
        head = self.head()
        segments = self.segments()
        if segments and segments[-1][2].name != head.segment:
            last = pq.read_table(segments[-1][2], columns=["seq", "row_hash"])
            if last.num_rows and int(last["seq"][-1].as_py()) > head.seq:
                name = segments[-1][2].name
                files = (*head.files, (name, file_sha256(segments[-1][2])))
                head = Head(int(last["seq"][-1].as_py()), str(last["row_hash"][-1].as_py()), name, files)
                self._write_head(head)
        return head

    # -- reading ------------------------------------------------------------------------------
    def iter_rows(self) -> Iterator[tuple[Path, int, dict[str, Any]]]:
        """(segment path, row index in segment, row) for every row, in chain order."""
        for _, _, path in self.segments():
            try:
                table = pq.read_table(path)
            except (OSError, pa.ArrowException) as exc:
                raise LedgerTampered(f"segment cannot be read ({exc})", path) from None
            for index, row in enumerate(table.to_pylist()):
                yield path, index, row

    def verify(self) -> VerifyReport:
        """Recompute the whole chain; raise LedgerTampered naming the first bad row."""
        if not self.folder.is_dir():
            raise WorkspaceError("workspace has no ledger folder", self.folder)
        segments = self.segments()
        numbers = [n for n, _, _ in segments]
        if numbers != list(range(1, len(numbers) + 1)):
            missing = sorted(set(range(1, (numbers[-1] if numbers else 0) + 1)) - set(numbers))
            raise LedgerTampered(f"segment number(s) {missing} missing from the chain", self.folder)
        head = self.head()
        expected_seq, prev = 1, GENESIS_HASH
        head_found = head.seq == 0 and head.row_hash == GENESIS_HASH
        for path, index, row in self.iter_rows():
            where = f"{path.name} row {index} (seq {row.get('seq')}, doc {row.get('doc_id')})"
            if row.get("seq") != expected_seq:
                raise LedgerTampered(
                    f"{where}: expected seq {expected_seq}; a row was removed, moved or inserted"
                )
            if row.get("prev_hash") != prev:
                raise LedgerTampered(f"{where}: prev_hash does not match the row before; the chain is broken")
            if row_hash(row, expected_seq, prev) != row.get("row_hash"):
                raise LedgerTampered(
                    f"{where}: row_hash does not match the row's content; the row was edited"
                )
            prev = str(row["row_hash"])
            if expected_seq == head.seq:
                head_found = prev == head.row_hash
            expected_seq += 1
        last_seq = expected_seq - 1
        head_path = self.folder / HEAD_FILE
        if last_seq and not head_path.is_file():
            raise LedgerTampered("head.json is missing; the end of the chain cannot be checked", self.folder)
        if head.seq > last_seq:
            raise LedgerTampered(
                f"head names seq {head.seq} but the ledger ends at seq {last_seq}; rows were removed",
                head_path,
            )
        if not head_found:
            raise LedgerTampered(f"head hash does not match row seq {head.seq}", head_path)
        # After the row checks, so an edited row is named by its row rather than its file.
        self._check_file_digests(segments, head)
        return VerifyReport(last_seq, len(segments), prev, uncommitted_tail=last_seq - head.seq)

    def _check_file_digests(self, segments: list[tuple[int, str, Path]], head: Head) -> None:
        """Every segment head.json lists must still have the bytes it had when committed.

        A segment after the head's (a crash before the head moved) is not listed yet; the row
        chain still checks it. Ledgers written before digests existed have no "files" and skip this.
        """
        digests = dict(head.files)
        for _, _, path in segments:
            expected = digests.get(path.name)
            if expected is not None and file_sha256(path) != expected:
                raise LedgerTampered(
                    "segment bytes differ from the SHA-256 recorded when it was committed", path
                )
