"""`create_app` builds the FastAPI application for one model folder; `serve` runs it with uvicorn.

The model is loaded in `create_app`, before any socket is opened, so a bad folder fails with an
InputError at once instead of inside the server. `serve` binds the socket itself for the same reason
(a port in use is the user's problem, exit 2, not a uvicorn traceback) and tells the engine to turn
new work away (503) as soon as a shutdown signal arrives, while running generations finish.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from clearlm.errors import ConfigError, UserError
from clearlm.serve.batcher import DecodeBatcher
from clearlm.serve.engine import Engine
from clearlm.serve.errors import install_error_handlers
from clearlm.serve.gate import Gate
from clearlm.serve.routes import register_routes
from clearlm.serve.service import Limits, load_served_model

log = logging.getLogger("clearlm.serve")
GRACEFUL_SHUTDOWN_S = 30  # running generations get this long to finish after SIGTERM


def create_app(
    model_dir: Path,
    *,
    adapter: Path | None = None,
    api_key: str | None = None,
    max_concurrency: int = 16,
    max_queue: int = 32,
    max_tokens_limit: int = 1024,
    max_request_bytes: int = 1 << 20,
    model_name: str | None = None,
    workspace: Path | None = None,
    batching: bool = True,
) -> FastAPI:
    """An OpenAI-compatible app serving the HF folder `model_dir` (plus a LoRA `adapter` merged in).

    With `batching` (the default) the running generations' next tokens go through the model together
    (`DecodeBatcher`); without, each runs its own passes on its worker thread.
    """
    problems = [
        f"{name} must be at least {low}, got {value}"
        for name, value, low in (
            ("max_concurrency", max_concurrency, 1),
            ("max_queue", max_queue, 0),
            ("max_tokens_limit", max_tokens_limit, 1),
            ("max_request_bytes", max_request_bytes, 1),
        )
        if value < low
    ]
    if problems:
        raise ConfigError("; ".join(problems))
    served = load_served_model(Path(model_dir), adapter, model_name)
    batcher = DecodeBatcher(served.model, slots=max_concurrency) if batching else None
    engine = Engine(max_concurrency, max_queue, batcher)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("serving %s (%s) from %s", served.name, served.identity.digest, model_dir)
        try:
            yield
        finally:
            engine.close()

    app = FastAPI(
        title="clearlm",
        summary=f"OpenAI-compatible API for {served.name}",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.served = served
    app.state.engine = engine
    install_error_handlers(app, served.identity.digest)
    app.add_middleware(Gate, release=served.identity.digest, api_key=api_key, max_body=max_request_bytes)
    register_routes(app, served, engine, Limits(max_tokens=max_tokens_limit))
    if workspace is not None:
        from clearlm.serve.trace_route import register_trace_route  # the index is opened only when asked

        register_trace_route(app, Path(workspace))
        from clearlm.web.app import mount_web_pages  # the lookup page, ledger explorer and funnel

        mount_web_pages(app, Path(workspace), api_key=api_key)
    return app


class _DrainingServer(uvicorn.Server):
    """uvicorn.Server that marks the engine as closing the moment a shutdown signal arrives."""

    def __init__(self, config: uvicorn.Config, engine: Engine) -> None:
        super().__init__(config)
        self._engine = engine

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._engine.begin_shutdown()
        super().handle_exit(sig, frame)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port, or a UserError naming the address."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as err:
        raise UserError(f"cannot listen on {host}:{port} ({err.strerror or err})") from None
    sock.set_inheritable(True)
    return sock


def run_app(app: FastAPI, host: str = "127.0.0.1", port: int = 8000, *, log_level: str = "info") -> None:
    """Serve `app` until SIGINT/SIGTERM; then refuse new requests and let running ones finish."""
    sock = bind(host, port)
    config = uvicorn.Config(
        app, log_level=log_level, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S, server_header=False
    )
    try:
        _DrainingServer(config, app.state.engine).run(sockets=[sock])
    finally:
        sock.close()


def serve(model_dir: Path, host: str = "127.0.0.1", port: int = 8000, **options: Any) -> None:
    """Load `model_dir` (options as for `create_app`) and serve it on host:port until stopped."""
    run_app(create_app(model_dir, **options), host, port)
