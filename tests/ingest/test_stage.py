"""The ingest stage end to end: stable ids, the bundled corpus's broken files, repeats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from clearlm.config import load_config
from clearlm.ledger.query import run_sql
from clearlm.report import quarantine_rows
from clearlm.runner import run_stages

CORPUS = Path(__file__).resolve().parents[2] / "examples" / "corpus"


def _ingest(inputs: list[Path], ws: Path, *extra: str) -> Path:
    config = load_config(None, ["executor.progress=false", "ingest.target_task_bytes=100000", *extra])
    config.ingest.inputs = [str(p) for p in inputs]
    run_stages(config, ws, ["ingest"])
    return ws


def _ids(ws: Path) -> list[str]:
    return [r[0] for r in run_sql(ws, "SELECT doc_id FROM ledger ORDER BY seq")[1]]


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _ingest([CORPUS], tmp_path_factory.mktemp("demo") / "ws")


def test_doc_ids_are_stable_across_locations_and_worker_counts(tmp_path: Path, demo_ws: Path) -> None:
    moved = tmp_path / "elsewhere" / "deeper" / "corpus"
    shutil.copytree(CORPUS, moved)
    other = _ingest([moved], tmp_path / "ws", "executor.workers=1")
    assert _ids(other) == _ids(demo_ws)
    assert len(set(_ids(demo_ws))) == len(_ids(demo_ws)), "one ledger row per doc at ingest"


def test_bundled_corpus_quarantine_matches_the_manifest(demo_ws: Path) -> None:
    text = (CORPUS.parent / "CORPUS.md").read_text(encoding="utf-8")
    expected = json.loads(text[text.index("```json") + 7 : text.rindex("```")])
    want = sorted(
        (Path(e["path"]).name, e["reasons"] or e["reasons_any"])
        for e in expected
        if e["decision"] == "quarantine"
    )
    got = sorted((Path(r["file"]).name, r["reason"]) for r in quarantine_rows(demo_ws))
    assert len(got) == len(want)
    for (got_file, got_reason), (want_file, want_reasons) in zip(got, want, strict=True):
        assert got_file == want_file and got_reason in want_reasons


def test_bundled_corpus_keeps_web_evidence(demo_ws: Path) -> None:
    _, robots = run_sql(demo_ws, "SELECT source FROM ingest WHERE kind = 'robots' ORDER BY source")
    assert [r[0] for r in robots] == sorted(r[0] for r in robots) and len(robots) >= 4
    assert all(r[0].endswith("/robots.txt") for r in robots)
    _, headers = run_sql(demo_ws, "SELECT count(*) FROM ingest WHERE lower(meta) LIKE '%tdm-reservation%'")
    assert headers[0][0] >= 1
    _, good = run_sql(demo_ws, "SELECT count(*) FROM ingest WHERE file_name = 'crawl-damaged.warc.gz'")
    assert good[0][0] == 3, "the records around the damaged ones survive"


def test_repeated_records_get_distinct_ids(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    line = json.dumps({"id": "same", "text": "identical"})
    (src / "dups.jsonl").write_text(f"{line}\n{line}\n{line}\n")
    (src / "tool.py").write_text("# SPDX-License-Identifier: MIT\nprint('hi')\n")
    ws = _ingest([src], tmp_path / "ws")
    _, rows = run_sql(ws, "SELECT doc_id, mime FROM ingest ORDER BY source")
    assert len({r[0] for r in rows}) == 4
    assert "text/x-py" in {r[1] for r in rows}
