"""Lookup: "is my work in this training data?" — exact, near-duplicate and verbatim matches of a text
against every document a workspace collected, with what happened to each (docs/lookup.md).

    from clearlm.lookup import LookupIndex, read_query_file
    result = LookupIndex.open(ws).lookup(read_query_file(path), name=path.name)
    print(result.summary)

Files are read the way ingest reads them (the same decoder: UTF-8, UTF-16 with a BOM, a declared or
detected charset, and a printable-text check), so a file we ingested hashes to what the ledger holds.

The index and its libraries (numpy, trafilatura, the curate steps) load on first use of
`LookupIndex`, not when the package is imported: every `clearlm` command imports the lookup
command, and only `clearlm lookup` needs them.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clearlm.errors import InputError

if TYPE_CHECKING:
    from clearlm.lookup.index import TRACE_MAX_CHARS, IndexBuild, LookupIndex
    from clearlm.lookup.result import DocMatch, LookupResult, QueryInfo, Span

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_THRESHOLD = 0.5
# An HTML charset declaration sits in the first 1024 bytes (HTML Standard "prescan"), as ingest reads it.
_PRESCAN = 1024
_LAZY = {
    "TRACE_MAX_CHARS": "clearlm.lookup.index",
    "IndexBuild": "clearlm.lookup.index",
    "LookupIndex": "clearlm.lookup.index",
    "DocMatch": "clearlm.lookup.result",
    "LookupResult": "clearlm.lookup.result",
    "QueryInfo": "clearlm.lookup.result",
    "Span": "clearlm.lookup.result",
}

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_THRESHOLD",
    "TRACE_MAX_CHARS",
    "DocMatch",
    "IndexBuild",
    "LookupIndex",
    "LookupResult",
    "QueryInfo",
    "Span",
    "decode_query",
    "read_query_file",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def decode_query(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of an uploaded or read file; InputError naming `name` when oversized, empty or binary."""
    from clearlm.ingest.readers.decode import DecodeError, declared_charset, decode_bytes
    from clearlm.lookup.index import looks_like_html

    if len(data) > max_bytes:
        raise InputError(f"{len(data):,} bytes is over the lookup limit of {max_bytes:,} bytes", name)
    head = data[:_PRESCAN]
    declared = declared_charset(head) if looks_like_html(head.decode("latin-1"), name) else None
    try:
        text, _ = decode_bytes(data, declared)
    except DecodeError as exc:
        raise InputError(f"not readable as text ({exc.detail})", name) from None
    return text


def read_query_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read one file to look up (.txt, .md, .html or any text file), refusing it as `decode_query` does."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{size:,} bytes is over the lookup limit of {max_bytes:,} bytes", path)
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror or exc})", path) from None
    return decode_query(data, str(path), max_bytes)
