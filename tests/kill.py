"""Killing a pipeline subprocess at a chosen moment, for the kill -9 resume tests."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable


def kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float = 60.0) -> bool:
    """SIGKILL the process group as soon as `ready()` holds; False if the run ended first.

    The process must have been started with `start_new_session=True`, so its workers die with it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.001)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("run neither finished nor reached the kill point")
