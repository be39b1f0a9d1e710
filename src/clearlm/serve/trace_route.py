"""POST /v1/trace: the verbatim spans of a text in the training data (`clearlm trace`, over HTTP).

Served only when `clearlm serve` is given the workspace (`--workspace WS`) whose token shards
trained the model: the index is opened (built if missing) at start-up, and each request runs in a
worker thread, so a trace never blocks generation. The API key and body-size limit of the other
endpoints apply.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from clearlm.audit.trace_index import TraceIndex


class TraceRequest(BaseModel):
    """What to trace, and the span filters of `clearlm trace` (TraceSettings) that may be changed."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=100_000)
    min_tokens: int = Field(default=8, ge=1, le=1024)
    max_occurrences: int = Field(default=20, ge=1)
    max_docs: int = Field(default=5, ge=1, le=50)


def register_trace_route(app: FastAPI, workspace: Path) -> None:
    """Open the workspace's trace index now (a bad workspace fails at start-up) and add the route."""
    index = TraceIndex.open(workspace)

    @app.post("/v1/trace")
    async def trace(request: TraceRequest) -> dict[str, Any]:
        result = await asyncio.to_thread(
            index.trace,
            request.text,
            min_tokens=request.min_tokens,
            max_occurrences=request.max_occurrences,
            max_docs=request.max_docs,
        )
        return result.to_dict()
