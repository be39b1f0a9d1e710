"""The command line as a user meets it: exit codes, one-line errors, output formats."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clearlm.cli import main

GUTENBERG = Path(__file__).resolve().parents[2] / "shared" / "data" / "gutenberg"


def clearlm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "clearlm.cli", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def small_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("A public domain text about whales.\n")
    (corpus / "b.md").write_text("# Notes\n\nSPDX-License-Identifier: CC-BY-4.0\n")
    (corpus / "c.jsonl").write_text('{"id": 1, "text": "one"}\n{broken\n{"id": 2, "text": "two"}\n')
    ws = root / "ws"
    assert main(["ingest", str(corpus), "-w", str(ws), "--set", "executor.progress=false"]) == 0
    return ws


def test_help_everywhere() -> None:
    for args in ([], ["ingest"], ["run"], ["ledger"], ["ledger", "sql"], ["ledger", "verify"], ["status"]):
        result = clearlm(*args, "--help")
        assert result.returncode == 0, (args, result.stderr)
        assert "Usage:" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "/no/such/folder", "-w", "{ws}"], "/no/such/folder: no such file or folder"),
        (["ingest", "{corpus}", "-w", "{ws}", "--set", "ingest.nope=1"], "unknown key 'ingest.nope'"),
        (["ingest", "{corpus}", "-w", "{ws}", "--set", "executor.workers=x"], "expected an integer"),
        (["ledger", "verify", "-w", "/no/such/ws"], "not a clearlm workspace"),
        (["run", "/no/such/recipe.toml", "-w", "{ws}"], "recipe.toml: recipe not found"),
        (["ledger", "sql", "-w", "{existing}", "SELEC nonsense"], "SQL error"),
        (["ledger", "explain", "-w", "{existing}", "dnope"], "no ledger rows for doc_id dnope"),
        (["run", "{recipe}", "-w", "{ws}", "--until", "nope"], "--until nope: unknown stage"),
        (["tokenize", "-w", "{existing}", "--tokenizer", "/no/such/tok.json"], "tok.json"),
        (["export", "-w", "{existing}", "-o", "{ws}"], "no checkpoint yet"),
        (["train", "-w", "{existing}"], "manifest.json missing"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(
    tmp_path: Path, small_ws: Path, args: list[str], message: str
) -> None:
    values = {
        "ws": str(tmp_path / "w"),
        "corpus": str(tmp_path),
        "existing": str(small_ws),
        "recipe": str(Path(__file__).resolve().parent.parent / "recipes" / "demo.toml"),
    }
    result = clearlm(*[a.format(**values) for a in args])
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_sql_formats(small_ws: Path) -> None:
    query = "SELECT doc_id, source, reasons FROM ledger WHERE decision = 'keep' ORDER BY source"
    as_json = json.loads(clearlm("ledger", "sql", "-w", str(small_ws), "--format", "json", query).stdout)
    assert [Path(r["source"].split("#")[0]).name for r in as_json] == ["a.txt", "b.md", "c.jsonl", "c.jsonl"]
    assert as_json[0]["reasons"] == ["ingest.read"]
    as_csv = list(
        csv.reader(
            io.StringIO(clearlm("ledger", "sql", "-w", str(small_ws), "--format", "csv", query).stdout)
        )
    )
    assert as_csv[0] == ["doc_id", "source", "reasons"] and len(as_csv) == 5
    table = clearlm("ledger", "sql", "-w", str(small_ws), "SELECT count(*) AS n FROM ingest").stdout
    assert "4" in table


def test_explain_shows_history(small_ws: Path) -> None:
    rows = json.loads(
        clearlm(
            "ledger",
            "sql",
            "-w",
            str(small_ws),
            "--format",
            "json",
            "SELECT doc_id FROM ingest WHERE file_name = 'a.txt'",
        ).stdout
    )
    result = clearlm("ledger", "explain", "-w", str(small_ws), rows[0]["doc_id"])
    assert result.returncode == 0 and "ingest.read" in result.stdout


def test_quarantine_listing(small_ws: Path) -> None:
    lines = clearlm("quarantine", "-w", str(small_ws), "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x)["reason"] for x in lines] == ["input.bad-json"]
    assert json.loads(lines[0])["position"] == "line 2"


def test_verify_exits_1_on_an_edited_row(tmp_path: Path, small_ws: Path) -> None:
    import shutil

    ws = tmp_path / "copy"
    shutil.copytree(small_ws, ws)
    assert clearlm("ledger", "verify", "-w", str(ws)).returncode == 0
    segment = sorted((ws / "ledger").glob("0*.parquet"))[0]
    table = pq.read_table(segment).to_pylist()
    table[0]["source"] = table[0]["source"].replace("a.txt", "b.txt")
    pq.write_table(pa.Table.from_pylist(table, schema=pq.read_schema(segment)), segment)
    result = clearlm("ledger", "verify", "-w", str(ws))
    assert result.returncode == 1
    assert "row 0 (seq 1" in result.stderr and "edited" in result.stderr


def test_rerun_resumes_and_keeps_resolved_config(small_ws: Path) -> None:
    result = clearlm("ingest", "-w", str(small_ws))
    assert result.returncode == 0, result.stderr
    assert "complete" in result.stdout
    assert "inputs = [" in (small_ws / "clearlm.toml").read_text()


@pytest.mark.slow
@pytest.mark.skipif(not GUTENBERG.is_dir(), reason="../shared/data/gutenberg not present")
def test_gutenberg_150_books(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert (
        clearlm("ingest", str(GUTENBERG), "-w", str(ws), "--set", "executor.progress=false").returncode == 0
    )
    out = clearlm(
        "ledger",
        "sql",
        "-w",
        str(ws),
        "--format",
        "json",
        "SELECT count(DISTINCT doc_id) AS n FROM ledger WHERE stage = 'ingest'",
    ).stdout
    assert json.loads(out) == [{"n": 150}]
    assert clearlm("ledger", "verify", "-w", str(ws)).returncode == 0
