"""The door every request passes: the release header, the API key and the body size limit.

A plain ASGI middleware rather than FastAPI dependencies, so that it also covers 404s, 405s and
streamed responses. The size limit lives here rather than in FastAPI's `max_body_size` because
that one answers from outside every middleware in plain text: here the 413 is OpenAI's JSON and
carries the release header like every other answer.
"""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clearlm.serve.errors import RELEASE_HEADER, APIError, error_response

OPEN_PATHS = frozenset({"/health"})  # load balancers probe it without credentials


class Gate:
    """Adds `X-ClearLM-Release` to every response, checks `Authorization: Bearer`, limits bodies."""

    def __init__(self, app: ASGIApp, *, release: str, api_key: str | None, max_body: int) -> None:
        self.app = app
        self.release = release.encode("latin-1")
        self.api_key = api_key.encode("utf-8") if api_key else None
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_release(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (RELEASE_HEADER.lower().encode(), self.release)]
                message = {**message, "headers": headers}
            await send(message)

        headers = Headers(scope=scope)
        refusal = self._refusal(scope["path"], headers)
        if refusal is not None:
            extra = {"WWW-Authenticate": "Bearer"} if refusal.status == 401 else None
            await error_response(refusal, extra)(scope, receive, send_with_release)
            return
        await self.app(scope, self._limited(receive), send_with_release)

    def _refusal(self, path: str, headers: Headers) -> APIError | None:
        if self.api_key is not None and path not in OPEN_PATHS and not self._authorized(headers):
            return APIError(
                401,
                "missing or incorrect API key: send it as 'Authorization: Bearer <key>'",
                code="invalid_api_key",
            )
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return APIError(400, f"invalid Content-Length {length!r}")
            if int(length) > self.max_body:
                return _too_large(self.max_body)
        return None

    def _authorized(self, headers: Headers) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        # Constant-time comparison: response timing must not reveal how much of a guess was right.
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode("utf-8"), self.api_key or b""
        )

    def _limited(self, receive: Receive) -> Receive:
        """`receive` that stops a body sent without Content-Length (chunked) once it is too large."""
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    # FastAPI lets an HTTPException raised while reading the body reach the handlers.
                    raise HTTPException(413, _too_large(self.max_body).message)
            return message

        return receive_limited


def _too_large(limit: int) -> APIError:
    return APIError(413, f"the request body is larger than {limit} bytes", code="request_too_large")
