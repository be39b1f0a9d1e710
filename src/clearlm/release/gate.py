"""The release gate: a checkpoint is published only with proof that every token it saw was cleared.

Before `clearlm release` writes anything, the gate recomputes the checkpoint's lineage from the
ledger and the token shards and collects every violation it can find — never only the first:

    ledger            `Ledger.verify()` fails: the record of decisions was edited
    hash              a token file's bytes are not the bytes the tokenize stage recorded
    not-cleared …     the training door's checks (clearlm.train.door), for the documents the
    … revoked         checkpoint saw: cleared, kept, unchanged, tokenized and not revoked — now
    lineage           lineage.json is missing or no longer matches the manifest, shards, tokenizer,
                      index or ledger, or its tokens per group/licence do not replay from the data
    registry          a trained document quotes a work in the protected-works registry now
    contract-expired  a trained document was allowed by a contract not in date on the release date
    contract-missing  … or by a contract that is no longer in the contracts file
    audit-missing / audit-failed / audit-stale
                      no audit report, a failed one, or one of other weights than these

Decisions can change after training (a revocation, a new registry entry, a contract that ended),
so the gate judges the workspace as it is today against what the checkpoint was trained on: the
documents its steps read, found by replaying its data order (`clearlm.train.replay`). A document of
the train split the run had not reached yet is not in `trained_docs` and cannot block the release.
Audit canaries (group `canary`) are synthetic secrets the tokenize stage made: the door checks what
applies to them, and they appear in `trained_docs` with canary=True.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from clearlm.clear.policy import load_policy
from clearlm.config import RunConfig
from clearlm.errors import CheckFailed, ConfigError, LedgerTampered, WorkspaceError
from clearlm.files import file_sha256
from clearlm.ledger import Ledger
from clearlm.ledger.query import connect
from clearlm.release import gate_checks
from clearlm.release.gate_audit import audit_violations
from clearlm.train.door import Violation, hash_violations, ledger_violations, read_manifest
from clearlm.train.replay import SeenTokens, seen_by_checkpoint
from clearlm.workspace import Workspace

# Violations named in GateRefused's message; the report holds them all.
SHOWN = 50

TRAINED_DOCS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source", pa.string()),
        ("group", pa.string()),
        ("license", pa.string()),
        ("content_sha256", pa.string()),
        ("tokens", pa.int64()),
        ("canary", pa.bool_()),
    ]
)

# One row per document with a token range in the train split; `tokens` adds up every placed copy.
_TRAINED_DOCS_SQL = """
SELECT doc_id, any_value(source) AS source, any_value("group") AS "group",
       any_value(license) AS license, any_value(content_sha256) AS content_sha256,
       CAST(sum(length) AS BIGINT) AS tokens, bool_and("group" = 'canary') AS canary
FROM read_parquet($index) WHERE split = 'train' GROUP BY doc_id ORDER BY doc_id
"""


@dataclass(frozen=True)
class GateReport:
    """What the gate found for one checkpoint; `ok` when there is nothing to refuse."""

    checkpoint: Path
    lineage: dict[str, Any]
    manifest: dict[str, Any]
    audit: dict[str, Any] | None
    violations: list[Violation]
    trained_docs: pa.Table
    # The date contracts were judged on.
    as_of: date
    # SHA-256 of the checkpoint's lineage.json (None when missing), hashed once here for the audit
    # check and passed on to the release (output folder check, release.json, model card).
    lineage_sha256: str | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    def kinds(self) -> set[str]:
        return {v.kind for v in self.violations}


class GateRefused(CheckFailed):
    """The release was refused (exit 1): every violation, one per line; `.report` has them all."""

    def __init__(self, report: GateReport) -> None:
        self.report = report
        violations = report.violations
        lines = [v.line() for v in violations[:SHOWN]]
        if len(violations) > SHOWN:
            lines.append(f"… and {len(violations) - SHOWN} more")
        head = f"release refused: {len(violations)} violation(s) for {report.checkpoint}"
        super().__init__("\n  ".join([head, *lines]))


def run_gate(ws_root: Path, checkpoint: Path | None = None, *, as_of: date | None = None) -> GateReport:
    """Check `checkpoint` (default: the latest) of the workspace for release; never raises for violations.

    Raises WorkspaceError/ConfigError (exit 2) only for input the gate cannot judge at all: not a
    workspace, no such checkpoint, no token manifest, an unreadable policy or contracts file.
    """
    ws_root = Path(ws_root)
    config = Workspace.open(ws_root).load_config()
    checkpoint = _resolve_checkpoint(ws_root, checkpoint)
    as_of = as_of or _release_date(ws_root, config)
    tokens_dir = ws_root / "tokens"
    index_path = tokens_dir / "index.parquet"
    manifest = read_manifest(tokens_dir)
    policy = load_policy(Path(config.clear.policy) if config.clear.policy else None)

    violations = _ledger_verify(ws_root)
    try:
        violations += hash_violations(tokens_dir, manifest)
    except (KeyError, TypeError, ValueError) as exc:
        raise WorkspaceError(
            f"manifest.json lacks what the tokenize stage writes ({exc})", tokens_dir
        ) from None
    lineage, lineage_problem = _read_lineage(checkpoint)
    # What the checkpoint saw: its data order replayed. Unknown (no usable lineage, which is itself
    # refused below) means every document of the train split counts as seen.
    seen, replay_problem = (
        seen_by_checkpoint(tokens_dir, lineage) if lineage_problem is None else (None, None)
    )
    trained, index_problem = _trained_docs(index_path, seen)
    if index_problem is None:
        violations += _door_violations(ws_root, index_path, set(trained.column("doc_id").to_pylist()))
    elif not any(v.subject == "index.parquet" for v in violations):
        violations.append(index_problem)
    con = connect(ws_root)
    con.execute("SET enable_progress_bar = false")  # a release prints its own progress
    con.register("gate_trained", trained.select(["doc_id"]))
    try:
        if lineage_problem is not None:
            violations.append(lineage_problem)
        else:
            violations += gate_checks.lineage_violations(
                ws_root, checkpoint, lineage, manifest, con, seen, replay_problem
            )
        if trained.num_rows:
            violations += gate_checks.registry_violations(con, index_path, policy)
            violations += gate_checks.contract_violations(con, index_path, policy, as_of)
    finally:
        con.close()
    lineage_sha256 = _lineage_digest(checkpoint)
    audit, audit_problems = audit_violations(ws_root, checkpoint, lineage_sha256)
    violations += audit_problems
    return GateReport(checkpoint, lineage, manifest, audit, violations, trained, as_of, lineage_sha256)


def check_release(ws_root: Path, checkpoint: Path | None = None, *, as_of: date | None = None) -> GateReport:
    """`run_gate`, raising GateRefused (exit 1) when anything is wrong; the report when all is clear."""
    report = run_gate(ws_root, checkpoint, as_of=as_of)
    if not report.ok:
        raise GateRefused(report)
    return report


def _resolve_checkpoint(ws_root: Path, checkpoint: Path | None) -> Path:
    if checkpoint is None:
        from clearlm.cli_train import latest_checkpoint

        return latest_checkpoint(ws_root).resolve()
    path = Path(checkpoint)
    # A bare `checkpoints/step-000060` or `step-000060` names a checkpoint of this workspace.
    for candidate in (path, ws_root / path, ws_root / "checkpoints" / path):
        if candidate.is_dir():
            return candidate.resolve()
    raise WorkspaceError("checkpoint folder not found", path)


def _release_date(ws_root: Path, config: RunConfig) -> date:
    if not config.release.as_of:
        return date.today()
    try:
        return date.fromisoformat(config.release.as_of)
    except ValueError:
        message = f"release.as_of must be an ISO date (YYYY-MM-DD), not {config.release.as_of!r}"
        raise ConfigError(message, ws_root / "clearlm.toml") from None


def _ledger_verify(ws_root: Path) -> list[Violation]:
    try:
        Ledger(ws_root / "ledger").verify()
    except LedgerTampered as exc:
        return [Violation("ledger", exc.path or "ledger", exc.message)]
    return []


def _trained_docs(index_path: Path, seen: SeenTokens | None) -> tuple[pa.Table, Violation | None]:
    """The train split's documents the checkpoint saw (all, when unknown), or none and why."""
    con = duckdb.connect(":memory:")
    try:
        table = con.sql(_TRAINED_DOCS_SQL, params={"index": str(index_path)}).to_arrow_table()
    except duckdb.Error as exc:
        problem = Violation("hash", "index.parquet", f"cannot be read: {str(exc).splitlines()[0]}")
        return TRAINED_DOCS_SCHEMA.empty_table(), problem
    finally:
        con.close()
    if seen is not None:  # a document the run had not reached yet was not trained on
        table = table.filter(pa.array([d in seen.by_doc for d in table.column("doc_id").to_pylist()]))
    return table.cast(TRAINED_DOCS_SCHEMA), None


def _door_violations(ws_root: Path, index_path: Path, trained_ids: set[str]) -> list[Violation]:
    """The door's ledger checks, kept for documents the checkpoint trained on (not held-out ones)."""
    try:
        found = ledger_violations(ws_root, index_path)
    except duckdb.Error as exc:  # the index was readable, so a ledger segment is not
        return [Violation("ledger", "ledger", f"cannot be queried: {str(exc).splitlines()[0]}")]
    # The door names a document "<doc_id> <source>"; doc ids have no spaces.
    return [v for v in found if v.subject.split(" ", 1)[0] in trained_ids]


def _read_lineage(checkpoint: Path) -> tuple[dict[str, Any], Violation | None]:
    path = checkpoint / "lineage.json"
    subject = f"{checkpoint.name}/lineage.json"
    if not path.is_file():
        return {}, Violation("lineage", subject, "missing: the checkpoint cannot be tied to its data")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {}, Violation("lineage", subject, f"unreadable: {exc}")
    if not isinstance(data, dict):
        return {}, Violation("lineage", subject, "not a JSON object")
    return data, None


def _lineage_digest(checkpoint: Path) -> str | None:
    """SHA-256 of lineage.json, or None when it is missing or unreadable (`_read_lineage` says which)."""
    path = checkpoint / "lineage.json"
    try:
        return file_sha256(path) if path.is_file() else None
    except OSError:
        return None
