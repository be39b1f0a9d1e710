"""A checkpoint is answerable for the documents its steps read, not for the whole train split.

`early_ws` stops after two steps of 128 tokens each, with a checkpoint after each: step 1 has read a
few of the documents, and the gate, the release's attribution and `ledger affected` must say so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clearlm.cli import main
from clearlm.ledger import Ledger
from clearlm.ledger.events import EVENT_SCHEMA, make_event
from clearlm.release.gate import run_gate
from clearlm.revoke.affected import affected
from clearlm.runner import run_stages
from clearlm.train.replay import seen_by_checkpoint
from tests.release.conftest import SETTINGS, TRAIN, make_release_corpus
from tests.tokenize.corpus import make_config

EARLY = ["train.steps=2", "train.checkpoint_every=1", "train.micro_batch=2"]


@pytest.fixture(scope="module")
def early_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("early")
    config = make_config(make_release_corpus(root), *SETTINGS, *TRAIN, *EARLY)
    run_stages(config, root / "ws", ["ingest", "clear", "curate", "tokenize", "train"])
    return root / "ws"


def _train_docs(ws: Path) -> dict[str, dict[str, Any]]:
    rows = pq.read_table(ws / "tokens" / "index.parquet").to_pylist()
    return {r["doc_id"]: r for r in rows if r["split"] == "train" and r["group"] != "canary"}


def _revoke(ws: Path, doc: dict[str, Any]) -> None:
    event = make_event(
        run_id="test", stage="revoke", step="doc", doc_id=doc["doc_id"], source=doc["source"],
        content_sha256=doc["content_sha256"], decision="deny", reasons=["revoked"], evidence={"by": "test"},
    )  # fmt: skip
    Ledger(ws / "ledger").append(
        f"revoke-{doc['doc_id']}", pa.Table.from_pylist([event], schema=EVENT_SCHEMA)
    )


def test_step_one_read_some_documents_and_the_gate_attributes_only_those(early_ws: Path) -> None:
    step1 = early_ws / "checkpoints" / "step-000001"
    seen, problem = seen_by_checkpoint(early_ws / "tokens", json.loads((step1 / "lineage.json").read_text()))
    assert problem is None and seen is not None
    train = _train_docs(early_ws)
    read = set(seen.by_doc) & set(train)
    assert read and set(train) - read  # some documents read, some not reached yet
    report = run_gate(early_ws, step1)
    trained = {d["doc_id"] for d in report.trained_docs.to_pylist() if not d["canary"]}
    assert trained == read
    assert not {v.kind for v in report.violations} & {"lineage", "revoked", "not-cleared", "not-kept"}


def test_revoking_a_document_not_reached_yet_does_not_touch_that_checkpoint(
    early_ws: Path, tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(early_ws, ws)
    step1 = ws / "checkpoints" / "step-000001"
    seen, _ = seen_by_checkpoint(ws / "tokens", json.loads((step1 / "lineage.json").read_text()))
    assert seen is not None
    train = _train_docs(ws)
    read = sorted(set(seen.by_doc) & set(train))[0]
    unread = sorted(set(train) - set(seen.by_doc))[0]
    _revoke(ws, train[read])
    _revoke(ws, train[unread])

    revoked = [v.subject.split()[0] for v in run_gate(ws, step1).violations if v.kind == "revoked"]
    assert revoked == [read]

    uses = {d.doc_id: {c.checkpoint: c for c in d.checkpoints} for d in affected(ws)}
    assert uses[read]["checkpoints/step-000001"].used is True
    assert "checkpoints/step-000001" not in uses[unread]
    assert "tokens of it" in uses[read]["checkpoints/step-000001"].note


def test_the_audit_samples_only_documents_the_checkpoint_read(early_ws: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(early_ws, ws)
    args = ["audit", "-w", str(ws), "--samples", "20", "--candidates", "50", "--mia-docs", "20"]
    assert main(args) in (0, 1)  # 1: a two-step model may fail the policy; the sample is the point
    report = json.loads((ws / "audit" / "report.json").read_text())
    lineage = json.loads((ws / "checkpoints" / "step-000002" / "lineage.json").read_text())
    seen, _ = seen_by_checkpoint(ws / "tokens", lineage)
    assert seen is not None
    read = set(seen.by_doc) & set(_train_docs(ws))
    assert len(read) < len(_train_docs(ws))
    assert report["extraction"]["train_documents"] == len(read)
    assert {d["doc_id"] for d in report["extraction"]["worst"]} <= read
