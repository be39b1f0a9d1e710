"""Runs stages by name over a workspace: what `clearlm run` and the per-stage verbs share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

from clearlm.clear.stage import build_clear_stage
from clearlm.config import RunConfig
from clearlm.curate.stage import run_curate
from clearlm.errors import ConfigError
from clearlm.ingest.stage import build_ingest_stage
from clearlm.pipeline.executor import Executor, LocalExecutor, StageResult
from clearlm.pipeline.stage import Stage
from clearlm.tokenize.stage import run_tokenize
from clearlm.workspace import Workspace

# Stages in pipeline order; each runs one or more executor passes. Later issues add tokenize …
# here and nowhere else.
StageRunner = Callable[[RunConfig, Workspace, Executor], list[StageResult]]


def _single(build: Callable[[RunConfig, Path], Stage]) -> StageRunner:
    return lambda config, ws, executor: [executor.run(build(config, ws.root), ws)]


STAGE_RUNNERS: dict[str, StageRunner] = {
    "ingest": _single(lambda config, root: build_ingest_stage(config.ingest)),
    "clear": _single(lambda config, root: build_clear_stage(config.clear, root)),
    "curate": run_curate,
    "tokenize": run_tokenize,
    "train": lambda config, ws, executor: [_train(config, ws, executor)],
    "audit": lambda config, ws, executor: [_audit(config, ws)],
    "release": lambda config, ws, executor: [_release(ws, executor)],
}


def _train(config: RunConfig, ws: Workspace, executor: Executor) -> StageResult:
    """Training is one process (or torchrun's ranks), not executor tasks; it resumes from checkpoints."""
    from clearlm.train.stage import run_train  # torch is imported only when training runs

    summary = run_train(config, ws, console=executor.console)
    return StageResult("train", 0, 0, summary.get("resumed_from") == summary.get("steps"), summary)


def _audit(config: RunConfig, ws: Workspace) -> StageResult:
    """The audit of the latest checkpoint; reused when report.json already covers it."""
    from clearlm.audit.stage import run_audit_stage

    report, reused = run_audit_stage(config, ws.root)
    checks = {c["name"]: c["passed"] for c in report["checks"]}
    return StageResult("audit", 1, 0 if reused else 1, reused, {"passed": report["passed"], "checks": checks})


def _release(ws: Workspace, executor: Executor) -> StageResult:
    """The signed release of the latest checkpoint; an existing one that still verifies is kept."""
    from clearlm.cli_train import latest_checkpoint
    from clearlm.release.build import build_release
    from clearlm.release.records import read_releases
    from clearlm.release.verify import verify_release

    latest = latest_checkpoint(ws.root).relative_to(ws.root).as_posix()
    for record in reversed(read_releases(ws.root)):
        if record.checkpoint == latest and Path(record.dir).is_dir() and verify_release(Path(record.dir)).ok:
            return StageResult("release", 1, 0, True, {"dir": record.dir, "digest": record.digest})
    result = build_release(ws.root, None, None, console=executor.console)
    return StageResult("release", 1, 1, False, {"dir": str(result.dir), "digest": result.digest})


def build_executor(config: RunConfig, console: Console | None = None) -> Executor:
    ex = config.executor
    if ex.kind == "local":
        return LocalExecutor(ex.workers, ex.progress, console)
    if ex.kind == "ray":
        from clearlm.pipeline.ray_executor import RayExecutor  # ray is heavy: import only when chosen

        # Joining a cluster uses all of it; `workers` sizes only a private local Ray.
        return RayExecutor(ex.address or None, None if ex.address else ex.workers, ex.progress, console)
    raise ConfigError(f"executor.kind '{ex.kind}' is not available (known: local, ray)")


def run_stages(
    config: RunConfig, ws_root: Path, stages: Sequence[str] | None = None, console: Console | None = None
) -> list[StageResult]:
    """Run `stages` (default: all) in order; each resumes where an earlier run stopped."""
    names = list(stages or STAGE_RUNNERS)
    unknown = [n for n in names if n not in STAGE_RUNNERS]
    if unknown:
        raise ConfigError(f"unknown stage(s) {unknown} (known: {', '.join(STAGE_RUNNERS)})")
    ws = Workspace.create_or_open(ws_root, config)
    ws.lock()
    try:
        executor = build_executor(config, console)
        try:
            return [result for name in names for result in STAGE_RUNNERS[name](config, ws, executor)]
        finally:
            close = getattr(executor, "close", None)
            if close is not None:
                close()
    finally:
        ws.unlock()
