"""Clearance from the command line: scan, clear, policy show, registry add."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROSE = (
    "The harbour wall was built of granite blocks hauled down from the quarry above the town, and for "
    "a century it kept the winter seas out of the fishing fleet's moorings. "
)


def clearlm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250"}  # wide tables, so assertions do not depend on wrapping
    return subprocess.run(
        [sys.executable, "-m", "clearlm.cli", *args], capture_output=True, text=True, cwd=cwd, env=env
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "cc-by.md").write_text("# Notes\n\n" + PROSE * 3 + "\n\nSPDX-License-Identifier: CC-BY-4.0\n")
    (src / "nc.txt").write_text(PROSE * 3 + "\nThis work is licensed under CC BY-NC 4.0.\n")
    (src / "silent.txt").write_text(PROSE * 3)
    (src / "Harbour Walls - A. Writer (z-lib.org).txt").write_text(PROSE * 3 + "\nCC0 1.0 Universal\n")
    (src / "empty.txt").write_text("")
    return src


def _scan(*args: str) -> dict[str, dict[str, object]]:
    result = clearlm("scan", *args, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return {Path(str(r["source"])).name: r for r in rows}


def test_scan_jsonl_contract(folder: Path) -> None:
    rows = _scan(str(folder))
    assert (
        set(rows)
        == {
            "cc-by.md",
            "nc.txt",
            "silent.txt",
            "Harbour%20Walls%20-%20A.%20Writer%20%28z-lib.org%29.txt",
            "empty.txt",
        }
        or len(rows) == 5
    )
    for row in rows.values():
        assert {"doc_id", "source", "decision", "reasons", "license", "evidence"} <= set(row)
        assert row["decision"] in ("allow", "deny", "review")
    by_name = {k.replace("%20", " ").replace("%28", "(").replace("%29", ")"): v for k, v in rows.items()}
    assert by_name["cc-by.md"]["decision"] == "allow" and by_name["cc-by.md"]["license"] == "CC-BY-4.0"
    assert by_name["nc.txt"]["reasons"] == ["license.non-commercial"]
    assert by_name["silent.txt"]["reasons"] == ["license.unknown"]
    assert "piracy.shadow-library" in by_name["Harbour Walls - A. Writer (z-lib.org).txt"]["reasons"]
    assert by_name["empty.txt"]["reasons"] == ["input.empty"]


def test_research_policy_allows_non_commercial(folder: Path) -> None:
    rows = _scan(str(folder / "nc.txt"), "--policy", str(ROOT / "policies" / "research.toml"))
    assert rows["nc.txt"]["decision"] == "allow"


def test_registry_add_then_scan_denies_the_excerpt(tmp_path: Path) -> None:
    work = ROOT / "examples" / "protected" / "the-lighthouse-keepers-ledger.txt"
    added = clearlm(
        "registry", "add", str(work), "--holder", "Pellmont Vane Press", "--registry", str(tmp_path / "r")
    )
    assert added.returncode == 0, added.stderr
    listing = clearlm("registry", "list", "--registry", str(tmp_path / "r"))
    assert "Pellmont Vane Press" in listing.stdout
    review = ROOT / "examples" / "corpus" / "books" / "review-the-lighthouse-keepers-ledger.txt"
    rows = _scan(str(review), "--registry", str(tmp_path / "r"))
    row = next(iter(rows.values()))
    assert row["decision"] == "deny" and "registry.match" in row["reasons"]


def test_policy_show_and_bad_policy(tmp_path: Path) -> None:
    shown = clearlm("policy", "show")
    assert shown.returncode == 0
    policy = tomllib.loads(shown.stdout)["policy"]
    assert policy["release"] == "commercial" and policy["allow_non_commercial"] is False
    bad = tmp_path / "p.toml"
    bad.write_text("[policy]\nallow_licences = ['MIT']\n")
    result = clearlm("policy", "show", "--policy", str(bad))
    assert result.returncode == 2 and "unknown key 'policy.allow_licences'" in result.stderr
    result = clearlm("scan", str(tmp_path), "--policy", str(tmp_path / "missing.toml"))
    assert result.returncode == 2 and "missing.toml: policy file not found" in result.stderr


def test_clear_stage_writes_ledger_and_output(folder: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert clearlm("ingest", str(folder), "-w", str(ws), "--set", "executor.progress=false").returncode == 0
    result = clearlm("clear", "-w", str(ws), "--set", "executor.progress=false")
    assert result.returncode == 0, result.stderr
    out = clearlm(
        "ledger",
        "sql",
        "-w",
        str(ws),
        "--format",
        "json",
        "SELECT file_name, json_extract_string(meta, '$.license') AS license FROM clear",
    )
    assert json.loads(out.stdout) == [{"file_name": "cc-by.md", "license": "CC-BY-4.0"}]
    counts = clearlm(
        "ledger",
        "sql",
        "-w",
        str(ws),
        "--format",
        "json",
        "SELECT decision, count(*) AS n FROM ledger WHERE stage = 'clear' GROUP BY ALL ORDER BY 1",
    )
    assert json.loads(counts.stdout) == [{"decision": "allow", "n": 1}, {"decision": "deny", "n": 3}]
    assert clearlm("ledger", "verify", "-w", str(ws)).returncode == 0


def test_clear_before_ingest_is_a_clear_error(tmp_path: Path) -> None:
    result = clearlm("clear", "-w", str(tmp_path / "nothing"))
    assert result.returncode == 2 and "not a clearlm workspace" in result.stderr
