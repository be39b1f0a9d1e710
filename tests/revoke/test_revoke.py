"""`clearlm revoke`: named documents, a holder's registered works, the whole registry; then refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clearlm.cli import main
from clearlm.ledger import Ledger
from clearlm.ledger.query import run_sql
from clearlm.workspace import Workspace
from tests.revoke.conftest import ledger_rows, trained_doc_ids


def curated_text(ws: Path, doc_id: str) -> str:
    _, rows = run_sql(ws, "SELECT text FROM curate WHERE doc_id = ?", [doc_id])
    return str(rows[0][0])


def register_work(ws: Path, tmp_path: Path, doc_id: str, holder: str) -> Path:
    """Register the document's own text as `holder`'s work; returns a policy naming that registry."""
    work = tmp_path / f"work-{doc_id[:8]}.txt"
    work.write_text(curated_text(ws, doc_id), encoding="utf-8")
    assert main(["registry", "add", str(work), "--holder", holder, "--registry", str(tmp_path / "reg")]) == 0
    policy = tmp_path / "policy.toml"
    # The fixture's documents are short (~120 words), so the excerpt threshold is lowered to 40 words.
    policy.write_text('[policy]\nregistry_path = "reg"\nregistry_min_words = 40\n', encoding="utf-8")
    return policy


def segments(ws: Path) -> int:
    return len(Ledger(ws / "ledger").segments())


def test_revoke_named_documents_once(fresh_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = trained_doc_ids(fresh_ws)[:2]
    ws = str(fresh_ws)
    before = segments(fresh_ws)
    assert main(["revoke", "-w", ws, a, b, "--note", "asked by e-mail", "--by", "Jane Roe"]) == 0
    out = capsys.readouterr().out
    assert "revoked 2 documents" in out and a in out and "clearlm ledger affected" in out
    rows = ledger_rows(fresh_ws, "revoke")
    assert [r["doc_id"] for r in rows] == [a, b]
    for row in rows:
        assert (row["step"], row["decision"], row["reasons"]) == ("doc", "deny", ["revoked"])
        evidence = json.loads(str(row["evidence"]))
        assert evidence == {
            "note": "asked by e-mail",
            "requested_by": "Jane Roe",
            "scope": "doc ids named on the command line",
        }
    assert segments(fresh_ws) == before + 1
    assert main(["ledger", "verify", "-w", ws]) == 0
    # Again: nothing new is recorded, and the command says so.
    assert main(["revoke", "-w", ws, a]) == 0
    assert "already revoked" in capsys.readouterr().out
    assert segments(fresh_ws) == before + 1


def test_unknown_or_ambiguous_requests_exit_2(fresh_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (a,) = trained_doc_ids(fresh_ws)[:1]
    ws = str(fresh_ws)
    assert main(["revoke", "-w", ws, a, "no-such-doc"]) == 2
    assert "no-such-doc" in capsys.readouterr().err
    assert main(["revoke", "-w", ws]) == 2
    assert main(["revoke", "-w", ws, a, "--registry"]) == 2
    assert main(["revoke", "-w", ws, "--holder", "Jane", "--registry"]) == 2
    assert main(["revoke", "-w", str(fresh_ws / "nope"), a]) == 2
    assert ledger_rows(fresh_ws, "revoke") == []


def test_dry_run_records_nothing(fresh_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (a,) = trained_doc_ids(fresh_ws)[:1]
    before = segments(fresh_ws)
    assert main(["revoke", "-w", str(fresh_ws), a, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would revoke 1" in out and a in out and "nothing recorded" in out
    assert segments(fresh_ws) == before


def test_training_door_and_release_gate_refuse_revoked(
    fresh_ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (a,) = trained_doc_ids(fresh_ws)[:1]
    assert main(["revoke", "-w", str(fresh_ws), a]) == 0
    capsys.readouterr()
    assert main(["train", "-w", str(fresh_ws)]) == 1
    err = capsys.readouterr().err
    assert "revoked" in err and a in err
    from clearlm.release.gate import run_gate

    report = run_gate(fresh_ws)
    assert not report.ok
    assert any(v.kind == "revoked" and a in v.subject for v in report.violations)


def test_holder_revokes_allowed_documents_quoting_their_works(
    fresh_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = trained_doc_ids(fresh_ws, group="%/books")[0]
    policy = register_work(fresh_ws, tmp_path, target, "Jane Roe")
    ws = str(fresh_ws)
    assert main(["revoke", "-w", ws, "--holder", "Someone Else", "--policy", str(policy)]) == 2
    assert "has no registered works (registered holders: Jane Roe)" in capsys.readouterr().err
    assert main(["revoke", "-w", ws, "--holder", "jane roe", "--policy", str(policy), "--dry-run"]) == 0
    assert target in capsys.readouterr().out and ledger_rows(fresh_ws, "revoke") == []
    assert main(["revoke", "-w", ws, "--holder", "Jane Roe", "--policy", str(policy), "--note", "form"]) == 0
    rows = ledger_rows(fresh_ws, "revoke")
    assert [r["doc_id"] for r in rows] == [target]
    assert (rows[0]["step"], rows[0]["reasons"]) == ("holder", ["revoked", "registry.match"])
    evidence = json.loads(str(rows[0]["evidence"]))
    assert evidence["holder"] == "Jane Roe" and evidence["work_id"].startswith("w")
    assert evidence["matched_words"] >= 40 and evidence["scope"] == "holder Jane Roe"
    assert evidence["title"] == f"work-{target[:8]}.txt" and evidence["note"] == "form"


def test_registry_uses_the_workspace_policy(fresh_ws: Path, tmp_path: Path) -> None:
    target = trained_doc_ids(fresh_ws, group="%/web")[0]
    policy = register_work(fresh_ws, tmp_path, target, "Pellmont Press")
    ws = Workspace.open(fresh_ws)
    config = ws.load_config()
    config.clear.policy = str(policy)
    ws.config_path.write_text(config.to_toml(), encoding="utf-8")
    assert main(["revoke", "-w", str(fresh_ws), "--registry"]) == 0
    rows = ledger_rows(fresh_ws, "revoke")
    assert [(r["doc_id"], r["step"]) for r in rows] == [(target, "registry")]
    assert main(["revoke", "-w", str(fresh_ws), "--registry"]) == 0
    assert len(ledger_rows(fresh_ws, "revoke")) == 1


def test_registry_without_works_or_policy_registry_exits_2(
    fresh_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["revoke", "-w", str(fresh_ws), "--registry"]) == 2
    assert "names no protected-works registry" in capsys.readouterr().err
    empty = tmp_path / "empty.toml"
    empty.write_text('[policy]\nregistry_path = "nothing-here"\n', encoding="utf-8")
    assert main(["revoke", "-w", str(fresh_ws), "--holder", "Jane", "--policy", str(empty)]) == 2
    assert "holder 'Jane' has no registered works" in capsys.readouterr().err
