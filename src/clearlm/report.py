"""Readable summaries of a workspace: per-stage counts, quarantine, one document's history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.table import Table

from clearlm.ledger import Ledger
from clearlm.ledger.query import run_sql
from clearlm.pipeline.executor import COMPLETE


def stage_table(ws_root: Path) -> Table:
    """One row per stage: tasks, documents read/written, quarantined by reason."""
    table = Table(title=f"workspace {ws_root}")
    for column in ("stage", "state", "tasks", "MB read", "in", "out", "quarantined", "stopped, by reason"):
        table.add_column(
            column, justify="left" if column in ("stage", "state", "stopped, by reason") else "right"
        )
    stages = ws_root / "stages"
    for stage_dir in sorted(stages.iterdir(), key=_pipeline_order) if stages.is_dir() else []:
        complete = stage_dir / COMPLETE
        stats: dict[str, Any] = {}
        if complete.is_file():
            stats, state = json.loads(complete.read_text(encoding="utf-8")), "complete"
        else:
            done = len(list((stage_dir / "done").glob("[0-9]*"))) if (stage_dir / "done").is_dir() else 0
            state = f"partial ({done} tasks done)"
        reasons = _blocked_reasons(stats)
        table.add_row(
            stage_dir.name,
            state,
            str(stats.get("tasks", "")),
            f"{stats.get('input_bytes', 0) / 1e6:.2f}",
            str(stats.get("docs_read", "")),
            str(stats.get("docs_out", "")),
            str(stats.get("quarantined", "")),
            reasons,
        )
    return table


# Stage folders in the order the pipeline runs them; unknown ones after, by name.
PIPELINE_ORDER = ("ingest", "clear", "curate_prep", "curate", "tokenize", "train", "audit", "release")


def _pipeline_order(stage_dir: Path) -> tuple[int, str]:
    name = stage_dir.name
    return (PIPELINE_ORDER.index(name) if name in PIPELINE_ORDER else len(PIPELINE_ORDER), name)


def _blocked_reasons(stats: dict[str, Any]) -> str:
    """'deny: optout.robots 3, …' over every step: why documents did not flow on."""
    merged: dict[str, dict[str, int]] = {}
    for step in stats.get("steps", {}).values():
        for decision, reasons in step.get("by_decision", {}).items():
            if decision in ("drop", "deny", "review"):
                bucket = merged.setdefault(decision, {})
                for reason, n in reasons.items():
                    bucket[reason] = bucket.get(reason, 0) + n
    return " · ".join(
        f"{d}: " + ", ".join(f"{r} {n}" for r, n in sorted(rs.items(), key=lambda x: (-x[1], x[0])))
        for d, rs in sorted(merged.items())
    )


def ledger_line(ws_root: Path) -> str:
    ledger = Ledger(ws_root / "ledger")
    head = ledger.head()
    return f"ledger: {head.seq} rows in {len(ledger.segments())} segments, head {head.row_hash[:16]}…"


def train_line(ws_root: Path) -> str | None:
    """One line on the newest training run (WS/train/summary.json), or None before any."""
    path = ws_root / "train" / "summary.json"
    if not path.is_file():
        return None
    s = json.loads(path.read_text(encoding="utf-8"))
    eval_loss = f", eval loss {s['final_eval_loss']:.3f}" if s.get("final_eval_loss") is not None else ""
    return (
        f"train: {s['steps']} steps, {s['tokens']:,} tokens, {s['params']:,} parameters, "
        f"loss {s['final_loss']:.3f}{eval_loss}; "
        f"checkpoint {Path(s['checkpoint']).name}, curve train/loss.png"
    )


def audit_release_lines(ws_root: Path) -> list[str]:
    """One line on the audit report and one per release recorded in the workspace, if any."""
    from clearlm.release.records import read_releases

    lines = []
    report_path = ws_root / "audit" / "report.json"
    if report_path.is_file():
        report = json.loads(report_path.read_text(encoding="utf-8"))
        verdict = "passed" if report.get("passed") else "FAILED"
        lines.append(f"audit: {verdict} for {report['checkpoint']['path']}, report audit/report.md")
    for record in read_releases(ws_root):
        lines.append(
            f"release: {record.dir} ({record.checkpoint}, digest {record.digest[:16]}…, {record.created})"
        )
    return lines


def quarantine_rows(ws_root: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    folder = ws_root / "quarantine"
    for path in sorted(folder.rglob("[0-9]*.jsonl")) if folder.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            rows.append({"stage": path.parent.name, **json.loads(line)})
    return rows


def explain_rows(ws_root: Path, doc_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    sql = (
        "SELECT seq, stage, step, decision, reasons, evidence, ts, source FROM ledger "
        "WHERE doc_id = ? ORDER BY seq"
    )
    return run_sql(ws_root, sql, [doc_id])
