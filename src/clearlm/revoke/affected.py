"""`clearlm ledger affected`: which checkpoints and releases used a revoked document.

A checkpoint used a document when the steps it trained read tokens of it: its data order is
replayed over the token shards (`clearlm.train.replay`), so a document of the train split that
the run had not reached yet is not counted. Its lineage.json records the token index's SHA-256; if
today's `tokens/index.parquet` has other bytes (re-tokenized since), the index the checkpoint saw is
gone and the answer is "cannot tell" — never a guess from the new index. Releases record the documents
they trained on themselves (clearlm.release.records), so for them the answer is always known.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clearlm.errors import WorkspaceError
from clearlm.files import file_sha256
from clearlm.ledger.query import connect, to_jsonable
from clearlm.release.records import ReleaseRecord, releases_by_doc
from clearlm.train.replay import SeenTokens, seen_by_checkpoint
from clearlm.train.token_dir import TokenDir, open_token_dir

INDEX_CHANGED = "cannot tell: token index changed since"
NO_INDEX = "cannot tell: tokens/index.parquet is gone"
NO_LINEAGE = "cannot tell: no readable lineage.json"


@dataclass(frozen=True)
class CheckpointUse:
    """One checkpoint that used a revoked document (used=True) or may have (used=None)."""

    checkpoint: str  # relative to the workspace
    step: int | None
    used: bool | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"checkpoint": self.checkpoint, "step": self.step, "used": self.used, "note": self.note}


@dataclass(frozen=True)
class AffectedDoc:
    """A revoked document and what used it."""

    doc_id: str
    source: str
    revoked_at: str  # ISO timestamp of its first revoke event
    revoke_step: str  # doc | holder | registry
    reasons: list[str]
    checkpoints: list[CheckpointUse]
    releases: list[ReleaseRecord]

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "revoked_at": self.revoked_at,
            "revoke_step": self.revoke_step,
            "reasons": self.reasons,
            "checkpoints": [c.to_dict() for c in self.checkpoints],
            "releases": [r.to_dict() for r in self.releases],
        }


@dataclass(frozen=True)
class _Checkpoint:
    path: str
    step: int | None
    index_sha256: str | None  # None: no readable lineage
    lineage: dict[str, Any]


def _revoked(ws_root: Path) -> list[tuple[str, str, str, str, list[str]]]:
    con = connect(ws_root)
    try:
        rows = con.execute(
            "SELECT doc_id, arg_min(source, seq), min(ts), arg_min(step, seq), arg_min(reasons, seq) "
            "FROM ledger WHERE stage = 'revoke' AND decision = 'deny' GROUP BY doc_id ORDER BY min(seq)"
        ).fetchall()
    finally:
        con.close()
    return [(str(d), str(s), str(to_jsonable(ts)), str(st), list(r)) for d, s, ts, st, r in rows]


def _checkpoints(ws_root: Path) -> list[_Checkpoint]:
    found = []
    for folder in sorted((ws_root / "checkpoints").glob("step-*")):
        if not folder.is_dir():
            continue
        relative = folder.relative_to(ws_root).as_posix()
        try:
            lineage = json.loads((folder / "lineage.json").read_text(encoding="utf-8"))
            index_sha = str(lineage["tokens"]["index_sha256"])
            found.append(_Checkpoint(relative, int(lineage["step"]), index_sha, lineage))
        except (OSError, ValueError, KeyError, TypeError):
            found.append(_Checkpoint(relative, None, None, {}))
    return found


def _use(
    ckpt: _Checkpoint, doc_id: str, seen: SeenTokens | None, problem: str | None
) -> CheckpointUse | None:
    """Whether `ckpt` (trained on today's index) read `doc_id`; None when it did not."""
    if seen is None:
        return CheckpointUse(ckpt.path, ckpt.step, None, f"cannot tell: {problem}")
    tokens = seen.by_doc.get(doc_id, 0)
    if not tokens:
        return None
    return CheckpointUse(ckpt.path, ckpt.step, True, f"read {tokens} tokens of it by step {ckpt.step}")


def _open_tokens(path: Path) -> TokenDir | None:
    """WS/tokens opened once for every checkpoint's replay; None lets each replay say what is wrong."""
    try:
        return open_token_dir(path)
    except WorkspaceError:
        return None


def affected(ws_root: Path) -> list[AffectedDoc]:
    """Every revoked document (in order of revocation) with the checkpoints and releases that used it."""
    ws_root = Path(ws_root)
    revoked = _revoked(ws_root)
    if not revoked:
        return []
    doc_ids = [row[0] for row in revoked]
    index = ws_root / "tokens" / "index.parquet"
    current_sha = file_sha256(index) if index.is_file() else None
    checkpoints = _checkpoints(ws_root)
    # Today's tokens answer only for checkpoints trained on these very index bytes.
    answerable = [c for c in checkpoints if current_sha is not None and c.index_sha256 == current_sha]
    tokens = _open_tokens(ws_root / "tokens") if answerable else None
    replays = {c.path: seen_by_checkpoint(tokens or ws_root / "tokens", c.lineage) for c in answerable}
    releases = releases_by_doc(ws_root, doc_ids)
    result = []
    for doc_id, source, revoked_at, step, reasons in revoked:
        uses = []
        for ckpt in checkpoints:
            if ckpt.index_sha256 is None:
                uses.append(CheckpointUse(ckpt.path, ckpt.step, None, NO_LINEAGE))
            elif current_sha is None:
                uses.append(CheckpointUse(ckpt.path, ckpt.step, None, NO_INDEX))
            elif ckpt.index_sha256 != current_sha:
                uses.append(CheckpointUse(ckpt.path, ckpt.step, None, INDEX_CHANGED))
            elif (use := _use(ckpt, doc_id, *replays[ckpt.path])) is not None:
                uses.append(use)
        result.append(AffectedDoc(doc_id, source, revoked_at, step, reasons, uses, releases[doc_id]))
    return result


def summary(docs: list[AffectedDoc]) -> dict[str, int]:
    """Counts for the report's last line and the JSON output."""
    return {
        "revoked_documents": len(docs),
        "checkpoints_used": len({c.checkpoint for d in docs for c in d.checkpoints if c.used}),
        "checkpoints_cannot_tell": len({c.checkpoint for d in docs for c in d.checkpoints if c.used is None}),
        "releases_used": len({r.digest for d in docs for r in d.releases}),
    }
