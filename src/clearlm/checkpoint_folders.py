"""Checkpoint folders ROOT/step-NNNNNN/, written whole or not at all: what pretraining and tuning share.

Pretraining (clearlm.train.checkpoint: full weights, a `latest` pointer) and LoRA tuning
(clearlm.tune.checkpoint: adapter weights) put different files in a checkpoint, but keep the folders
the same way:

- a folder is filled under a temporary sibling name (TMP_PREFIX, so `remove_stale` knows it), every
  file in it is flushed to disk, and only then is it renamed into place (atomic on POSIX), so a kill
  at any moment leaves either no new folder or a complete one;
- a folder counts once it holds trainer_state.json, and a rerun continues from the newest that does;
- all but the newest `keep` are pruned.

No torch here: what goes into a folder is the caller's business.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from clearlm.atomic import TMP_PREFIX

STATE_FILE = "trainer_state.json"
OPTIMIZER_FILE = "optimizer.pt"
LINEAGE_FILE = "lineage.json"
STEP_DIR = re.compile(r"^step-(\d{6,})$")


def step_dir_name(step: int) -> str:
    return f"step-{step:06d}"


@dataclass
class StepCheckpoint:
    """A complete checkpoint folder and its trainer state (trainer_state.json, parsed)."""

    path: Path
    state: dict[str, Any]

    @property
    def step(self) -> int:
        return int(self.state["step"])


CheckpointT = TypeVar("CheckpointT", bound=StepCheckpoint)


def json_text(obj: Any) -> str:
    """The JSON files of a checkpoint: sorted keys, so one state always gives the same bytes."""
    return json.dumps(obj, indent=2, sort_keys=True) + "\n"


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def write_step_folder(root: Path, step: int, write_files: Callable[[Path], None]) -> Path:
    """Checkpoint folder `step` under `root`, filled by `write_files(folder)` and renamed into place.

    Returns the final folder. Pointing at it (`latest`) and pruning are left to the caller.
    """
    root.mkdir(parents=True, exist_ok=True)
    name = step_dir_name(step)
    final = root / name
    tmp = root / f"{TMP_PREFIX}{os.getpid()}-{name}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    write_files(tmp)
    for written in tmp.iterdir():  # on disk before the rename makes the folder visible
        _fsync(written)
    # A killed run saved this step already (perhaps without marking it latest); the replay that
    # reached it again wrote the same numbers, and the new folder takes its place.
    if final.exists():
        old = root / f"{TMP_PREFIX}{os.getpid()}-old-{name}"
        os.rename(final, old)
        os.rename(tmp, final)
        shutil.rmtree(old)
    else:
        os.rename(tmp, final)
    return final


def list_checkpoints(root: Path) -> list[Path]:
    """Complete checkpoint folders under `root`, oldest first."""
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if STEP_DIR.match(p.name) and (p / STATE_FILE).is_file()]
    return sorted(found, key=lambda p: int(p.name.split("-")[1]))


def newest_checkpoint(root: Path, kind: type[CheckpointT]) -> CheckpointT | None:
    """The newest complete checkpoint under `root` as a `kind`, or None when there is none."""
    complete = list_checkpoints(root)
    if not complete:
        return None
    newest = complete[-1]
    state = json.loads((newest / STATE_FILE).read_text(encoding="utf-8"))
    return kind(path=newest, state=state)


def prune_checkpoints(root: Path, keep: int) -> None:
    """Delete all but the newest `keep` checkpoints (keep ≤ 0 keeps every one)."""
    if keep <= 0:
        return
    for old in list_checkpoints(root)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def remove_stale(root: Path) -> None:
    """Delete temporary folders and files a killed save left behind."""
    if root.is_dir():
        for entry in root.glob(f"{TMP_PREFIX}*"):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
