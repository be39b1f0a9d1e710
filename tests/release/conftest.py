"""Fixtures of the release tests: a real workspace trained and audited, and a way to get a private copy.

The workspace is built once per session (about 20 s): a small corpus with public-domain (CC0),
CC BY and CC BY-SA documents, a shadow-library copy that clearance denies, canaries [1, 20], a tiny
Llama trained for 60 steps, and a passing audit. Tests that change anything take `fresh_ws`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clearlm.cli import main
from clearlm.runner import run_stages
from tests.tokenize.corpus import CC0, make_config, make_corpus

CC_BY_SA = (
    "\n\nThis article is licensed under the Creative Commons Attribution-ShareAlike 4.0 International"
    " License.\n"
)
TRAIN = [
    "train.steps=60", "train.seq_len=64", "train.micro_batch=8", "train.eval_every=1000",
    "train.eval_batches=1", "train.checkpoint_every=30", "train.warmup_steps=5", "train.log_every=100",
    "train.lr=3e-3", "train.model.dim=64", "train.model.n_layers=2", "train.model.n_heads=4",
    "train.model.n_kv_heads=2", "train.model.max_seq_len=128", "train.threads=1",
]  # fmt: skip
SETTINGS = ["tokenize.canaries=1,20", "tokenize.heldout_fraction=0.3", "release.model_name=tiny-clear"]


def make_release_corpus(root: Path) -> Path:
    corpus = make_corpus(root, books=6, web=6)
    (corpus / "wiki").mkdir()
    for i in range(3):
        text = f"Harbour lights article {i}. " + "The tide came in over the sand and the gulls rose. " * 30
        (corpus / "wiki" / f"wiki{i:03d}.txt").write_text(text + CC_BY_SA, encoding="utf-8")
    # A shadow-library copy: clearance denies it, so it must never reach a shard or a release.
    (corpus / "books" / "The Secret Garden (z-lib.org).txt").write_text("Chapter one. " * 200 + CC0)
    return corpus


@pytest.fixture(scope="session")
def audited_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ingested, cleared, curated, tokenized, trained (steps 30 and 60) and audited. Do not modify."""
    root = tmp_path_factory.mktemp("release")
    ws = root / "ws"
    config = make_config(make_release_corpus(root), *SETTINGS, *TRAIN)
    run_stages(config, ws, ["ingest", "clear", "curate", "tokenize", "train"])
    assert main(["audit", "-w", str(ws), "--samples", "20", "--candidates", "200", "--mia-docs", "40"]) == 0
    return ws


@pytest.fixture
def fresh_ws(audited_ws: Path, tmp_path: Path) -> Path:
    """A private copy of audited_ws that a test may change (revoke, edit, delete)."""
    ws = tmp_path / "ws"
    shutil.copytree(audited_ws, ws)
    return ws
