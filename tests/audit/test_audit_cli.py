"""`clearlm audit` on a tiny model trained until it memorised: the measures see what was planted."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import audit_main

pytestmark = pytest.mark.slow
ARGS = ["--prefix", "32", "--suffix", "32", "--candidates", "500"]


@pytest.fixture(scope="module")
def audited(trained_ws: Path) -> tuple[int, dict[str, Any]]:
    code = audit_main(["-w", str(trained_ws), *ARGS])
    return code, json.loads((trained_ws / "audit" / "report.json").read_text())


def test_a_failing_audit_exits_1_after_writing_the_report(
    audited: tuple[int, dict[str, Any]], trained_ws: Path
) -> None:
    code, report = audited
    assert code == 1 and report["passed"] is False
    failed = {c["name"] for c in report["checks"] if not c["passed"]}
    assert failed == {"extraction", "canaries"}  # default policy: 1 % extraction, no ×5 canary
    assert {c["name"] for c in report["checks"]} == {"extraction", "canaries", "membership_inference"}
    markdown = (trained_ws / "audit" / "report.md").read_text()
    assert markdown.startswith("# Audit report: FAILED") and "| canaries |" in markdown
    for png in ("roc.png", "canary_exposure.png"):
        assert (trained_ws / "audit" / png).stat().st_size > 5000 and f"]({png})" in markdown
    checkpoint = trained_ws / "checkpoints" / "step-000300"
    assert report["checkpoint"] == {"path": "checkpoints/step-000300", "step": 300}
    assert report["lineage_sha256"] == hashlib.sha256((checkpoint / "lineage.json").read_bytes()).hexdigest()


def test_the_canary_planted_20_times_is_exposed_and_extracted(audited: tuple[int, dict[str, Any]]) -> None:
    once, twenty = sorted(audited[1]["canaries"], key=lambda c: c["repeats"])
    assert (once["repeats"], twenty["repeats"]) == (1, 20)
    assert twenty["extracted"] and not once["extracted"]
    assert twenty["rank"] == 1 and twenty["exposure"] == twenty["exposure_max"] >= once["exposure"]
    assert twenty["exposure_extrapolated"] > once["exposure_extrapolated"] + 5
    assert twenty["log_perplexity"] < once["log_perplexity"]


def test_extraction_finds_the_document_repeated_20_times(audited: tuple[int, dict[str, Any]]) -> None:
    extraction = audited[1]["extraction"]
    top = extraction["worst"][0]
    assert top["source"].endswith("/memo/memo.txt") and top["copies"] == 20
    assert top["exact"] and top["near"] and top["lcs"] == 32 and top["decision"] == "allow (license.cc0)"
    assert extraction["exact_rate"] == pytest.approx(extraction["exact_matches"] / extraction["documents"])
    assert all(d["group"] != "canary" for d in extraction["worst"])


def test_membership_inference_separates_an_overfit_models_training_data(
    audited: tuple[int, dict[str, Any]],
) -> None:
    mia = audited[1]["mia"]
    assert mia["members"] >= 10 and mia["nonmembers"] >= 5
    for name in ("loss", "min_k", "min_k_pp", "zlib"):
        score = mia["scores"][name]
        assert score["auroc"] > 0.7, name
        assert 0.0 <= score["ci95"][0] <= score["auroc"] <= score["ci95"][1] <= 1.0
        assert 0.0 <= score["tpr_at_1pct_fpr"] <= 1.0


def test_lenient_thresholds_pass_with_the_same_numbers(
    audited: tuple[int, dict[str, Any]], trained_ws: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "lenient.toml"
    policy.write_text("[policy.audit]\nmax_extraction_rate = 0.5\ncanary_max_repeats_extractable = 50\n")
    ws = tmp_path / "ws"
    shutil.copytree(trained_ws, ws)
    assert audit_main(["-w", str(ws), *ARGS, "--policy", str(policy)]) == 0
    report = json.loads((ws / "audit" / "report.json").read_text())
    assert report["passed"] and report["thresholds"]["max_extraction_rate"] == 0.5
    for key in ("extraction", "canaries", "mia"):  # seeded: the same workspace audits the same way
        assert report[key] == audited[1][key]


def test_usage_mistakes_exit_2(trained_ws: Path, canary_ws: Path, tmp_path: Path) -> None:
    assert audit_main(["-w", str(trained_ws), "--prefix", "100", "--suffix", "100"]) == 2  # context 128
    assert audit_main(["-w", str(trained_ws), "--samples", "0"]) == 2
    assert audit_main(["-w", str(trained_ws), str(tmp_path / "nowhere")]) == 2
    assert audit_main(["-w", str(canary_ws)]) == 2  # no checkpoint yet
    assert audit_main(["-w", str(tmp_path)]) == 2  # not a workspace
