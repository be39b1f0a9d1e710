"""`clearlm lookup -w WS FILE... [--text TEXT]`: JSON for programs, a table for people; bad files exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clearlm.cli import main
from tests.lookup.conftest import edited, shadow_library_doc, trained_doc
from tests.lookup.test_lookup import UNSEEN, html_page


def lookup_json(ws: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["lookup", "-w", str(ws), *args, "--format", "json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_json_has_one_result_per_query_in_order(
    lookup_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc_id, text = trained_doc(lookup_ws)
    work = tmp_path / "my-work.txt"
    work.write_text(text, encoding="utf-8")
    first, second = lookup_json(lookup_ws, capsys, str(work), "--text", UNSEEN)
    assert first["query"]["name"] == str(work)  # type: ignore[index]
    matches = first["matches"]
    assert isinstance(matches, list) and matches[0]["doc_id"] == doc_id and matches[0]["trained"] is True
    assert "exact" in matches[0]["how"]
    assert second["matches"] == [] and str(second["summary"]).startswith("Not found")


def test_table_shows_each_match_and_the_summary(lookup_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc_id, text = trained_doc(lookup_ws, 1)
    assert main(["lookup", "-w", str(lookup_ws), "--text", edited(text)]) == 0
    out = capsys.readouterr().out
    assert doc_id in out and "near, verbatim" in out and "allow" in out and "CC0-1.0" in out
    assert "verbatim span" in out and "Found in training data: 1 document trained." in out


def test_denied_copy_in_the_table(
    lookup_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, text = shadow_library_doc(lookup_ws)
    work = tmp_path / "garden.md"
    work.write_text(text, encoding="utf-8")
    assert main(["lookup", "-w", str(lookup_ws), str(work)]) == 0
    out = capsys.readouterr().out
    assert "deny piracy.shadow-library" in out and "1 denied (piracy.shadow-library)" in out


def test_an_html_file_is_read_as_a_page(
    lookup_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc_id, text = trained_doc(lookup_ws, 3)
    page = tmp_path / "repost.html"
    page.write_text(html_page(text), encoding="utf-8")
    (result,) = lookup_json(lookup_ws, capsys, str(page))
    assert result["query"]["html"] is True  # type: ignore[index]
    assert result["matches"][0]["doc_id"] == doc_id  # type: ignore[index]


def test_a_binary_file_exits_2_naming_it(
    lookup_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blob = tmp_path / "cover.jpg"
    blob.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    assert main(["lookup", "-w", str(lookup_ws), str(blob)]) == 2
    captured = capsys.readouterr()
    assert str(blob) in captured.err and "not readable as text" in captured.err
    assert captured.out == "" and "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (lambda p: p.write_text("x" * 200), ["--max-bytes", "100"], "over the lookup limit of 100 bytes"),
        (lambda p: None, [], "file not found"),
        (lambda p: p.mkdir(), [], "is a folder"),
    ],
)
def test_unusable_files_exit_2(
    lookup_ws: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setup: object,
    args: list[str],
    message: str,
) -> None:
    path = tmp_path / "work.txt"
    setup(path)  # type: ignore[operator]
    assert main(["lookup", "-w", str(lookup_ws), str(path), *args]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and message in err


def test_usage_errors_exit_2(lookup_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lookup", "-w", str(lookup_ws)]) == 2
    assert "give one or more FILEs or --text" in capsys.readouterr().err
    assert main(["lookup", "-w", str(lookup_ws), "--text", "x", "--threshold", "0"]) == 2
    assert main(["lookup", "-w", str(tmp_path / "nowhere"), "--text", "x"]) == 2
    assert "not a clearlm workspace" in capsys.readouterr().err
