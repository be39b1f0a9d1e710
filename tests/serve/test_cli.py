"""`clearlm serve DIR`: user mistakes are InputErrors (exit 2); a real process serves and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner
from rich.console import Console

from clearlm.errors import InputError, UserError
from clearlm.serve.app import bind
from clearlm.serve.cli import register
from clearlm.serve.release import release_identity

# What the lead's cli.py does: a click group the command registers itself on.
SCRIPT = """
import sys, click
from rich.console import Console
from clearlm.serve.cli import register
cli = click.Group()
register(cli, Console(width=200))
cli(sys.argv[1:])
"""


def invoke(*args: str) -> BaseException | None:
    group = click.Group()
    register(group, Console())
    return CliRunner().invoke(group, ["serve", *args]).exception


def test_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    error = invoke(str(tmp_path / "nowhere"))
    assert isinstance(error, InputError) and error.exit_code == 2
    assert "model folder not found" in str(error) and "nowhere" in str(error)


def test_a_folder_without_a_model_is_an_input_error(tmp_path: Path) -> None:
    error = invoke(str(tmp_path))
    assert isinstance(error, InputError) and "config.json: missing: not an HF model folder" in str(error)


def test_a_missing_adapter_is_an_input_error(model_dir: Path, tmp_path: Path) -> None:
    error = invoke(str(model_dir), "--adapter", str(tmp_path / "none"))
    assert isinstance(error, InputError) and "adapter folder not found" in str(error)


def test_a_port_in_use_is_a_user_error() -> None:
    taken = bind("127.0.0.1", 0)
    taken.listen()
    try:
        with pytest.raises(UserError, match=r"cannot listen on 127\.0\.0\.1:\d+"):
            bind("127.0.0.1", taken.getsockname()[1]).close()
    finally:
        taken.close()


@pytest.mark.slow
def test_serve_runs_a_server_that_stops_on_sigterm(model_dir: Path) -> None:
    probe = bind("127.0.0.1", 0)
    port = probe.getsockname()[1]
    probe.close()
    env = {**os.environ, "CLEARLM_API_KEY": "from-env"}
    args = [
        sys.executable,
        "-c",
        SCRIPT,
        "serve",
        str(model_dir),
        "--port",
        str(port),
        "--max-concurrency",
        "2",
    ]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        health = httpx.get(f"{url}/health").json()
        assert health["max_concurrency"] == 2
        assert httpx.get(f"{url}/v1/models").status_code == 401  # the key came from CLEARLM_API_KEY
        models = httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer from-env"})
        assert models.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after a clean stop
    assert f"release  {release_identity(model_dir).digest}" in output
    assert "Finished server process" in output
