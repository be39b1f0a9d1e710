"""A real workspace, ingested, cleared and curated once per session; tests tokenize copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clearlm.runner import run_stages
from tests.tokenize.corpus import TokenizeRun, make_config, make_corpus


@pytest.fixture(scope="session")
def curated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(corpus, workspace) with ingest, clear and curate done."""
    root = tmp_path_factory.mktemp("curated")
    corpus = make_corpus(root)
    ws = root / "ws"
    run_stages(make_config(corpus), ws, ["ingest", "clear", "curate"])
    return corpus, ws


@pytest.fixture
def tokenized(curated: tuple[Path, Path], tmp_path: Path) -> TokenizeRun:
    """Copy the curated workspace to `tmp_path/<name>` and run tokenize there with `extra` settings."""
    corpus, base = curated

    def run(*extra: str, name: str = "ws") -> Path:
        ws = tmp_path / name
        if not ws.exists():
            shutil.copytree(base, ws)
        run_stages(make_config(corpus, *extra), ws, ["tokenize"])
        return ws

    return run
