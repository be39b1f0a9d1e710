"""Fixtures of the audit tests: a real workspace with canaries and one document repeated 20 times,
and a tiny model trained on it long enough to memorise (the CLI wired as the lead wires it)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click
import pytest
from rich.console import Console

from clearlm.audit.cli import register
from clearlm.cli import WS_OPTION, main
from clearlm.errors import ClearLMError
from clearlm.runner import run_stages
from tests.tokenize.corpus import CC0, make_config, make_corpus

# A document the mixture repeats 20 times: the model should recite it from any prefix.
MEMO = (
    "The lighthouse keeper wrote the same three lines in his log every evening: the lamp was lit at "
    "dusk, the fog bell was wound, and the harbour was quiet. He kept the book on a shelf beside the "
    "kettle, and when the shelf was full he carried the old books up to the lantern room, where they "
    "stood in a long row under the glass like a second, smaller tower."
)
SETTINGS = [
    "tokenize.canaries=1,20",
    "tokenize.mixture.source:corpus/memo=20",
    "tokenize.heldout_fraction=0.4",
]
TRAIN = [
    "train.steps=300", "train.seq_len=64", "train.micro_batch=8", "train.eval_every=1000",
    "train.eval_batches=1", "train.checkpoint_every=300", "train.warmup_steps=10", "train.log_every=100",
    "train.lr=3e-3", "train.model.dim=64", "train.model.n_layers=2", "train.model.n_heads=4",
    "train.model.n_kv_heads=2", "train.model.max_seq_len=128", "train.threads=1",
]  # fmt: skip


def audit_main(args: list[str]) -> int:
    """`clearlm audit …` through its register(), with the exit codes clearlm.cli.main gives."""
    group = click.Group()
    register(group, Console(width=200), WS_OPTION)
    try:
        group.main(["audit", *args], standalone_mode=False)
    except ClearLMError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except click.ClickException as exc:
        print(exc.format_message(), file=sys.stderr)
        return 2
    return 0


def make_audit_corpus(root: Path) -> Path:
    corpus = make_corpus(root, books=8, web=8)
    (corpus / "memo").mkdir()
    (corpus / "memo" / "memo.txt").write_text(MEMO + CC0, encoding="utf-8")
    # A shadow-library copy: clearance denies it (the door tests dress it up as a canary).
    (corpus / "books" / "The Secret Garden (z-lib.org).txt").write_text("Chapter one. " * 200 + CC0)
    return corpus


@pytest.fixture(scope="session")
def canary_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tokenized (no model yet): canaries [1, 20], the memo ×20, 40 % held out."""
    root = tmp_path_factory.mktemp("audit")
    ws = root / "ws"
    run_stages(make_config(make_audit_corpus(root), *SETTINGS), ws, ["ingest", "clear", "curate", "tokenize"])
    return ws


@pytest.fixture(scope="session")
def trained_ws(canary_ws: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of canary_ws with a tiny Llama trained 300 steps on it (about 10 s on one thread)."""
    ws = tmp_path_factory.mktemp("trained") / "ws"
    shutil.copytree(canary_ws, ws)
    args = ["train", "-w", str(ws), "--set", "executor.progress=false"]
    for setting in TRAIN:
        args += ["--set", setting]
    assert main(args) == 0
    return ws


# The trace tests (test_trace_*.py) use the train tests' real tokenized workspace.
from tests.train.conftest import tokenized_ws  # noqa: E402, F401
