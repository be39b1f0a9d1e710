"""`clearlm audit -w WS [CHECKPOINT]`: memorisation evidence, judged against the policy's thresholds.

Exit 0 when every check passes, 1 (CheckFailed) when one fails, after the report is written either
way; 2 for a usage mistake. torch is imported only when the command runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from clearlm.errors import CheckFailed
from clearlm.workspace import Workspace


def register(cli: click.Group, console: Console, ws_option: Callable[[Any], Any]) -> None:
    @cli.command()
    @ws_option
    @click.argument("checkpoint", required=False, type=click.Path(path_type=Path))
    @click.option("--samples", default=100, show_default=True, help="Training documents for extraction.")
    @click.option("--prefix", default=50, show_default=True, help="Prompt tokens taken from each document.")
    @click.option(
        "--suffix", default=50, show_default=True, help="Greedy tokens compared with the true suffix."
    )
    @click.option("--candidates", default=1000, show_default=True, help="Random secrets per canary.")
    @click.option("--mia-docs", default=500, show_default=True, help="Train and held-out documents (each).")
    @click.option(
        "--policy",
        type=click.Path(path_type=Path),
        help="Policy TOML whose [policy.audit] thresholds apply (default: the run's clear.policy).",
    )
    @click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda or cuda:N.")
    def audit(
        ws: Path,
        checkpoint: Path | None,
        samples: int,
        prefix: int,
        suffix: int,
        candidates: int,
        mia_docs: int,
        policy: Path | None,
        device: str,
    ) -> None:
        """Extraction, canary exposure and membership inference for a checkpoint (default: the latest)."""
        from clearlm.audit.run import AuditOptions, run_audit
        from clearlm.clear.policy import load_policy
        from clearlm.cli_train import latest_checkpoint

        workspace = Workspace.open(ws)
        config = workspace.load_config()
        policy_path = policy or (Path(config.clear.policy) if config.clear.policy else None)
        thresholds = load_policy(policy_path).audit
        options = AuditOptions(
            samples=samples, prefix=prefix, suffix=suffix, candidates=candidates, mia_docs=mia_docs,
            device=device,
        )  # fmt: skip
        report = run_audit(ws, checkpoint or latest_checkpoint(ws), options, thresholds, config.seed)
        console.print(summary_table(report))
        console.print(f"report: {ws / 'audit' / 'report.md'}", soft_wrap=True)
        if not report["passed"]:
            failed = ", ".join(c["name"] for c in report["checks"] if not c["passed"])
            raise CheckFailed(f"audit failed: {failed}", ws / "audit" / "report.json")


def summary_table(report: dict[str, Any]) -> Table:
    verdict = "[green]passed[/]" if report["passed"] else "[red]FAILED[/]"
    table = Table(title=f"audit of {report['checkpoint']['path']}: {verdict}")
    for column in ("check", "value", "threshold", "result", "detail"):
        table.add_column(column, justify="right" if column in ("value", "threshold") else "left")
    for check in report["checks"]:
        value = check["value"]
        shown = "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
        result = "[green]pass[/]" if check["passed"] else "[red]FAIL[/]"
        table.add_row(check["name"], shown, str(check["threshold"]), result, check["detail"])
    return table
