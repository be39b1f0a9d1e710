"""What every part of the demo shares: run a `clearlm` command as a user would, echoed first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
console = Console()


def clearlm(*args: str, check: bool = True) -> int:
    console.print(f"\n[bold cyan]$ clearlm {' '.join(args)}[/]")
    result = subprocess.run([sys.executable, "-m", "clearlm.cli", *args], cwd=ROOT)
    if check and result.returncode != 0:
        console.print(f"[red]demo: `clearlm {args[0]}` exited {result.returncode}[/]")
        sys.exit(result.returncode)
    return result.returncode


def sql_rows(ws: str, sql: str) -> list[dict[str, Any]]:
    """The rows of a `clearlm ledger sql` query, as dicts (run quietly: the demo shows the result)."""
    command = [sys.executable, "-m", "clearlm.cli", "ledger", "sql", "-w", ws, "--format", "json", sql]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def first_doc_id(ws: str, sql: str) -> str | None:
    """The first doc_id a `clearlm ledger sql` query returns, or None."""
    rows = sql_rows(ws, sql)
    return str(rows[0]["doc_id"]) if rows else None
