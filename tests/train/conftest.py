"""Fixtures of the train tests: a hand-built token directory, and a real tokenized workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearlm.runner import run_stages
from tests.tokenize.corpus import make_config, make_corpus

from .token_fixture import make_tokens_dir


@pytest.fixture(scope="module")
def tokens_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tokens_dir(tmp_path_factory.mktemp("ws") / "tokens")


@pytest.fixture(scope="session")
def tokenized_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("door")
    corpus = make_corpus(root)
    # A shadow-library copy: clearance denies it, so it must never reach a shard.
    (corpus / "books" / "The Secret Garden (z-lib.org).txt").write_text(
        "Chapter one. " * 200 + "\nThis text is dedicated to the public domain under CC0 1.0 Universal.\n",
        encoding="utf-8",
    )
    ws = root / "ws"
    run_stages(make_config(corpus), ws, ["ingest", "clear", "curate", "tokenize"])
    return ws
