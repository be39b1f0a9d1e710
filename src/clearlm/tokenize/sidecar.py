"""Each tokenize task's token ids, beside its part: what the driver packs into shards.

    stages/tokenize/tokens/NNNNN.bin       the task's documents' token ids, back to back (little-endian)
    stages/tokenize/tokens/NNNNN.parquet   one row per document: where its ids are in the .bin file

Written under temporary names and published by `run_task` just before the task's done marker, so
a task killed half-way leaves nothing the packer would read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from clearlm.atomic import publish, tmp_path_for
from clearlm.pipeline.document import Document
from clearlm.pipeline.recorder import TaskPaths
from clearlm.pipeline.stage import TaskSidecar

TOKENS_SUBDIR = "tokens"
TASK_TOKENS_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), False),
        pa.field("offset", pa.int64(), False),
        pa.field("length", pa.int64(), False),
        pa.field("split", pa.string(), False),
        pa.field("repeats", pa.int32(), False),
        pa.field("source", pa.string(), False),
        pa.field("group", pa.string(), False),
        pa.field("license", pa.string(), False),
        pa.field("content_sha256", pa.string(), False),
    ]
)


def task_token_files(stage_dir: Path, task: str) -> tuple[Path, Path]:
    """(ids file, rows file) of task `task` ("NNNNN")."""
    folder = stage_dir / TOKENS_SUBDIR
    return folder / f"{task}.bin", folder / f"{task}.parquet"


@dataclass(frozen=True)
class TokenSidecarFactory:
    """What `Stage.sidecar` holds: picklable, so tasks in other processes can make their sidecar."""

    dtype: str

    def __call__(self, paths: TaskPaths) -> TokenSidecar:
        # paths.done is stages/<stage>/done/NNNNN: the task's number, and its stage folder's child.
        return TokenSidecar(paths.part.parent, paths.done.name, self.dtype)


class TokenSidecar(TaskSidecar):
    def __init__(self, stage_dir: Path, task: str, dtype: str) -> None:
        self.bin_path, self.rows_path = task_token_files(stage_dir, task)
        self.bin_path.parent.mkdir(parents=True, exist_ok=True)
        self.dtype = np.dtype(dtype).newbyteorder("<")
        self._bin_tmp = tmp_path_for(self.bin_path)
        self._rows_tmp = tmp_path_for(self.rows_path)
        self._bin: IO[bytes] = open(self._bin_tmp, "wb")  # noqa: SIM115 (closed in publish/abort)
        self._rows = pq.ParquetWriter(self._rows_tmp, TASK_TOKENS_SCHEMA)
        self._offset = 0

    def write(self, docs: Sequence[Document]) -> None:
        rows: list[dict[str, object]] = []
        for doc in docs:
            ids = np.asarray(doc.cache["token_ids"], dtype=self.dtype)
            self._bin.write(ids.tobytes())
            rows.append(
                {
                    "doc_id": doc.doc_id,
                    "offset": self._offset,
                    "length": len(ids),
                    "split": doc.meta["split"],
                    "repeats": doc.meta["repeats"],
                    "source": doc.source,
                    "group": doc.meta["group"],
                    "license": doc.meta.get("license") or "",
                    "content_sha256": doc.content_sha256,
                }
            )
            self._offset += len(ids)
        if rows:
            self._rows.write_table(pa.Table.from_pylist(rows, schema=TASK_TOKENS_SCHEMA))

    def publish(self) -> None:
        self._bin.close()
        self._rows.close()
        publish(self._bin_tmp, self.bin_path)
        publish(self._rows_tmp, self.rows_path)

    def abort(self) -> None:
        self._bin.close()
        self._rows.close()
        self._bin_tmp.unlink(missing_ok=True)
        self._rows_tmp.unlink(missing_ok=True)
