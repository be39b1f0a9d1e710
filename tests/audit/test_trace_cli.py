"""`clearlm trace` through click: JSON for programs, a highlighted table for people, clean errors."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import click
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from rich.console import Console

from clearlm.audit.trace_cli import register
from clearlm.cli import WS_OPTION
from clearlm.errors import InputError, UserError, WorkspaceError


@pytest.fixture(scope="module")
def ws(tokenized_ws: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("trace-cli") / "ws"
    shutil.copytree(tokenized_ws, copy)
    return copy


def run(*args: str) -> tuple[click.testing.Result, str]:
    """Invoke `trace` as the lead's cli.py registers it; returns the result and the table output."""
    group = click.Group()
    out = io.StringIO()
    register(group, Console(file=out, width=200), WS_OPTION)
    result = CliRunner().invoke(group, ["trace", *args])
    return result, out.getvalue()


def training_row(ws: Path) -> dict[str, object]:
    rows = pq.read_table(ws / "tokens" / "index.parquet").to_pylist()
    return next(r for r in rows if r["split"] == "train")


def passage(row: dict[str, object]) -> str:
    return Path(unquote(urlparse(str(row["source"])).path)).read_text(encoding="utf-8")[50:350]


def test_json_output_names_the_document(ws: Path) -> None:
    row = training_row(ws)
    result, _ = run("-w", str(ws), passage(row), "--format", "json", "--min-tokens", "10")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # stdout is the JSON alone; the build line went to stderr
    assert data["settings"]["min_tokens"] == 10
    top = data["spans"][0]
    assert top["length"] >= 50 and top["occurrences"] == 1
    assert top["docs"][0]["doc_id"] == row["doc_id"]
    assert top["docs"][0]["license"] == row["license"] and top["docs"][0]["decision"] == "allow"
    assert data["text"][top["char_start"] : top["char_end"]] == top["text"]


def test_file_input_and_table_output(ws: Path, tmp_path: Path) -> None:
    row = training_row(ws)
    text_file = tmp_path / "output.txt"
    text_file.write_text("Zebras quixotically vexed: " + passage(row), encoding="utf-8")
    result, table = run("-w", str(ws), "--file", str(text_file))
    assert result.exit_code == 0, result.output
    assert "spans found in training data" in table and str(row["doc_id"]) in table
    assert "allow" in table and "1 span(s) in training data" in table


def test_build_alone_rebuilds_and_reports_time(ws: Path) -> None:
    result, _ = run("-w", str(ws), "--build")
    assert result.exit_code == 0, result.output
    assert "trace index built (rebuild asked for)" in result.stderr
    assert json.loads((ws / "tokens" / "trace" / "manifest.json").read_text())["build_seconds"] >= 0


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((), UserError, "give TEXT, --file FILE, or --build"),
        (("--file", "/nonexistent/out.txt"), InputError, "file not found"),
        (("some text", "--min-tokens", "0"), UserError, "min-tokens must be at least 1"),
    ],
)
def test_user_mistakes_are_one_line_errors(
    ws: Path, args: tuple[str, ...], error: type[Exception], message: str
) -> None:
    result, _ = run("-w", str(ws), *args)
    assert isinstance(result.exception, error) and message in str(result.exception)
    assert getattr(result.exception, "exit_code", None) == 2


def test_untokenized_workspace_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text('{"run_id": "r1"}', encoding="utf-8")
    result, _ = run("-w", str(tmp_path), "some text")
    assert isinstance(result.exception, WorkspaceError) and "run `clearlm tokenize`" in str(result.exception)
