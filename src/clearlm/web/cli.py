"""`clearlm explore -w WS`: the rights-holder pages and the ledger explorer for one workspace.

FastAPI, uvicorn and the page code are imported only when the command runs, so `clearlm --help`
stays fast. The socket is bound before uvicorn starts, so a port in use is a one-line error (exit 2).
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from clearlm.cli_options import WS_OPTION


def register(cli: click.Group, console: Console) -> None:
    @cli.command()
    @WS_OPTION
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
    @click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
    @click.option(
        "--api-key",
        envvar="CLEARLM_API_KEY",
        help="Enables operator actions (revoke) for whoever gives this key (default: $CLEARLM_API_KEY; "
        "unset = no write actions at all).",
    )
    def explore(ws: Path, host: str, port: int, api_key: str | None) -> None:
        """Serve the lookup page, the ledger explorer and the funnel of a workspace."""
        import uvicorn

        from clearlm.serve.app import bind
        from clearlm.web.app import create_explore_app

        app = create_explore_app(ws, api_key or None)
        sock = bind(host, port)
        actions = "revoke needs the API key" if api_key else "read-only: no --api-key, so no write actions"
        console.print(f"workspace  {escape(str(ws))}", highlight=False)
        console.print(f"lookup     http://{host}:{port}/", highlight=False)
        console.print(f"ledger     http://{host}:{port}/ledger  ({actions})", highlight=False, soft_wrap=True)
        config = uvicorn.Config(app, log_level="info", server_header=False, timeout_graceful_shutdown=10)
        try:
            uvicorn.Server(config).run(sockets=[sock])
        finally:
            sock.close()
