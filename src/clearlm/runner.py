"""Runs stages by name over a workspace: what `clearlm run` and the per-stage verbs share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

from clearlm.clear.stage import build_clear_stage
from clearlm.config import RunConfig
from clearlm.errors import ConfigError
from clearlm.ingest.stage import build_ingest_stage
from clearlm.pipeline.executor import LocalExecutor, StageResult
from clearlm.pipeline.stage import Stage
from clearlm.workspace import Workspace

# Stages in pipeline order. Later issues add clear, curate, tokenize … here and nowhere else.
STAGE_BUILDERS: dict[str, Callable[[RunConfig, Path], Stage]] = {
    "ingest": lambda config, ws_root: build_ingest_stage(config.ingest),
    "clear": lambda config, ws_root: build_clear_stage(config.clear, ws_root),
}


def build_executor(config: RunConfig, console: Console | None = None) -> LocalExecutor:
    if config.executor.kind != "local":
        raise ConfigError(f"executor.kind '{config.executor.kind}' is not available (known: local)")
    return LocalExecutor(config.executor.workers, config.executor.progress, console)


def run_stages(
    config: RunConfig, ws_root: Path, stages: Sequence[str] | None = None, console: Console | None = None
) -> list[StageResult]:
    """Run `stages` (default: all) in order; each resumes where an earlier run stopped."""
    names = list(stages or STAGE_BUILDERS)
    unknown = [n for n in names if n not in STAGE_BUILDERS]
    if unknown:
        raise ConfigError(f"unknown stage(s) {unknown} (known: {', '.join(STAGE_BUILDERS)})")
    ws = Workspace.create_or_open(ws_root, config)
    ws.lock()
    try:
        executor = build_executor(config, console)
        return [executor.run(STAGE_BUILDERS[name](config, ws.root), ws) for name in names]
    finally:
        ws.unlock()
