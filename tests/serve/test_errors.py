"""Refusals as OpenAI error JSON: 400 bad requests, 401 keys, 404, 413 size, 429 full, 503 closing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from tests.serve.conftest import LiveServer, ServeFactory

HELLO = [{"role": "user", "content": "Hello world!"}]


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert response.headers["X-ClearLM-Release"].startswith("sha256:")
    error: dict[str, Any] = body["error"]
    return error


def post(server: LiveServer, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.post(f"{server.base_url}/{path}", timeout=30, **kwargs)


def test_bad_json_is_a_400(server: LiveServer) -> None:
    response = post(
        server, "chat/completions", content=b'{"messages": [', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["type"] == "invalid_request_error" and "not valid JSON" in error["message"]
    for wrong in (
        {"content": b"[1, 2]", "headers": {"content-type": "application/json"}},
        {"data": {"a": "b"}},
    ):
        response = post(server, "completions", **wrong)
        assert response.status_code == 400
        assert (
            "must be a JSON object sent with Content-Type: application/json" in error_of(response)["message"]
        )


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        (
            {"messages": [{"role": "robot", "content": "hi"}]},
            "messages.0.role",
            "'system', 'user' or 'assistant'",
        ),
        ({"messages": []}, "messages", "at least 1"),
        ({"messages": HELLO, "max_tokens": 5000}, "max_tokens", "at most 1024"),
        ({"messages": HELLO, "temperature": -1}, "temperature", "greater than or equal to 0"),
        ({"messages": HELLO, "n": 5}, "n", "less than or equal to 4"),
        ({"messages": HELLO, "stop": ["a", "b", "c", "d", "e"]}, "stop", "at most 4"),
        ({"messages": HELLO, "logprobs": True}, None, "logprobs is not supported"),
        (
            {"messages": [{"role": "user", "content": "The quick brown fox " * 40}]},
            "messages",
            "context is 128",
        ),
        ({"messages": HELLO, "max_tokens": 120}, "max_tokens", "context is 128 tokens"),
    ],
)
def test_invalid_chat_requests_are_400s(
    server: LiveServer, body: dict[str, Any], param: str, words: str
) -> None:
    response = post(server, "chat/completions", json=body)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["param"] == param
    assert words in error["message"]


def test_the_openai_client_raises_its_own_errors(server: LiveServer) -> None:
    client = server.client()
    with pytest.raises(openai.BadRequestError) as bad:
        client.completions.create(model="tiny", prompt="The quick brown fox " * 40, max_tokens=4)
    assert bad.value.code == "context_length_exceeded"
    with pytest.raises(openai.BadRequestError):
        client.completions.create(model="tiny", prompt=["one", "two"])
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-4o", messages=HELLO)
    assert missing.value.code == "model_not_found"


def test_unknown_path_is_an_openai_style_404(server: LiveServer) -> None:
    response = httpx.get(f"{server.base_url}/engines")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_oversize_bodies_are_413s(serve_app: ServeFactory) -> None:
    with serve_app(max_request_bytes=2000) as live:
        big = {"messages": [{"role": "user", "content": "x" * 3000}]}
        response = post(live, "chat/completions", json=big)
        assert response.status_code == 413
        assert error_of(response)["code"] == "request_too_large"

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must count what arrives
            yield b'{"messages": [{"role": "user", "content": "'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}]}'

        chunked = post(
            live, "chat/completions", content=chunks(), headers={"content-type": "application/json"}
        )
        assert chunked.status_code == 413
        assert error_of(chunked)["code"] == "request_too_large"
        assert post(live, "chat/completions", json={"messages": HELLO, "max_tokens": 2}).status_code == 200


def test_api_key_is_required_on_v1_but_not_on_health(serve_app: ServeFactory) -> None:
    with serve_app(api_key="s3cret", model_name="tiny") as live:
        with pytest.raises(openai.AuthenticationError):
            live.client(api_key="wrong").models.list()
        response = httpx.get(f"{live.base_url}/models")
        assert response.status_code == 401
        assert error_of(response)["code"] == "invalid_api_key"
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert httpx.get(f"{live.root}/health").status_code == 200
        answer = live.client(api_key="s3cret").chat.completions.create(
            model="tiny", messages=HELLO, max_tokens=3
        )
        assert answer.choices[0].finish_reason in ("stop", "length")


def test_full_queue_is_a_429_and_shutdown_a_503(serve_app: ServeFactory) -> None:
    with serve_app(max_concurrency=1, max_queue=1, model_name="tiny") as live:
        # Every forward pass waits for `go`: the first request holds the only slot, the second waits.
        go = threading.Event()

        def hold(*_: object) -> None:  # returns None: the hook must not replace the inputs
            go.wait(30)

        hook = live.app.state.served.model.register_forward_pre_hook(hold)
        results: list[Any] = []

        def request() -> None:
            client = live.client()
            results.append(client.chat.completions.create(model="tiny", messages=HELLO, max_tokens=3))

        threads = [threading.Thread(target=request) for _ in range(2)]
        try:
            for thread in threads:
                thread.start()
                wait_for_load(live, threads.index(thread) + 1)
            health = httpx.get(f"{live.root}/health").json()
            assert (health["active"], health["waiting"]) == (1, 1)
            with pytest.raises(openai.RateLimitError) as full:
                live.client().chat.completions.create(model="tiny", messages=HELLO, max_tokens=3)
            assert full.value.code == "queue_full"
            assert full.value.response.headers["Retry-After"] == "1"
        finally:
            go.set()
            for thread in threads:
                thread.join(30)
            hook.remove()
        assert len(results) == 2  # both admitted requests were answered

        live.app.state.engine.begin_shutdown()
        with pytest.raises(openai.InternalServerError) as closing:
            live.client().chat.completions.create(model="tiny", messages=HELLO, max_tokens=3)
        assert closing.value.status_code == 503
        assert httpx.get(f"{live.root}/health").status_code == 503


def wait_for_load(live: LiveServer, admitted: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        load = httpx.get(f"{live.root}/health").json()
        if load["active"] + load["waiting"] >= admitted:
            return
        time.sleep(0.02)
    raise AssertionError(f"{admitted} requests were never admitted")
