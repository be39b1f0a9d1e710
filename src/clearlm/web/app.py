"""The rights-holder web pages of one workspace, as a FastAPI app.

    create_web_app(WS, api_key=KEY)        the pages alone (`clearlm explore -w WS` serves this)
    mount_web_pages(app, WS, api_key=KEY)  the same pages in front of `clearlm serve`'s API app

Pages: `/` (is my work in this training data? + the complaint form), `/ledger` (the explorer),
`/ledger/doc/{id}` (one document's history, and the operator's revoke button), `/funnel`,
`/reasons`. Plain server-rendered HTML that works without JavaScript; Jinja2 escapes everything.
Reading is public. Writing to the ledger is either a complaint (public, CSRF-protected,
rate-limited, never changes a decision) or a revocation, which needs the API key; a server started
without a key has no write actions at all, because anyone who can reach it could otherwise use them.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from clearlm.errors import UserError
from clearlm.ledger.record import record_revocations
from clearlm.release.records import releases_by_doc
from clearlm.web import lookup_page
from clearlm.web.context import WebContext as WebContext  # re-exported: lookup_page imports it here
from clearlm.web.explorer import Explorer
from clearlm.web.explorer_filters import Filters
from clearlm.web.security import CSRF_FIELD, PageGuard, RateLimiter, check_api_key, form_is_ours, valid_doc_id
from clearlm.workspace import Workspace

STATIC_DIR = Path(__file__).parent / "static"
FORM_LIMIT = 64 << 10  # any form but the lookup's upload
FILTER_NAMES = ("source", "license", "decision", "reason", "stage")


def _limit_for(method: str, path: str) -> int:
    return lookup_page.LOOKUP_BODY_LIMIT if method == "POST" and path == "/" else FORM_LIMIT


def create_web_app(
    ws_root: Path, *, api_key: str | None = None, complaints_per_window: int = 5, window_s: float = 600.0
) -> FastAPI:
    """The pages for workspace `ws_root` (opened now: a bad folder fails at once, not per request)."""
    ws = Workspace.open(Path(ws_root))
    config = ws.load_config()
    ctx = WebContext(
        ws_root=ws.root,
        run_id=ws.run_id,
        model_name=config.release.model_name,
        api_key=api_key or None,
        explorer=Explorer(ws.root),
        complaints=RateLimiter(complaints_per_window, window_s),
    )
    app = FastAPI(title="clearlm pages", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = ctx
    app.add_middleware(PageGuard, limit_for=_limit_for, error_page=lambda status, msg: ctx.error(status, msg))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        response = ctx.error(exc.status_code, str(exc.detail), request)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return ctx.error(400, "The request is not what this page expects.", request)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/health")
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    lookup_page.register(app, ctx)
    _register_ledger_pages(app, ctx)
    return app


def _register_ledger_pages(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/ledger")
    async def ledger(request: Request) -> Response:
        params = request.query_params
        filters = Filters(**{name: params.get(name, "")[:500] for name in FILTER_NAMES})
        number = int(params["page"]) if params.get("page", "").isdigit() else 1
        page = await asyncio.to_thread(ctx.explorer.page, filters, number)
        options = await asyncio.to_thread(ctx.explorer.options)
        query = filters.as_query()
        return ctx.render(
            request, "ledger.html", nav="ledger", filters=filters, options=options, page=page, query=query
        )

    @app.get("/ledger/doc/{doc_id}")
    async def document(request: Request, doc_id: str) -> Response:
        if not valid_doc_id(doc_id):
            raise HTTPException(404, "There is no document with that id.")
        values = await asyncio.to_thread(_document_values, ctx, doc_id)
        revoked = request.query_params.get("revoked", "")
        notice = f"Revocation recorded: {revoked} new ledger row(s)." if revoked.isdigit() else ""
        return ctx.render(request, "doc.html", nav="ledger", notice=notice, **values)

    @app.post("/ledger/doc/{doc_id}/revoke")
    async def revoke(request: Request, doc_id: str) -> Response:
        if not ctx.api_key:  # before reading anything: there is no write action to try
            check_api_key(None, request.headers, None)
        if not valid_doc_id(doc_id) or doc_id.startswith("request-"):
            raise HTTPException(404, "There is no document with that id.")
        form = await request.form(max_files=0, max_fields=8, max_part_size=FORM_LIMIT)
        key = form.get("api_key")
        check_api_key(ctx.api_key, request.headers, key if isinstance(key, str) else None)
        # A bearer token cannot be sent by another site's form; a typed key in a form can, so that
        # path needs the CSRF token too.
        bearer = "authorization" in request.headers
        if not bearer and not form_is_ours(ctx.csrf, request, form.get(CSRF_FIELD)):
            raise HTTPException(403, "The form has expired or came from another site; reload the page.")
        note = str(form.get("note") or "").strip()[:1000]
        try:
            count = await asyncio.to_thread(
                record_revocations,
                ctx.ws_root,
                [doc_id],
                step="web",
                reasons=[],
                evidence={"via": "web page", "note": note},
            )
        except UserError as exc:
            raise HTTPException(404, exc.message) from None
        return RedirectResponse(f"/ledger/doc/{doc_id}?revoked={count}", status_code=303)

    @app.get("/funnel")
    async def funnel(request: Request) -> Response:
        computed, _ = await asyncio.to_thread(ctx.explorer.funnel)
        return ctx.render(request, "funnel.html", nav="funnel", funnel=computed)

    @app.get("/funnel.png")
    async def funnel_png() -> Response:
        _, png = await asyncio.to_thread(ctx.explorer.funnel)
        return Response(png, media_type="image/png", headers={"cache-control": "no-cache"})

    @app.get("/reasons")
    async def reasons(request: Request) -> Response:
        return ctx.render(request, "reasons.html", nav="reasons", reasons=sorted(ctx.reasons.items()))


def _document_values(ctx: WebContext, doc_id: str) -> dict[str, Any]:
    """Everything the document page shows: its events, summary, text excerpt and releases."""
    events = ctx.explorer.history(doc_id)
    if not events:
        raise HTTPException(404, "There is no document with that id in the ledger.")
    for event in events:
        event["evidence_text"] = json.dumps(event["evidence"], indent=2, ensure_ascii=False, default=str)
    summary, excerpt = ctx.explorer.summary(doc_id), ctx.explorer.excerpt(doc_id)
    releases = releases_by_doc(ctx.ws_root, [doc_id])[doc_id]
    return {"doc_id": doc_id, "events": events, "summary": summary, "excerpt": excerpt, "releases": releases}


class WebPagesFirst:
    """ASGI middleware for `clearlm serve`: the API keeps /v1/* and /health, the pages get the rest.

    The API's Gate asks for the API key on every path it sees; the pages are public, so they are
    dispatched before the Gate rather than mounted behind it.
    """

    def __init__(self, app: ASGIApp, *, web: ASGIApp) -> None:
        self.app = app
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        api = path in ("/v1", "/health") or path.startswith("/v1/")
        await (self.web if scope["type"] == "http" and not api else self.app)(scope, receive, send)


def mount_web_pages(app: FastAPI, ws_root: Path, *, api_key: str | None) -> None:
    """Serve the pages of `ws_root` from `app` (the OpenAI-compatible API app) too."""
    app.add_middleware(WebPagesFirst, web=create_web_app(ws_root, api_key=api_key))


def create_explore_app(ws_root: Path, api_key: str | None = None) -> FastAPI:
    """`clearlm explore`: the pages alone, for a workspace that has no served model (yet)."""
    return create_web_app(ws_root, api_key=api_key)
