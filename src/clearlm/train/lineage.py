"""What a checkpoint was made from: `lineage.json`, written beside every checkpoint's weights.

Lineage pins a checkpoint to exact bytes and decisions: the model and training config, the
tokenizer's SHA-256, the ledger head hash when training started (every decision up to that row),
each token shard's SHA-256, and what was trained on — tokens per source group and per licence,
steps, seed — plus the code that did it. The release gate recomputes these from the workspace;
a mismatch refuses the release.
"""

from __future__ import annotations

import dataclasses
import platform
import subprocess
from pathlib import Path
from typing import Any

import clearlm
from clearlm.config import RunConfig
from clearlm.files import file_sha256
from clearlm.ledger import Ledger
from clearlm.train.door import MANIFEST

LINEAGE_FORMAT = "clearlm-lineage-v1"


def code_version() -> dict[str, Any]:
    """clearlm's version plus, when run from a git checkout, the commit and whether it was edited."""
    version: dict[str, Any] = {"clearlm": clearlm.__version__, "python": platform.python_version()}
    try:
        import torch

        version["torch"] = torch.__version__
    except ImportError:  # lineage can be read without torch (release, explore)
        pass
    src = Path(clearlm.__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(src), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(src), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    version["git_commit"] = commit
    version["git_dirty"] = bool(dirty)
    return version


def tokens_summary(ws_root: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """The token data a run was given, by hash: enough to recompute and compare later."""
    tokens_dir = Path(ws_root) / "tokens"
    return {
        "manifest_sha256": file_sha256(tokens_dir / MANIFEST),
        "tokenizer_sha256": manifest["tokenizer_sha256"],
        "index_sha256": manifest["index_sha256"],
        "dtype": manifest["dtype"],
        "vocab_size": manifest["vocab_size"],
        "shards": [
            {"file": s["file"], "split": s["split"], "tokens": s["tokens"], "sha256": s["sha256"]}
            for s in manifest["shards"]
        ],
        "splits": manifest["splits"],
        "ledger_head_at_tokenize": manifest.get("ledger_head"),
    }


class LineageBuilder:
    """Builds each checkpoint's lineage from what is fixed for the run plus the trainer's state.

    The fixed part (hashes, config, ledger head) is computed once when training starts, so every
    checkpoint of one run names the same inputs; the trainer supplies its counters per checkpoint.
    """

    def __init__(self, ws_root: Path, run_id: str, config: RunConfig, manifest: dict[str, Any]) -> None:
        head = Ledger(Path(ws_root) / "ledger").head()
        self.fixed: dict[str, Any] = {
            "format": LINEAGE_FORMAT,
            "run_id": run_id,
            "seed": config.seed,
            "train_config": dataclasses.asdict(config.train),
            "tokenize_config": dataclasses.asdict(config.tokenize),
            "tokens": tokens_summary(ws_root, manifest),
            "ledger_head": {"seq": head.seq, "row_hash": head.row_hash},
            "code": code_version(),
        }

    def __call__(self, state: dict[str, Any]) -> dict[str, Any]:
        """Lineage for a checkpoint; `state` is the trainer's state dict at that step."""
        return {
            **self.fixed,
            "model": state.get("model_config"),
            "step": state["step"],
            "tokens_seen": state["tokens_seen"],
            "tokens_by_group": dict(sorted(state["tokens_by_group"].items())),
            "tokens_by_license": dict(sorted(state["tokens_by_license"].items())),
            "world_size": state.get("world_size", 1),
            "parallel": state.get("parallel"),
        }
