"""The Ray Data executor: the same stage, plan, task outputs and ledger as LocalExecutor, on a cluster.

Only where `run_task` is called changes. The driver plans, checks resume markers and commits the
ledger exactly as LocalExecutor does (that code lives in `Executor`); each pending task becomes one
row of a Ray dataset, mapped by a Ray task that calls `run_task` and writes its part, events, stats
and done marker into the workspace. Workers never touch the ledger. So the workspace must lie on
storage every node sees under the same path (on one machine, any folder does).

Ray is an optional dependency (`pip install "ray[data]"`); it is imported when a stage first runs.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from clearlm.errors import ClearLMError, ConfigError
from clearlm.pipeline.executor import Executor, run_task
from clearlm.pipeline.stage import Stage, TaskSpec
from clearlm.workspace import Workspace


class RayExecutor(Executor):
    """Runs a stage's pending tasks as Ray Data map tasks on a local or remote Ray cluster.

    `address`: None starts a private local Ray (unless this process is already connected, or
    RAY_ADDRESS is set); "auto" joins the cluster this machine belongs to (`ray start`); "HOST:6379"
    joins the cluster whose head is HOST. `num_cpus`: the CPUs of a local Ray this executor starts,
    and the most tasks run at once (default: every CPU of the cluster).
    """

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        progress: bool = True,
        console: Console | None = None,
    ) -> None:
        super().__init__(progress, console)
        if num_cpus is not None and num_cpus < 1:
            raise ConfigError("the Ray executor needs num_cpus of at least 1")
        self.address = address
        self.num_cpus = num_cpus
        self._started_ray = False

    def _run_tasks(self, stage: Stage, ws: Workspace, tasks: list[TaskSpec], pending: list[TaskSpec]) -> None:
        if not pending:
            return
        ray = self._connect()
        slots = min(self.num_cpus or max(1, int(ray.cluster_resources().get("CPU", 1))), len(pending))
        # Workers may run in another folder or on another node: they get the absolute path.
        args = (stage, str(ws.root.resolve()), ws.run_id)
        rows = [{"task": json.dumps(t.to_json())} for t in pending]
        # One block per task, so each task is its own Ray task and spreads over the cluster.
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map(
            _map_row,
            fn_args=args,
            compute=ray.data.TaskPoolStrategy(size=slots),
        )
        # Our rich bar is the progress display; Ray Data's own bars would fight it for the terminal.
        dataset.context.enable_progress_bars = False
        dataset.context.print_on_execution_start = False
        with _quiet_ray_data_console(), self._progress_bar(stage.name, tasks, pending) as advance:
            for row in dataset.iter_rows():
                if row["error"]:
                    error_type, message, path = pickle.loads(row["error"])
                    raise error_type(message, path)
                advance(row)

    def _connect(self) -> Any:
        """Import Ray and join (or start) the cluster; a clear error when Ray is missing."""
        try:
            import ray
            import ray.data
        except ImportError:
            raise ConfigError(
                'executor.kind "ray" needs Ray Data: pip install "ray[data]>=2.60,<3"'
            ) from None
        if not ray.is_initialized():
            # Ray's own default for no address is to join whatever cluster this machine ran last
            # (possibly a stale one); "local" always starts a private Ray. RAY_ADDRESS (set by
            # `ray job submit`) still wins, as Ray users expect.
            if self.address is None and not os.environ.get("RAY_ADDRESS"):
                ray.init(
                    address="local",
                    num_cpus=self.num_cpus,
                    include_dashboard=False,
                    logging_level=logging.WARNING,
                )
            else:
                if self.address:
                    _check_reachable(self.address)
                try:
                    ray.init(address=self.address, logging_level=logging.WARNING)
                except ConnectionError as exc:
                    where = self.address or os.environ.get("RAY_ADDRESS")
                    raise ConfigError(f"no Ray cluster answers at '{where}' ({exc})") from None
            self._started_ray = True
        return ray

    def close(self) -> None:
        """Disconnect from Ray (stopping the local Ray it started); a no-op if it joined none."""
        if self._started_ray:
            import ray

            ray.shutdown()
            self._started_ray = False

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _map_row(row: dict[str, Any], stage: Stage, ws_root: str, run_id: str) -> dict[str, Any]:
    """Run one task on a Ray worker; return what the driver's progress bar needs."""
    task = TaskSpec.from_json(json.loads(row["task"]))
    try:
        stats = run_task(stage, Path(ws_root), run_id, task)
    except ClearLMError as exc:
        # Ray Data hands the driver a generic UserCodeException, losing the type. A user's mistake
        # must reach the CLI as itself (one line, exit code 2), so it travels back as data.
        error = pickle.dumps((type(exc), exc.message, exc.path))
        return {"task": task.index, "input_bytes": 0, "docs_out": 0, "error": error}
    return {
        "task": task.index,
        "input_bytes": stats["input_bytes"],
        "docs_out": stats["docs_out"],
        "error": b"",
    }


def _check_reachable(address: str) -> None:
    """Fail fast on a HOST:PORT nobody listens at; Ray itself retries such an address for minutes."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or "://" in address:
        return  # "auto" and other forms are Ray's to resolve
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise ConfigError(f"no Ray cluster answers at '{address}' ({exc.strerror or exc})") from None


class _ConsoleFilter(logging.Filter):
    """Lets only real warnings through, minus the one about the progress bars we turned off."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING and "Progress bars disabled" not in record.getMessage()


@contextmanager
def _quiet_ray_data_console() -> Iterator[None]:
    """Mute Ray Data's INFO lines on the console while a stage runs; its session log file keeps them."""
    console_handlers = [
        h
        for h in logging.getLogger("ray.data").handlers
        if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
    ]
    quiet = _ConsoleFilter()
    for handler in console_handlers:
        handler.addFilter(quiet)
    try:
        yield
    finally:
        for handler in console_handlers:
            handler.removeFilter(quiet)
