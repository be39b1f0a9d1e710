"""Clearance enforced at the door: training refuses token shards it cannot prove it may use.

Before a single step, every document that has a token range in `WS/tokens/index.parquet` must be,
in the ledger:

    cleared     its latest `clear` decision is `allow`
    kept        curation recorded it and never dropped it, and the text tokenized is the text
                curation produced (the index's content_sha256 equals curation's last one)
    tokenized   the tokenize stage recorded it with the same content hash
    not revoked no `revoke` event denies it (after-the-fact opt-outs, `clearlm revoke`)

The one exception is an audit canary (clearlm.audit.plant): a synthetic secret the tokenize stage
made and recorded itself (step `canary`, decision `allow`), indexed in group `canary` with the hash
it recorded, and never ingested. It never came from clearance, so only tokenized + not revoked apply.

and every file must match the hashes the tokenize stage wrote into `manifest.json`. Anything else
is refused with exit 1 and a list of offenders, because a model that saw an uncleared token cannot
be un-trained. The release gate runs the same checks again before publishing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clearlm.errors import CheckFailed, WorkspaceError
from clearlm.files import file_sha256
from clearlm.ledger.query import connect

MANIFEST = "manifest.json"
# Offenders named in the error message; the full list is in the returned/raised report.
_SHOWN = 20


@dataclass(frozen=True)
class Violation:
    """One reason a token file or document may not be trained on."""

    kind: str  # hash | not-cleared | not-kept | not-tokenized | revoked | changed
    subject: str  # a doc id or a file name
    detail: str

    def line(self) -> str:
        return f"{self.kind}: {self.subject} ({self.detail})"


def read_manifest(tokens_dir: Path) -> dict[str, Any]:
    path = tokens_dir / MANIFEST
    if not path.is_file():
        raise WorkspaceError(
            "no complete token shards (manifest.json missing); run `clearlm tokenize`", tokens_dir
        )
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise WorkspaceError(f"manifest.json is unreadable: {exc}", path) from None
    return data


def hash_violations(tokens_dir: Path, manifest: dict[str, Any]) -> list[Violation]:
    """Files whose bytes are not the bytes the tokenize stage recorded."""
    found = []
    itemsize = np.dtype(manifest["dtype"]).itemsize
    expected = [("tokenizer.json", manifest["tokenizer_sha256"]), ("index.parquet", manifest["index_sha256"])]
    expected += [(s["file"], s["sha256"]) for s in manifest["shards"]]
    for name, sha in expected:
        path = tokens_dir / name
        if not path.is_file():
            found.append(Violation("hash", name, "file missing"))
        elif file_sha256(path) != sha:
            found.append(Violation("hash", name, f"SHA-256 differs from manifest ({sha[:12]}…)"))
    for shard in manifest["shards"]:
        path = tokens_dir / shard["file"]
        if path.is_file() and path.stat().st_size != shard["tokens"] * itemsize:
            found.append(
                Violation(
                    "hash",
                    shard["file"],
                    f"holds {path.stat().st_size // itemsize} tokens, manifest says {shard['tokens']}",
                )
            )
    return found


# One row per indexed document with what the ledger says about it. DuckDB reads the ledger's
# Parquet segments in place; `seq` orders events, so "latest" is max(seq).
_LEDGER_STATE_SQL = """
WITH idx AS (
    SELECT doc_id, any_value(content_sha256) AS sha, any_value(source) AS source,
           bool_and("group" = 'canary') AS canary_group
    FROM read_parquet(?) GROUP BY doc_id
),
canary AS (
    SELECT doc_id, arg_max(content_sha256, seq) AS sha
    FROM ledger WHERE stage = 'tokenize' AND step = 'canary' AND decision = 'allow' GROUP BY doc_id
),
ingested AS (SELECT DISTINCT doc_id FROM ledger WHERE stage = 'ingest'),
clear_last AS (
    SELECT doc_id, arg_max(decision, seq) AS decision, arg_max(reasons, seq) AS reasons
    FROM ledger WHERE stage = 'clear' GROUP BY doc_id
),
curate AS (
    SELECT doc_id, arg_max(content_sha256, seq) AS sha,
           bool_or(decision = 'drop') AS dropped,
           arg_max(step, seq) FILTER (WHERE decision = 'drop') AS drop_step
    FROM ledger WHERE stage = 'curate' GROUP BY doc_id
),
tok AS (
    SELECT doc_id, arg_max(content_sha256, seq) AS sha, bool_or(decision = 'drop') AS dropped
    FROM ledger WHERE stage = 'tokenize' GROUP BY doc_id
),
revoked AS (
    SELECT doc_id, arg_max(reasons, seq) AS reasons
    FROM ledger WHERE stage = 'revoke' AND decision = 'deny' GROUP BY doc_id
)
SELECT idx.doc_id, idx.source, idx.sha,
       clear_last.decision, clear_last.reasons,
       curate.sha, curate.dropped, curate.drop_step,
       tok.sha, tok.dropped, revoked.reasons,
       idx.canary_group AND canary.sha = idx.sha AND ingested.doc_id IS NULL AS synthetic
FROM idx
LEFT JOIN clear_last USING (doc_id)
LEFT JOIN curate USING (doc_id)
LEFT JOIN tok USING (doc_id)
LEFT JOIN revoked USING (doc_id)
LEFT JOIN canary USING (doc_id)
LEFT JOIN ingested USING (doc_id)
ORDER BY idx.doc_id
"""


def ledger_violations(ws_root: Path, index_path: Path) -> list[Violation]:
    """Documents in the index that the ledger does not show as allowed, kept and not revoked."""
    con = connect(ws_root)
    try:
        rows = con.execute(_LEDGER_STATE_SQL, [str(index_path)]).fetchall()
    finally:
        con.close()
    found = []
    for (
        doc_id,
        source,
        sha,
        clear,
        clear_reasons,
        cur_sha,
        cur_drop,
        drop_step,
        tok_sha,
        tok_drop,
        rev,
        synthetic,
    ) in rows:
        where = f"{doc_id} {source}"
        if not synthetic:  # an audit canary has no clearance or curation to check
            if clear != "allow":
                why = (
                    f"clearance said {clear} {list(clear_reasons or [])}"
                    if clear
                    else "no clearance decision"
                )
                found.append(Violation("not-cleared", where, why))
            if cur_sha is None:
                found.append(Violation("not-kept", where, "curation never recorded it"))
            elif cur_drop:
                found.append(Violation("not-kept", where, f"curation dropped it at step {drop_step}"))
            elif cur_sha != sha:
                found.append(Violation("changed", where, "tokenized text is not the text curation kept"))
        if tok_sha is None or tok_drop:
            found.append(Violation("not-tokenized", where, "the tokenize stage did not record it as kept"))
        elif tok_sha != sha:
            found.append(Violation("changed", where, "content hash differs from the tokenize stage's"))
        if rev is not None:
            found.append(Violation("revoked", where, f"revoked {list(rev)}"))
    return found


def check_tokens(ws_root: Path) -> dict[str, Any]:
    """Return the tokens manifest if every shard may be trained on; else raise CheckFailed listing why."""
    tokens_dir = Path(ws_root) / "tokens"
    manifest = read_manifest(tokens_dir)
    violations = hash_violations(tokens_dir, manifest)
    if not any(v.subject == "index.parquet" for v in violations):
        violations += ledger_violations(Path(ws_root), tokens_dir / "index.parquet")
    if violations:
        raise DoorRefused(violations)
    return manifest


class DoorRefused(CheckFailed):
    """Training (or a release) refused: the violations, each on its own line."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        shown = "\n  ".join(v.line() for v in violations[:_SHOWN])
        more = f"\n  … and {len(violations) - _SHOWN} more" if len(violations) > _SHOWN else ""
        super().__init__(f"refused: {len(violations)} problem(s) with the token shards\n  {shown}{more}")
