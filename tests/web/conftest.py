"""Fixtures of the web page tests: real workspaces (a trained one, a hostile one, a large synthetic
ledger), a CSRF-aware form helper, and a live uvicorn server in a thread for raw sockets and the browser.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from clearlm.config import RunConfig
from clearlm.ledger import EVENT_SCHEMA, Ledger, make_event
from clearlm.runner import run_stages
from clearlm.workspace import Workspace
from tests.release.conftest import audited_ws, fresh_ws  # noqa: F401 - the shared session fixtures
from tests.serve.conftest import LiveServer as ApiLiveServer
from tests.tokenize.corpus import CC_BY, make_config, make_corpus

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# The allowed hostile document: clearance keeps its licence notice as evidence, training keeps its text.
HOSTILE_TEXT = (
    (
        f"The harbour pilot {SCRIPT} kept a lantern by the quay {IMG} and logged every ship that came in, "
        "the tide tables and the weather, in a ledger bound in green cloth that still hangs by the door. "
    )
    * 4
    + f"Credit: {IMG} by {SCRIPT}."
    + CC_BY
)
HOSTILE_URI = f"https://evil.example/page?q={IMG}{SCRIPT}"


def _hostile_warc() -> bytes:
    """A crawled page whose target URI and HTTP headers carry the payloads (ingest keeps both)."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    body = (f"A crawled page about tides {SCRIPT}. " * 20).encode()
    headers = [("Content-Type", "text/plain"), ("X-Evil", f"{SCRIPT}{IMG}")]
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(HOSTILE_URI, "response", payload=io.BytesIO(body), http_headers=http)
    )
    return out.getvalue()


@pytest.fixture(scope="session")
def hostile_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ingested, cleared, curated and tokenized, with documents built to attack the pages."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = make_corpus(root, books=2, web=2)
    (corpus / "evil").mkdir()
    (corpus / "evil" / "harbour.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (corpus / "evil" / f"{IMG}.txt").write_text(
        f"Copyright 2021 {SCRIPT} Evil Press. All rights reserved.\n{IMG} " + "more words here. " * 30
    )
    (corpus / "evil" / "crawl.warc").write_bytes(_hostile_warc())
    ws = root / "ws"
    run_stages(make_config(corpus), ws, ["ingest", "clear", "curate", "tokenize"])
    return ws


@pytest.fixture(scope="module")
def pages_ws(audited_ws: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """A copy of audited_ws for one test module: the lookup index is written into the workspace."""
    ws = tmp_path_factory.mktemp("pages") / "ws"
    shutil.copytree(audited_ws, ws)
    return ws


def synthetic_ws(root: Path, docs: int) -> Path:
    """A workspace whose ledger alone holds `docs` documents: ingested, then allowed or denied."""
    ws = Workspace.create_or_open(root, RunConfig())
    now = datetime.now(UTC)
    rows = []
    for i in range(docs):
        doc_id = hashlib.md5(str(i).encode()).hexdigest()
        source = f"https://site{i % 7}.example/page/{i}"
        base: dict[str, Any] = {
            "run_id": ws.run_id,
            "doc_id": doc_id,
            "source": source,
            "content_sha256": "0" * 64,
        }
        rows.append(
            make_event(**base, stage="ingest", step="read", decision="keep", reasons=["ingest.read"], ts=now)
        )
        allowed = i % 3 != 0
        reason, licence = ("license.cc0", "CC0-1.0") if allowed else ("license.unknown", None)
        decision = "allow" if allowed else "deny"
        evidence = {"license": licence}
        rows.append(
            make_event(
                **base,
                stage="clear",
                step="rights",
                decision=decision,
                reasons=[reason],
                evidence=evidence,
                ts=now,
            )
        )
    Ledger(ws.ledger_dir).append("synthetic", pa.Table.from_pylist(rows, EVENT_SCHEMA))
    return root


def form_token(client: TestClient, path: str = "/") -> str:
    """GET a page as a browser would: the client keeps the CSRF cookie, we read the form's token."""
    page = client.get(path)
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


class LiveServer(ApiLiveServer):
    """tests/serve's live uvicorn server, plus raw requests no HTTP client would normalise."""

    def raw(self, request: bytes) -> bytes:
        """Send bytes exactly as given (no client normalises the path) and read the whole answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as conn:
            conn.sendall(request)
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)
