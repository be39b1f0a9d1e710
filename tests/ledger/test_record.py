"""Ledger events from people: revocations and review requests, chained like every other event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clearlm.errors import UserError
from clearlm.ledger import Ledger
from clearlm.ledger.contacts import commitment, erase_contact, read_contact
from clearlm.ledger.query import run_sql
from clearlm.ledger.record import (
    MAX_MESSAGE,
    REVIEW_KINDS,
    ledger_docs,
    record_revocations,
    request_review,
    revoked_doc_ids,
)
from clearlm.train.door import check_tokens
from tests.release import conftest as release_fixtures

# The release tests' trained workspace (built once per session) and a private copy per test.
audited_ws = release_fixtures.audited_ws
fresh_ws = release_fixtures.fresh_ws


def trained(ws: Path, n: int) -> list[str]:
    _, rows = run_sql(
        ws, "SELECT DISTINCT doc_id FROM tokens WHERE split = 'train' AND \"group\" <> 'canary' ORDER BY 1"
    )
    return [str(r[0]) for r in rows[:n]]


def events(ws: Path, stage: str) -> list[dict[str, object]]:
    sql = "SELECT doc_id, source, step, decision, reasons, evidence FROM ledger WHERE stage = ? ORDER BY seq"
    columns, rows = run_sql(ws, sql, [stage])
    found = [dict(zip(columns, row, strict=True)) for row in rows]
    for event in found:
        event["evidence"] = json.loads(str(event["evidence"]))
    return found


def test_revocation_is_one_chained_segment_and_idempotent(fresh_ws: Path) -> None:
    a, b = trained(fresh_ws, 2)
    segments = len(Ledger(fresh_ws / "ledger").segments())
    count = record_revocations(
        fresh_ws, [a, b, a], step="doc", reasons=["registry.match", "revoked"], evidence={"note": "x"},
        per_doc={b: {"work_id": "w1"}},
    )  # fmt: skip
    assert count == 2
    assert len(Ledger(fresh_ws / "ledger").segments()) == segments + 1
    rows = events(fresh_ws, "revoke")
    assert [r["doc_id"] for r in rows] == [a, b]
    assert all(r["decision"] == "deny" and r["reasons"] == ["revoked", "registry.match"] for r in rows)
    assert rows[0]["evidence"] == {"note": "x"}
    assert rows[1]["evidence"] == {"note": "x", "work_id": "w1"}
    assert rows[0]["source"] == ledger_docs(fresh_ws, [a])[a].source
    assert revoked_doc_ids(fresh_ws) == {a, b}
    Ledger(fresh_ws / "ledger").verify()
    # Again: nothing new, no new segment.
    assert record_revocations(fresh_ws, [a, b], step="doc", reasons=[], evidence={}) == 0
    assert len(Ledger(fresh_ws / "ledger").segments()) == segments + 1


def test_unknown_document_records_nothing(fresh_ws: Path) -> None:
    (a,) = trained(fresh_ws, 1)
    with pytest.raises(UserError, match="no such document in the ledger: nope"):
        record_revocations(fresh_ws, [a, "nope"], step="doc", reasons=[], evidence={})
    assert revoked_doc_ids(fresh_ws) == set()
    with pytest.raises(UserError, match="lower-case word"):
        record_revocations(fresh_ws, [a], step="Bad Step", reasons=[], evidence={})


def test_review_request_about_documents_changes_no_decision(fresh_ws: Path) -> None:
    a, b = trained(fresh_ws, 2)
    request_id = request_review(
        fresh_ws, doc_ids=[a, b], name=" Jane Roe ", email="jane@example.org",
        message="Please remove my essay.", kind="opt-out", evidence={"query_sha256": "ab" * 32},
    )  # fmt: skip
    rows = events(fresh_ws, "review")
    assert [r["doc_id"] for r in rows] == [a, b]
    for row in rows:
        assert row["decision"] == "review" and row["reasons"] == ["complaint.opt-out"]
        evidence = row["evidence"]
        assert isinstance(evidence, dict)
        assert evidence["request_id"] == request_id and evidence["doc_ids"] == [a, b]
        assert evidence["query_sha256"] == "ab" * 32
        # Personal details stay out of the append-only ledger: only a salted commitment goes in.
        assert not {"name", "email", "message"} & set(evidence)
        contact = read_contact(fresh_ws, request_id)
        assert contact is not None and (contact["name"], contact["email"]) == ("Jane Roe", "jane@example.org")
        assert evidence["contact_sha256"] == commitment(contact)
    assert "jane@example.org" not in "".join(
        p.read_bytes().decode("latin-1") for p in (fresh_ws / "ledger").iterdir()
    )
    assert erase_contact(fresh_ws, request_id) and read_contact(fresh_ws, request_id) is None
    assert revoked_doc_ids(fresh_ws) == set()
    check_tokens(fresh_ws)  # the training door still admits every document
    Ledger(fresh_ws / "ledger").verify()


def test_review_request_about_nothing_in_particular(fresh_ws: Path) -> None:
    request_id = request_review(
        fresh_ws, doc_ids=[], name="A Reader", email="reader@example.com", message="Who made this model?",
        kind="other", evidence={},
    )  # fmt: skip
    (row,) = events(fresh_ws, "review")
    assert row["doc_id"] == f"request-{request_id}"
    assert row["reasons"] == ["complaint.other"]
    assert set(REVIEW_KINDS) == {"opt-out", "attribution", "other"}
    # A request row is not a document: it cannot be revoked or named by a later request.
    assert ledger_docs(fresh_ws, [f"request-{request_id}"]) == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "refund"}, "not one of"),
        ({"name": "  "}, "name is required"),
        ({"name": "n" * 201}, "name is 201 characters"),
        ({"email": "jane at example"}, "not an e-mail address"),
        ({"email": "j@" + "e" * 320 + ".org"}, "at most 320"),
        ({"message": "m" * (MAX_MESSAGE + 1)}, "at most 5000"),
        ({"doc_ids": [], "message": " "}, "message is required"),
        ({"doc_ids": ["nope"]}, "no such document"),
        ({"evidence": {"email": "other@example.org"}}, "may not set email"),
        ({"evidence": {"blob": "x" * 30_000}}, "larger than"),
    ],
)
def test_review_request_inputs_are_checked(fresh_ws: Path, change: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "doc_ids": trained(fresh_ws, 1), "name": "Jane", "email": "jane@example.org", "message": "hi",
        "kind": "attribution", "evidence": {},
    }  # fmt: skip
    args.update(change)
    with pytest.raises(UserError, match=message):
        request_review(fresh_ws, **args)  # type: ignore[arg-type]
    assert events(fresh_ws, "review") == []
