"""Whole-file readers: one .txt/.md/.html file is one document.

HTML is kept as HTML here (markup, <meta> tags and rel="license" links are evidence for clearance);
turning it into plain text is a later step's job.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from clearlm.config import IngestConfig
from clearlm.ingest.readers.decode import DecodeError, declared_charset, decode_bytes, quarantine
from clearlm.pipeline.document import Document, Malformed
from clearlm.reasons import INPUT_EMPTY, INPUT_TOO_LARGE, INPUT_UNREADABLE

MIME_BY_SUFFIX = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".rst": "text/x-rst",
}
CODE_SUFFIXES = (".py", ".js", ".ts", ".c", ".h", ".cc", ".cpp", ".hpp", ".java", ".go", ".rs", ".rb", ".sh")
MIME_BY_SUFFIX.update({suffix: f"text/x-{suffix[1:]}" for suffix in CODE_SUFFIXES})
# An HTML charset declaration must sit in the first 1024 bytes (HTML Standard, "prescan").
_HTML_PRESCAN = 1024


def read_text(path: Path, key: str, config: IngestConfig) -> Iterator[Document | Malformed]:
    mime = MIME_BY_SUFFIX.get(path.suffix.lower(), "text/plain")
    uri = path.resolve().as_uri()
    try:
        size = path.stat().st_size
        if size > config.max_record_bytes:
            # Whole-file documents are held in memory whole, so the record limit applies to the file.
            with path.open("rb") as fh:
                head = fh.read(4096)
            yield quarantine(
                path,
                "byte 0",
                INPUT_TOO_LARGE,
                f"{size} bytes > max_record_bytes {config.max_record_bytes}",
                head,
                uri,
            )
            return
        raw = path.read_bytes()
    except OSError as exc:
        yield quarantine(path, "byte 0", INPUT_UNREADABLE, f"cannot read: {exc}", source=uri)
        return
    if not raw:
        yield quarantine(path, "byte 0", INPUT_EMPTY, "zero-byte file", source=uri)
        return
    declared = declared_charset(raw[:_HTML_PRESCAN]) if mime == "text/html" else None
    try:
        text, encoding = decode_bytes(raw, declared)
    except DecodeError as exc:
        yield quarantine(path, "byte 0", exc.reason, exc.detail, raw, uri)
        return
    yield Document.create(
        key=key,
        text=text,
        source=uri,
        file_name=path.name,
        byte_offset=0,
        byte_length=len(raw),
        mime=mime,
        kind="text",
        meta={"format": "text", "encoding": encoding},
    )
