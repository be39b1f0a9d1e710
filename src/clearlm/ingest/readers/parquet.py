"""Parquet reader: one row is one record, read one row group at a time.

A bad footer makes the whole file unreadable (the footer is the index of everything else), but a
bad row group is only that group: the others are still read and the broken one is quarantined.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clearlm.config import IngestConfig
from clearlm.ingest.readers.decode import MAX_RAW, DecodeError, decode_bytes, quarantine
from clearlm.ingest.readers.jsonl import RecordAt, record_to_item
from clearlm.pipeline.document import Document, Malformed
from clearlm.reasons import INPUT_BAD_PARQUET, INPUT_MISSING_FIELD

# What pyarrow raises for corrupt input: ArrowInvalid/ArrowIOError and friends (also ValueError
# and OSError subclasses), plus plain OSError when the file cannot be read at all.
_ARROW_ERRORS = (pa.ArrowException, OSError, ValueError)


def read_parquet(path: Path, key: str, config: IngestConfig) -> Iterator[Document | Malformed]:
    uri = path.resolve().as_uri()
    try:
        pf = pq.ParquetFile(path)
        columns = list(pf.schema_arrow.names)
    except _ARROW_ERRORS as exc:
        yield quarantine(
            path, "footer", INPUT_BAD_PARQUET, f"cannot read Parquet metadata: {exc}", _tail(path), uri
        )
        return
    with pf:
        if config.text_field not in columns:
            detail = f"no text column {config.text_field!r}; columns are {', '.join(columns)}"
            yield quarantine(path, "schema", INPUT_MISSING_FIELD, detail, source=uri)
            return
        first_row = 0  # from the metadata, so a skipped group does not renumber the rows after it
        for group in range(pf.num_row_groups):
            group_rows = pf.metadata.row_group(group).num_rows
            try:
                rows = pf.read_row_group(group).to_pylist()
            except _ARROW_ERRORS as exc:
                detail = f"cannot read row group {group} ({group_rows} rows): {exc}"
                yield quarantine(path, f"row group {group}", INPUT_BAD_PARQUET, detail, source=uri)
                first_row += group_rows
                continue
            for index, row in enumerate(rows, start=first_row):
                yield _row_item(row, index, group, path, key, config, uri)
            first_row += group_rows


def _row_item(
    row: dict[str, Any], index: int, group: int, path: Path, key: str, config: IngestConfig, uri: str
) -> Document | Malformed:
    source = f"{uri}#row={index}"
    position = f"row group {group}, row {index}"
    raw = json.dumps(row, default=repr, ensure_ascii=False).encode("utf-8")[:MAX_RAW]
    encoding = "utf-8"  # Parquet strings are UTF-8 by specification
    value = row.get(config.text_field)
    if isinstance(value, bytes):
        # A binary text column holds bytes of unknown encoding: decode them like a text file.
        try:
            text, encoding = decode_bytes(value)
        except DecodeError as exc:
            return quarantine(path, position, exc.reason, exc.detail, value, source)
        row = {**row, config.text_field: text}
    # A row has no byte range of its own in a columnar file: byte_offset/byte_length stay 0 and
    # meta["row_group"]/meta["row"] locate it instead.
    meta = {"format": "parquet", "encoding": encoding, "row_group": group, "row": index}
    return record_to_item(row, path, key, config, RecordAt(f"row={index}", position, source, raw), meta)


def _tail(path: Path) -> bytes:
    """The last bytes of the file: the footer is what failed, so that is what to keep."""
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - MAX_RAW))
            return fh.read(MAX_RAW)
    except OSError:
        return b""
