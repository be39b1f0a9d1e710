"""The curate stage: per-document steps, then deduplication across the whole corpus.

Curation runs in two passes over the executor, both recorded in the ledger as stage "curate":

    curate_prep   the per-document steps of `curate.steps` (boilerplate, normalize, language,
                  quality.*, pii), over the documents clearance allowed
    (global)      find_duplicates reads every curate_prep part and decides, deterministically,
                  which documents duplicate which; written once, atomically, to
                  stages/curate/duplicates.parquet
    curate        the dedup step over the curate_prep parts: drops duplicates with `dup_of` and the
                  Jaccard as evidence; its parts are the curated corpus (the `curate` view)

Each pass resumes like any stage; the duplicates file is recomputed only if it is missing, and the
same input always gives the same file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from clearlm.atomic import atomic_open
from clearlm.config import RunConfig
from clearlm.curate.boilerplate import StripBoilerplate
from clearlm.curate.config import CurateConfig
from clearlm.curate.dedup import DedupFilter, find_duplicates
from clearlm.curate.html import ExtractHTML
from clearlm.curate.language import LanguageFilter
from clearlm.curate.normalize import NormalizeText
from clearlm.curate.pii import RedactPII
from clearlm.curate.quality import C4Quality, FineWebQuality, GopherQuality, GopherRepetition
from clearlm.errors import ConfigError
from clearlm.pipeline.executor import Executor, StageResult
from clearlm.pipeline.parts_source import PartsSource
from clearlm.pipeline.stage import Stage
from clearlm.pipeline.step import Step
from clearlm.workspace import Workspace

STEP_BUILDERS: dict[str, Callable[[CurateConfig], Step]] = {
    "html": lambda c: ExtractHTML(c.html),
    "boilerplate": lambda c: StripBoilerplate(c.boilerplate),
    "normalize": lambda c: NormalizeText(c.normalize),
    "pii": lambda c: RedactPII(c.pii),
    "language": lambda c: LanguageFilter(c.language),
    "quality.gopher": lambda c: GopherQuality(c.gopher),
    "quality.gopher_repetition": lambda c: GopherRepetition(c.gopher_repetition),
    "quality.c4": lambda c: C4Quality(c.c4),
    "quality.fineweb": lambda c: FineWebQuality(c.fineweb),
}
DEDUP = "dedup"
PREP = "curate_prep"
DUPLICATES = "duplicates.parquet"


def _check_steps(config: CurateConfig) -> list[str]:
    names = list(config.steps)
    unknown = [n for n in names if n not in STEP_BUILDERS and n != DEDUP]
    if unknown:
        known = ", ".join([*STEP_BUILDERS, DEDUP])
        raise ConfigError(f"curate.steps: unknown step(s) {unknown} (known: {known})")
    if DEDUP in names and names[-1] != DEDUP:
        raise ConfigError(
            "curate.steps: 'dedup' must come last (it compares the documents the other steps kept)"
        )
    return names


def build_prep_stage(config: CurateConfig, ws_root: Path) -> Stage:
    names = [n for n in _check_steps(config) if n != DEDUP]
    settings = {"steps": names, **{k: v for k, v in dataclasses.asdict(config).items() if k != "dedup"}}
    steps = [STEP_BUILDERS[name](config) for name in names]
    return Stage(
        PREP, PartsSource(ws_root, "clear"), steps, settings, dry_run=config.dry_run, ledger_stage="curate"
    )


def build_dedup_stage(config: CurateConfig, ws_root: Path, duplicates: pa.Table) -> Stage:
    enabled = DEDUP in config.steps
    settings = {"dedup": dataclasses.asdict(config.dedup) if enabled else None, "dry_run": config.dry_run}
    steps: list[Step] = [DedupFilter(duplicates)] if enabled else []
    return Stage("curate", PartsSource(ws_root, PREP), steps, settings, dry_run=config.dry_run)


def duplicates_table(config: CurateConfig, ws_root: Path, workers: int) -> pa.Table:
    """The duplicates of the whole prep output, computed once and kept (atomically) for resume."""
    path = ws_root / "stages" / "curate" / DUPLICATES
    if path.is_file():
        return pq.read_table(path)
    parts = sorted((ws_root / "stages" / PREP).glob("part-*.parquet"))
    table = find_duplicates(parts, config.dedup, workers)
    with atomic_open(path) as fh:
        pq.write_table(table, fh)
    return table


def run_curate(config: RunConfig, ws: Workspace, executor: Executor) -> list[StageResult]:
    """Both passes and the global dedup between them; each part resumes on its own."""
    prep = executor.run(build_prep_stage(config.curate, ws.root), ws)
    if DEDUP in _check_steps(config.curate):
        duplicates = duplicates_table(config.curate, ws.root, config.executor.workers)
    else:
        duplicates = pa.table({"doc_id": pa.array([], pa.string())})
    final = executor.run(build_dedup_stage(config.curate, ws.root, duplicates), ws)
    return [prep, final]
