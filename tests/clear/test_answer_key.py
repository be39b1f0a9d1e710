"""The bundled corpus through clearance, checked against its answer key (examples/CORPUS.md).

The answer key was written with the corpus, case by case, before the detectors existed; this test
holds the whole clearance stage to it: decisions, required reasons and forbidden reasons.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from clearlm.clear.policy import load_policy
from clearlm.clear.registry import add_works
from clearlm.clear.stage import ClearContext
from clearlm.config import IngestConfig
from clearlm.ingest.readers import read_file
from clearlm.ingest.stage import discover
from clearlm.pipeline.document import Document

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _answer_key() -> list[dict[str, Any]]:
    text = (EXAMPLES / "CORPUS.md").read_text(encoding="utf-8")
    entries = json.loads(text[text.index("```json") + 7 : text.rindex("```")])
    return [e for e in entries if e["decision"] in ("allow", "deny", "review")]


def _locate(doc: Document, rel: str) -> tuple[str, str | None]:
    """(path under the corpus, record) in the answer key's terms for a document."""
    fields = doc.meta.get("fields") or {}
    if doc.meta.get("format") == "warc":
        return rel, doc.source
    if doc.meta.get("format") in ("jsonl", "parquet"):
        if "id" in fields:
            return rel, f"#{fields['id']}"
        return rel, "L" + doc.source.rsplit("#L", 1)[-1]
    return rel, None


@pytest.fixture(scope="module")
def decisions(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str | None], Any]:
    registry = tmp_path_factory.mktemp("registry")
    add_works(registry, [EXAMPLES / "protected" / "the-lighthouse-keepers-ledger.txt"], "Pellmont Vane Press")
    policy = load_policy(EXAMPLES.parent / "policies" / "demo.toml", {"registry_path": str(registry)})
    context = ClearContext(policy, date(2026, 6, 1))
    docs: list[tuple[str, Document]] = []
    for key, path in discover([str(EXAMPLES / "corpus")]):
        rel = key.split("/", 1)[1]
        docs.extend((rel, d) for d in read_file(path, key, IngestConfig()) if isinstance(d, Document))
    context.add_evidence(d for _, d in docs)
    return {_locate(d, rel): context.clear(d) for rel, d in docs}


@pytest.mark.parametrize("case", _answer_key(), ids=lambda e: f"{e['path']}{e['record'] or ''}")
def test_decision_matches_the_answer_key(case: dict[str, Any], decisions: dict[Any, Any]) -> None:
    verdict = decisions.get((case["path"], case["record"]))
    assert verdict is not None, "the document was not read"
    got = set(verdict.reasons)
    allowed = {case["decision"], *case["acceptable"]}
    if case["decision"] == "deny":
        # Nothing the key denies may ever be allowed, whatever else is acceptable.
        assert verdict.decision != "allow", (verdict.reasons, case["notes"])
    assert verdict.decision in allowed, (verdict.decision, verdict.reasons, case["case"])
    if verdict.decision == case["decision"]:
        missing = [r for r in case["reasons"] if r not in got]
        assert not missing, (missing, verdict.reasons)
        if case["reasons_any"]:
            assert got & set(case["reasons_any"]), (case["reasons_any"], verdict.reasons)
    assert not got & set(case["forbid"]), (case["forbid"], verdict.reasons)
