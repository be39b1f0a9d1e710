"""The one record type that flows through every stage."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

# Bumping this changes every doc id; only do it with a migration note in the CHANGELOG.
_DOC_ID_SCHEME = "clearlm-doc-v1"


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def make_doc_id(key: str, content_sha256: str) -> str:
    """A stable id from where a record lives (`key`) and what it holds.

    `key` is location-independent (the input root's name plus the path under it, plus a record
    locator such as a line number or WARC-Record-ID), so re-ingesting the same files from another
    checkout gives the same ids. The content hash is part of it because an edited file is a new
    document: an old decision must not carry over to new text.
    """
    return "d" + sha256_hex(f"{_DOC_ID_SCHEME}\n{key}\n{content_sha256}")[:31]


# The columns of every stage's output parts (one row per document).
DOC_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("mime", pa.string(), nullable=False),
        pa.field("file_name", pa.string(), nullable=False),
        pa.field("byte_offset", pa.int64(), nullable=False),
        pa.field("byte_length", pa.int64(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("text", pa.large_string(), nullable=False),
        pa.field("meta", pa.string(), nullable=False),
    ]
)


@dataclass
class Document:
    """A document: its text, where it came from, and what steps learned about it.

    `kind` is "text" for training candidates and "robots" for robots.txt bodies that are kept only
    as evidence for clearance. `meta` holds everything else as JSON-able values (HTTP headers,
    WARC ids, detected encoding, fields added by annotators).
    """

    doc_id: str
    text: str
    source: str
    content_sha256: str
    file_name: str = ""
    byte_offset: int = 0
    byte_length: int = 0
    mime: str = "text/plain"
    kind: str = "text"
    meta: dict[str, Any] = field(default_factory=dict)
    # Per-process scratch shared by the steps of one run (e.g. the word split, so text is tokenised
    # once for all quality rules); never written out.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def create(cls, key: str, text: str, source: str, **fields: Any) -> Document:
        digest = sha256_hex(text)
        return cls(doc_id=make_doc_id(key, digest), text=text, source=source, content_sha256=digest, **fields)

    def to_row(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "kind": self.kind,
            "mime": self.mime,
            "file_name": self.file_name,
            "byte_offset": self.byte_offset,
            "byte_length": self.byte_length,
            "content_sha256": self.content_sha256,
            "text": self.text,
            "meta": json.dumps(self.meta, sort_keys=True, ensure_ascii=False),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Document:
        values = dict(row)
        values["meta"] = json.loads(values.get("meta") or "{}")
        values.pop("cache", None)
        return cls(**values)


@dataclass
class Malformed:
    """A piece of input that could not become a document; it goes to quarantine, never away.

    `position` says where in the file (byte offset, line number, row group) so a person can find it.
    """

    file: str
    position: str
    reason: str
    detail: str
    raw: bytes = b""
    source: str = ""
    # The file's location-independent key (see make_doc_id); set by ingest, falls back to `file`.
    key: str = ""

    @property
    def doc_id(self) -> str:
        # Quarantined records get ids too so the ledger can name them; the key is the location.
        return make_doc_id(f"{self.key or self.file}@{self.position}", sha256_hex(self.raw))
