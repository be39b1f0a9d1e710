"""The audit as a `clearlm run` stage: reuses a report that covers the latest checkpoint, fails the run
when the audit fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clearlm.errors import CheckFailed
from clearlm.runner import run_stages
from clearlm.workspace import Workspace
from tests.release.conftest import audited_ws, fresh_ws  # noqa: F401


def test_a_report_for_the_latest_checkpoint_is_reused(fresh_ws: Path) -> None:  # noqa: F811
    before = (fresh_ws / "audit" / "report.json").read_bytes()
    [result] = run_stages(Workspace.open(fresh_ws).load_config(), fresh_ws, ["audit"])
    assert result.skipped and result.stats["passed"] is True
    assert (fresh_ws / "audit" / "report.json").read_bytes() == before


@pytest.mark.slow
def test_a_stale_report_is_redone_and_a_failing_audit_stops_the_run(fresh_ws: Path) -> None:  # noqa: F811
    report = json.loads((fresh_ws / "audit" / "report.json").read_text())
    report["lineage_sha256"] = "0" * 64  # made for other lineage bytes: must not be trusted
    (fresh_ws / "audit" / "report.json").write_text(json.dumps(report))
    policy = fresh_ws.parent / "strict.toml"
    policy.write_text("[policy]\nname = 'strict'\n[policy.audit]\nmax_mia_auroc = 0.0\n")
    config = Workspace.open(fresh_ws).load_config()
    config.clear.policy = str(policy)
    with pytest.raises(CheckFailed, match="audit failed: membership_inference"):
        run_stages(config, fresh_ws, ["audit"])
    redone = json.loads((fresh_ws / "audit" / "report.json").read_text())
    assert redone["lineage_sha256"] != "0" * 64 and redone["passed"] is False
