"""Attacks on the pages: hostile document content, path traversal, oversized bodies, forged forms,
floods of complaints, writes without the key, and the headers that make a slip harmless."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clearlm.ledger.query import connect
from clearlm.web import create_web_app
from clearlm.web.lookup_page import MAX_UPLOAD_BYTES
from tests.web.conftest import HOSTILE_TEXT, IMG, SCRIPT, LiveServer, form_token

KEY = "s3cret"


class ActiveContent(HTMLParser):
    """Collects what a browser would run: <script> elements and on* event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" or not tag.isalnum():
            self.found.append(f"<{tag}>")
        self.found += [f"{tag}[{name}]" for name, _ in attrs if name.startswith("on")]


def assert_inert(html: str) -> None:
    parser = ActiveContent()
    parser.feed(html)
    assert parser.found == []
    for raw in (SCRIPT, "<img src=x", "<img%20src=x"):
        assert raw not in html


@pytest.fixture(scope="module")
def ws(hostile_ws: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("security") / "ws"
    shutil.copytree(hostile_ws, copy)
    return copy


@pytest.fixture(scope="module")
def client(ws: Path) -> TestClient:
    return TestClient(create_web_app(ws, api_key=KEY, complaints_per_window=3))


def hostile_doc_ids(ws: Path) -> list[str]:
    rows = (
        connect(ws)
        .execute(
            "SELECT DISTINCT doc_id FROM ledger WHERE source LIKE '%script%' OR evidence LIKE '%onerror%' "
            "OR doc_id IN (SELECT doc_id FROM ingest WHERE text LIKE '%<script>%')"
        )
        .fetchall()
    )
    return sorted(r[0] for r in rows)


def test_hostile_text_source_evidence_and_headers_are_escaped_everywhere(
    client: TestClient, ws: Path
) -> None:
    doc_ids = hostile_doc_ids(ws)
    assert len(doc_ids) == 3  # the allowed article, the denied copyright page, the crawled page
    pages = [client.get(f"/ledger/doc/{d}").text for d in doc_ids]
    pages += [client.get("/ledger").text, client.get("/ledger", params={"source": SCRIPT}).text]
    pages += [
        client.get("/ledger", params={"source": IMG, "reason": SCRIPT}).text,
        client.get("/funnel").text,
    ]
    found = client.post("/", data={"text": HOSTILE_TEXT})
    assert "Found in" in found.text and "<mark>" in found.text
    pages += [
        found.text,
        client.post("/", files={"file": ("x.html", HOSTILE_TEXT.encode(), "text/html")}).text,
    ]
    pages.append(client.get(f"/ledger/doc/{doc_ids[0]}{SCRIPT}").text)
    for html in pages:
        assert_inert(html)
    joined = "".join(pages)
    # The payloads are shown, as text: the escaping is what made them inert, not their absence.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in joined
    assert "&lt;img src=x onerror=alert(1)&gt;" in joined  # the file name in the ingest evidence
    assert "X-Evil" in joined  # the crawled page's HTTP headers


@pytest.mark.parametrize(
    "path",
    [
        b"/static/../app.py",
        b"/static/..%2fapp.py",
        b"/static/%2e%2e/%2e%2e/ledger/record.py",
        b"/static/%252e%252e/app.py",
        b"/static/..\\app.py",
        b"/static/../../../../../../etc/passwd",
        b"/ledger/doc/..%2f..%2f..%2fetc%2fpasswd",
    ],
)
def test_no_path_leaves_the_static_folder(ws: Path, path: bytes) -> None:
    with LiveServer(create_web_app(ws)) as live:
        answer = live.raw(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert answer.split(b" ", 2)[1] in (b"400", b"404")
        assert b"def " not in answer and b"root:" not in answer
        assert live.raw(b"GET /static/style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startswith(
            b"HTTP/1.1 200"
        )


def test_uploads_over_the_limit_are_413(client: TestClient) -> None:
    big = b"a" * (MAX_UPLOAD_BYTES + 1)
    by_file = client.post("/", files={"file": ("big.txt", big, "text/plain")})
    assert by_file.status_code == 413 and "Too large" in by_file.text
    by_text = client.post("/", data={"text": "a" * (MAX_UPLOAD_BYTES + 1)})
    assert by_text.status_code == 413
    huge = client.post(
        "/",
        content=iter([b"x" * (1 << 20)] * 7),
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert huge.status_code == 413  # streamed without Content-Length: counted and cut off
    declared = client.post("/complaint", content=b"x", headers={"content-length": str(10 << 20)})
    assert declared.status_code == 413
    exactly = client.post("/", files={"file": ("ok.txt", b"word " * (MAX_UPLOAD_BYTES // 5), "text/plain")})
    assert exactly.status_code == 200


def test_a_complaint_needs_its_csrf_token_from_our_own_site(client: TestClient, ws: Path) -> None:
    fields = {"name": "Eve", "email": "eve@example.org", "kind": "other", "message": "hello"}
    assert client.post("/complaint", data=fields).status_code == 403
    assert client.post("/complaint", data={**fields, "csrf_token": "0" * 64}).status_code == 403
    token = form_token(client)
    other_site = client.post(
        "/complaint", data={**fields, "csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert other_site.status_code == 403
    fresh = TestClient(client.app)  # a visitor without our cookie cannot reuse someone else's token
    assert fresh.post("/complaint", data={**fields, "csrf_token": token}).status_code == 403
    rows = connect(ws).execute("SELECT count(*) FROM ledger WHERE stage = 'review'").fetchone()[0]
    assert rows == 0


def test_complaints_are_rate_limited_and_size_limited(ws: Path) -> None:
    pages = TestClient(create_web_app(ws, complaints_per_window=2))
    token = form_token(pages)
    fields = {"csrf_token": token, "name": "Mo", "email": "mo@example.org", "kind": "other", "message": "hi"}
    assert [pages.post("/complaint", data=fields).status_code for _ in range(3)] == [200, 200, 429]
    too_long = pages.post("/complaint", data={**fields, "message": "x" * (70 << 10)})
    assert too_long.status_code == 413


def test_write_actions_need_a_configured_and_correct_key(client: TestClient, ws: Path) -> None:
    doc_id = hostile_doc_ids(ws)[0]
    read_only = TestClient(create_web_app(ws))
    assert (
        read_only.post(f"/ledger/doc/{doc_id}/revoke", headers={"Authorization": "Bearer x"}).status_code
        == 403
    )
    assert "Write actions are disabled" in read_only.get(f"/ledger/doc/{doc_id}").text
    token = form_token(client, f"/ledger/doc/{doc_id}")
    assert client.post(f"/ledger/doc/{doc_id}/revoke", data={"csrf_token": token}).status_code == 401
    wrong = client.post(f"/ledger/doc/{doc_id}/revoke", data={"csrf_token": token, "api_key": "guess"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert (
        client.post(f"/ledger/doc/{doc_id}/revoke", headers={"Authorization": "Bearer guess"}).status_code
        == 401
    )
    no_csrf = client.post(f"/ledger/doc/{doc_id}/revoke", data={"api_key": KEY})
    assert no_csrf.status_code == 403
    assert connect(ws).execute("SELECT count(*) FROM ledger WHERE stage = 'revoke'").fetchone()[0] == 0


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    answers = [
        client.get("/"),
        client.get("/static/style.css"),
        client.get("/funnel.png"),
        client.get("/nope"),
        client.post("/complaint", content=b"x", headers={"content-length": str(1 << 30)}),
    ]
    for answer in answers:
        csp = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "default-src 'none'" in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
