"""JSONL / NDJSON reader, plain or gzip/zstd compressed, streamed in chunks.

One line is one record. Files can be far larger than memory and compressed streams are often cut
short by interrupted downloads, so the reader never holds more than one line (capped at
max_record_bytes) and keeps every complete line that precedes a cut.
"""

from __future__ import annotations

import datetime
import decimal
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zstandard

from clearlm.config import IngestConfig
from clearlm.ingest.readers.decode import DecodeError, decode_bytes, quarantine
from clearlm.pipeline.document import Document, Malformed
from clearlm.reasons import (
    INPUT_BAD_JSON,
    INPUT_EMPTY,
    INPUT_MISSING_FIELD,
    INPUT_TOO_LARGE,
    INPUT_TRUNCATED,
    INPUT_UNREADABLE,
)

# Compressed input is fed to the decompressor in slices this small so that one slice of a highly
# compressible stream cannot expand into an unbounded buffer.
READ_BYTES = 64 * 1024
# Other fields of a record are copied into meta["fields"] unless their JSON is longer than this:
# meta travels with every ledger row, embedded blobs (vectors, raw HTML) do not belong there.
MAX_FIELD_JSON = 4096


class _Broken(Exception):
    """The byte stream stopped early or is corrupt; `offset`/`raw` locate the incomplete line."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail
        self.offset, self.raw = 0, b""


@dataclass
class _Line:
    number: int  # 1-based
    offset: int  # in the (decompressed) stream
    length: int  # without the newline
    head: bytes  # the line, or its first max_record_bytes + 1 bytes if it is longer


@dataclass
class RecordAt:
    """Where a JSONL/Parquet record sits: used for its key, its source and its quarantine entry."""

    locator: str  # "L17" or "row=4": the key suffix when the record has no id
    position: str
    source: str
    raw: bytes
    offset: int = 0
    length: int = 0


def codec_for(name: str) -> str | None:
    lower = name.lower()
    return "gzip" if lower.endswith(".gz") else "zstd" if lower.endswith(".zst") else None


def read_jsonl(path: Path, key: str, config: IngestConfig) -> Iterator[Document | Malformed]:
    uri = path.resolve().as_uri()
    codec = codec_for(path.name)
    extra = {"offset_in": "decompressed"} if codec else {}
    suffix = " (decompressed)" if codec else ""
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield quarantine(path, "byte 0", INPUT_UNREADABLE, f"cannot open: {exc}", source=uri)
        return
    with fh:
        try:
            for line in _split_lines(_chunks(fh, codec), config.max_record_bytes):
                if not line.head.strip():
                    continue  # blank separator lines are not records
                source = f"{uri}#L{line.number}"
                position = f"line {line.number}"
                if line.length > config.max_record_bytes:
                    detail = f"line of {line.length} bytes > max_record_bytes {config.max_record_bytes}"
                    yield quarantine(path, position, INPUT_TOO_LARGE, detail, line.head, source)
                    continue
                try:
                    text, encoding = _line_text(line.head)
                    record = json.loads(text)
                except DecodeError as exc:
                    yield quarantine(path, position, exc.reason, exc.detail, line.head, source)
                    continue
                except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
                    yield quarantine(path, position, INPUT_BAD_JSON, f"not JSON: {exc}", line.head, source)
                    continue
                if not isinstance(record, dict):
                    detail = f"a JSON {type(record).__name__}, not an object"
                    yield quarantine(path, position, INPUT_BAD_JSON, detail, line.head, source)
                    continue
                meta = {"format": "jsonl", "encoding": encoding, "line": line.number, **extra}
                where = RecordAt(f"L{line.number}", position, source, line.head, line.offset, line.length)
                yield record_to_item(record, path, key, config, where, meta)
        except _Broken as exc:
            position = f"byte {exc.offset}{suffix}"
            yield quarantine(path, position, exc.reason, exc.detail, exc.raw, uri)


def _line_text(data: bytes) -> tuple[str, str]:
    try:
        # The JSONL norm (a BOM some editors put before line 1 is dropped); decode_bytes is the slow path.
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return decode_bytes(data)


def _chunks(fh: Any, codec: str | None) -> Iterator[bytes]:
    """Decompressed bytes in order; raises _Broken if the stream is corrupt or ends early."""
    if codec is None:
        while chunk := fh.read(READ_BYTES):
            yield chunk
        return
    new: Callable[[], Any] = (
        (lambda: zlib.decompressobj(wbits=31))
        if codec == "gzip"
        else zstandard.ZstdDecompressor().decompressobj
    )
    decomp, fed = new(), False
    while data := fh.read(READ_BYTES):
        while data:
            try:
                out = decomp.decompress(data)
            except (zlib.error, zstandard.ZstdError) as exc:
                raise _Broken(INPUT_UNREADABLE, f"corrupt {codec} stream: {exc}") from exc
            fed = True
            if out:
                yield out
            if not decomp.eof:
                break
            # Concatenated members/frames (pigz, zstd -T) are one stream; NUL padding after a gzip
            # member is legal and skipped like gzip(1) does.
            data = decomp.unused_data.lstrip(b"\0")
            decomp, fed = new(), False
    if fed and not decomp.eof:
        raise _Broken(INPUT_TRUNCATED, f"{codec} stream ends before its end marker (file cut short)")


def _split_lines(chunks: Iterable[bytes], limit: int) -> Iterator[_Line]:
    """Lines with their offsets. A line longer than `limit` is measured, not buffered."""
    head = bytearray()
    length = start = 0
    number = 1
    try:
        for chunk in chunks:
            pos = 0
            while pos < len(chunk):
                newline = chunk.find(b"\n", pos)
                end = len(chunk) if newline < 0 else newline
                if len(head) <= limit:
                    head += chunk[pos : min(end, pos + limit + 1 - len(head))]
                length += end - pos
                if newline < 0:
                    break
                yield _Line(number, start, length, bytes(head))
                start += length + 1
                number += 1
                head.clear()
                length = 0
                pos = newline + 1
    except _Broken as exc:
        exc.offset, exc.raw = start, bytes(head)
        raise
    if length:
        yield _Line(number, start, length, bytes(head))  # a last line without a newline


def record_to_item(
    record: dict[str, Any], path: Path, key: str, config: IngestConfig, where: RecordAt, meta: dict[str, Any]
) -> Document | Malformed:
    """A JSON-like record (a JSONL object or a Parquet row) → Document, or why not."""
    text = record.get(config.text_field)
    if not isinstance(text, str):
        got = "missing" if config.text_field not in record else f"a {type(text).__name__}, not a string"
        detail = f"text field {config.text_field!r} is {got}"
        return quarantine(path, where.position, INPUT_MISSING_FIELD, detail, where.raw, where.source)
    if not text.strip():
        detail = f"text field {config.text_field!r} is empty or whitespace"
        return quarantine(path, where.position, INPUT_EMPTY, detail, where.raw, where.source)
    record_id = record.get(config.id_field)
    # An explicit id keeps a record's doc id stable when lines are reordered or rows regrouped.
    has_id = isinstance(record_id, str | int) and not isinstance(record_id, bool) and str(record_id) != ""
    fields = {}
    for name, value in record.items():
        if name != config.text_field and (plain := _jsonable(value)) is not _SKIP:
            fields[name] = plain
    return Document.create(
        key=f"{key}#id={record_id}" if has_id else f"{key}#{where.locator}",
        text=text,
        source=where.source,
        file_name=path.name,
        byte_offset=where.offset,
        byte_length=where.length,
        mime="text/plain",
        kind="text",
        meta={**meta, "fields": fields},
    )


_SKIP = object()


def _jsonable(value: Any) -> Any:
    """`value` as plain JSON data, or _SKIP for binary, non-finite or oversized values."""
    try:
        encoded = json.dumps(value, default=_plain, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError):
        return _SKIP
    return json.loads(encoded) if len(encoded) <= MAX_FIELD_JSON else _SKIP


def _plain(value: Any) -> Any:
    # Parquet rows carry dates and decimals; bytes have no faithful JSON form and are left out.
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return str(value)
    raise TypeError(type(value).__name__)
