"""`clearlm release` and `clearlm verify-release` through the command line: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clearlm.cli import main


def test_release_then_verify_then_tamper(fresh_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = fresh_ws.parent / "published"
    assert main(["release", "-w", str(fresh_ws), "-o", str(out), "--as-of", "2026-01-15"]) == 0
    printed = capsys.readouterr().out
    for expected in ("model.safetensors", "tiny-clear.gguf", "SHA256SUMS", "digest:   sha256:", "licence:"):
        assert expected in printed
    assert json.loads((out / "release.json").read_text())["gate"]["as_of"] == "2026-01-15"

    assert main(["verify-release", str(out), "--public-key", str(out / "release.pub")]) == 0
    assert "release OK: tiny-clear" in capsys.readouterr().out

    (out / "LICENSE").write_text("All rights reserved.\n")
    (out / "extra.bin").write_bytes(b"\0")
    assert main(["verify-release", str(out)]) == 1
    err = capsys.readouterr().err
    assert "verify-release found 3 problem(s)" in err
    assert "LICENSE does not state the licence README.md declares" in err
    assert "LICENSE: SHA-256 differs from SHA256SUMS" in err
    assert "extra.bin: present but not listed in SHA256SUMS" in err


def test_refused_release_lists_violations_and_writes_nothing(
    fresh_ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = fresh_ws / "audit" / "report.json"
    audit = json.loads(report.read_text())
    audit["checkpoint"]["path"] = "checkpoints/step-000030"
    report.write_text(json.dumps(audit))
    out = fresh_ws.parent / "published"
    assert main(["release", "-w", str(fresh_ws), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "release refused" in err and "audit-stale" in err
    assert "Traceback" not in err
    assert not out.exists() and not (fresh_ws / "release").exists()


def test_usage_mistakes_exit_2(fresh_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["release", "-w", str(fresh_ws), "--as-of", "15/01/2026"]) == 2
    assert "is not an ISO date" in capsys.readouterr().err
    assert main(["release", "-w", str(tmp_path / "nowhere")]) == 2
    assert "not a clearlm workspace" in capsys.readouterr().err
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "thesis.tex").write_text("mine")
    assert main(["release", "-w", str(fresh_ws), "-o", str(taken)]) == 2
    assert "exists and is not a clearlm release" in capsys.readouterr().err
    assert main(["verify-release", str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main(["verify-release", str(tmp_path), "--public-key", str(tmp_path / "none.pem")]) == 2
    assert "public key not found" in capsys.readouterr().err
