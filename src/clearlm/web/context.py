"""`WebContext`: what every page handler shares, and how a page or an error page is rendered.

One context per app: the workspace and its explorer, the API key (None: no write actions), the
complaint rate limiter, the CSRF tokens and the Jinja2 templates, which escape everything. A page
rendered for a visitor without a CSRF cookie sets one, so every form on it can post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import Environment, PackageLoader
from starlette.responses import HTMLResponse

from clearlm.web.explorer import Explorer
from clearlm.web.lookup_page import describe_reason, reason_anchor, reason_descriptions
from clearlm.web.security import CSRF_COOKIE, CsrfTokens, RateLimiter, set_csrf_cookie

TITLES = {400: "Bad request", 401: "API key needed", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 413: "Too large", 415: "Unsupported file", 429: "Too many requests",
          503: "Not available"}  # fmt: skip


@dataclass
class WebContext:
    """What every page handler needs: the workspace, its queries, the security helpers, the templates."""

    ws_root: Path
    run_id: str
    model_name: str
    api_key: str | None
    explorer: Explorer
    complaints: RateLimiter
    csrf: CsrfTokens = field(default_factory=CsrfTokens)
    reasons: dict[str, str] = field(default_factory=reason_descriptions)
    env: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = Environment(loader=PackageLoader("clearlm.web", "templates"), autoescape=True)
        self.env.globals.update(
            reason_text=lambda code: describe_reason(str(code), self.reasons),
            reason_anchor=lambda code: reason_anchor(str(code)),
        )

    def render(
        self, request: Request | None, template: str, *, status_code: int = 200, **values: Any
    ) -> HTMLResponse:
        """A page; it also gives a visitor without a CSRF cookie one, so every form on it can post."""
        cookie = request.cookies.get(CSRF_COOKIE) if request is not None else None
        fresh = None
        if request is not None and not (cookie and re.fullmatch(r"[0-9a-f]{32}", cookie)):
            cookie = fresh = CsrfTokens.new_cookie()
        page = self.env.get_template(template).render(
            csrf_token=self.csrf.token_for(cookie) if cookie else "",
            run_id=self.run_id,
            model_name=self.model_name,
            write_enabled=bool(self.api_key),
            **values,
        )
        response = HTMLResponse(page, status_code=status_code, headers={"cache-control": "no-store"})
        if fresh:
            set_csrf_cookie(response, fresh)
        return response

    def error(self, status: int, message: str, request: Request | None = None) -> HTMLResponse:
        title = TITLES.get(status, "Error")
        return self.render(
            request, "error.html", status_code=status, status=status, title=title, message=message
        )
