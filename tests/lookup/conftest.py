"""Fixtures of the lookup tests: the trained and audited workspace of the release tests, and a copy of it
that lookups may write their index (and the trace index) into."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from clearlm.ledger.query import connect
from tests.release.conftest import audited_ws, fresh_ws  # noqa: F401


@pytest.fixture(scope="module")
def lookup_ws(audited_ws: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """A private copy of audited_ws per test module: a lookup writes WS/lookup/, audited_ws stays as built."""
    ws = tmp_path_factory.mktemp("lookup") / "ws"
    shutil.copytree(audited_ws, ws)
    return ws


def trained_doc(ws: Path, nth: int = 0) -> tuple[str, str]:
    """(doc_id, ingested text) of the nth book (about 150 words each) with tokens in the train split."""
    con = connect(ws)
    rows = con.execute(
        """SELECT doc_id, text FROM ingest
           WHERE file_name LIKE 'books%' AND doc_id IN (SELECT doc_id FROM tokens WHERE split = 'train')
           ORDER BY doc_id"""
    ).fetchall()
    return rows[nth][0], rows[nth][1]


def shadow_library_doc(ws: Path) -> tuple[str, str]:
    """(doc_id, text) of the z-lib copy that clearance denied."""
    con = connect(ws)
    row = con.execute("SELECT doc_id, text FROM ingest WHERE file_name LIKE '%z-lib%'").fetchone()
    assert row is not None
    return row[0], row[1]


def edited(text: str, every: int = 25) -> str:
    """`text` with every `every`-th word replaced: a few words changed, the rest verbatim."""
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return "zebra" if count % every == 0 else match.group(0)

    return re.sub(r"[A-Za-z]+", swap, text)


def passage(text: str, words: int = 60, skip: int = 20) -> str:
    """`words` consecutive words of `text` after the first `skip`, as they stand (line breaks kept)."""
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    return text[spans[skip][0] : spans[skip + words - 1][1]]
