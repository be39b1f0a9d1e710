"""The ingest stage: find input files, pack them into tasks, read them into documents."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

from clearlm.config import IngestConfig
from clearlm.errors import ConfigError, InputError
from clearlm.ingest.readers import read_file
from clearlm.pipeline.document import Document, Malformed
from clearlm.pipeline.stage import Source, Stage, TaskSpec
from clearlm.pipeline.step import Keep, Verdict
from clearlm.reasons import INGEST_READ, INGEST_ROBOTS


def discover(inputs: list[str]) -> list[tuple[str, Path]]:
    """(key, path) of every file under the inputs, sorted by key so the plan never depends on the OS.

    The key is the input root's own name plus the path below it: it names the file the same way
    wherever the corpus is checked out, which is what keeps doc ids stable.
    """
    if not inputs:
        raise ConfigError("no inputs: give PATH arguments or set ingest.inputs in the recipe")
    found: dict[str, Path] = {}
    for raw in inputs:
        root = Path(raw)
        if not root.exists():
            raise InputError("no such file or folder", root)
        if root.is_file():
            found.setdefault(root.name, root)
            continue
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in files:
                path = Path(folder) / name
                if path.is_file():
                    found.setdefault(f"{root.resolve().name}/{path.relative_to(root).as_posix()}", path)
    return sorted(found.items())


class IngestSource(Source):
    """Reads files named by the plan with the format readers."""

    name = "read"

    def __init__(self, config: IngestConfig) -> None:
        self.config = config

    def plan(self) -> list[TaskSpec]:
        tasks: list[TaskSpec] = []
        current: list[dict[str, object]] = []
        size = 0
        for key, path in discover(self.config.inputs):
            nbytes = path.stat().st_size
            current.append({"key": key, "path": str(path.resolve()), "bytes": nbytes})
            size += nbytes
            if size >= self.config.target_task_bytes or len(current) >= self.config.max_files_per_task:
                tasks.append(TaskSpec(len(tasks), tuple(current), size))
                current, size = [], 0
        if current:
            tasks.append(TaskSpec(len(tasks), tuple(current), size))
        return tasks

    def check_task(self, task: TaskSpec) -> None:
        for item in task.inputs:
            path = Path(str(item["path"]))
            if path.is_file() and path.stat().st_size != item["bytes"]:
                raise InputError("input file changed since this ingest started; use a new workspace", path)

    def read(self, task: TaskSpec) -> Iterator[Document | Malformed]:
        for item in task.inputs:
            yield from read_file(Path(str(item["path"])), str(item["key"]), self.config)

    def read_verdict(self, doc: Document) -> Verdict:
        reason = INGEST_ROBOTS if doc.kind == "robots" else INGEST_READ
        evidence = {
            "file_name": doc.file_name,
            "byte_offset": doc.byte_offset,
            "byte_length": doc.byte_length,
            "format": doc.meta.get("format"),
            "encoding": doc.meta.get("encoding"),
        }
        return Keep(reason, evidence=evidence)


def build_ingest_stage(config: IngestConfig) -> Stage:
    settings = dataclasses.asdict(config)
    return Stage(name="ingest", source=IngestSource(config), steps=[], settings=settings)
