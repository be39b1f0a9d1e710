"""Response bodies and server-sent-event chunks in OpenAI's shapes.

A streamed answer is a series of `data: {chunk}\\n\\n` lines ended by `data: [DONE]\\n\\n`. For chat,
each choice starts with a chunk carrying `{"role": "assistant"}`, then content deltas, then a chunk
with an empty delta and its finish_reason. With `stream_options.include_usage`, every chunk carries
`"usage": null` and one last chunk with no choices carries the token counts.

`system_fingerprint`, OpenAI's name for "the backend that answered", is the release digest.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from clearlm.serve.engine import Lease

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # no proxy buffering of tokens


def sse(data: dict[str, Any] | str) -> str:
    """One server-sent event."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"data: {text}\n\n"


@dataclass(frozen=True)
class ChoiceResult:
    text: str
    finish_reason: str
    completion_tokens: int


class Responder:
    """Builds the bodies of one request's answer, for chat or for plain completions."""

    def __init__(self, *, chat: bool, model: str, fingerprint: str, prompt_tokens: int, usage: bool) -> None:
        self.chat = chat
        self.id = f"{'chatcmpl' if chat else 'cmpl'}-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model, self.fingerprint = model, fingerprint
        self.prompt_tokens = prompt_tokens
        self.stream_usage = usage

    def usage(self, completion_tokens: int) -> dict[str, int]:
        total = self.prompt_tokens + completion_tokens
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": total,
        }

    def _envelope(self, obj: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": obj,
            "created": self.created,
            "model": self.model,
            "system_fingerprint": self.fingerprint,
            "choices": choices,
        }

    def whole(self, results: list[ChoiceResult]) -> dict[str, Any]:
        """The non-streamed answer with every choice and the usage."""
        if self.chat:
            choices = [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": r.text},
                    "logprobs": None,
                    "finish_reason": r.finish_reason,
                }
                for i, r in enumerate(results)
            ]
        else:
            choices = [
                {"index": i, "text": r.text, "logprobs": None, "finish_reason": r.finish_reason}
                for i, r in enumerate(results)
            ]
        body = self._envelope("chat.completion" if self.chat else "text_completion", choices)
        body["usage"] = self.usage(sum(r.completion_tokens for r in results))
        return body

    def chunk(
        self, index: int, text: str | None = None, *, role: bool = False, finish: str | None = None
    ) -> str:
        """One streamed chunk for choice `index`: the role, a piece of text, or the finish reason."""
        if self.chat:
            delta: dict[str, Any] = {"role": "assistant", "content": ""} if role else {}
            if text is not None:
                delta["content"] = text
            choice: dict[str, Any] = {
                "index": index,
                "delta": delta,
                "logprobs": None,
                "finish_reason": finish,
            }
        else:
            choice = {"index": index, "text": text or "", "logprobs": None, "finish_reason": finish}
        body = self._envelope("chat.completion.chunk" if self.chat else "text_completion", [choice])
        if self.stream_usage:
            body["usage"] = None
        return sse(body)

    def usage_chunk(self, completion_tokens: int) -> str:
        body = self._envelope("chat.completion.chunk" if self.chat else "text_completion", [])
        body["usage"] = self.usage(completion_tokens)
        return sse(body)


class LeasedStream(StreamingResponse):
    """A streamed response that hands its generation slot back however the stream ends.

    The body's own `finally` does not run when the client disconnects while the body waits at a
    `yield`; this wrapper does, and closes the body so that its cleanup runs now rather than at GC.
    """

    def __init__(self, lease: Lease, content: AsyncIterator[str]) -> None:
        super().__init__(content, media_type="text/event-stream", headers=SSE_HEADERS)
        self.lease = lease
        self._content = content

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.lease.release()
            closer = getattr(self._content, "aclose", None)
            if closer is not None:
                await closer()
