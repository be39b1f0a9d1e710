"""Format readers. Each yields Documents and Malformed records; none raises for bad input.

`read_file(path, key, config)` picks the reader by file name. `key` is the location-independent
name of the file (input root name + relative path) from which doc ids are derived.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from clearlm.config import IngestConfig
from clearlm.ingest.readers.decode import decode_bytes, quarantine
from clearlm.ingest.readers.jsonl import read_jsonl
from clearlm.ingest.readers.parquet import read_parquet
from clearlm.ingest.readers.text import CODE_SUFFIXES, read_text
from clearlm.ingest.readers.warc import read_warc
from clearlm.pipeline.document import Document, Malformed, make_doc_id
from clearlm.reasons import INPUT_EMPTY, INPUT_UNREADABLE, INPUT_UNSUPPORTED

Reader = Callable[[Path, str, IngestConfig], Iterator[Document | Malformed]]

_READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".markdown": read_text,
    ".html": read_text,
    ".htm": read_text,
    ".rst": read_text,
    # Source code is text too; its SPDX headers and licence files are clearance evidence.
    **dict.fromkeys(CODE_SUFFIXES, read_text),
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".jsonl.gz": read_jsonl,
    ".ndjson.gz": read_jsonl,
    ".jsonl.zst": read_jsonl,
    ".ndjson.zst": read_jsonl,
    ".parquet": read_parquet,
    ".warc": read_warc,
    ".warc.gz": read_warc,
}
# Longest first, so "x.warc.gz" is a WARC and never matches a shorter suffix by accident.
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(sorted(_READERS, key=len, reverse=True))

__all__ = ["SUPPORTED_SUFFIXES", "decode_bytes", "read_file", "reader_for"]


def reader_for(name: str) -> Reader | None:
    """The reader for a file name (case-insensitive suffix match), or None if unsupported."""
    lower = name.lower()
    for suffix in SUPPORTED_SUFFIXES:
        if lower.endswith(suffix):
            return _READERS[suffix]
    return None


def read_file(path: Path, key: str, config: IngestConfig) -> Iterator[Document | Malformed]:
    """Every document in `path`, in file order, and a Malformed for every piece that is not one.

    Deterministic: the same file always gives the same sequence (and so the same doc ids), and ids
    do not depend on where the input lies on disk: quarantined records are named by `key` too.
    """
    seen: dict[str, int] = {}
    for item in _read_items(path, key, config):
        if isinstance(item, Malformed):
            item.key = key
        elif item.doc_id in seen:
            # Two records with the same id field and the same text would share a doc id; a doc id
            # must name one record, so repeats get a deterministic suffix (and dedup, later, sees
            # them as the exact duplicates they are).
            seen[item.doc_id] += 1
            item.doc_id = make_doc_id(f"{item.doc_id}#repeat{seen[item.doc_id]}", item.content_sha256)
        else:
            seen[item.doc_id] = 0
        yield item


def _read_items(path: Path, key: str, config: IngestConfig) -> Iterator[Document | Malformed]:
    uri = path.resolve().as_uri()
    reader = reader_for(path.name)
    if reader is None:
        detail = f"unsupported file type {path.name!r} (readable types: docs/ingest.md)"
        yield quarantine(path, "byte 0", INPUT_UNSUPPORTED, detail, source=uri)
        return
    try:
        if not path.is_file():
            raise OSError(f"not a regular file: {path}")
        size = path.stat().st_size
    except OSError as exc:
        yield quarantine(path, "byte 0", INPUT_UNREADABLE, f"cannot open: {exc}", source=uri)
        return
    if size == 0:
        yield quarantine(path, "byte 0", INPUT_EMPTY, "zero-byte file", source=uri)
        return
    produced = False
    try:
        for item in reader(path, key, config):
            produced = True
            yield item
    except OSError as exc:
        # Input that vanishes or fails at the device level mid-read; the records before stay.
        yield quarantine(path, "byte 0", INPUT_UNREADABLE, f"read failed: {exc}", source=uri)
        return
    if not produced:
        # Every file leaves a trace: one with no records at all (a compressed empty stream, a WARC
        # of redirects only) is reported instead of silently vanishing.
        yield quarantine(path, "byte 0", INPUT_EMPTY, "no records with text in this file", source=uri)
