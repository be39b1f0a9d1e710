"""Shared pieces of the demo-corpus builder: the answer-key entry, the `Corpus` writer and small
deterministic helpers (fixed gzip headers, uuid5 ids, ISBN check digits, prose to HTML).

Everything here is byte-stable: no clock, no file-system order, no unseeded randomness.
"""

from __future__ import annotations

import gzip
import io
import json
import textwrap
import uuid
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Every uuid in the corpus derives from this namespace, so record ids are stable across runs.
CORPUS_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://clearlm.example/demo-corpus")


@dataclass
class Expect:
    """What a correct pipeline should conclude about one document (or one broken input).

    decision: allow | deny | review (clearance), quarantine (ingest refuses it), evidence (ingest keeps
    it only as clearance evidence, e.g. robots.txt), skip (not content: request/warcinfo records).
    reasons: codes that must all appear. reasons_any: at least one of these must appear.
    forbid: codes that must not appear (e.g. piracy.* on an essay about piracy).
    acceptable: other decisions a careful implementation may defensibly reach.
    """

    path: str
    case: str
    decision: str
    reasons: list[str] = field(default_factory=list)
    record: str | None = None  # URL, "#id" or "L3" inside a container
    license: str | None = None  # expected SPDX expression (null when none / public domain)
    reasons_any: list[str] = field(default_factory=list)
    forbid: list[str] = field(default_factory=list)
    acceptable: list[str] = field(default_factory=list)
    curate: str = ""
    notes: str = ""


class Corpus:
    """Writes files under one root and collects the answer key."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.expect: list[Expect] = []
        self.facts: dict[str, object] = {}

    def write(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def add(self, *items: Expect) -> None:
        self.expect.extend(items)


def dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n") + "\n"


def gzip_bytes(data: bytes) -> bytes:
    """gzip with a fixed header: no file name, mtime 0."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()


def gzip_member(data: bytes) -> bytes:
    """One gzip member the way warcio writes them (zlib's gzip wrapper, mtime 0)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return comp.compress(data) + comp.flush()


def jsonl(records: Sequence[Mapping[str, object]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(CORPUS_NS, "\x1f".join(parts)))


def isbn13(stem12: str) -> str:
    """Complete a 12-digit ISBN stem with its check digit (the numbers are invented)."""
    digits = [int(c) for c in stem12 if c.isdigit()]
    total = sum(d * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
    return f"{stem12}-{(10 - total % 10) % 10}"


def paragraphs_html(text: str) -> str:
    """Blank-line separated prose → <p> elements (lines inside a paragraph are joined)."""
    paras = [" ".join(p.split()) for p in dedent(text).split("\n\n") if p.strip()]
    return "\n".join(f"      <p>{p}</p>" for p in paras)
