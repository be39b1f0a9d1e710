"""A stage's per-task sidecar sees exactly the documents its part gets, and is atomic like the part."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from clearlm.atomic import publish, tmp_path_for
from clearlm.config import RunConfig
from clearlm.pipeline.document import Document, Malformed
from clearlm.pipeline.executor import LocalExecutor
from clearlm.pipeline.recorder import TaskPaths
from clearlm.pipeline.stage import Source, Stage, TaskSidecar, TaskSpec
from clearlm.pipeline.step import Drop, Filter, Keep, Verdict
from clearlm.workspace import Workspace

TEXTS = [["one two three", "short", "four five six seven"], ["x", "eight nine ten"], ["boom here now"]]


class ListSource(Source):
    def plan(self) -> list[TaskSpec]:
        return [TaskSpec(i, ({"n": len(t)},), 10) for i, t in enumerate(TEXTS)]

    def read(self, task: TaskSpec) -> Iterator[Document | Malformed]:
        for j, text in enumerate(TEXTS[task.index]):
            yield Document.create(key=f"{task.index}/{j}", text=text, source=f"mem://{task.index}/{j}")


class MinWords(Filter):
    name = "min_words"

    def __init__(self, explode_on: str = "") -> None:
        self.explode_on = explode_on

    def keep(self, doc: Document) -> Verdict:
        if self.explode_on and doc.text.startswith(self.explode_on):
            raise RuntimeError("step failed")
        return Keep() if len(doc.text.split()) >= 3 else Drop("quality.min_words")


class IdsSidecar(TaskSidecar):
    """Writes the doc ids it is given, one a line, to stages/<stage>/ids/NNNNN.txt."""

    def __init__(self, paths: TaskPaths) -> None:
        self.final = paths.part.parent / "ids" / f"{paths.done.name}.txt"
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = tmp_path_for(self.final)
        self.fh = open(self.tmp, "w")  # noqa: SIM115

    def write(self, docs: Sequence[Document]) -> None:
        self.fh.writelines(f"{d.doc_id}\n" for d in docs)

    def publish(self) -> None:
        self.fh.close()
        publish(self.tmp, self.final)

    def abort(self) -> None:
        self.fh.close()
        self.tmp.unlink()


@dataclass(frozen=True)
class IdsSidecarFactory:
    def __call__(self, paths: TaskPaths) -> IdsSidecar:
        return IdsSidecar(paths)


def _run(root: Path, workers: int, sidecar: bool, explode_on: str = "") -> Path:
    ws = Workspace.create_or_open(root, RunConfig())
    stage = Stage(
        "demo",
        ListSource(),
        [MinWords(explode_on)],
        {"v": 1},
        batch_size=1,
        sidecar=IdsSidecarFactory() if sidecar else None,
    )
    LocalExecutor(workers=workers, progress=False).run(stage, ws)
    return root / "stages" / "demo"


@pytest.mark.parametrize("workers", [1, 2])
def test_sidecar_gets_the_parts_documents_in_order(tmp_path: Path, workers: int) -> None:
    stage_dir = _run(tmp_path / "with", workers, sidecar=True)
    for part in sorted(stage_dir.glob("part-*.parquet")):
        task = part.stem.removeprefix("part-")
        ids = (stage_dir / "ids" / f"{task}.txt").read_text().split()
        assert ids == pq.read_table(part)["doc_id"].to_pylist()
    assert sorted(p.name for p in (stage_dir / "ids").iterdir()) == ["00000.txt", "00001.txt", "00002.txt"]
    # The sidecar adds files and changes none: parts, stats and markers are as without one.
    plain = _run(tmp_path / "without", workers, sidecar=False)
    for path in sorted(plain.rglob("*")):
        rel = path.relative_to(plain)
        if path.is_file() and rel.parts[0] not in ("events", "plan.json"):
            assert (stage_dir / rel).read_bytes() == path.read_bytes(), rel


def test_a_failed_task_aborts_its_sidecar(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="step failed"):
        _run(tmp_path / "ws", 1, sidecar=True, explode_on="boom")
    stage_dir = tmp_path / "ws" / "stages" / "demo"
    assert not (stage_dir / "ids" / "00002.txt").exists()
    assert not (stage_dir / "done" / "00002").exists()
    assert [p.name for p in (stage_dir / "ids").iterdir() if p.name.startswith(".tmp-")] == []
    assert json.loads((stage_dir / "done" / "00000").read_text())["docs_out"] == 2
