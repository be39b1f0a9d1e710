"""The gate's audit check: does audit/report.json clear exactly the checkpoint being released?

An audit clears a checkpoint only when the report exists, passed every check, and names these
weights: the same checkpoint path and the same lineage.json (by SHA-256), so an audit of step 30 or
of a retrained step 60 cannot stand in for the one being published.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clearlm.train.door import Violation


def audit_violations(
    ws_root: Path, checkpoint: Path, lineage_sha256: str | None
) -> tuple[dict[str, Any] | None, list[Violation]]:
    """The audit report, and why it does not clear this checkpoint: missing, failed or of other weights.

    `lineage_sha256` is the checkpoint's lineage.json digest (None when missing), which the gate
    hashes once and hands on to the release.
    """
    path = ws_root / "audit" / "report.json"
    subject = "audit/report.json"
    if not path.is_file():
        return None, [Violation("audit-missing", subject, "no audit report; run `clearlm audit -w WS`")]
    try:
        report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        audited = str(report["checkpoint"]["path"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, [
            Violation("audit-missing", subject, f"unreadable report ({exc}); run `clearlm audit` again")
        ]
    found = []
    if report.get("passed") is not True:
        failing = [c for c in report.get("checks", []) if not c.get("passed")]
        for check in failing:
            measured = f"value {check.get('value')} against threshold {check.get('threshold')}"
            detail = f"{measured}: {check['rule']}" if check.get("rule") else measured
            found.append(Violation("audit-failed", f"audit check {check.get('name')}", detail))
        if not failing:
            found.append(Violation("audit-failed", subject, "the report says it did not pass"))
    released = _relative_to_ws(checkpoint, ws_root)
    if _relative_to_ws(ws_root / audited, ws_root) != released:
        found.append(Violation("audit-stale", subject, f"audits {audited}, not the released {released}"))
    if report.get("lineage_sha256") != lineage_sha256:
        found.append(
            Violation("audit-stale", subject, f"its lineage_sha256 is not that of {released}/lineage.json")
        )
    return report, found


def _relative_to_ws(path: Path, ws_root: Path) -> str:
    """`path` as the workspace names it (checkpoints/step-000060), else its absolute path."""
    try:
        return str(path.resolve().relative_to(ws_root.resolve()))
    except ValueError:
        return str(path.resolve())
