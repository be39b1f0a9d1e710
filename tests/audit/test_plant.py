"""Canaries planted by the tokenize stage: in the shards and index, in the ledger (without the secret),
through the train door, and nothing else gets through the door by looking like one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clearlm.audit.data import AuditData
from clearlm.audit.plant import CANARY_FILE, read_canaries
from clearlm.config import load_config
from clearlm.errors import ConfigError
from clearlm.files import file_sha256
from clearlm.ledger import Ledger
from clearlm.ledger.events import EVENT_SCHEMA, make_event
from clearlm.ledger.query import run_sql
from clearlm.pipeline.document import make_doc_id, sha256_hex
from clearlm.runner import run_stages
from clearlm.tokenize.stage import tokenize_settings
from clearlm.train.door import DoorRefused, check_tokens
from tests.tokenize.corpus import make_config

from .conftest import SETTINGS, make_audit_corpus


def test_canaries_are_secret_digits_in_the_shards(canary_ws: Path) -> None:
    canaries = read_canaries(canary_ws / "audit" / CANARY_FILE)
    assert [c.repeats for c in canaries] == [1, 20]
    assert len({c.secret for c in canaries}) == 2
    data = AuditData(canary_ws / "tokens")
    rows = {r.doc_id: r for r in data.documents("train", canaries=True)}
    for c in canaries:
        digits = c.secret.split()
        assert len(digits) == 12 and all(d in "0123456789" for d in digits)
        assert c.doc_id == make_doc_id(f"canary/0/{c.index}", sha256_hex(c.text))
        row = rows[c.doc_id]
        assert (row.group, row.license, row.split, row.copies) == ("canary", "", "train", c.repeats)
        ids = data.tokens(row)
        assert ids[0] == data.bos_id and ids[-1] == data.eos_id
        assert data.decode(ids) == c.text
    index = pq.read_table(canary_ws / "tokens" / "index.parquet").to_pylist()
    assert {r["content_sha256"] for r in index if r["group"] == "canary"} == {
        sha256_hex(c.text) for c in canaries
    }
    manifest = json.loads((canary_ws / "tokens" / "manifest.json").read_text())
    assert manifest["tokens_by_group"]["canary"] == sum(r["length"] for r in index if r["group"] == "canary")


def test_the_ledger_records_canaries_but_not_their_secrets(canary_ws: Path) -> None:
    _, rows = run_sql(
        canary_ws,
        "SELECT doc_id, decision, reasons, evidence, source FROM ledger "
        "WHERE stage = 'tokenize' AND step = 'canary' ORDER BY seq",
    )
    canaries = read_canaries(canary_ws / "audit" / CANARY_FILE)
    assert [(r[0], r[1], list(r[2])) for r in rows] == [(c.doc_id, "allow", ["canary"]) for c in canaries]
    assert [json.loads(r[3]) for r in rows] == [
        {"repeats": 1, "canary_index": 0},
        {"repeats": 20, "canary_index": 1},
    ]
    _, everything = run_sql(canary_ws, "SELECT evidence, source, step FROM ledger")
    for c in canaries:
        assert not any(c.secret.strip() in " ".join(map(str, row)) for row in everything)
    Ledger(canary_ws / "ledger").verify()


def test_canaries_pass_the_door_and_a_rerun_changes_nothing(canary_ws: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(canary_ws, ws)
    assert check_tokens(ws)["splits"]["train"]["copies"] > 21
    head = Ledger(ws / "ledger").head()
    manifest = (ws / "tokens" / "manifest.json").read_bytes()
    run_stages(make_config(canary_ws.parent / "corpus", *SETTINGS), ws, ["tokenize"])
    assert Ledger(ws / "ledger").head() == head
    assert (ws / "tokens" / "manifest.json").read_bytes() == manifest


def _forge_index_row(ws: Path, doc_id: str, sha: str) -> None:
    """Turn the first index row into `doc_id` in group canary, and re-seal the manifest."""
    index_path = ws / "tokens" / "index.parquet"
    table = pq.read_table(index_path)
    rows = table.to_pylist()
    rows[0].update(doc_id=doc_id, content_sha256=sha, group="canary")
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), index_path)
    manifest_path = ws / "tokens" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["index_sha256"] = file_sha256(index_path)
    manifest_path.write_text(json.dumps(manifest))


def test_a_denied_document_dressed_as_a_canary_is_refused(canary_ws: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(canary_ws, ws)
    _, denied = run_sql(
        ws, "SELECT doc_id, content_sha256, source FROM ledger WHERE stage='clear' AND decision='deny'"
    )
    doc_id, sha, source = denied[0]
    _forge_index_row(ws, doc_id, sha)
    with pytest.raises(DoorRefused) as err:
        check_tokens(ws)
    assert {v.kind for v in err.value.violations if v.subject.startswith(doc_id)} >= {"not-cleared"}
    # Even with a forged canary event in the ledger: it was ingested, so it is no canary.
    event = make_event(
        run_id="forger", stage="tokenize", step="canary", doc_id=doc_id, source=source,
        content_sha256=sha, decision="allow", reasons=["canary"], evidence={},
    )  # fmt: skip
    Ledger(ws / "ledger").append("forged", pa.Table.from_pylist([event], schema=EVENT_SCHEMA))
    with pytest.raises(DoorRefused) as err:
        check_tokens(ws)
    assert "not-cleared" in {v.kind for v in err.value.violations if v.subject.startswith(doc_id)}


def test_settings_without_canaries_are_unchanged_and_bad_counts_are_refused(tmp_path: Path) -> None:
    plain = tokenize_settings(load_config(None, []))
    assert "canaries" not in plain and "canary_tokens" not in plain
    planted = tokenize_settings(load_config(None, ["tokenize.canaries=1,20"]))
    assert planted["canaries"] == [1, 20] and planted["canary_tokens"] == 12
    with pytest.raises(ConfigError, match="at least 1"):
        tokenize_settings(load_config(None, ["tokenize.canaries=0"]))
    with pytest.raises(ConfigError, match="canary_tokens"):
        tokenize_settings(load_config(None, ["tokenize.canaries=1", "tokenize.canary_tokens=0"]))


def test_no_canaries_no_canary_files(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run_stages(make_config(make_audit_corpus(tmp_path)), ws, ["ingest", "clear", "curate", "tokenize"])
    assert not (ws / "audit" / CANARY_FILE).exists()
    assert not (ws / "stages" / "tokenize" / "tokens" / "canary.parquet").exists()
    settings = json.loads((ws / "stages" / "tokenize" / "settings.json").read_text())
    assert "canaries" not in settings
