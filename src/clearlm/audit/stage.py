"""The audit as a pipeline stage (`clearlm run`): audit the latest checkpoint unless that is done.

`clearlm audit` always measures again; the stage reuses a report that already covers the latest
checkpoint (same path, same lineage bytes), so rerunning a finished recipe costs nothing and a
recipe interrupted after its audit goes straight on to the release.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from clearlm.clear.policy import load_policy
from clearlm.config import RunConfig
from clearlm.errors import CheckFailed

REPORT = Path("audit") / "report.json"


def current_report(ws_root: Path, checkpoint: Path) -> dict[str, Any] | None:
    """The audit report if it was made for exactly this checkpoint's lineage, else None."""
    path = ws_root / REPORT
    if not path.is_file():
        return None
    try:
        report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    lineage = checkpoint / "lineage.json"
    if not lineage.is_file():
        return None
    same_path = (report.get("checkpoint") or {}).get("path") == checkpoint.relative_to(ws_root).as_posix()
    same_bytes = report.get("lineage_sha256") == hashlib.sha256(lineage.read_bytes()).hexdigest()
    return report if same_path and same_bytes and "passed" in report else None


def run_audit_stage(config: RunConfig, ws_root: Path) -> tuple[dict[str, Any], bool]:
    """(report, reused): audit the latest checkpoint with default settings; CheckFailed if it fails."""
    from clearlm.audit.run import AuditOptions, run_audit  # torch is imported only when auditing
    from clearlm.cli_train import latest_checkpoint

    ws_root = Path(ws_root)
    checkpoint = latest_checkpoint(ws_root)
    report = current_report(ws_root, checkpoint)
    reused = report is not None
    if report is None:
        thresholds = load_policy(Path(config.clear.policy) if config.clear.policy else None).audit
        report = run_audit(ws_root, checkpoint, AuditOptions(), thresholds, config.seed)
    if not report["passed"]:
        failed = ", ".join(c["name"] for c in report["checks"] if not c["passed"])
        raise CheckFailed(f"audit failed: {failed}; the release stage will not run", ws_root / REPORT)
    return report, reused
