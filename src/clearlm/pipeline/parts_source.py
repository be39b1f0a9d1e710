"""A source that reads an earlier stage's output parts: how every stage after ingest gets documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from clearlm.errors import WorkspaceError
from clearlm.pipeline.document import Document, Malformed
from clearlm.pipeline.executor import COMPLETE
from clearlm.pipeline.stage import Source, TaskSpec


class PartsSource(Source):
    """One task per part of `stage` in the workspace; that stage must be complete."""

    name = "parts"

    def __init__(self, ws_root: Path, stage: str) -> None:
        self.ws_root = Path(ws_root)
        self.stage = stage

    def plan(self) -> list[TaskSpec]:
        stage_dir = self.ws_root / "stages" / self.stage
        if not (stage_dir / COMPLETE).is_file():
            raise WorkspaceError(f"stage '{self.stage}' has not completed; run it first", stage_dir)
        parts = sorted(stage_dir.glob("part-*.parquet"))
        return [
            TaskSpec(i, ({"part": str(p.relative_to(self.ws_root))},), p.stat().st_size)
            for i, p in enumerate(parts)
        ]

    def read(self, task: TaskSpec) -> Iterator[Document | Malformed]:
        parquet = pq.ParquetFile(self.ws_root / str(task.inputs[0]["part"]))
        for group in range(parquet.num_row_groups):
            for row in parquet.read_row_group(group).to_pylist():
                yield Document.from_row(row)
