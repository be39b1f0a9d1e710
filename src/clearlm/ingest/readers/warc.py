"""WARC reader (plain or per-record gzip), with recovery from broken records.

Documents are the text-ish 2xx `response` records; robots.txt responses (any status, RFC 9309 gives
4xx/5xx a meaning too) become kind="robots" evidence. Request, warcinfo, metadata and revisit records,
redirects and error pages are not content and are skipped. HTTP headers are kept in order with
duplicates, because opt-out signals (X-Robots-Tag, tdm-reservation, Content-Usage) live there.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from clearlm.config import IngestConfig
from clearlm.ingest.readers.decode import MAX_RAW, DecodeError, declared_charset, decode_bytes, quarantine
from clearlm.pipeline.document import Document, Malformed
from clearlm.reasons import (
    INPUT_BAD_WARC,
    INPUT_EMPTY,
    INPUT_TOO_LARGE,
    INPUT_TRUNCATED,
    INPUT_UNREADABLE,
    INPUT_UNSUPPORTED,
)

TEXT_MEDIA = frozenset(
    {
        "application/xhtml+xml",
        "application/xml",
        "application/json",
        "application/rss+xml",
        "application/atom+xml",
    }
)
# Where a record may start: a gzip member header (per-record .warc.gz) or a WARC version line at the
# start of a line (plain .warc).
_GZIP_MEMBER = re.compile(rb"\x1f\x8b\x08")
_WARC_LINE = re.compile(rb"\nWARC/1\.[01]\r\n")
_SCAN_BYTES = 1024 * 1024


def read_warc(path: Path, key: str, config: IngestConfig) -> Iterator[Document | Malformed]:
    uri = path.resolve().as_uri()
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield quarantine(path, "byte 0", INPUT_UNREADABLE, f"cannot open: {exc}", source=uri)
        return
    with fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
        size = fh.seek(0, 2)
        start: int | None = 0
        while start is not None:
            pass_start = fh.seek(start)
            records = ArchiveIterator(fh)
            try:
                for record in records:
                    item = _record_item(record, records, gzipped, path, key, config)
                    if item is not None:
                        yield item
                _check_tail(fh, int(records.offset), size)
                start = None
            # warcio signals broken input with many unrelated types (ArchiveLoadFailed, ValueError,
            # zlib.error, EOFError, AttributeError on half-parsed headers), so every one is caught.
            except Exception as exc:
                bad = exc if isinstance(exc, _BadRecord) else _BadRecord(records.offset, INPUT_BAD_WARC, exc)
                # warcio's offsets are compressed-file offsets only for per-record gzip; in a whole-file
                # gzip they are meaningless, so keep them inside this pass's part of the file.
                bad.offset = min(max(bad.offset, pass_start), size)
                start = _resync(fh, bad.offset + 1, gzipped)
                end = start if start is not None else size
                fh.seek(bad.offset)
                raw = fh.read(min(MAX_RAW, end - bad.offset))
                resumed = f"resumed at byte {start}" if start is not None else "no record after it"
                detail = f"skipped {end - bad.offset} bytes, {resumed}: {bad.detail}"
                yield quarantine(path, f"record at byte {bad.offset}", bad.reason, detail, raw, uri)


class _BadRecord(Exception):
    """A record warcio parsed but that is not whole; `offset` is where it starts in the file."""

    def __init__(self, offset: Any, reason: str, problem: Exception | str) -> None:
        message = problem if isinstance(problem, str) else f"{type(problem).__name__}: {problem}"
        super().__init__(message)
        self.offset, self.reason, self.detail = int(offset), reason, message[:200]


def _record_item(
    record: Any, records: ArchiveIterator, gzipped: bool, path: Path, key: str, config: IngestConfig
) -> Document | Malformed | None:
    errors_before = records.err_count
    response = record.rec_type == "response"
    body: bytes = record.content_stream().read(config.max_record_bytes + 1) if response else b""
    # Asking for offset/length drains the record now, so a failure inside it is reported for this
    # record, before its document is yielded, never after.
    offset, length = int(records.get_record_offset()), int(records.get_record_length())
    # warcio trusts Content-Length: a missing or wrong one only shows as a short read or as junk.
    declared = record.rec_headers.get_header("Content-Length") or ""
    if not declared.strip().isdigit():
        raise _BadRecord(offset, INPUT_BAD_WARC, f"Content-Length {declared!r} is not a byte count")
    if getattr(record.raw_stream, "limit", 0) > 0:
        missing = f"record ends {record.raw_stream.limit} bytes before its Content-Length"
        raise _BadRecord(offset, INPUT_TRUNCATED, missing)
    # After a well-framed block come blank lines, then the next "WARC/1.x" line or the end (of the
    # file, or of the gzip member). Junk there means this Content-Length is wrong, unless the block
    # ended with exactly the CRLF CRLF the spec asks for: then it is the next record that is broken.
    following = records.next_line
    junk_after = bool(following) and not following.startswith(b"WARC/")
    clean_end = not gzipped and int(records.offset) - (offset + length) == 4
    if records.err_count > errors_before or (junk_after and not clean_end):
        raise _BadRecord(offset, INPUT_BAD_WARC, f"Content-Length {declared} does not end the record")
    if not response:
        return None
    target = record.rec_headers.get_header("WARC-Target-URI") or ""
    position = f"record at byte {offset}"
    http = record.http_headers
    if not http:
        return quarantine(
            path, position, INPUT_UNSUPPORTED, f"{target}: response without HTTP headers", body, target
        )
    status = _status(http.get_statuscode())
    content_type = http.get_header("Content-Type") or ""
    media = content_type.partition(";")[0].strip().lower()
    robots = urlsplit(target).path == "/robots.txt"
    if not robots:
        if status is None or not 200 <= status < 300:
            return None  # redirects and error pages carry no document
        if media and not (media.startswith("text/") or media in TEXT_MEDIA):
            return quarantine(
                path, position, INPUT_UNSUPPORTED, f"{target}: {media} is not text", body, target
            )
    if len(body) > config.max_record_bytes:
        detail = f"{target}: body over max_record_bytes {config.max_record_bytes}"
        return quarantine(path, position, INPUT_TOO_LARGE, detail, body, target)
    try:
        text, encoding = decode_bytes(body, declared_charset(content_type.encode("latin-1", "replace")))
    except DecodeError as exc:
        if not (robots and exc.reason == INPUT_EMPTY):
            return quarantine(path, position, exc.reason, f"{target}: {exc.detail}", body, target)
        # An empty robots.txt (or a 404 with no body) is still evidence: it means "no rules".
        text, encoding = body.decode("latin-1"), "latin-1"
    record_id = record.rec_headers.get_header("WARC-Record-ID") or f"<at byte {offset}>"
    return Document.create(
        key=f"{key}#{record_id}",
        text=text,
        source=target,
        file_name=path.name,
        byte_offset=offset,
        byte_length=length,
        mime="text/plain" if robots else (media or "text/plain"),
        kind="robots" if robots else "text",
        meta={
            "format": "warc",
            "encoding": encoding,
            "warc_record_id": record_id,
            "warc_date": record.rec_headers.get_header("WARC-Date"),
            "target_uri": target,
            "http_status": status,
            "http_headers": [[name, value] for name, value in http.headers],
            "warc_file": key,
        },
    )


def _check_tail(fh: IO[bytes], offset: int, size: int) -> None:
    """warcio stops quietly at bytes it cannot start a record with (e.g. a gzip member cut inside
    its header); anything but padding after the last whole record is a truncated record."""
    fh.seek(offset)
    if offset < size and fh.read(MAX_RAW).strip(b"\r\n\0 "):
        raise _BadRecord(offset, INPUT_TRUNCATED, "the file ends inside this record")


def _status(code: Any) -> int | None:
    text = str(code or "").strip()
    return int(text) if text.isdigit() else None


def _resync(fh: IO[bytes], after: int, gzipped: bool) -> int | None:
    """Offset of the first plausible record start at or after `after`, or None if there is none.

    warcio only knows where a record starts from where the previous one ended, so after a broken
    record it cannot go on by itself. We scan the raw file for the next record start and check that
    it really is one. Every candidate is at or after `after`, which is past the failed record's
    start, so the caller's restart offset strictly grows and the loop ends.
    """
    pattern = _GZIP_MEMBER if gzipped else _WARC_LINE
    lead = 0 if gzipped else 1  # the plain pattern includes the newline before "WARC/"
    pos = after
    while True:
        fh.seek(pos - lead)
        block = fh.read(_SCAN_BYTES)
        for match in pattern.finditer(block):
            candidate = pos - lead + match.start() + lead
            if candidate >= after and _is_record_start(fh, candidate, gzipped):
                return candidate
        if len(block) < _SCAN_BYTES:
            return None
        pos += len(block) - 16  # overlap so a marker split across two blocks is still seen


def _is_record_start(fh: IO[bytes], offset: int, gzipped: bool) -> bool:
    fh.seek(offset)
    head = fh.read(4096)
    if gzipped:
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 16)
        except zlib.error:
            return False  # the three magic bytes occurred by chance inside compressed data
    return head.startswith((b"WARC/1.0\r\n", b"WARC/1.1\r\n"))
