"""Executors: run a stage's tasks resumably; the local one uses processes on this machine.

    stages/<stage>/plan.json        the tasks and the settings the stage started with
    stages/<stage>/part-NNNNN.parquet, events/NNNNN.parquet, stats/NNNNN.json (NNNNN = task = rank)
    stages/<stage>/done/NNNNN       written last: a task with a marker is never run again
    stages/<stage>/_COMPLETE.json   the events are in the ledger and the stage is finished

Executors know nothing about what steps do: `Executor` holds plan, resume and commit, and its
subclasses (LocalExecutor here, RayExecutor in ray_executor.py) only run the pending tasks, each
with `run_task` (task_runner.py).
"""

from __future__ import annotations

import json
import multiprocessing
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from clearlm.atomic import atomic_write_text, remove_stale_tmp
from clearlm.errors import WorkspaceError
from clearlm.ledger import Ledger
from clearlm.pipeline.recorder import TaskPaths
from clearlm.pipeline.stage import Stage, TaskSpec
from clearlm.pipeline.task_runner import run_task as run_task  # re-exported: ray_executor imports it here
from clearlm.workspace import Workspace

COMPLETE = "_COMPLETE.json"


@dataclass
class StageResult:
    stage: str
    tasks: int
    tasks_run: int
    skipped: bool
    stats: dict[str, Any]


def _run_task_star(args: tuple[Stage, Path, str, TaskSpec]) -> dict[str, Any]:
    return run_task(*args)


def commit_key(stage: str, generation: int, task: int) -> str:
    """The ledger key of one task's events: `curate-00003`, or `tokenize-g1-00003` on a redo."""
    return f"{stage}-{task:05d}" if generation == 0 else f"{stage}-g{generation}-{task:05d}"


def next_generation(ledger: Ledger, stage: str) -> int:
    """0 for a stage's first run in a workspace; one more than the last for a redo.

    Keys make a commit idempotent after a crash. A stage whose folder was deleted and run again
    (new token shards after a revocation) is a new run, so its events need new keys, or the ledger
    would silently keep only the first run's decisions.
    """
    pattern = re.compile(rf"^{re.escape(stage)}-(?:g(\d+)-)?\d{{5}}$")
    used = [m for m in (pattern.match(key) for key in ledger.committed_keys()) if m]
    return 1 + max(int(m.group(1) or 0) for m in used) if used else 0


class Executor(ABC):
    """Plans, resumes and commits a stage; a subclass only decides where the pending tasks run.

    Keeping plan, resume and commit here is what makes every executor's outputs identical: they
    differ only in who calls `run_task`, and the driver alone writes the ledger.
    """

    def __init__(self, progress: bool = True, console: Console | None = None) -> None:
        self.progress = progress
        self.console = console or Console(stderr=True)

    def run(self, stage: Stage, ws: Workspace) -> StageResult:
        stage_dir = ws.stage_dir(stage.name)
        complete = stage_dir / COMPLETE
        tasks = self._load_or_plan(stage, stage_dir)
        if complete.is_file():
            return StageResult(
                stage.name, len(tasks), 0, True, json.loads(complete.read_text(encoding="utf-8"))
            )
        for sub in ("", "events", "stats", "done"):
            remove_stale_tmp(stage_dir / sub)
        remove_stale_tmp(ws.quarantine_dir / stage.name)
        pending = [t for t in tasks if not TaskPaths(ws.root, stage.name, t.index).done.is_file()]
        for task in pending:
            stage.source.check_task(task)
        self._run_tasks(stage, ws, tasks, pending)
        return StageResult(stage.name, len(tasks), len(pending), False, self._commit(stage, ws, tasks))

    @abstractmethod
    def _run_tasks(self, stage: Stage, ws: Workspace, tasks: list[TaskSpec], pending: list[TaskSpec]) -> None:
        """Call `run_task` once per pending task (any order, maybe none), advancing `_progress_bar`."""

    def _load_or_plan(self, stage: Stage, stage_dir: Path) -> list[TaskSpec]:
        plan_path = stage_dir / "plan.json"
        if plan_path.is_file():
            plan = json.loads(plan_path.read_text(encoding="utf-8"))
            if plan["settings"] != json.loads(json.dumps(stage.settings)):
                changed = sorted(
                    k
                    for k in set(plan["settings"]) | set(stage.settings)
                    if plan["settings"].get(k) != stage.settings.get(k)
                )
                raise WorkspaceError(
                    f"stage '{stage.name}' was started with other settings ({', '.join(changed)}); "
                    "use a new workspace or the same settings",
                    stage_dir,
                )
            return [TaskSpec.from_json(t) for t in plan["tasks"]]
        tasks = stage.source.plan()
        stage_dir.mkdir(parents=True, exist_ok=True)
        plan = {"stage": stage.name, "settings": stage.settings, "tasks": [t.to_json() for t in tasks]}
        plan["generation"] = next_generation(Ledger(stage_dir.parent.parent / "ledger"), stage.name)
        atomic_write_text(plan_path, json.dumps(plan, indent=1))
        return tasks

    def _commit(self, stage: Stage, ws: Workspace, tasks: list[TaskSpec]) -> dict[str, Any]:
        """Chain every task's events into the ledger in task order, then mark the stage complete."""
        ledger = Ledger(ws.ledger_dir)
        plan = json.loads((ws.stage_dir(stage.name) / "plan.json").read_text(encoding="utf-8"))
        generation = int(plan.get("generation", 0))
        totals: dict[str, Any] = {"tasks": len(tasks)}
        for task in tasks:
            paths = TaskPaths(ws.root, stage.name, task.index)
            ledger.append(commit_key(stage.name, generation, task.index), pq.read_table(paths.events))
            _merge(totals, json.loads(paths.stats.read_text(encoding="utf-8")))
        totals.pop("task", None)
        atomic_write_text(ws.stage_dir(stage.name) / COMPLETE, json.dumps(totals, indent=1, sort_keys=True))
        return totals

    @contextmanager
    def _progress_bar(self, name: str, tasks: list[TaskSpec], pending: list[TaskSpec]) -> Iterator[Any]:
        total_mb = sum(t.size_bytes for t in tasks) / 1e6
        done_mb = total_mb - sum(t.size_bytes for t in pending) / 1e6
        columns = [
            TextColumn(f"[bold]{name}[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "tasks · {task.fields[mb]:.1f}/{task.fields[total_mb]:.1f} MB · {task.fields[docs]} docs"
            ),
            TimeElapsedColumn(),
        ]
        with Progress(*columns, console=self.console, disable=not self.progress, transient=False) as bar:
            bar_id = bar.add_task(
                name,
                total=len(tasks),
                completed=len(tasks) - len(pending),
                mb=done_mb,
                total_mb=total_mb,
                docs=0,
            )
            state = {"mb": done_mb, "docs": 0}

            def advance(stats: dict[str, Any]) -> None:
                state["mb"] += stats["input_bytes"] / 1e6
                state["docs"] += stats["docs_out"]
                bar.update(bar_id, advance=1, mb=state["mb"], docs=state["docs"])

            yield advance


class LocalExecutor(Executor):
    """Runs tasks in `workers` processes (inline when 1) with a rich progress bar."""

    def __init__(self, workers: int = 2, progress: bool = True, console: Console | None = None) -> None:
        super().__init__(progress, console)
        self.workers = workers

    def _run_tasks(self, stage: Stage, ws: Workspace, tasks: list[TaskSpec], pending: list[TaskSpec]) -> None:
        jobs = [(stage, ws.root, ws.run_id, t) for t in pending]
        if self.workers == 1 or len(pending) <= 1:
            with self._progress_bar(stage.name, tasks, pending) as advance:
                for job in jobs:
                    advance(_run_task_star(job))
            return
        # fork: workers inherit the imported modules, so starting them costs nothing. The pool
        # is made before the progress bar starts its refresh thread, so no lock is forked held.
        context = multiprocessing.get_context("fork")
        with (
            context.Pool(min(self.workers, len(pending))) as pool,
            self._progress_bar(stage.name, tasks, pending) as advance,
        ):
            for stats in pool.imap_unordered(_run_task_star, jobs):
                advance(stats)


def _merge(totals: dict[str, Any], stats: dict[str, Any]) -> None:
    """Add per-task stats into stage totals (numbers summed, nested counters merged)."""
    for key, value in stats.items():
        if isinstance(value, dict):
            _merge(totals.setdefault(key, {}), value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            totals[key] = totals.get(key, 0) + value
