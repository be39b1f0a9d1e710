"""What keeps the public pages safe: headers, body limits, path checks, CSRF, rate limits, the API key.

The pages show text that anyone could have written (crawled documents, file names, HTTP headers),
to anyone. Jinja2's autoescaping makes it inert in HTML; the Content-Security-Policy here is the
second wall: no inline script runs even if something slipped through, and no other site may frame
the pages (clickjacking the revoke button). Forms that write to the ledger carry a CSRF token bound
to a cookie (double submit, signed with a per-process secret), so another site cannot make a
visitor's browser post them.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from hashlib import sha256
from urllib.parse import unquote

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # "no-referrer" makes browsers send Origin: null
    (b"cross-origin-opener-policy", b"same-origin"),
]
CSRF_COOKIE = "clearlm_csrf"
CSRF_FIELD = "csrf_token"
# Document ids are 32 hex digits; review requests without a document are `request-<16 hex>`.
DOC_ID_RE = re.compile(r"^(?:[0-9a-f]{32}|request-[0-9a-f]{16})$")

ErrorPage = Callable[[int, str], Response]


def valid_doc_id(doc_id: str) -> bool:
    return bool(DOC_ID_RE.match(doc_id))


class PageGuard:
    """ASGI middleware: security headers on every answer, path checks, request body limits.

    `limit_for(method, path)` gives the largest body a request may send. A declared Content-Length
    over it is refused before a byte is read; a body streamed without one is counted and cut off
    with an HTTPException(413) that the page's error handler renders.
    """

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str, str], int], error_page: ErrorPage) -> None:
        self.app = app
        self.limit_for = limit_for
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            await self.error_page(*refusal)(scope, receive, send_with_headers)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        await self.app(scope, _limited(receive, limit), send_with_headers)

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        raw = scope.get("raw_path") or scope["path"].encode()
        # Decode twice: "%252e%252e" must not pass as a harmless name and be decoded again later.
        path = unquote(unquote(raw.decode("latin-1")))
        if "\\" in path or "\x00" in path or any(part == ".." for part in path.split("/")):
            return 400, "That address is not allowed."
        length = Headers(scope=scope).get("content-length")
        if length is not None:
            if not length.isdigit():
                return 400, "The Content-Length header is not a number."
            limit = self.limit_for(scope["method"], scope["path"])
            if int(length) > limit:
                return 413, f"The request is larger than {limit // 1024} KiB."
        return None


def _limited(receive: Receive, limit: int) -> Receive:
    received = 0

    async def receive_limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, f"The request is larger than {limit // 1024} KiB.")
        return message

    return receive_limited


class CsrfTokens:
    """Double-submit tokens: the form's token is an HMAC of the visitor's cookie under our secret.

    Another site can make a browser send the cookie but cannot read it, so it cannot compute the
    form field; the cookie is also SameSite=Strict, so cross-site posts usually lack it entirely.
    """

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    @staticmethod
    def new_cookie() -> str:
        return secrets.token_hex(16)

    def token_for(self, cookie: str) -> str:
        return hmac.new(self._secret, cookie.encode(), sha256).hexdigest()

    def valid(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        return hmac.compare_digest(self.token_for(cookie), token)


def set_csrf_cookie(response: Response, cookie: str) -> None:
    response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict", path="/")


class RateLimiter:
    """At most `limit` events per `window_s` seconds per key (a client address), in memory.

    A sliding window of timestamps: enough for one server process; a deployment behind several
    processes should rate-limit at its proxy as well.
    """

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            stamps = self._seen.setdefault(key, deque())
            while stamps and now - stamps[0] > self.window_s:
                stamps.popleft()
            if len(stamps) >= self.limit:
                return False
            stamps.append(now)
            if len(self._seen) > 10_000:  # forget idle clients so memory stays bounded
                for idle in [k for k, v in self._seen.items() if not v or now - v[-1] > self.window_s]:
                    del self._seen[idle]
            return True


def check_api_key(configured: str | None, headers: Headers, form_key: str | None) -> None:
    """Raise 403 when write actions are disabled (no key configured), 401 when the key is wrong.

    The key comes as `Authorization: Bearer KEY` (scripts) or a password field (the page's form).
    """
    if not configured:
        raise HTTPException(403, "Write actions are disabled: the server was started without an API key.")
    scheme, _, token = headers.get("authorization", "").partition(" ")
    offered = token.strip() if scheme.lower() == "bearer" else (form_key or "")
    if not hmac.compare_digest(offered.encode("utf-8"), configured.encode("utf-8")):
        raise HTTPException(401, "Missing or incorrect API key.", headers={"WWW-Authenticate": "Bearer"})


def form_is_ours(csrf: CsrfTokens, request: Request, token: object) -> bool:
    """A posted form came from our own page: same origin, and the token matches the visitor's cookie."""
    if not same_origin(request.headers):
        return False
    return csrf.valid(request.cookies.get(CSRF_COOKIE), token if isinstance(token, str) else None)


def same_origin(headers: Headers) -> bool:
    """False when the browser says the request came from another site (Origin differs from Host)."""
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = headers.get("host", "")
    return origin.split("://", 1)[-1] == host
