"""The release gate's own checks, beyond the training door's: lineage, registry and contracts.

Each function returns every violation it finds (never the first only) as `clearlm.train.door.Violation`
rows, so the gate can refuse with the whole list. They read the workspace through one DuckDB
connection (`clearlm.ledger.query.connect`) and set-based SQL; only the registry match, which needs
the text, walks documents in Python, and only when a registry is configured.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from clearlm.clear.contracts import Contract, load_contracts
from clearlm.clear.policy import Policy
from clearlm.clear.registry import Registry
from clearlm.files import file_sha256
from clearlm.reasons import CONTRACT_EXPIRED, CONTRACT_OUT_OF_SCOPE, CONTRACT_PREFIX
from clearlm.train.door import MANIFEST, Violation
from clearlm.train.replay import RunShape, SeenTokens

_TEXTS_PER_FETCH = 256


# -- lineage ---------------------------------------------------------------------------------------
def lineage_violations(
    ws_root: Path,
    checkpoint: Path,
    lineage: dict[str, Any],
    manifest: dict[str, Any],
    con: duckdb.DuckDBPyConnection,
    seen: SeenTokens | None,
    replay_problem: str | None,
) -> list[Violation]:
    """Where the checkpoint's lineage.json no longer describes the workspace's tokens and ledger.

    `seen` is the replay of its training order (`clearlm.train.replay`), or None and why not.

    Shard, tokenizer and index hashes are compared with the current manifest, not re-hashed: the
    door's `hash_violations` already compares the manifest with the files' bytes, and the two
    comparisons together cover lineage → file without reading gigabytes of shards twice.
    """
    tokens_dir = ws_root / "tokens"
    recorded: dict[str, Any] = lineage.get("tokens") or {}
    found = []
    if recorded.get("manifest_sha256") != file_sha256(tokens_dir / MANIFEST):
        found.append(
            Violation("lineage", "tokens/manifest.json", "not the manifest the checkpoint trained on")
        )
    for name, key in (("tokenizer.json", "tokenizer_sha256"), ("index.parquet", "index_sha256")):
        then, now = str(recorded.get(key)), str(manifest.get(key))
        if then != now:
            found.append(
                Violation("lineage", f"tokens/{name}", f"SHA-256 {now[:12]}… now, {then[:12]}… in training")
            )
    then_shards = {s["file"]: s for s in recorded.get("shards", [])}
    now_shards = {s["file"]: s for s in manifest.get("shards", [])}
    for name in sorted(set(then_shards) | set(now_shards)):
        then_s, now_s = then_shards.get(name), now_shards.get(name)
        if then_s is None:
            found.append(Violation("lineage", f"tokens/{name}", "added since the checkpoint was trained"))
        elif now_s is None:
            found.append(Violation("lineage", f"tokens/{name}", "the checkpoint trained on it; it is gone"))
        elif _shard_key(then_s) != _shard_key(now_s):
            found.append(
                Violation("lineage", f"tokens/{name}", "differs from the shard the checkpoint trained on")
            )
    found += _ledger_head_violations(lineage, con)
    stem = checkpoint.name.removeprefix("step-")
    if stem.isdigit() and lineage.get("step") != int(stem):
        found.append(Violation("lineage", checkpoint.name, f"lineage.json says step {lineage.get('step')}"))
    return found + _tokens_seen_violations(lineage, seen, replay_problem)


def _shard_key(shard: dict[str, Any]) -> tuple[Any, ...]:
    return shard.get("sha256"), shard.get("split"), shard.get("tokens")


def _ledger_head_violations(lineage: dict[str, Any], con: duckdb.DuckDBPyConnection) -> list[Violation]:
    """The ledger row that was the head when training started must still be there, unchanged."""
    head = lineage.get("ledger_head") or {}
    seq, row_hash = head.get("seq"), head.get("row_hash")
    if not isinstance(seq, int):
        return [Violation("lineage", "ledger", "lineage.json records no ledger head")]
    if seq == 0:
        return []
    rows = con.execute("SELECT row_hash FROM ledger WHERE seq = ?", [seq]).fetchall()
    if not rows:
        return [Violation("lineage", "ledger", f"row seq {seq}, the head when training started, is gone")]
    if rows[0][0] != row_hash:
        return [Violation("lineage", "ledger", f"row seq {seq} is not the head training started from")]
    return []


def _tokens_seen_violations(
    lineage: dict[str, Any], seen: SeenTokens | None, replay_problem: str | None
) -> list[Violation]:
    """Compare lineage.json's tokens per group and licence with the replay of the training order."""
    try:
        shape = RunShape.from_lineage(lineage)
        told = int(lineage["tokens_seen"])
        claimed = {"group": dict(lineage["tokens_by_group"]), "licence": dict(lineage["tokens_by_license"])}
    except (KeyError, TypeError, ValueError):
        return [
            Violation("lineage", "lineage.json", "lacks the counters (step, train_config, tokens_seen, …)")
        ]
    found = []
    if told != shape.tokens:
        batch = shape.micro_batch * shape.grad_accum * shape.world_size
        found.append(
            Violation(
                "lineage", "tokens_seen", f"{told} is not {shape.steps} steps of {batch} × {shape.seq_len}"
            )
        )
    for what, counts in claimed.items():
        if sum(counts.values()) != told:
            found.append(
                Violation(
                    "lineage", f"tokens by {what}", f"sum to {sum(counts.values())}, not tokens_seen {told}"
                )
            )
    if seen is None:
        return [*found, Violation("lineage", "tokens", replay_problem or "cannot replay the training order")]
    replayed = {"group": seen.by_group, "licence": seen.by_licence}
    for what, counts in claimed.items():
        actual = {k: v for k, v in replayed[what].items() if v}
        wrong = sorted(k for k in set(actual) | set(counts) if counts.get(k, 0) != actual.get(k, 0))
        if wrong:
            shown = "; ".join(f"{k or '(none)'} {counts.get(k, 0)} vs {actual.get(k, 0)}" for k in wrong[:5])
            detail = f"lineage.json vs a replay of the training order over the shards and index: {shown}"
            found.append(Violation("lineage", f"tokens by {what}", detail))
    return found


# -- registry --------------------------------------------------------------------------------------
_CURATED_TEXT_SQL = """
WITH trained AS (
    SELECT doc_id, any_value(content_sha256) AS sha FROM read_parquet(?)
    WHERE split = 'train' AND "group" <> 'canary' AND doc_id IN (SELECT doc_id FROM gate_trained)
    GROUP BY doc_id
)
SELECT c.doc_id, any_value(c.source), any_value(c.text)
FROM curate c JOIN trained t ON c.doc_id = t.doc_id AND c.content_sha256 = t.sha
GROUP BY c.doc_id ORDER BY c.doc_id
"""


def registry_violations(con: duckdb.DuckDBPyConnection, index_path: Path, policy: Policy) -> list[Violation]:
    """Trained documents that quote a work registered now — works added after training count too."""
    if not policy.registry_path:
        return []
    registry = Registry.open(Path(policy.registry_path))
    if not registry.works():
        return []
    try:
        cursor = con.execute(_CURATED_TEXT_SQL, [str(index_path)])
    except duckdb.CatalogException:  # no curate output: the trained text cannot be checked, so refuse
        return [Violation("registry", "stages/curate", "no curated text to check against the registry")]
    found = []
    while batch := cursor.fetchmany(_TEXTS_PER_FETCH):
        for doc_id, source, text in batch:
            signals = registry.match(text or "", policy.registry_min_words)
            if signals:
                works = "; ".join(
                    f"{s.evidence['title']!r} of {s.evidence['holder']} ({s.evidence['matched_words']} words)"
                    for s in signals
                )
                found.append(Violation("registry", f"{doc_id} {source}", f"quotes registered work {works}"))
    return found


# -- contracts -------------------------------------------------------------------------------------
_CONTRACT_ALLOWED_SQL = """
WITH trained AS (
    SELECT DISTINCT doc_id FROM read_parquet(?)
    WHERE split = 'train' AND doc_id IN (SELECT doc_id FROM gate_trained)
),
clear_last AS (
    SELECT doc_id, arg_max(source, seq) AS source, arg_max(decision, seq) AS decision,
           arg_max(reasons, seq) AS reasons
    FROM ledger WHERE stage = 'clear' GROUP BY doc_id
),
allowed AS (
    SELECT doc_id, source, unnest(reasons) AS reason
    FROM clear_last JOIN trained USING (doc_id) WHERE decision = 'allow'
)
SELECT doc_id, source, reason FROM allowed
WHERE starts_with(reason, ?) AND reason NOT IN (?, ?)
ORDER BY doc_id, reason
"""


def contract_violations(
    con: duckdb.DuckDBPyConnection, index_path: Path, policy: Policy, as_of: date
) -> list[Violation]:
    """Trained documents allowed by a contract that is not in date on `as_of`, or no longer exists."""
    params = [str(index_path), CONTRACT_PREFIX, CONTRACT_EXPIRED, CONTRACT_OUT_OF_SCOPE]
    rows = con.execute(_CONTRACT_ALLOWED_SQL, params).fetchall()
    if not rows:
        return []
    # Only now is the contracts file needed; a missing file is then a usage error naming it.
    contracts_path = policy.contracts_path
    contracts: dict[str, Contract] = (
        {c.id: c for c in load_contracts(Path(contracts_path))} if contracts_path else {}
    )
    found = []
    for doc_id, source, reason in rows:
        contract = contracts.get(reason.removeprefix(CONTRACT_PREFIX))
        where = f"{doc_id} {source}"
        if contract is None:
            place = contracts_path or "the policy (it names no contracts file)"
            found.append(
                Violation("contract-missing", where, f"allowed by {reason}, which is not in {place}")
            )
        elif not contract.start <= as_of <= contract.end:
            when = f"starts {contract.start}" if as_of < contract.start else f"ended {contract.end}"
            detail = f"allowed by {reason}, which {when} (release date {as_of})"
            found.append(Violation("contract-expired", where, detail))
    return found
