"""Under load: 32 concurrent streams all finish correctly, and nothing is left running afterwards."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
import pytest
from tokenizers import Tokenizer

from clearlm.model.generate import generate
from clearlm.model.hf_weights import load_hf_folder
from tests.serve.conftest import EOS, IM_END, LiveServer, ServeFactory, chatml

pytestmark = pytest.mark.slow
CLIENTS = 32
PROMPTS = [f"Hello world! Numbers like {i}{i}" for i in range(8)]


def expected_answers(model_dir: Path, max_tokens: int) -> dict[str, str]:
    """Greedy answers computed with clearlm.model.generate directly, one per prompt."""
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    model, _ = load_hf_folder(model_dir)
    answers = {}
    for prompt in PROMPTS:
        ids = tokenizer.encode(chatml([("user", prompt)]), add_special_tokens=False).ids  # no BOS in chat
        tokens = list(generate(model, ids, max_tokens, stop_ids={EOS, IM_END}))
        answers[prompt] = tokenizer.decode(tokens, skip_special_tokens=True)
    return answers


def settle(live: LiveServer, tasks: int) -> tuple[int, int, int]:
    """Wait (briefly) for the server to be idle; return (tasks, active, waiting) as last seen."""
    deadline = time.monotonic() + 10
    while True:
        load = httpx.get(f"{live.root}/health").json()
        now = (live.task_count(), load["active"], load["waiting"])
        if now == (tasks, 0, 0) or time.monotonic() > deadline:
            return now
        time.sleep(0.05)


def test_32_concurrent_streams_complete_and_leave_nothing_behind(
    serve_app: ServeFactory, model_dir: Path
) -> None:
    answers = expected_answers(model_dir, 24)
    with serve_app(max_concurrency=4, max_queue=32, model_name="tiny") as live:
        httpx.post(
            f"{live.base_url}/completions", json={"prompt": "warm", "max_tokens": 2}
        ).raise_for_status()
        base_tasks, base_threads = live.task_count(), threading.active_count()

        async def one(client_id: int) -> tuple[str, str, str | None]:
            prompt = PROMPTS[client_id % len(PROMPTS)]
            async with live.async_client() as client:
                stream = await client.chat.completions.create(
                    model="tiny",
                    messages=[{"role": "user", "content": prompt}],
                    max_tokens=24,
                    temperature=0,
                    stream=True,
                )
                text, finish = "", None
                async for chunk in stream:
                    for choice in chunk.choices:
                        text += choice.delta.content or ""
                        finish = choice.finish_reason or finish
                return prompt, text, finish

        async def everyone() -> list[tuple[str, str, str | None]]:
            return await asyncio.gather(*(one(i) for i in range(CLIENTS)))

        results = asyncio.run(everyone())
        assert len(results) == CLIENTS
        for prompt, text, finish in results:
            assert text == answers[prompt]
            assert finish in ("stop", "length")
        assert settle(live, base_tasks) == (base_tasks, 0, 0)
        # Only the pool's workers (at most max_concurrency) may have been added.
        assert threading.active_count() <= base_threads + 4
        workers = [t for t in threading.enumerate() if t.name.startswith("clearlm-gen")]
        assert 1 <= len(workers) <= 4
        assert len([t for t in threading.enumerate() if t.name.startswith("clearlm-prep")]) == 1
        # The streams' next tokens went through the model together, and still gave the greedy answers.
        batcher = live.app.state.engine.batcher
        assert batcher.passes > 0 and batcher.batched_tokens > batcher.passes
        health = httpx.get(f"{live.root}/health").json()["batching"]
        assert health["slots"] == 4 and health["passes"] == batcher.passes and health["mean_batch"] > 1


def test_no_batching_serves_the_same_answers(serve_app: ServeFactory, model_dir: Path) -> None:
    answers = expected_answers(model_dir, 12)
    with serve_app(max_concurrency=3, batching=False, model_name="tiny") as live:
        assert live.app.state.engine.batcher is None
        assert httpx.get(f"{live.root}/health").json()["batching"] is None
        client = live.client()
        for prompt in PROMPTS[:3]:
            reply = client.chat.completions.create(
                model="tiny", messages=[{"role": "user", "content": prompt}], max_tokens=12, temperature=0
            )
            assert reply.choices[0].message.content == answers[prompt]


def test_a_client_that_disconnects_frees_its_slot_and_stops_generating(serve_app: ServeFactory) -> None:
    with serve_app(max_concurrency=1, max_queue=0) as live:
        base_tasks = live.task_count()
        forwards: list[int] = []

        def slow(*_: object) -> None:  # 20 ms a token: a 100-token answer takes 2 s
            forwards.append(1)
            time.sleep(0.02)

        hook = live.app.state.served.model.register_forward_pre_hook(slow)
        try:
            body = {"prompt": "Hello", "max_tokens": 100, "temperature": 0, "stream": True}
            with httpx.stream("POST", f"{live.base_url}/completions", json=body) as response:
                next(response.iter_lines())  # one event, then hang up
            assert settle(live, base_tasks) == (base_tasks, 0, 0)
            generated = len(forwards)
            assert generated < 100
            time.sleep(0.2)
            assert len(forwards) == generated  # nothing runs on for a client that is gone
        finally:
            hook.remove()
        answer = httpx.post(f"{live.base_url}/completions", json={"prompt": "Hello", "max_tokens": 3})
        assert answer.status_code == 200
