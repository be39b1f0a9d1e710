"""The ledger's hash chain catches every kind of edit; appends are idempotent per commit key."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clearlm.errors import LedgerTampered
from clearlm.ledger import EVENT_SCHEMA, Ledger, make_event


def _events(n: int, stage: str = "ingest", start: int = 0) -> pa.Table:
    rows = [
        make_event(
            run_id="run-t",
            stage=stage,
            step="read",
            doc_id=f"d{i:04d}",
            source=f"file:///x/{i}.txt",
            content_sha256="ab" * 32,
            decision="keep",
            reasons=["ingest.read"],
            evidence={"i": i},
        )
        for i in range(start, start + n)
    ]
    return pa.Table.from_pylist(rows, schema=EVENT_SCHEMA)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    led = Ledger(tmp_path / "ledger")
    led.append("ingest-00000", _events(5))
    led.append("ingest-00001", _events(4, start=5))
    led.append("clear-00000", _events(3, stage="clear"))
    return led


def _rewrite(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    rows = pq.read_table(path).to_pylist()
    rows = edit(rows)
    pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_schema(path)), path)


def test_clean_ledger_verifies(ledger: Ledger) -> None:
    report = ledger.verify()
    assert (report.rows, report.segments) == (12, 3)
    assert report.head_hash == ledger.head().row_hash


def test_append_is_idempotent_per_key(ledger: Ledger) -> None:
    assert ledger.append("ingest-00001", _events(4, start=5)) is False
    assert ledger.verify().rows == 12


def test_edited_field_is_caught_and_named(ledger: Ledger) -> None:
    segment = ledger.segments()[1][2]

    def edit(rows):  # type: ignore[no-untyped-def]
        rows[2]["decision"] = "drop"
        return rows

    _rewrite(segment, edit)
    with pytest.raises(LedgerTampered, match=r"00000002-ingest-00001.parquet row 2 \(seq 8.*edited"):
        ledger.verify()


def test_edited_hash_too_breaks_the_next_link(ledger: Ledger) -> None:
    from clearlm.ledger.events import row_hash

    segment = ledger.segments()[0][2]

    def edit(rows):  # type: ignore[no-untyped-def]
        rows[1]["source"] = "file:///elsewhere.txt"
        rows[1]["row_hash"] = row_hash(rows[1], rows[1]["seq"], rows[1]["prev_hash"])
        return rows

    _rewrite(segment, edit)
    with pytest.raises(LedgerTampered, match=r"row 2 \(seq 3.*prev_hash"):
        ledger.verify()


@pytest.mark.parametrize(
    "edit",
    [
        lambda rows: rows[:1] + rows[2:],  # removed
        lambda rows: [rows[1], rows[0], *rows[2:]],  # reordered
        lambda rows: [*rows[:2], dict(rows[2]), *rows[2:]],  # inserted (a copy)
    ],
    ids=["removed", "reordered", "inserted"],
)
def test_structural_edits_are_caught(ledger: Ledger, edit) -> None:  # type: ignore[no-untyped-def]
    _rewrite(ledger.segments()[0][2], edit)
    with pytest.raises(LedgerTampered):
        ledger.verify()


def test_truncating_the_tail_is_caught_by_head(ledger: Ledger) -> None:
    ledger.segments()[-1][2].unlink()
    with pytest.raises(LedgerTampered, match="rows were removed"):
        ledger.verify()


def test_missing_middle_segment_is_caught(ledger: Ledger) -> None:
    ledger.segments()[1][2].unlink()
    with pytest.raises(LedgerTampered, match="missing"):
        ledger.verify()


@pytest.mark.parametrize("where", [0.0, 0.25, 0.5, 0.75, 0.95])
def test_one_flipped_byte_is_caught_anywhere_in_the_file(ledger: Ledger, where: float) -> None:
    """Including bytes the rows never read (statistics, padding, footer)."""
    segment = ledger.segments()[0][2]
    data = bytearray(segment.read_bytes())
    data[int(len(data) * where)] ^= 0x01
    segment.write_bytes(bytes(data))
    with pytest.raises(LedgerTampered):
        ledger.verify()


def test_crash_between_segment_and_head_rolls_forward(tmp_path: Path) -> None:
    led = Ledger(tmp_path / "ledger")
    led.append("a", _events(2))
    head_before = (tmp_path / "ledger" / "head.json").read_text()
    led.append("b", _events(2, start=2))
    # Simulate the crash: the segment landed, the head did not move.
    (tmp_path / "ledger" / "head.json").write_text(head_before)
    assert led.verify().uncommitted_tail == 2
    led.append("c", _events(1, start=4))
    report = led.verify()
    assert report.rows == 5 and report.uncommitted_tail == 0
    assert json.loads((tmp_path / "ledger" / "head.json").read_text())["seq"] == 5
