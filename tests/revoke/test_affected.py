"""`clearlm ledger affected`: checkpoints and releases that used revoked documents."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clearlm.cli import main
from clearlm.release.records import ReleaseRecord, add_release
from clearlm.revoke.affected import INDEX_CHANGED, NO_LINEAGE, affected
from tests.revoke.conftest import heldout_only_doc_id, trained_doc_ids

CHECKPOINTS = ["checkpoints/step-000030", "checkpoints/step-000060"]


def affected_json(ws: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["ledger", "affected", "-w", str(ws), "--format", "json"]) == 0
    body: dict[str, Any] = json.loads(capsys.readouterr().out)
    return body


def test_no_revoked_documents(fresh_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "affected", "-w", str(fresh_ws)]) == 0
    assert "no revoked documents" in capsys.readouterr().out
    assert affected_json(fresh_ws, capsys)["revoked"] == []


def test_checkpoints_that_trained_on_a_revoked_document(
    fresh_ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trained = trained_doc_ids(fresh_ws)[0]
    heldout = heldout_only_doc_id(fresh_ws)
    assert main(["revoke", "-w", str(fresh_ws), trained, heldout]) == 0
    body = affected_json(fresh_ws, capsys)
    by_doc = {d["doc_id"]: d for d in body["revoked"]}
    assert [c["checkpoint"] for c in by_doc[trained]["checkpoints"] if c["used"]] == CHECKPOINTS
    assert [c["step"] for c in by_doc[trained]["checkpoints"]] == [30, 60]
    # Held-out documents are evaluated on, never trained on.
    assert by_doc[heldout]["checkpoints"] == []
    assert body["summary"] == {
        "revoked_documents": 2,
        "checkpoints_used": 2,
        "checkpoints_cannot_tell": 0,
        "releases_used": 0,
    }
    # The table says the same and the command is a report: exit 0 even though models are affected.
    assert main(["ledger", "affected", "-w", str(fresh_ws)]) == 0
    out = capsys.readouterr().out
    assert trained in out and "step-000060: used" in out and "used by 2 checkpoint(s)" in out


def test_changed_index_cannot_tell(fresh_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = trained_doc_ids(fresh_ws)[0]
    assert main(["revoke", "-w", str(fresh_ws), doc]) == 0
    index = fresh_ws / "tokens" / "index.parquet"
    # The same rows in other bytes, as a re-tokenization would leave: the old index is gone.
    pq.write_table(pq.read_table(index), index, compression="gzip")
    (fresh_ws / "checkpoints" / "step-000030" / "lineage.json").unlink()
    (doc_report,) = affected(fresh_ws)
    uses = {c.checkpoint: c for c in doc_report.checkpoints}
    assert uses[CHECKPOINTS[1]].used is None and uses[CHECKPOINTS[1]].note == INDEX_CHANGED
    assert uses[CHECKPOINTS[0]].used is None and uses[CHECKPOINTS[0]].note == NO_LINEAGE
    assert affected_json(fresh_ws, capsys)["summary"]["checkpoints_cannot_tell"] == 2


def test_releases_that_shipped_a_revoked_document(fresh_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    used, unused = trained_doc_ids(fresh_ws)[:2]
    record = ReleaseRecord(
        digest=hashlib.sha256(b"SHA256SUMS of tiny-clear").hexdigest(),
        name="tiny-clear",
        dir=str(fresh_ws.parent / "out"),
        checkpoint=CHECKPOINTS[1],
        step=60,
        created="2025-01-02T03:04:05+00:00",
    )
    add_release(fresh_ws, record, pa.table({"doc_id": [used], "tokens": [512]}))
    assert main(["revoke", "-w", str(fresh_ws), used, unused]) == 0
    body = affected_json(fresh_ws, capsys)
    by_doc = {d["doc_id"]: d for d in body["revoked"]}
    assert by_doc[used]["releases"] == [record.to_dict()]
    assert by_doc[unused]["releases"] == []
    assert body["summary"]["releases_used"] == 1
    assert main(["ledger", "affected", "-w", str(fresh_ws)]) == 0
    assert record.digest[:16] in capsys.readouterr().out


def test_unreadable_release_records_exit_2(fresh_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["revoke", "-w", str(fresh_ws), trained_doc_ids(fresh_ws)[0]]) == 0
    (fresh_ws / "release").mkdir(exist_ok=True)
    (fresh_ws / "release" / "releases.jsonl").write_text("{broken\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["ledger", "affected", "-w", str(fresh_ws)]) == 2
    assert "line 1 is not a release record" in capsys.readouterr().err
