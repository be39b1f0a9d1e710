"""`clearlm serve DIR`: the OpenAI-compatible API for an HF export or a release folder.

torch, FastAPI and uvicorn are imported only when the command runs, so `clearlm --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from clearlm.errors import InputError


def register(cli: click.Group, console: Console) -> None:
    @cli.command()
    @click.argument("model_dir", metavar="DIR", type=click.Path(path_type=Path))
    @click.option(
        "--adapter", type=click.Path(path_type=Path), help="A peft LoRA adapter folder to merge in."
    )
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
    @click.option(
        "--api-key",
        envvar="CLEARLM_API_KEY",
        help="Require 'Authorization: Bearer KEY' on /v1/* (default: $CLEARLM_API_KEY; unset = open).",
    )
    @click.option(
        "--max-concurrency",
        default=16,
        show_default=True,
        type=click.IntRange(1),
        help="Generations running at once, their next tokens batched into one forward pass.",
    )
    @click.option("--max-queue", default=32, show_default=True, type=click.IntRange(0))
    @click.option(
        "--no-batching",
        is_flag=True,
        help="Run each generation's forward passes on its own instead of batching the running "
        "generations' next tokens together.",
    )
    @click.option(
        "--max-tokens",
        "max_tokens_limit",
        default=1024,
        show_default=True,
        type=click.IntRange(1),
        help="Largest max_tokens a request may ask for.",
    )
    @click.option("--model-name", help="The model id clients use (default: the folder's name).")
    @click.option(
        "-w",
        "--workspace",
        type=click.Path(path_type=Path),
        help="The workspace that trained the model: enables POST /v1/trace over its token shards "
        "and the web pages (lookup, ledger explorer, funnel) at /.",
    )
    def serve(
        model_dir: Path,
        adapter: Path | None,
        host: str,
        port: int,
        api_key: str | None,
        max_concurrency: int,
        max_queue: int,
        no_batching: bool,
        max_tokens_limit: int,
        model_name: str | None,
        workspace: Path | None,
    ) -> None:
        """Serve DIR (an HF export or a release folder) as an OpenAI-compatible HTTP API."""
        if not model_dir.is_dir():
            raise InputError("model folder not found (give an HF export or a release folder)", model_dir)
        from clearlm.serve.app import create_app, run_app

        app = create_app(
            model_dir,
            adapter=adapter,
            api_key=api_key or None,
            max_concurrency=max_concurrency,
            max_queue=max_queue,
            max_tokens_limit=max_tokens_limit,
            model_name=model_name,
            workspace=workspace,
            batching=not no_batching,
        )
        served = app.state.served
        console.print(
            f"model    {escape(served.name)}  ({served.context} tokens of context)", highlight=False
        )
        console.print(f"release  {served.identity.digest}", highlight=False)
        if served.adapter_modules:
            console.print(f"adapter  {escape(str(adapter))}: {len(served.adapter_modules)} modules merged")
        auth = "Bearer key required" if api_key else "no API key (anyone who can connect may use it)"
        console.print(f"API      http://{host}:{port}/v1  ({auth})", highlight=False, soft_wrap=True)
        if workspace is not None:
            console.print(f"lookup   http://{host}:{port}/  (ledger explorer at /ledger)", highlight=False)
        run_app(app, host, port)
