"""POST /v1/trace: `clearlm serve --workspace WS` traces text to the training documents over HTTP."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from clearlm.serve.app import create_app
from tests.audit.test_trace_index import passage_of
from tests.train.conftest import tokenized_ws  # noqa: F401 - the session fixture, shared


@pytest.fixture(scope="module")
def client(tokenized_ws: Path, model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:  # noqa: F811
    ws = tmp_path_factory.mktemp("trace-serve") / "ws"
    shutil.copytree(tokenized_ws, ws)
    app = create_app(model_dir, api_key="k", workspace=ws)
    app.state.ws = ws
    return TestClient(app)


def test_a_training_passage_is_traced_to_its_document(client: TestClient) -> None:
    ws: Path = client.app.state.ws  # type: ignore[attr-defined]
    row = next(r for r in pq.read_table(ws / "tokens" / "index.parquet").to_pylist() if r["split"] == "train")
    reply = client.post("/v1/trace", json={"text": passage_of(row)}, headers={"Authorization": "Bearer k"})
    assert reply.status_code == 200
    assert reply.headers["X-ClearLM-Release"].startswith("sha256:")
    spans = reply.json()["spans"]
    assert spans and spans[0]["docs"][0]["doc_id"] == row["doc_id"]
    assert spans[0]["docs"][0]["decision"] == "allow"


def test_an_invented_text_has_no_span(client: TestClient) -> None:
    text = "Quixotic marmalade orbits the seventh accordion while violet ledgers hum in Welsh."
    reply = client.post("/v1/trace", json={"text": text}, headers={"Authorization": "Bearer k"})
    assert reply.status_code == 200 and reply.json()["spans"] == []


def test_trace_needs_the_key_and_valid_fields(client: TestClient) -> None:
    assert client.post("/v1/trace", json={"text": "x"}).status_code == 401
    bad = client.post("/v1/trace", json={"text": ""}, headers={"Authorization": "Bearer k"})
    assert bad.status_code == 400 and "error" in bad.json()


def test_without_a_workspace_there_is_no_trace_route(model_dir: Path) -> None:
    with TestClient(create_app(model_dir)) as plain:
        assert plain.post("/v1/trace", json={"text": "hello"}).status_code == 404
