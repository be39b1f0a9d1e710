"""The pages through HTTP (FastAPI's TestClient) on a real trained workspace: lookup, complaint,
ledger explorer, one document's history, revocation, funnel, reason codes, and the serve mount."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clearlm.cli import main
from clearlm.ledger.contacts import read_contact
from clearlm.ledger.query import connect
from clearlm.web import create_web_app
from clearlm.web.explorer import PAGE_SIZE
from tests.web.conftest import form_token, synthetic_ws

KEY = "operator-key"


@pytest.fixture(scope="module")
def client(pages_ws: Path) -> TestClient:
    return TestClient(create_web_app(pages_ws, api_key=KEY))


def trained_doc(ws: Path) -> tuple[str, str]:
    """(doc_id, 300 characters from the middle of its curated text) of a document trained on."""
    con = connect(ws)
    doc_id, text = con.execute(
        "SELECT c.doc_id, c.text FROM curate c JOIN tokens t USING (doc_id) "
        "WHERE t.split = 'train' AND t.group <> 'canary' ORDER BY c.doc_id LIMIT 1"
    ).fetchone()
    return doc_id, text[100:400]


def denied_doc(ws: Path) -> str:
    con = connect(ws)
    return str(con.execute("SELECT doc_id FROM ledger WHERE source LIKE '%z-lib%' LIMIT 1").fetchone()[0])


def test_the_lookup_page_has_both_forms_and_gives_a_csrf_cookie(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "Is my work in this training data?" in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'name="file"' in page.text
    assert 'action="/complaint"' in page.text and "a person reviews every request" in page.text.lower()
    assert (
        "clearlm_csrf" in page.headers["set-cookie"]
        and "samesite=strict" in page.headers["set-cookie"].lower()
    )


def test_a_training_passage_is_found_with_its_decision_and_training(
    client: TestClient, pages_ws: Path
) -> None:
    doc_id, passage = trained_doc(pages_ws)
    page = client.post("/", data={"text": passage})
    assert page.status_code == 200
    assert "Found in training data" in page.text and doc_id in page.text
    match = page.text[page.text.index(f'href="/ledger/doc/{doc_id}"') :]
    assert "<mark>" in match and "Trained on</dt><dd>yes" in match
    assert 'href="/reasons#reason-license-' in match  # reasons link to their explanation
    assert f'name="doc_id" value="{doc_id}"' in page.text  # carried into the complaint form


def test_an_unseen_text_is_not_found(client: TestClient) -> None:
    text = "Quixotic marmalade orbits the seventh accordion while violet ledgers hum in Welsh " * 3
    page = client.post("/", data={"text": text})
    assert page.status_code == 200 and "Not found" in page.text and 'name="doc_id"' not in page.text


def test_an_uploaded_html_file_is_searched(client: TestClient, pages_ws: Path) -> None:
    doc_id, passage = trained_doc(pages_ws)
    html = f"<html><head><title>Mine</title></head><body><p>{passage}</p></body></html>".encode()
    page = client.post("/", files={"file": ("my-work.html", html, "text/html")})
    assert page.status_code == 200 and doc_id in page.text


def test_only_text_files_and_real_queries_are_accepted(client: TestClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    assert client.post("/", files={"file": ("photo.png", png, "image/png")}).status_code == 415
    assert client.post("/", files={"file": ("notes.txt", png, "text/plain")}).status_code == 415
    empty = client.post("/", data={"text": "   "})
    assert empty.status_code == 400 and "Paste a passage" in empty.text


def test_a_complaint_records_a_review_request_without_showing_personal_data(
    client: TestClient, pages_ws: Path
) -> None:
    doc_id, _ = trained_doc(pages_ws)
    token = form_token(client)
    form = {
        "csrf_token": token,
        "doc_id": doc_id,
        "name": "Ada Writer",
        "email": "ada@example.org",
        "kind": "opt-out",
        "message": "Please stop using my essay.",
    }
    done = client.post("/complaint", data=form)
    assert done.status_code == 200
    request_id = re.search(r'id="request-id">([0-9a-f]{16})<', done.text).group(1)
    rows = (
        connect(pages_ws)
        .execute(
            "SELECT doc_id, decision, reasons, evidence FROM ledger WHERE stage = 'review' "
            "AND json_extract_string(evidence, '$.request_id') = ?",
            [request_id],
        )
        .fetchall()
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [(doc_id, "review", ["complaint.opt-out"])]
    # Kept for the reviewer beside the ledger (erasable), never in the append-only ledger itself ...
    assert "ada@example.org" not in rows[0][3]
    contact = read_contact(pages_ws, request_id)
    assert contact is not None and contact["email"] == "ada@example.org"
    history = client.get(f"/ledger/doc/{doc_id}")
    assert "review/request" in history.text and "complaint.opt-out" in history.text
    assert "ada@example.org" not in history.text and "Ada Writer" not in history.text  # ... never shown


def test_a_complaint_about_no_document_needs_a_message(client: TestClient, pages_ws: Path) -> None:
    token = form_token(client)
    base = {"csrf_token": token, "name": "Bo", "email": "bo@example.org", "kind": "other"}
    refused = client.post("/complaint", data={**base, "message": ""})
    assert refused.status_code == 400 and "message is required" in refused.text
    done = client.post("/complaint", data={**base, "message": "My poems were on site.example."})
    request_id = re.search(r'id="request-id">([0-9a-f]{16})<', done.text).group(1)
    assert client.get(f"/ledger/doc/request-{request_id}").status_code == 200


def test_the_explorer_filters_by_decision_reason_licence_and_source(
    client: TestClient, pages_ws: Path
) -> None:
    everything = client.get("/ledger")
    assert everything.status_code == 200
    total = int(re.search(r"<caption>(\d+) documents", everything.text).group(1))
    assert '<option value="CC-BY-SA-4.0">' in everything.text  # dropdowns hold what the ledger holds
    assert '<option value="piracy.shadow-library">' in everything.text
    denied = client.get("/ledger", params={"decision": "deny", "stage": "clear"})
    assert denied_doc(pages_ws) in denied.text and "piracy.shadow-library" in denied.text
    assert int(re.search(r"<caption>(\d+) document", denied.text).group(1)) < total
    by_reason = client.get("/ledger", params={"reason": "license.cc-by-sa"})
    assert by_reason.text.count("<tr>") - 1 == 3  # the three wiki articles (header row excluded)
    by_licence = client.get("/ledger", params={"license": "CC-BY-SA-4.0"})
    assert re.search(r"<caption>3 documents", by_licence.text)
    by_source = client.get("/ledger", params={"source": "z-LIB"})
    assert re.search(r"<caption>1 document<", by_source.text)
    sql_like = client.get("/ledger", params={"source": "%' OR 1=1 --"})
    assert sql_like.status_code == 200 and "<caption>0 documents" in sql_like.text


def test_the_explorer_pages_through_many_documents(tmp_path: Path) -> None:
    ws = synthetic_ws(tmp_path / "ws", 2 * PAGE_SIZE + 20)
    pages = TestClient(create_web_app(ws))
    first = pages.get("/ledger", params={"source": "site"})
    assert first.text.count('<th scope="row"><a href="/ledger/doc/') == PAGE_SIZE
    assert "page 1 of 3" in first.text and 'rel="next" href="/ledger?source=site&amp;page=2"' in first.text
    last = pages.get("/ledger", params={"source": "site", "page": "3"})
    assert last.text.count('<th scope="row"><a href="/ledger/doc/') == 20 and 'rel="prev"' in last.text
    beyond = pages.get("/ledger", params={"page": "99"})
    assert "page 3 of 3" in beyond.text
    denied = pages.get("/ledger", params={"decision": "deny"})
    assert re.search(r"<caption>40 documents", denied.text)  # every third of 120


def test_a_document_page_shows_every_event_evidence_and_text(client: TestClient, pages_ws: Path) -> None:
    doc_id, passage = trained_doc(pages_ws)
    page = client.get(f"/ledger/doc/{doc_id}")
    assert page.status_code == 200
    for step in ("ingest/read", "clear/rights", "curate/normalize", "tokenize/split"):
        assert step in page.text
    assert "&#34;signals&#34;" in page.text or "&quot;signals&quot;" in page.text  # evidence, pretty-printed
    assert passage[:60].split("\n")[0].replace("'", "&#39;") in page.text  # the text excerpt


def test_unknown_and_malformed_document_ids_are_404(client: TestClient) -> None:
    assert client.get("/ledger/doc/" + "0" * 32).status_code == 404
    assert client.get("/ledger/doc/not-an-id").status_code == 404
    assert client.get("/ledger/doc/%27%20OR%201%3D1").status_code == 404


def test_an_operator_revokes_with_the_key(pages_ws: Path, client: TestClient) -> None:
    doc_id, _ = trained_doc(pages_ws)
    token = form_token(client, f"/ledger/doc/{doc_id}")
    done = client.post(
        f"/ledger/doc/{doc_id}/revoke",
        data={"csrf_token": token, "api_key": KEY, "note": "asked"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/ledger/doc/{doc_id}?revoked=1"
    page = client.get(done.headers["location"])
    assert "Revocation recorded: 1" in page.text and "revoke/web" in page.text
    assert client.get("/ledger", params={"stage": "revoke"}).text.count(doc_id) >= 1
    again = client.post(
        f"/ledger/doc/{doc_id}/revoke", headers={"Authorization": f"Bearer {KEY}"}, follow_redirects=False
    )
    assert again.headers["location"].endswith("revoked=0")  # already revoked: nothing new


def test_the_funnel_page_and_chart(client: TestClient) -> None:
    page = client.get("/funnel")
    assert page.status_code == 200 and "clear/rights" in page.text and 'src="/funnel.png"' in page.text
    chart = client.get("/funnel.png")
    assert chart.headers["content-type"] == "image/png" and chart.content.startswith(b"\x89PNG")


def test_every_reason_link_has_an_explanation(client: TestClient) -> None:
    reasons = client.get("/reasons").text
    listing = client.get("/ledger", params={"decision": "deny"}).text
    anchors = set(re.findall(r'href="/reasons#([a-z0-9-]+)"', listing))
    assert anchors and all(f'id="{anchor}"' in reasons for anchor in anchors)


def test_serve_with_a_workspace_serves_the_pages_publicly_and_keeps_the_api_locked(pages_ws: Path) -> None:
    from clearlm.serve.app import create_app
    from tests.serve.conftest import build_model_folder

    model = build_model_folder(pages_ws.parent / "served")
    with TestClient(create_app(model, api_key=KEY, workspace=pages_ws)) as served:
        assert served.get("/").status_code == 200 and served.get("/ledger").status_code == 200
        assert served.get("/v1/models").status_code == 401
        assert served.get("/v1/models", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        assert served.get("/health").status_code == 200


def test_explore_refuses_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    assert main(["explore", "-w", str(tmp_path / "missing")]) == 2


def test_explore_names_a_port_in_use(tmp_path: Path) -> None:
    ws = synthetic_ws(tmp_path / "ws", 3)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["explore", "-w", str(ws), "--port", str(port)]) == 2
