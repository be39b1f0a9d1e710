"""RayExecutor runs the same stage to the same outputs as LocalExecutor, on a local Ray cluster.

The ingest stage runs once with each executor in its own workspace: parts, stats, quarantine and
markers must be byte-identical and the ledgers hold the same rows (apart from time, run id and
hashes). Resume works across executors, a finished stage is a no-op, and a user error raised on a
Ray worker reaches the driver as itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from clearlm.config import IngestConfig, RunConfig
from clearlm.errors import ConfigError, InputError
from clearlm.ingest.stage import IngestSource, build_ingest_stage
from clearlm.ledger import Ledger
from clearlm.pipeline.document import Document, Malformed
from clearlm.pipeline.executor import LocalExecutor
from clearlm.pipeline.ray_executor import RayExecutor, _check_reachable
from clearlm.pipeline.stage import Stage, TaskSpec
from clearlm.workspace import Workspace

ray = pytest.importorskip("ray", reason="Ray is optional: pip install 'ray[data]'")

# Ray Data warns about its own deprecated settings whenever it reads its context; not ours to fix.
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning:ray")]

PARAGRAPH = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age "
    "of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season "
    "of Light, it was the season of Darkness, it was the spring of hope, it was the winter of despair."
)


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    """A private two-CPU Ray for this module, with a small object store (tasks pass only stats)."""
    saved = os.environ.get("RAY_USAGE_STATS_ENABLED")
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # tests never phone home
    # "local": a fresh Ray even if this machine runs (or ran) another cluster.
    ray.init(address="local", num_cpus=2, include_dashboard=False, object_store_memory=200 * 1024 * 1024)
    yield
    ray.shutdown()
    if saved is None:
        os.environ.pop("RAY_USAGE_STATS_ENABLED", None)
    else:
        os.environ["RAY_USAGE_STATS_ENABLED"] = saved


def _corpus(root: Path) -> Path:
    corpus = root / "corpus"
    (corpus / "novels").mkdir(parents=True)
    for i in range(6):
        body = "\n\n".join(f"Chapter {c}. {PARAGRAPH}" for c in range(1, 4 + i))
        (corpus / "novels" / f"book{i}.txt").write_text(f"Book {i}\n\n{body}\n", encoding="utf-8")
    lines = [json.dumps({"id": f"r{i}", "text": f"Record {i}. {PARAGRAPH}"}) for i in range(40)]
    lines.insert(17, '{"id": "r-broken", "text": "this line never ends')
    (corpus / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    return corpus


def _stage(corpus: Path) -> Stage:
    # Small tasks, so the stage has several to spread over both Ray workers.
    return build_ingest_stage(IngestConfig(inputs=[str(corpus)], target_task_bytes=1200))


def _workspace(root: Path) -> Workspace:
    return Workspace.create_or_open(root, RunConfig())


def _outputs(ws: Path) -> dict[str, str]:
    """Hashes of every published stage file; events hold timestamps and are compared via the ledger."""
    return {
        path.relative_to(ws).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(ws.rglob("*"))
        if path.is_file()
        and path.relative_to(ws).as_posix().startswith(("stages/", "quarantine/"))
        and "/events/" not in path.as_posix()
    }


def _ledger(ws: Path) -> list[tuple[object, ...]]:
    fields = ("seq", "stage", "step", "doc_id", "source", "content_sha256", "decision", "reasons", "evidence")
    return [tuple(str(row[f]) for f in fields) for _, _, row in Ledger(ws / "ledger").iter_rows()]


@pytest.fixture(scope="module")
def local_ws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The reference: the corpus ingested by LocalExecutor with two processes."""
    root = tmp_path_factory.mktemp("local")
    corpus = _corpus(root)
    ws = _workspace(root / "ws")
    LocalExecutor(workers=2, progress=False).run(_stage(corpus), ws)
    return corpus, ws.root


def test_ray_gives_the_same_outputs_and_ledger_and_reruns_as_a_no_op(
    ray_cluster: None, local_ws: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, local_root = local_ws
    ws = _workspace(tmp_path / "ws")
    executor = RayExecutor(num_cpus=2, progress=False)
    result = executor.run(_stage(corpus), ws)

    assert result.tasks >= 4 and result.tasks_run == result.tasks and not result.skipped
    assert _outputs(ws.root) == _outputs(local_root)
    assert any(p.startswith("quarantine/ingest/") for p in _outputs(ws.root)), "the broken line"
    assert _ledger(ws.root) == _ledger(local_root)
    assert Ledger(ws.ledger_dir).verify().rows == len(_ledger(local_root))

    head = Ledger(ws.ledger_dir).head()
    again = executor.run(_stage(corpus), ws)
    assert again.skipped and again.tasks_run == 0 and again.stats == result.stats
    assert Ledger(ws.ledger_dir).head() == head


def test_ray_resumes_a_stage_another_executor_started(
    ray_cluster: None, local_ws: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, local_root = local_ws
    root = tmp_path / "ws"
    shutil.copytree(local_root, root)
    # As if the run had died after task 1 was published but before its marker and the commit.
    stage_dir = root / "stages" / "ingest"
    for path in (
        stage_dir / "_COMPLETE.json",
        stage_dir / "done" / "00001",
        stage_dir / "part-00001.parquet",
    ):
        path.unlink()

    result = RayExecutor(num_cpus=2, progress=False).run(_stage(corpus), Workspace.open(root))

    assert result.tasks_run == 1 and not result.skipped
    assert _outputs(root) == _outputs(local_root)
    assert _ledger(root) == _ledger(local_root), "committed tasks are never appended twice"
    Ledger(root / "ledger").verify()


class _RefusingSource(IngestSource):
    """Reads like ingest, but one task's input is refused the way a reader refuses bad input."""

    def read(self, task: TaskSpec) -> Iterator[Document | Malformed]:
        if task.index == 1:
            raise InputError("refused on the worker", "/data/secret.txt")
        yield from super().read(task)


def test_a_user_error_on_a_worker_reaches_the_driver_as_itself(
    ray_cluster: None, local_ws: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, _ = local_ws
    config = IngestConfig(inputs=[str(corpus)], target_task_bytes=1200)
    stage = Stage("ingest", _RefusingSource(config), settings=_stage(corpus).settings)
    ws = _workspace(tmp_path / "ws")

    with pytest.raises(InputError) as caught:
        RayExecutor(num_cpus=2, progress=False).run(stage, ws)

    assert caught.value.path == "/data/secret.txt" and caught.value.message == "refused on the worker"
    assert not (ws.stage_dir("ingest") / "done" / "00001").exists()
    assert not (ws.stage_dir("ingest") / "_COMPLETE.json").exists()


def test_an_address_nobody_answers_at_is_refused_at_once() -> None:
    # Ray itself would retry such an address for minutes; the user gets one line instead.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once the socket closes: nothing listens there
    with pytest.raises(ConfigError, match="no Ray cluster answers"):
        _check_reachable(f"127.0.0.1:{port}")
    _check_reachable("auto")  # Ray's own forms are left to Ray
