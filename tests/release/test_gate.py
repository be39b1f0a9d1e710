"""The release gate: a trained, audited workspace passes; each kind of violation made real refuses it.

Every test edits a private copy of a real trained and audited workspace (`fresh_ws`): ledger events
appended through `Ledger.append`, bytes changed on disk, a registry and contracts named by a policy.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import tomli_w

from clearlm.clear.registry import add_works
from clearlm.errors import CheckFailed, ConfigError, WorkspaceError
from clearlm.files import file_sha256
from clearlm.ledger import Ledger
from clearlm.ledger.events import EVENT_SCHEMA, make_event
from clearlm.ledger.query import run_sql
from clearlm.release.gate import GateRefused, GateReport, check_release, run_gate
from clearlm.train.door import Violation


def _docs(ws: Path, split: str) -> list[dict[str, Any]]:
    """Documents of one split that came from clearance (not canaries), one row each."""
    rows = pq.read_table(ws / "tokens" / "index.parquet").to_pylist()
    found = {r["doc_id"]: r for r in rows if r["split"] == split and r["group"] != "canary"}
    return [found[k] for k in sorted(found)]


def _append(ws: Path, key: str, doc: dict[str, Any], stage: str, decision: str, reasons: list[str]) -> None:
    event = make_event(
        run_id="test", stage=stage, step="test", doc_id=doc["doc_id"], source=doc["source"],
        content_sha256=doc["content_sha256"], decision=decision, reasons=reasons, evidence={"by": "test"},
    )  # fmt: skip
    Ledger(ws / "ledger").append(key, pa.Table.from_pylist([event], schema=EVENT_SCHEMA))


def _use_policy(ws: Path, body: str) -> None:
    """Write a policy file beside the workspace and make it the run's `[clear] policy`."""
    policy = ws.parent / "policy.toml"
    policy.write_text(f"[policy]\n{body}", encoding="utf-8")
    _edit_config(ws, "clear", "policy", str(policy))


def _edit_config(ws: Path, table: str, key: str, value: str) -> None:
    path = ws / "clearlm.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    config[table][key] = value
    path.write_text(tomli_w.dumps(config), encoding="utf-8")


def _edit_json(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _kinds(report: GateReport) -> set[str]:
    return {v.kind for v in report.violations}


def test_a_trained_and_audited_checkpoint_passes(fresh_ws: Path) -> None:
    report = check_release(fresh_ws)
    assert report.ok and report.violations == []
    assert report.checkpoint == (fresh_ws / "checkpoints" / "step-000060").resolve()
    assert report.audit is not None and report.audit["passed"] is True
    assert report.lineage["step"] == 60 and report.manifest["splits"]["train"]["docs"] > 0
    docs = report.trained_docs.to_pylist()
    index = pq.read_table(fresh_ws / "tokens" / "index.parquet").to_pylist()
    train_rows = [r for r in index if r["split"] == "train"]
    # One row per trained document, its tokens summed over every placed copy (repeats included).
    assert sorted(d["doc_id"] for d in docs) == sorted({r["doc_id"] for r in train_rows})
    assert sum(d["tokens"] for d in docs) == report.manifest["splits"]["train"]["tokens"]
    canaries = [d for d in docs if d["canary"]]
    assert len(canaries) == 2 and all(d["group"] == "canary" for d in canaries)
    repeated = max(canaries, key=lambda d: d["tokens"])
    assert repeated["tokens"] == sum(r["length"] for r in train_rows if r["doc_id"] == repeated["doc_id"])
    assert not {d["doc_id"] for d in docs} & {d["doc_id"] for d in _docs(fresh_ws, "heldout")}


def test_a_revoked_trained_document_is_refused_but_a_revoked_heldout_one_is_not(fresh_ws: Path) -> None:
    _append(fresh_ws, "revoke-heldout", _docs(fresh_ws, "heldout")[0], "revoke", "deny", ["revoked"])
    assert run_gate(fresh_ws).ok, "the checkpoint never trained on a held-out document"
    trained = _docs(fresh_ws, "train")[0]
    _append(fresh_ws, "revoke-trained", trained, "revoke", "deny", ["revoked"])
    report = run_gate(fresh_ws)
    assert [(v.kind, v.subject.split()[0]) for v in report.violations] == [("revoked", trained["doc_id"])]


@pytest.mark.parametrize(
    ("stage", "decision", "reasons", "kind"),
    [
        ("clear", "deny", ["optout.tdmrep"], "not-cleared"),  # cleared again after training, now denied
        ("curate", "drop", ["dedup.exact"], "not-kept"),
        ("tokenize", "drop", ["test.dropped"], "not-tokenized"),
    ],
)
def test_a_ledger_decision_against_a_trained_document_is_refused(
    fresh_ws: Path, stage: str, decision: str, reasons: list[str], kind: str
) -> None:
    doc = _docs(fresh_ws, "train")[1]
    _append(fresh_ws, f"later-{stage}", doc, stage, decision, reasons)
    report = run_gate(fresh_ws)
    assert [(v.kind, v.subject.split()[0]) for v in report.violations] == [(kind, doc["doc_id"])]


def test_a_forged_index_is_refused_as_changed_text_and_broken_lineage(fresh_ws: Path) -> None:
    """The index says a document's text has other bytes; the manifest is re-sealed to hide it."""
    index_path = fresh_ws / "tokens" / "index.parquet"
    table = pq.read_table(index_path)
    rows = table.to_pylist()
    row = next(r for r in rows if r["split"] == "train" and r["group"] != "canary")
    row["content_sha256"] = "0" * 64
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), index_path)
    _edit_json(
        fresh_ws / "tokens" / "manifest.json", lambda m: m.update(index_sha256=file_sha256(index_path))
    )
    report = run_gate(fresh_ws)
    assert _kinds(report) == {"changed", "lineage"}
    lineage = {v.subject for v in report.violations if v.kind == "lineage"}
    assert lineage == {"tokens/manifest.json", "tokens/index.parquet"}


def test_a_changed_shard_byte_is_refused(fresh_ws: Path) -> None:
    shard = fresh_ws / "tokens" / "shard-00000.bin"
    data = bytearray(shard.read_bytes())
    data[10] ^= 1
    shard.write_bytes(bytes(data))
    report = run_gate(fresh_ws)
    assert [(v.kind, v.subject) for v in report.violations] == [("hash", "shard-00000.bin")]


def test_a_tampered_ledger_is_refused(fresh_ws: Path) -> None:
    segment = next(p for _, key, p in Ledger(fresh_ws / "ledger").segments() if key.startswith("clear"))
    table = pq.read_table(segment)
    rows = table.to_pylist()
    rows[0]["evidence"] = json.dumps({"note": "edited by hand"})
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), segment)
    report = run_gate(fresh_ws)
    assert _kinds(report) == {"ledger"}
    assert "edited" in report.violations[0].detail


def test_a_checkpoint_without_lineage_is_refused(fresh_ws: Path) -> None:
    (fresh_ws / "checkpoints" / "step-000060" / "lineage.json").unlink()
    report = run_gate(fresh_ws)
    assert _kinds(report) == {"lineage", "audit-stale"}
    assert any("missing" in v.detail for v in report.violations if v.kind == "lineage")


def _shift_group_tokens(lineage: dict[str, Any]) -> None:
    groups = lineage["tokens_by_group"]
    first, second = sorted(groups)[:2]
    groups[first] -= 64
    groups[second] += 64


@pytest.mark.parametrize(
    ("change", "subject"),
    [
        (_shift_group_tokens, "tokens by group"),
        (lambda d: d["tokens_by_license"].update({"MIT": 1}), "tokens by licence"),
        (lambda d: d.update(tokens_seen=d["tokens_seen"] + 1), "tokens_seen"),
        (lambda d: d["ledger_head"].update(row_hash="f" * 64), "ledger"),
        (lambda d: d["tokens"].update(tokenizer_sha256="e" * 64), "tokens/tokenizer.json"),
        (lambda d: d["tokens"]["shards"][-1].update(sha256="d" * 64), "tokens/shard-{last}.bin"),
        (lambda d: d.update(step=59), "step-000060"),
    ],
)
def test_lineage_that_does_not_match_the_workspace_is_refused(
    fresh_ws: Path, change: Any, subject: str
) -> None:
    """Each edit of lineage.json is re-sealed in the audit report, so only the lineage check objects."""
    lineage = fresh_ws / "checkpoints" / "step-000060" / "lineage.json"
    _edit_json(lineage, change)
    digest = hashlib.sha256(lineage.read_bytes()).hexdigest()
    _edit_json(fresh_ws / "audit" / "report.json", lambda r: r.update(lineage_sha256=digest))
    report = run_gate(fresh_ws)
    assert _kinds(report) == {"lineage"}
    last = json.loads(lineage.read_text(encoding="utf-8"))["tokens"]["shards"][-1]["file"]
    assert subject.replace("shard-{last}.bin", last) in {v.subject for v in report.violations}


def test_a_work_registered_after_training_blocks_the_release(fresh_ws: Path) -> None:
    registry = fresh_ws.parent / "registry"
    _use_policy(fresh_ws, f'registry_path = "{registry}"\nregistry_min_words = 60\n')
    assert run_gate(fresh_ws).ok, "an empty registry protects nothing"
    doc = next(d for d in _docs(fresh_ws, "train") if "/books/" in d["source"])
    _, rows = run_sql(fresh_ws, "SELECT text FROM curate WHERE doc_id = ?", [doc["doc_id"]])
    work = fresh_ws.parent / "novel.txt"
    work.write_text(rows[0][0], encoding="utf-8")
    add_works(registry, [work], holder="A. Author")
    report = run_gate(fresh_ws)
    assert _kinds(report) == {"registry"}
    hit = next(v for v in report.violations if v.subject.startswith(doc["doc_id"]))
    assert "novel.txt" in hit.detail and "A. Author" in hit.detail


CONTRACTS = """
[[contract]]
id = "harbour-press"
licensor = "Harbour Press Ltd"
scope = ["file://*/licensed/*"]
uses = ["train", "commercial"]
start = 2024-01-01
end = 2024-12-31
"""


def _contract_workspace(ws: Path, contract_id: str) -> dict[str, Any]:
    """A trained document whose latest clearance allows it by `contract.<id>`.

    Shortcut: rather than a second corpus with licensed sources, a later `clear` event is appended
    through Ledger.append (what re-clearing under a contracts policy records); the gate reads the
    latest decision, as the training door does.
    """
    contracts = ws.parent / "contracts.toml"
    contracts.write_text(CONTRACTS, encoding="utf-8")
    _use_policy(ws, f'contracts_path = "{contracts}"\n')
    doc = _docs(ws, "train")[2]
    _append(ws, "clear-contract", doc, "clear", "allow", [f"contract.{contract_id}"])
    return doc


def test_a_contract_that_has_ended_or_not_started_blocks_the_release(fresh_ws: Path) -> None:
    doc = _contract_workspace(fresh_ws, "harbour-press")
    assert run_gate(fresh_ws, as_of=date(2024, 6, 1)).ok
    ended = run_gate(fresh_ws, as_of=date(2025, 1, 1))
    assert [(v.kind, v.subject.split()[0]) for v in ended.violations] == [("contract-expired", doc["doc_id"])]
    assert "ended 2024-12-31" in ended.violations[0].detail
    early = run_gate(fresh_ws, as_of=date(2023, 12, 31))
    assert _kinds(early) == {"contract-expired"} and "starts 2024-01-01" in early.violations[0].detail


def test_the_release_date_comes_from_the_config_else_today(fresh_ws: Path) -> None:
    _contract_workspace(fresh_ws, "harbour-press")
    report = run_gate(fresh_ws)
    assert report.as_of == date.today() and _kinds(report) == {"contract-expired"}
    _edit_config(fresh_ws, "release", "as_of", "2024-03-01")
    assert run_gate(fresh_ws).as_of == date(2024, 3, 1) and run_gate(fresh_ws).ok
    _edit_config(fresh_ws, "release", "as_of", "March 2024")
    with pytest.raises(ConfigError, match=r"release\.as_of"):
        run_gate(fresh_ws)


def test_a_contract_gone_from_the_file_blocks_the_release(fresh_ws: Path) -> None:
    doc = _contract_workspace(fresh_ws, "tidewater-archive")
    report = run_gate(fresh_ws, as_of=date(2024, 6, 1))
    assert [(v.kind, v.subject.split()[0]) for v in report.violations] == [
        ("contract-missing", doc["doc_id"])
    ]
    assert "contract.tidewater-archive" in report.violations[0].detail


def test_a_missing_audit_is_refused(fresh_ws: Path) -> None:
    (fresh_ws / "audit" / "report.json").unlink()
    report = run_gate(fresh_ws)
    assert _kinds(report) == {"audit-missing"} and report.audit is None


def test_a_failed_audit_is_refused_naming_the_failing_check(fresh_ws: Path) -> None:
    def fail_extraction(report: dict[str, Any]) -> None:
        report["passed"] = False
        for check in report["checks"]:
            check["passed"] = check["name"] != "extraction"

    _edit_json(fresh_ws / "audit" / "report.json", fail_extraction)
    report = run_gate(fresh_ws)
    assert [(v.kind, v.subject) for v in report.violations] == [("audit-failed", "audit check extraction")]


def test_an_audit_of_other_weights_is_stale(fresh_ws: Path) -> None:
    """The audit was of step 60; releasing step 30 needs its own audit."""
    report = run_gate(fresh_ws, Path("checkpoints/step-000030"))
    assert report.checkpoint.name == "step-000030" and report.lineage["step"] == 30
    assert [v.kind for v in report.violations] == ["audit-stale", "audit-stale"]


def test_every_violation_is_collected_and_listed_one_per_line(fresh_ws: Path) -> None:
    trained = _docs(fresh_ws, "train")[0]
    _append(fresh_ws, "revoke-one", trained, "revoke", "deny", ["revoked"])
    (fresh_ws / "tokens" / "shard-00001.bin").write_bytes(b"\0\0\0\0")
    (fresh_ws / "audit" / "report.json").unlink()
    with pytest.raises(GateRefused) as err:
        check_release(fresh_ws)
    assert err.value.exit_code == 1 and isinstance(err.value, CheckFailed)
    assert {"revoked", "hash", "audit-missing"} <= err.value.report.kinds()
    lines = str(err.value).splitlines()
    assert len(lines) == 1 + len(err.value.report.violations)
    assert any(line.strip().startswith(f"revoked: {trained['doc_id']}") for line in lines)


def test_the_refusal_names_fifty_violations_then_counts_the_rest(tmp_path: Path) -> None:
    violations = [Violation("revoked", f"doc{i:03d} file:///x", "revoked ['revoked']") for i in range(63)]
    report = GateReport(tmp_path, {}, {}, None, violations, pa.table({"doc_id": []}), date(2025, 1, 1))
    lines = str(GateRefused(report)).splitlines()
    assert len(lines) == 1 + 50 + 1 and lines[-1].strip() == "… and 13 more"
    assert lines[50].strip().startswith("revoked: doc049") and GateRefused(report).report is report


def test_unusable_input_is_a_usage_error(fresh_ws: Path, tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="checkpoint folder not found"):
        run_gate(fresh_ws, Path("step-999999"))
    with pytest.raises(WorkspaceError, match="not a clearlm workspace"):
        run_gate(tmp_path / "nowhere")
    (fresh_ws / "tokens" / "manifest.json").unlink()
    with pytest.raises(WorkspaceError, match=r"manifest\.json"):
        run_gate(fresh_ws)
