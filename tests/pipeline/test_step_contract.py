"""A step written against the public contract gets ledger events and stats without writing them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clearlm.config import RunConfig
from clearlm.ledger import Ledger
from clearlm.ledger.query import run_sql
from clearlm.pipeline.document import Document, Malformed
from clearlm.pipeline.executor import LocalExecutor
from clearlm.pipeline.stage import Source, Stage, TaskSpec
from clearlm.pipeline.step import Annotator, Drop, Filter, Keep, Verdict
from clearlm.workspace import Workspace


class WordsSource(Source):
    """Documents made in memory: task i holds texts[i]; one malformed record per task."""

    def __init__(self, texts: list[list[str]]) -> None:
        self.texts = texts

    def plan(self) -> list[TaskSpec]:
        return [TaskSpec(i, ({"n": len(t)},), 10) for i, t in enumerate(self.texts)]

    def read(self, task: TaskSpec) -> Iterator[Document | Malformed]:
        for j, text in enumerate(self.texts[task.index]):
            yield Document.create(key=f"t{task.index}/{j}", text=text, source=f"mem://{task.index}/{j}")
        yield Malformed(
            file=f"mem-{task.index}",
            position="line 99",
            reason="input.bad-json",
            detail="broken",
            raw=b"{oops",
        )

    def read_verdict(self, doc: Document) -> Verdict:
        return Keep("ingest.read")


class MinWords(Filter):
    name = "min_words"

    def keep(self, doc: Document) -> Verdict:
        n = len(doc.text.split())
        return Keep() if n >= 3 else Drop("quality.min_words", {"words": n})


class ShoutFlag(Annotator):
    name = "shout"

    def annotate(self, doc: Document) -> tuple[list[str], dict[str, object]]:
        doc.meta["upper_ratio"] = sum(c.isupper() for c in doc.text) / max(1, len(doc.text))
        return (["quality.shouting"], {"ratio": doc.meta["upper_ratio"]}) if doc.text.isupper() else ([], {})


TEXTS = [["one two three four", "too short", "THIS IS ALL SHOUTING"], ["a b", "fine words here ok"]]


def _run(tmp_path: Path, workers: int, dry_run: bool = False) -> Path:
    ws = Workspace.create_or_open(tmp_path / f"ws{workers}{dry_run}", RunConfig())
    stage = Stage("demo", WordsSource(TEXTS), [MinWords(), ShoutFlag()], settings={"v": 1}, dry_run=dry_run)
    LocalExecutor(workers=workers, progress=False).run(stage, ws)
    return ws.root


@pytest.mark.parametrize("workers", [1, 2])
def test_every_document_gets_one_event_per_step(tmp_path: Path, workers: int) -> None:
    root = _run(tmp_path, workers)
    _cols, rows = run_sql(
        root, "SELECT step, decision, reasons, count(*) FROM ledger GROUP BY ALL ORDER BY ALL"
    )
    got = {(r[0], r[1], tuple(r[2])): r[3] for r in rows}
    assert got == {
        ("read", "keep", ("ingest.read",)): 5,
        ("read", "drop", ("input.bad-json",)): 2,
        ("min_words", "keep", ()): 3,
        ("min_words", "drop", ("quality.min_words",)): 2,
        ("shout", "keep", ()): 2,
        ("shout", "flag", ("quality.shouting",)): 1,
    }
    _, out = run_sql(
        root, "SELECT text, json_extract(meta, '$.upper_ratio') IS NOT NULL FROM demo ORDER BY text"
    )
    assert [r[0] for r in out] == ["THIS IS ALL SHOUTING", "fine words here ok", "one two three four"]
    assert all(r[1] for r in out)
    assert Ledger(root / "ledger").verify().rows == 15
    stats = json.loads((root / "stages/demo/stats/00000.json").read_text())
    assert stats["steps"]["min_words"] == {
        "in": 3,
        "out": 2,
        "decisions": {"drop": 1, "keep": 2},
        "reasons": {"quality.min_words": 1},
        "by_decision": {"drop": {"quality.min_words": 1}, "keep": {}},
    }
    assert stats["quarantined"] == 1
    assert (root / "quarantine/demo/00001.jsonl").is_file()


def test_dry_run_records_drops_but_keeps_documents(tmp_path: Path) -> None:
    root = _run(tmp_path, 1, dry_run=True)
    _, rows = run_sql(root, "SELECT count(*) FROM demo")
    assert rows[0][0] == 5
    _, drops = run_sql(root, "SELECT count(*) FROM ledger WHERE step = 'min_words' AND decision = 'drop'")
    assert drops[0][0] == 2


def test_rerun_of_a_complete_stage_does_nothing(tmp_path: Path) -> None:
    root = _run(tmp_path, 1)
    head = Ledger(root / "ledger").head()
    ws = Workspace.open(root)
    stage = Stage("demo", WordsSource(TEXTS), [MinWords(), ShoutFlag()], settings={"v": 1})
    result = LocalExecutor(workers=1, progress=False).run(stage, ws)
    assert result.skipped and Ledger(root / "ledger").head() == head


def test_changed_settings_are_refused(tmp_path: Path) -> None:
    from clearlm.errors import WorkspaceError

    root = _run(tmp_path, 1)
    stage = Stage("demo", WordsSource(TEXTS), [MinWords()], settings={"v": 2})
    with pytest.raises(WorkspaceError, match=r"other settings \(v\)"):
        LocalExecutor(workers=1, progress=False).run(stage, Workspace.open(root))


class Upper(Annotator):
    name = "upper"

    def annotate(self, doc: Document) -> tuple[list[str], dict[str, object]]:
        doc.text = doc.text.upper()
        return [], {}


def test_a_step_that_rewrites_text_moves_the_content_hash(tmp_path: Path) -> None:
    import hashlib

    ws = Workspace.create_or_open(tmp_path / "ws", RunConfig())
    LocalExecutor(workers=1, progress=False).run(
        Stage("demo", WordsSource([["quiet words here"]]), [Upper()]), ws
    )
    _, rows = run_sql(ws.root, "SELECT content_sha256 FROM ledger WHERE step = 'upper'")
    _, part = run_sql(ws.root, "SELECT text, content_sha256 FROM demo")
    expected = hashlib.sha256(b"QUIET WORDS HERE").hexdigest()
    assert rows[0][0] == expected and part == [("QUIET WORDS HERE", expected)]
