"""`clearlm release`: the gate, then the signed release folder of DESIGN.md.

Nothing is written unless the gate passes. The folder is assembled under a temporary sibling name
and renamed into place last, so a crash leaves the old release or none, never half of one; a rerun
from the same checkpoint gives the same bytes except release.json's timestamps (and so SHA256SUMS
and its signature). The release is recorded in WS/release/releases.jsonl *before* the rename: a
record of a folder that a crash kept from appearing is harmless, a published folder nobody recorded
would hide it from rights holders who opt out later (`clearlm ledger affected`). What goes into
the folder is `assemble`'s business; this module owns where it goes and when it appears.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from clearlm.atomic import TMP_PREFIX, tmp_path_for
from clearlm.errors import ConfigError, UserError
from clearlm.release import signing
from clearlm.release.assemble import LINEAGE_FILE, RELEASE_JSON, assemble
from clearlm.release.sums import folder_files, sums_digest
from clearlm.workspace import Workspace

STEPS = 7
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class ReleaseResult:
    """What `build_release` made: the folder, its identity and the files in it (path, bytes)."""

    dir: Path
    name: str
    digest: str  # SHA-256 (hex) of SHA256SUMS
    checkpoint: str  # relative to the workspace
    step: int
    created: str
    license: str
    public_key_sha256: str
    key_path: Path
    files: list[tuple[str, int]]


def relative_to_ws(path: Path, ws_root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(ws_root).resolve()).as_posix()
    except ValueError:  # a checkpoint outside the workspace is named by its absolute path
        return str(Path(path).resolve())


def check_out_dir(out_dir: Path, checkpoint: str, lineage_sha256: str | None) -> None:
    """Refuse to replace anything but an empty folder or an earlier release of this checkpoint."""
    if not out_dir.exists():
        return
    if out_dir.is_dir() and not any(out_dir.iterdir()):
        return
    try:
        previous = json.loads((out_dir / RELEASE_JSON).read_text(encoding="utf-8"))
        same = previous["checkpoint"] == checkpoint and previous["inputs"]["lineage_sha256"] == lineage_sha256
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError("exists and is not a clearlm release; choose another -o", out_dir) from None
    if not same:
        raise UserError(
            f"holds a release of {previous.get('checkpoint')}, not of {checkpoint}; choose another -o",
            out_dir,
        )


@contextmanager
def progress_for(console: Console | None) -> Iterator[Progress]:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=console is None, transient=True) as progress:
        yield progress


def remove_stale_staging(out_dir: Path) -> None:
    """Staging folders of releases that were killed (their process is gone) are removed."""
    for path in out_dir.parent.glob(f"{TMP_PREFIX}*-{out_dir.name}*"):
        pid = path.name.removeprefix(TMP_PREFIX).split("-", 1)[0]
        if path.is_dir() and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def build_release(
    ws_root: Path,
    checkpoint: Path | None,
    out_dir: Path | None,
    *,
    as_of: date | None = None,
    console: Console | None = None,
) -> ReleaseResult:
    """Run the gate on `checkpoint` (default: the latest) and write the signed release to `out_dir`.

    Raises GateRefused (exit 1) listing every violation, with nothing written; UserError (exit 2)
    for an `out_dir` that holds anything but an earlier release of the same checkpoint.
    """
    from clearlm.export.hf_folder import replace_folder
    from clearlm.release.gate import check_release
    from clearlm.release.records import ReleaseRecord, add_release

    ws_root = Path(ws_root)
    config = Workspace.open(ws_root).load_config()
    name = settings_name(config.release.model_name or config.name, ws_root)
    with progress_for(console) as progress:
        task = progress.add_task("gate: lineage, ledger, shards, audit", total=STEPS)
        report = check_release(ws_root, checkpoint, as_of=as_of)
        ckpt_name = relative_to_ws(report.checkpoint, ws_root)
        step = int(report.lineage["step"])
        lineage_bytes = (Path(report.checkpoint) / LINEAGE_FILE).read_bytes()
        out_dir = Path(out_dir) if out_dir else ws_root / "release" / f"{name}-step-{step:06d}"
        # The gate hashed lineage.json for its audit check; the release reuses that digest.
        check_out_dir(out_dir, ckpt_name, report.lineage_sha256)
        key, key_path = signing.load_or_create_key(ws_root, config.release.signing_key)

        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out_dir)
        staging = tmp_path_for(out_dir)
        try:
            licence, created, sums = assemble(
                staging, ws_root, report, config.release, name, lineage_bytes, key, progress, task
            )
            digest = sums_digest(sums)
            progress.update(task, advance=1, description="recording the release")
            record = ReleaseRecord(digest, name, str(out_dir.resolve()), ckpt_name, step, created)
            add_release(ws_root, record, report.trained_docs.select(["doc_id", "tokens"]))
            replace_folder(staging, out_dir)
            progress.update(task, advance=1)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    files = [(n, os.path.getsize(out_dir / n)) for n in folder_files(out_dir)]
    public = signing.public_key_sha256(key)
    return ReleaseResult(out_dir, name, digest, ckpt_name, step, created, licence, public, key_path, files)


def settings_name(name: str, ws_root: Path) -> str:
    """The model name becomes file and folder names, so it must be one plain path component."""
    if not SAFE_NAME.fullmatch(name):
        message = f"release.model_name {name!r} must be letters, digits, '.', '_' or '-'"
        raise ConfigError(message, Path(ws_root) / "clearlm.toml")
    return name
