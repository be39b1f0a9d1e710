"""SQL over a workspace with DuckDB: the `ledger` view plus one view per stage output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb

from clearlm.errors import UserError
from clearlm.ledger.events import LEDGER_SCHEMA

_VIEW_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _glob_sql(pattern: Path) -> str:
    return "'" + str(pattern).replace("'", "''") + "'"


def connect(ws_root: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with views over the workspace's Parquet files (nothing is copied)."""
    # No progress bar: DuckDB would draw it on the user's terminal in the middle of rich's output.
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    ledger_files = sorted((ws_root / "ledger").glob("[0-9]*.parquet"))
    if ledger_files:
        files = ", ".join(_glob_sql(p) for p in ledger_files)
        con.execute(f"CREATE VIEW ledger AS SELECT * FROM read_parquet([{files}]) ORDER BY seq")
    else:
        # An empty ledger still answers queries, with the right columns.
        con.register("_empty_ledger", LEDGER_SCHEMA.empty_table())
        con.execute("CREATE VIEW ledger AS SELECT * FROM _empty_ledger")
    stages = ws_root / "stages"
    if stages.is_dir():
        for stage_dir in sorted(stages.iterdir()):
            parts = sorted(stage_dir.glob("part-*.parquet"))
            if parts and _VIEW_NAME_RE.match(stage_dir.name):
                files = ", ".join(_glob_sql(p) for p in parts)
                sql = f"SELECT * FROM read_parquet([{files}], union_by_name=true)"
                con.execute(f"CREATE VIEW {stage_dir.name} AS {sql}")
    index = ws_root / "tokens" / "index.parquet"
    if index.is_file():
        # Token ranges → documents (one row per placed copy), so SQL can join training data to decisions.
        con.execute(f"CREATE VIEW tokens AS SELECT * FROM read_parquet({_glob_sql(index)})")
    return con


def run_sql(
    ws_root: Path, sql: str, params: list[Any] | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one query; a SQL mistake is the user's (exit 2), with DuckDB's own words."""
    con = connect(ws_root)
    try:
        cursor = con.execute(sql, params or [])
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise UserError(f"SQL error: {first_line}") from None
    if cursor.description is None:
        return [], []
    columns = [d[0] for d in cursor.description]
    return columns, cursor.fetchall()


def to_jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def rows_as_json(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    return json.dumps(
        [dict(zip(columns, map(to_jsonable, row), strict=True)) for row in rows], ensure_ascii=False
    )
