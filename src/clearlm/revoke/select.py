"""Which documents a revocation covers: named ones, or those quoting a registered holder's works now.

A holder who registers works after a run (`clearlm registry add FILE --holder NAME`) opted out
after the fact: clearance ran before the registry knew the work, so it allowed documents quoting
it. `--holder`/`--registry` matches the registry *now* against every document clearance allowed,
with the same matcher and threshold clearance uses (policy `registry_min_words`), on the text that
was trained on (curation's output; ingest's text for documents curation did not keep).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clearlm.clear.policy import Policy, load_policy
from clearlm.clear.registry import Registry
from clearlm.errors import UserError
from clearlm.ledger.query import connect
from clearlm.ledger.record import ledger_docs, revoked_doc_ids
from clearlm.reasons import REGISTRY_MATCH, REVOKED
from clearlm.workspace import Workspace

_BATCH = 256  # documents read from DuckDB at a time: bounded memory on large corpora


@dataclass(frozen=True)
class Target:
    """One document a revocation covers, why, and the evidence its ledger row will carry."""

    doc_id: str
    source: str
    why: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Selection:
    """What one `clearlm revoke` call covers: `targets` to record, `already` revoked before."""

    step: str  # doc | holder | registry
    reasons: list[str]
    scope: str
    targets: list[Target]
    already: list[Target]


def _split(step: str, reasons: list[str], scope: str, found: list[Target], ws_root: Path) -> Selection:
    revoked = revoked_doc_ids(ws_root)
    return Selection(
        step=step,
        reasons=reasons,
        scope=scope,
        targets=[t for t in found if t.doc_id not in revoked],
        already=[t for t in found if t.doc_id in revoked],
    )


def select_doc_ids(ws_root: Path, doc_ids: list[str]) -> Selection:
    """The named documents; every one must be in the ledger (UserError naming those that are not)."""
    wanted = list(dict.fromkeys(doc_ids))
    if not wanted:
        raise UserError("name the documents to revoke, or use --holder NAME or --registry")
    known = ledger_docs(ws_root, wanted)
    unknown = [d for d in wanted if d not in known]
    if unknown:
        raise UserError(f"no such document in the ledger: {', '.join(unknown)}", Path(ws_root) / "ledger")
    found = [Target(d, known[d].source, "named on the command line") for d in wanted]
    return _split("doc", [REVOKED], "doc ids named on the command line", found, ws_root)


def workspace_policy(ws_root: Path, policy_path: Path | None = None) -> Policy:
    """`policy_path`, else the policy the workspace's run used (config clear.policy), else the built-in."""
    if policy_path is None:
        config = Workspace.open(ws_root).load_config()
        policy_path = Path(config.clear.policy) if config.clear.policy else None
    return load_policy(policy_path)


def open_registry(policy: Policy) -> Registry:
    if not policy.registry_path:
        raise UserError(f"policy {policy.name!r} names no protected-works registry (policy.registry_path)")
    return Registry.open(Path(policy.registry_path))


def _allowed_texts(ws_root: Path) -> Iterator[tuple[str, str, str]]:
    """(doc_id, source, text) of every document whose latest clear decision is allow."""
    con = connect(ws_root)
    try:
        views = {row[0] for row in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
        text_from = [v for v in ("curate", "ingest") if v in views]
        joins = "".join(
            f" LEFT JOIN (SELECT doc_id, any_value(text) AS text, any_value(source) AS source "
            f"FROM {v} GROUP BY doc_id) AS {v} USING (doc_id)"
            for v in text_from
        )
        texts = ", ".join([f"{v}.text" for v in text_from] + ["''"])
        sources = ", ".join([f"{v}.source" for v in text_from] + ["''"])
        cursor = con.execute(
            "WITH allowed AS (SELECT doc_id FROM ledger WHERE stage = 'clear' GROUP BY doc_id "
            "HAVING arg_max(decision, seq) = 'allow') "
            f"SELECT doc_id, coalesce({sources}), coalesce({texts}) FROM allowed{joins} ORDER BY doc_id"
        )
        while batch := cursor.fetchmany(_BATCH):
            for doc_id, source, text in batch:
                yield str(doc_id), str(source), str(text)
    finally:
        con.close()


def _same_holder(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def select_registry_matches(ws_root: Path, holder: str | None, policy_path: Path | None = None) -> Selection:
    """Allowed documents that quote `holder`'s registered works now (every holder's when None)."""
    ws_root = Path(ws_root)
    policy = workspace_policy(ws_root, policy_path)
    registry = open_registry(policy)
    works = [w for w in registry.works() if holder is None or _same_holder(w.holder, holder)]
    if not works:
        if holder is None:
            raise UserError("the registry holds no works; add some with `clearlm registry add`",
                            policy.registry_path)  # fmt: skip
        known = sorted({w.holder for w in registry.works()})
        hint = f" (registered holders: {', '.join(known)})" if known else ""
        raise UserError(f"holder {holder!r} has no registered works{hint}", policy.registry_path)
    found = []
    for doc_id, source, text in _allowed_texts(ws_root):
        signals = [
            s
            for s in registry.match(text, policy.registry_min_words)
            if holder is None or _same_holder(str(s.evidence["holder"]), holder)
        ]
        if not signals:
            continue
        best = signals[0].evidence  # largest match first
        evidence = {k: best[k] for k in ("work_id", "title", "holder", "matched_words", "coverage", "match")}
        evidence["other_works"] = [s.evidence["work_id"] for s in signals[1:]]
        why = f"{best['matched_words']} words of {best['title']!r} ({best['holder']})"
        found.append(Target(doc_id, source, why, evidence))
    step, scope = ("registry", "all registered holders") if holder is None else ("holder", f"holder {holder}")
    return _split(step, [REVOKED, REGISTRY_MATCH], scope, found, ws_root)
