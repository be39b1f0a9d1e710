"""Every failure as OpenAI's error JSON, so OpenAI clients raise their usual exception types:

    {"error": {"message": "...", "type": "invalid_request_error", "param": "max_tokens", "code": null}}

400 for a request that cannot be served as asked (FastAPI's 422 validation errors included), 401 for a
missing or wrong API key, 404 for an unknown model or path, 413 for an oversize body, 429 when the
queue is full, 503 while shutting down, 500 for a bug (logged with its traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from clearlm.errors import UserError
from clearlm.serve.codec import ChatTemplateError
from clearlm.serve.engine import Overloaded, ShuttingDown

log = logging.getLogger("clearlm.serve")
RELEASE_HEADER = "X-ClearLM-Release"
RETRY_AFTER_S = "1"


class APIError(Exception):
    """A request the server refuses, with the HTTP status and OpenAI's error fields."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type, code, param


def error_body(message: str, type: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def error_response(error: APIError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = error_body(error.message, error.type, error.param, error.code)
    return JSONResponse(body, status_code=error.status, headers=dict(headers or {}))


def validation_message(errors: Sequence[Any]) -> tuple[str, str | None]:
    """One readable sentence and the offending parameter from pydantic's error list."""
    first = dict(errors[0]) if errors else {}
    loc = [str(part) for part in first.get("loc", ())]
    if first.get("type") == "json_invalid":
        detail = (first.get("ctx") or {}).get("error", "JSON decode error")
        where = f" at character {loc[1]}" if len(loc) > 1 else ""
        return f"the request body is not valid JSON ({detail}{where})", None
    path = ".".join(loc[1:] if loc[:1] == ["body"] else loc)
    message = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    if not path and first.get("type") in ("missing", "model_attributes_type", "dict_type"):
        # Also what a body sent without `Content-Type: application/json` looks like (curl -d does that).
        return "the request body must be a JSON object sent with Content-Type: application/json", None
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return (f"{path}: {message}{more}" if path else f"{message}{more}"), path or None


def http_error(status: int, detail: str) -> APIError:
    codes = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}
    return APIError(status, detail, code=codes.get(status))


def install_error_handlers(app: FastAPI, release: str) -> None:
    """Handlers mapping every exception the routes can raise to an OpenAI-style error."""

    @app.exception_handler(APIError)
    async def _api(request: Request, exc: APIError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, param = validation_message(exc.errors())
        return error_response(APIError(400, message, param=param))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return error_response(http_error(exc.status_code, str(exc.detail)), exc.headers)

    @app.exception_handler(UserError)
    async def _user(request: Request, exc: UserError) -> JSONResponse:
        return error_response(APIError(400, exc.message))

    @app.exception_handler(ChatTemplateError)
    async def _template(request: Request, exc: ChatTemplateError) -> JSONResponse:
        return error_response(APIError(400, str(exc), param="messages"))

    @app.exception_handler(Overloaded)
    async def _full(request: Request, exc: Overloaded) -> JSONResponse:
        error = APIError(
            429,
            "the server is at capacity: every generation slot and queue place is taken; retry later",
            type="rate_limit_error",
            code="queue_full",
        )
        return error_response(error, {"Retry-After": RETRY_AFTER_S})

    @app.exception_handler(ShuttingDown)
    async def _closing(request: Request, exc: ShuttingDown) -> JSONResponse:
        error = APIError(503, "the server is shutting down", type="server_error", code="shutting_down")
        return error_response(error, {"Retry-After": RETRY_AFTER_S})

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        # Starlette sends this one from outside every middleware, so the header is added here.
        log.exception("internal error on %s %s", request.method, request.url.path)
        error = APIError(500, "internal server error", type="server_error", code="internal_error")
        return error_response(error, {RELEASE_HEADER: release})
