"""The door: training refuses token shards holding a document the ledger does not clear and keep."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clearlm.cli import main
from clearlm.files import file_sha256
from clearlm.ledger import Ledger
from clearlm.ledger.events import EVENT_SCHEMA, make_event
from clearlm.ledger.query import run_sql
from clearlm.train.door import DoorRefused, check_tokens


@pytest.fixture
def ws(tokenized_ws: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(tokenized_ws, copy)
    return copy


def _rewrite_index(ws: Path, change: dict[str, str]) -> None:
    """Forge the index (as a hand-made dataset would) and re-seal the manifest so only the ledger objects."""
    index_path = ws / "tokens" / "index.parquet"
    table = pq.read_table(index_path)
    rows = table.to_pylist()
    rows[0].update(change)
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), index_path)
    manifest_path = ws / "tokens" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["index_sha256"] = file_sha256(index_path)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")


def test_cleared_shards_pass(ws: Path) -> None:
    manifest = check_tokens(ws)
    assert manifest["splits"]["train"]["docs"] > 0


def test_a_changed_shard_byte_is_refused(ws: Path) -> None:
    shard = ws / "tokens" / "shard-00000.bin"
    data = bytearray(shard.read_bytes())
    data[10] ^= 1
    shard.write_bytes(bytes(data))
    with pytest.raises(DoorRefused) as err:
        check_tokens(ws)
    assert [(v.kind, v.subject) for v in err.value.violations] == [("hash", "shard-00000.bin")]


def test_a_denied_document_in_the_index_is_refused(ws: Path) -> None:
    _, rows = run_sql(ws, "SELECT doc_id, content_sha256 FROM ledger WHERE stage='clear' AND decision='deny'")
    assert rows, "the corpus has a denied document"
    denied, sha = rows[0]
    _rewrite_index(ws, {"doc_id": denied, "content_sha256": sha})
    with pytest.raises(DoorRefused) as err:
        check_tokens(ws)
    kinds = {v.kind for v in err.value.violations if v.subject.startswith(denied)}
    assert kinds == {"not-cleared", "not-kept", "not-tokenized"}
    assert "piracy" in str(err.value) or "shadow" in str(err.value)


def test_text_that_is_not_what_curation_kept_is_refused(ws: Path) -> None:
    _rewrite_index(ws, {"content_sha256": "0" * 64})
    with pytest.raises(DoorRefused) as err:
        check_tokens(ws)
    assert {v.kind for v in err.value.violations} == {"changed"}


def test_a_revoked_document_is_refused(ws: Path) -> None:
    row = pq.read_table(ws / "tokens" / "index.parquet").to_pylist()[0]
    event = make_event(
        run_id="test",
        stage="revoke",
        step="holder",
        doc_id=row["doc_id"],
        source=row["source"],
        content_sha256=row["content_sha256"],
        decision="deny",
        reasons=["revoked"],
        evidence={"holder": "A. Author"},
    )
    Ledger(ws / "ledger").append("revoke-test", pa.Table.from_pylist([event], schema=EVENT_SCHEMA))
    with pytest.raises(DoorRefused) as err:
        check_tokens(ws)
    assert [v.kind for v in err.value.violations] == ["revoked"]


def test_cli_train_refuses_with_exit_1_and_lists_offenders(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ws / "tokens" / "shard-00000.bin").write_bytes(b"\0\0")
    code = main(["train", "-w", str(ws), "--set", "train.steps=1"])
    assert code == 1
    err = capsys.readouterr().err
    assert "refused" in err and "shard-00000.bin" in err and "Traceback" not in err
    assert not (ws / "checkpoints").exists()


def test_no_tokens_is_a_usage_error(ws: Path) -> None:
    (ws / "tokens" / "manifest.json").unlink()
    assert main(["train", "-w", str(ws)]) == 2
