"""A workspace: one run's folder on disk (layout fixed by DESIGN.md)."""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from clearlm.atomic import atomic_write_text, remove_stale_tmp
from clearlm.config import RunConfig, config_from_dict
from clearlm.errors import WorkspaceError

CONFIG_FILE = "clearlm.toml"
RUN_FILE = "run.json"


class Workspace:
    """Paths of a workspace plus its run id. Stages read and write only below `root`."""

    def __init__(self, root: Path, run_id: str) -> None:
        self.root = root
        self.run_id = run_id
        self._lock: IO[str] | None = None

    # -- layout -------------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def ledger_dir(self) -> Path:
        return self.root / "ledger"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    @property
    def stages_dir(self) -> Path:
        return self.root / "stages"

    def stage_dir(self, stage: str) -> Path:
        return self.stages_dir / stage

    # -- life cycle ---------------------------------------------------------------------------
    @classmethod
    def create_or_open(cls, root: Path, config: RunConfig) -> Workspace:
        """Open `root` (creating it if needed) and record `config` as the run's resolved config."""
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise WorkspaceError("workspace path exists and is not a folder", root)
        root.mkdir(parents=True, exist_ok=True)
        remove_stale_tmp(root)
        run_file = root / RUN_FILE
        if run_file.exists():
            ws = cls.open(root)
        else:
            run_id = f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
            atomic_write_text(
                run_file, json.dumps({"run_id": run_id, "created": datetime.now(UTC).isoformat()})
            )
            ws = cls(root, run_id)
        atomic_write_text(ws.config_path, config.to_toml())
        return ws

    @classmethod
    def open(cls, root: Path) -> Workspace:
        """Open an existing workspace; a clear error if `root` is not one."""
        root = Path(root)
        run_file = root / RUN_FILE
        if not run_file.is_file():
            raise WorkspaceError("not a clearlm workspace (no run.json); run `clearlm ingest` first", root)
        try:
            run_id = str(json.loads(run_file.read_text(encoding="utf-8"))["run_id"])
        except (ValueError, KeyError) as exc:
            raise WorkspaceError(f"run.json is unreadable: {exc}", run_file) from None
        return cls(root, run_id)

    def load_config(self) -> RunConfig:
        import tomllib

        if not self.config_path.is_file():
            return RunConfig()
        return config_from_dict(tomllib.loads(self.config_path.read_text(encoding="utf-8")))

    def lock(self) -> None:
        """Take the workspace's writer lock; a second concurrent run fails fast instead of racing."""
        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / ".lock", "w")  # noqa: SIM115 - held for the life of the run
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise WorkspaceError("another clearlm process is writing this workspace", self.root) from None
        fh.write(str(os.getpid()))
        fh.flush()
        self._lock = fh

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None
