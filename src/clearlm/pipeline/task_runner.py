"""One task of a stage, start to finish: read its input, run the steps, publish its files.

Whichever executor runs a task (a local process, a Ray worker), this is what runs: documents go
through the stage's steps `batch_size` at a time, the part, events, stats and sidecar are written to
temporary files, and published only once the task has finished; the done marker is written last, so
a task interrupted anywhere leaves nothing that a rerun would mistake for output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clearlm.atomic import atomic_write_text
from clearlm.pipeline.document import Document, Malformed
from clearlm.pipeline.recorder import PartWriter, TaskPaths, TaskRecorder
from clearlm.pipeline.stage import Stage, TaskSidecar, TaskSpec


def run_task(stage: Stage, ws_root: Path, run_id: str, task: TaskSpec) -> dict[str, Any]:
    """Run one task start to finish and publish its files, the done marker last."""
    paths = TaskPaths(ws_root, stage.name, task.index)
    recorder = TaskRecorder(run_id, stage.ledger_name, paths, dry_run=stage.dry_run)
    part = PartWriter(paths.part)
    sidecar: TaskSidecar | None = None
    read_docs = 0
    try:
        if stage.sidecar is not None:
            sidecar = stage.sidecar(paths)
        batch: list[Document] = []
        for item in stage.source.read(task):
            if isinstance(item, Malformed):
                recorder.quarantine(stage.source.name, item)
                continue
            read_docs += 1
            verdict = stage.source.read_verdict(item)
            if verdict is not None:
                recorder.record(stage.source.name, item, verdict)
            batch.append(item)
            if len(batch) >= stage.batch_size:
                _through_steps(stage, batch, recorder, part, sidecar)
                batch = []
        _through_steps(stage, batch, recorder, part, sidecar)
        part.publish()
        if sidecar is not None:
            sidecar.publish()
        stats = recorder.publish(
            {
                "task": task.index,
                "input_bytes": task.size_bytes,
                "docs_read": read_docs,
                "docs_out": part.docs,
                "text_bytes_out": part.text_bytes,
            }
        )
    except BaseException:
        part.abort()
        recorder.abort()
        if sidecar is not None:
            sidecar.abort()
        raise
    atomic_write_text(paths.done, json.dumps({"task": task.index, "docs_out": part.docs}))
    return stats


def _through_steps(
    stage: Stage,
    batch: list[Document],
    recorder: TaskRecorder,
    part: PartWriter,
    sidecar: TaskSidecar | None,
) -> None:
    for step in stage.steps:
        if not batch:
            break
        batch = step.apply(batch, recorder)
    part.write(batch)
    if sidecar is not None:
        sidecar.write(batch)
