"""The endpoints: /health, /v1/models, /v1/completions and /v1/chat/completions.

A generation request is checked completely (model name, prompt length, max_tokens) before it asks
for a slot, so a bad request never waits in the queue. Choices of one request run one after the
other in its slot; streamed, each choice's chunks carry its index.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from clearlm.serve.choice import ChoiceRun, Sampling
from clearlm.serve.engine import Engine, Lease
from clearlm.serve.errors import APIError, error_body
from clearlm.serve.responses import ChoiceResult, LeasedStream, Responder, sse
from clearlm.serve.schemas import ChatRequest, CompletionRequest, GenerationParams
from clearlm.serve.service import Limits, ServedModel, check_model, plan_sampling

log = logging.getLogger("clearlm.serve")


def register_routes(app: FastAPI, served: ServedModel, engine: Engine, limits: Limits) -> None:
    """Add the endpoints for `served` to `app`."""

    def model_card() -> dict[str, Any]:
        identity = served.identity
        return {
            "id": served.name,
            "object": "model",
            "created": served.created,
            "owned_by": "clearlm",
            "release": identity.digest,
            "release_files": identity.entries,
            "adapter_modules": len(served.adapter_modules),
            "context_length": served.context,
            "max_tokens_limit": limits.max_tokens,
        }

    @app.get("/health")
    async def health() -> JSONResponse:
        load = engine.load()
        body = {
            "status": "shutting_down" if engine.closing else "ok",
            "model": served.name,
            "release": served.identity.digest,
            "active": load.active,
            "waiting": load.waiting,
            "max_concurrency": load.max_concurrency,
            "max_queue": load.max_queue,
            "batching": None if engine.batcher is None else engine.batcher.stats(),
        }
        # A load balancer takes a draining server out of rotation on the 503.
        return JSONResponse(body, status_code=503 if engine.closing else 200)

    @app.get("/v1/models")
    async def list_models() -> dict[str, Any]:
        return {"object": "list", "data": [model_card()]}

    @app.get("/v1/models/{model_id:path}")
    async def get_model(model_id: str) -> dict[str, Any]:
        check_model(served, model_id)
        return model_card()

    @app.post("/v1/completions")
    async def completions(body: CompletionRequest, request: Request) -> Response:
        check_model(served, body.model)
        prompt_ids = await engine.prepare(lambda: served.codec.encode(body.prompt_text))
        plans = plan_sampling(served, limits, body, len(prompt_ids), body.max_tokens, chat=False)
        return await answer(request, body, prompt_ids, plans, chat=False)

    @app.post("/v1/chat/completions")
    async def chat_completions(body: ChatRequest, request: Request) -> Response:
        check_model(served, body.model)
        codec = served.codec
        prompt_ids = await engine.prepare(
            lambda: codec.encode(codec.chat_prompt(body.conversation()), bos=False)
        )
        plans = plan_sampling(served, limits, body, len(prompt_ids), body.token_limit, chat=True)
        return await answer(request, body, prompt_ids, plans, chat=True)

    async def answer(
        request: Request,
        params: GenerationParams,
        prompt_ids: list[int],
        plans: list[Sampling],
        *,
        chat: bool,
    ) -> Response:
        responder = Responder(
            chat=chat,
            model=served.name,
            fingerprint=served.identity.digest,
            prompt_tokens=len(prompt_ids),
            usage=params.include_usage,
        )
        lease = await engine.admit()  # 429 / 503 raised here, before any byte is sent
        try:
            runs = [lease.track(make_run(prompt_ids, plan)) for plan in plans]
        except BaseException:
            lease.release()
            raise
        if params.streaming:
            return LeasedStream(lease, stream(lease, runs, responder, chat=chat))
        try:
            results = [await collect(request, lease, run) for run in runs]
        finally:
            lease.release()
        return JSONResponse(responder.whole(results))

    def make_run(prompt_ids: list[int], plan: Sampling) -> ChoiceRun:
        codec = served.codec
        return ChoiceRun(served.model, prompt_ids, plan, codec.stop_ids, codec.decode, engine.batcher)


async def collect(request: Request, lease: Lease, run: ChoiceRun) -> ChoiceResult:
    """The whole text of one choice; stops early when the client has gone."""
    parts = []
    while True:
        piece = await lease.step(run)
        parts.append(piece.text)
        if piece.finish_reason is not None:
            return ChoiceResult("".join(parts), piece.finish_reason, run.completion_tokens)
        if await request.is_disconnected():
            raise APIError(499, "the client closed the connection")  # nobody reads this answer


async def stream(
    lease: Lease, runs: list[ChoiceRun], responder: Responder, *, chat: bool
) -> AsyncIterator[str]:
    """SSE chunks for every choice, then the usage chunk if asked for, then [DONE]."""
    try:
        for index, run in enumerate(runs):
            if chat:
                yield responder.chunk(index, role=True)
            while True:
                piece = await lease.step(run)
                if piece.text:
                    yield responder.chunk(index, piece.text)
                if piece.finish_reason is not None:
                    yield responder.chunk(index, finish=piece.finish_reason)
                    break
        if responder.stream_usage:
            yield responder.usage_chunk(sum(run.completion_tokens for run in runs))
        yield sse("[DONE]")
    except Exception as err:
        # The status line is long gone: report the failure in the stream, as OpenAI does.
        log.exception("generation failed while streaming")
        yield sse(error_body(f"generation failed: {err}", "server_error", code="internal_error"))
    finally:
        lease.release()
