"""A tiny exported model folder and a real uvicorn server on a free port, run in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import uvicorn
from fastapi import FastAPI
from tokenizers import Tokenizer

from clearlm.export.hf_folder import export_hf_folder
from clearlm.model.config import LlamaConfig
from clearlm.model.generate import generate
from clearlm.model.hf_weights import load_hf_folder, write_hf_folder
from clearlm.model.llama import Llama
from clearlm.serve.app import bind, create_app
from clearlm.tokenize.chat import CHAT_TEMPLATE
from tests.export.conftest import train_tokenizer

BOS, EOS, IM_END = 0, 1, 4  # ids of <|bos|>, <|eos|>, <|im_end|> in the trained tokenizer
CONTEXT = 128


def build_model_folder(root: Path, *, seed: int = 3) -> Path:
    """An HF folder as `clearlm export` writes it: tiny random Llama, byte-level BPE, ChatML template."""
    tokens = root / "tokens"
    train_tokenizer(tokens)
    config_path = tokens / "tokenizer_config.json"
    settings = json.loads(config_path.read_text())
    settings["chat_template"] = CHAT_TEMPLATE  # the template the tokenize stage ships
    config_path.write_text(json.dumps(settings, indent=2))
    # Weights far from zero make the logits peaked: greedy choices are clear, not near-ties.
    config = LlamaConfig(
        vocab_size=448, dim=64, n_layers=2, n_heads=4, n_kv_heads=2, max_seq_len=CONTEXT, init_std=0.2
    )
    model = Llama(config)
    model.init_weights(seed)
    write_hf_folder(model, root / "checkpoint", bos_id=BOS, eos_id=EOS, pad_id=2)
    return export_hf_folder(root / "checkpoint", tokens, root / "model")


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model_folder(tmp_path_factory.mktemp("serve"))


def chatml(messages: list[tuple[str, str]]) -> str:
    """The prompt ChatML defines for these turns, written out by hand (independent of any template code)."""
    turns = "".join(f"<|im_start|>{role}\n{content}<|im_end|>\n" for role, content in messages)
    return turns + "<|im_start|>assistant\n"


def reference_greedy(
    folder: Path, prompt: str, max_tokens: int, *, chat: bool = False
) -> tuple[str, int, int]:
    """(text, prompt tokens, completion tokens) from clearlm.model.generate directly, greedy.

    A plain prompt gets BOS in front, as pretraining documents had; a chat prompt is the template only.
    """
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    model, _ = load_hf_folder(folder)
    ids = ([] if chat else [BOS]) + tokenizer.encode(prompt, add_special_tokens=False).ids
    out = list(generate(model, ids, max_tokens, stop_ids={EOS, IM_END}))
    return tokenizer.decode(out, skip_special_tokens=True), len(ids), len(out)


class LiveServer:
    """uvicorn serving `app` on 127.0.0.1 in a thread; the loop is kept to inspect its tasks."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.sock = bind("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, name="test-uvicorn", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            await self.server.serve(sockets=[self.sock])

        asyncio.run(main())

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if self.server.started and httpx.get(f"{self.root}/health", timeout=2).status_code == 200:
                    return self
            time.sleep(0.05)
        raise RuntimeError("the server did not come up")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()

    def client(self, api_key: str = "unused", **options: Any) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key=api_key, max_retries=0, timeout=60, **options)

    def async_client(self, api_key: str = "unused") -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(base_url=self.base_url, api_key=api_key, max_retries=0, timeout=120)

    def on_loop(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` on the server's event loop and return its result."""
        assert self.loop is not None

        async def call() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout=10)

    def task_count(self) -> int:
        """Tasks alive on the server loop, not counting the probe itself."""
        return int(self.on_loop(lambda: len(asyncio.all_tasks()) - 1))


ServeFactory = Callable[..., contextlib.AbstractContextManager[LiveServer]]


@pytest.fixture(scope="module")
def serve_app(model_dir: Path) -> ServeFactory:
    """serve_app(folder=None, **create_app options) -> context manager yielding a LiveServer."""

    @contextlib.contextmanager
    def start(folder: Path | None = None, **options: Any) -> Iterator[LiveServer]:
        with LiveServer(create_app(folder or model_dir, **options)) as live:
            yield live

    return start


@pytest.fixture(scope="module")
def server(serve_app: ServeFactory) -> Iterator[LiveServer]:
    with serve_app(model_name="tiny") as live:
        yield live
