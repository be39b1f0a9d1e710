"""`clearlm ledger reviews`: complaint requests for a reviewer; personal details erasable on request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clearlm.cli import main
from clearlm.ledger import Ledger
from clearlm.ledger.contacts import CONTACTS_DIR
from clearlm.ledger.record import request_review
from clearlm.revoke.reviews import review_requests
from tests.revoke.conftest import trained_doc_ids


def test_requests_are_listed_and_details_can_be_erased(
    fresh_ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = trained_doc_ids(fresh_ws)[0]
    first = request_review(
        fresh_ws, doc_ids=[doc], name="Jane Roe", email="jane@example.org", message="Remove my essay.",
        kind="opt-out", evidence={},
    )  # fmt: skip
    second = request_review(
        fresh_ws, doc_ids=[], name="Sam", email="sam@example.org", message="Who trained this?",
        kind="other", evidence={},
    )  # fmt: skip
    states = {
        r["request_id"]: (r["reason"], r["doc_ids"], r["contact_state"]) for r in review_requests(fresh_ws)
    }
    assert states == {
        first: ("complaint.opt-out", [doc], "stored"),
        second: ("complaint.other", [f"request-{second}"], "stored"),
    }
    capsys.readouterr()
    assert main(["ledger", "reviews", "-w", str(fresh_ws)]) == 0
    listed = capsys.readouterr().out
    assert first in listed and "jane@example.org" not in listed  # details only on request
    assert main(["ledger", "reviews", "-w", str(fresh_ws), "--show-contacts"]) == 0
    assert "jane@example.org" in capsys.readouterr().out

    assert main(["ledger", "reviews", "-w", str(fresh_ws), "--erase", first]) == 0
    assert not (fresh_ws / CONTACTS_DIR / f"{first}.json").exists()
    after = {r["request_id"]: r["contact_state"] for r in review_requests(fresh_ws)}
    assert after == {first: "erased", second: "stored"}
    Ledger(fresh_ws / "ledger").verify()  # erasing details never touches the chained ledger


def test_an_edited_contact_record_shows(fresh_ws: Path) -> None:
    request = request_review(
        fresh_ws, doc_ids=[], name="Ann", email="ann@example.org", message="hello there",
        kind="attribution", evidence={},
    )  # fmt: skip
    path = fresh_ws / CONTACTS_DIR / f"{request}.json"
    assert path.stat().st_mode & 0o077 == 0  # owner-only: it holds personal data
    record = json.loads(path.read_text())
    record["email"] = "someone-else@example.org"
    path.write_text(json.dumps(record))
    [found] = review_requests(fresh_ws)
    assert found["contact_state"] == "ALTERED since it was received"


def test_a_malformed_request_id_is_a_usage_error(fresh_ws: Path) -> None:
    assert main(["ledger", "reviews", "-w", str(fresh_ws), "--erase", "../../etc/passwd"]) == 2
