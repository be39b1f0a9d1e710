"""Crash-safe file writes: a reader sees the old file or the whole new one, never half of one.

Every file a stage publishes goes through here: written under a temporary name in the same folder,
flushed to disk, then renamed over the final name (rename is atomic on POSIX file systems).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

TMP_PREFIX = ".tmp-"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def tmp_path_for(path: Path) -> Path:
    """A temporary sibling name; readers skip names starting with TMP_PREFIX."""
    return path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}")


def publish(tmp: Path, final: Path) -> None:
    """Flush `tmp` to disk and rename it to `final` atomically."""
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    _fsync_dir(final.parent)


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "wb") -> Iterator[IO[bytes]]:
    """Open `path` for writing; the file appears under its name only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path_for(path)
    try:
        with open(tmp, mode) as fh:
            yield fh
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_open(path) as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def remove_stale_tmp(folder: Path) -> int:
    """Delete temporaries a killed process left behind; returns how many were removed."""
    removed = 0
    if folder.is_dir():
        for stale in folder.glob(f"{TMP_PREFIX}*"):
            stale.unlink(missing_ok=True)
            removed += 1
    return removed
