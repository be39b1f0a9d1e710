"""Everything a release's transparency documents say, gathered once from the workspace.

The gate has already decided which documents trained the checkpoint (`GateReport.trained_docs`);
this joins them with their latest clearance decision (licence, obligations, credits), with what
ingest recorded about where they came from (URI, crawl date), and with lineage, training metrics,
the audit report and the funnel (why other documents never reached training). The document
writers read only these facts, so every number in the model card and the data summary comes from
one place. Text that came from documents (sources, credits) is untrusted: writers format it with
`attribution.md_text`, never raw.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow.parquet as pq

from clearlm import reasons
from clearlm.clear.policy import Policy, load_policy
from clearlm.errors import ClearLMError, WorkspaceError
from clearlm.funnel import compute
from clearlm.ledger.query import connect
from clearlm.model.config import LlamaConfig
from clearlm.release.config import ReleaseConfig
from clearlm.release.gate import GateReport
from clearlm.tokenize.reasons import TOKENIZE_CANARY
from clearlm.workspace import Workspace

STOPPING = ("deny", "drop", "review")


@dataclass(frozen=True)
class TrainedDoc:
    """One document with tokens in the train split, and what the ledger says about it."""

    doc_id: str
    source: str
    group: str
    license: str  # SPDX id; "" when the right is not a licence (public domain, contract, first party)
    basis: str  # the reason code that cleared it: license.cc-by, contract.<id>, first-party, canary …
    tokens: int  # trained tokens, counting repeats
    canary: bool
    obligations: tuple[str, ...] = ()
    credits: tuple[str, ...] = ()  # attribution strings from the clearance evidence
    # Where it came from, for the EU AI Act summary's source categories (sections 2.1–2.6):
    # public | licensed | crawled | first-party | synthetic.
    category: str = "public"
    domain: str = ""  # host of a web document
    fetched: str = ""  # ISO date a crawled document was fetched
    licensor: str = ""  # the licensor of a contract's data

    @property
    def mix_label(self) -> str:
        """How the data mix names its licence: the SPDX id, else the reason that allowed it."""
        return self.license or self.basis


@dataclass(frozen=True)
class ReleaseFacts:
    name: str
    release: ReleaseConfig
    checkpoint: str  # relative to the workspace, e.g. checkpoints/step-000060
    step: int
    as_of: str  # ISO date the release is made for
    lineage: dict[str, Any]
    lineage_sha256: str
    manifest: dict[str, Any]
    audit: dict[str, Any] | None
    docs: tuple[TrainedDoc, ...]
    training: dict[str, Any]  # hyper-parameters, final losses, hardware
    stopped: dict[str, int]  # reason code → ledger rows that stopped a document with it (the funnel)
    flagged: dict[str, int]  # flag reason (pii.*) → trained documents carrying it
    funnel_steps: tuple[dict[str, Any], ...]
    policy: dict[str, Any]  # name, release kind, crawler user agent, respected AI agents
    index_fields: tuple[tuple[str, str], ...]  # (column, Arrow type) of tokens/index.parquet
    latest_ingest: str = ""  # ISO date the newest trained document entered the pipeline

    @property
    def total_tokens(self) -> int:
        return sum(d.tokens for d in self.docs)

    def tokens_by(self, key: str) -> list[tuple[str, int, int]]:
        """(label, documents, tokens) per value of a TrainedDoc attribute, most tokens first."""
        sums: dict[str, list[int]] = {}
        for doc in self.docs:
            entry = sums.setdefault(str(getattr(doc, key)), [0, 0])
            entry[0] += 1
            entry[1] += doc.tokens
        return sorted(((k, v[0], v[1]) for k, v in sums.items()), key=lambda r: (-r[2], r[0]))

    @classmethod
    def collect(
        cls, ws_root: Path, gate_report: GateReport, config: ReleaseConfig, name: str
    ) -> ReleaseFacts:
        ws_root = Path(ws_root)
        checkpoint = Path(gate_report.checkpoint)
        lineage_path = checkpoint / "lineage.json"
        if not lineage_path.is_file():
            raise WorkspaceError("lineage.json is missing", lineage_path)
        index_path = ws_root / "tokens" / "index.parquet"
        if not index_path.is_file():
            raise WorkspaceError("the token index is missing; run `clearlm tokenize`", index_path)
        lineage = gate_report.lineage
        step = int(lineage.get("step", 0))
        con = connect(ws_root)
        try:
            con.register("trained", gate_report.trained_docs)
            docs = tuple(_trained_docs(con))
            flagged, latest = _trained_counts(con)
        finally:
            con.close()
        funnel = compute(ws_root)
        stopped: dict[str, int] = {}
        for _stage, _step, decision, reason, count in funnel.stopped:
            if decision in STOPPING:
                stopped[reason] = stopped.get(reason, 0) + int(count)
        steps = tuple({"stage": s, "step": t, "docs_in": i, "docs_out": o} for s, t, i, o, *_ in funnel.steps)
        run_config = Workspace.open(ws_root).load_config()
        return cls(
            name=name,
            release=config,
            checkpoint=_relative(checkpoint, ws_root),
            step=step,
            as_of=gate_report.as_of.isoformat(),
            lineage=lineage,
            lineage_sha256=hashlib.sha256(lineage_path.read_bytes()).hexdigest(),
            manifest=gate_report.manifest,
            audit=gate_report.audit,
            docs=docs,
            training=_training(ws_root, lineage, step),
            stopped=dict(sorted(stopped.items())),
            flagged=flagged,
            funnel_steps=steps,
            policy=_policy(run_config.clear.policy),
            index_fields=tuple((f.name, str(f.type)) for f in pq.read_schema(index_path)),
            latest_ingest=latest,
        )


def _trained_docs(con: Any) -> list[TrainedDoc]:
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    ingest = "ingest" if "ingest" in views else "(SELECT NULL::VARCHAR AS doc_id, NULL::VARCHAR AS meta)"
    rows = con.execute(f"""
        WITH decided AS (SELECT doc_id, arg_max(reasons, seq) AS reasons, arg_max(evidence, seq) AS evidence
                         FROM ledger WHERE stage = 'clear' GROUP BY doc_id),
             ingested AS (SELECT doc_id, any_value(meta) AS meta FROM {ingest} GROUP BY doc_id)
        SELECT t.doc_id, t.source, t."group", t.license, t.tokens, t.canary, d.reasons, d.evidence, i.meta
        FROM trained t LEFT JOIN decided d USING (doc_id) LEFT JOIN ingested i USING (doc_id)
        ORDER BY t.doc_id""").fetchall()
    docs = []
    for doc_id, source, group, licence, tokens, canary, why, evidence, meta in rows:
        found = json.loads(evidence) if evidence else {}
        signals = [s for s in found.get("signals", []) if isinstance(s, dict)]
        basis = TOKENIZE_CANARY if canary else next(iter(why or []), reasons.LICENSE_UNKNOWN)
        credits = [str(s["evidence"]["attribution"]) for s in signals if _credit(s)]
        docs.append(
            TrainedDoc(
                doc_id=doc_id,
                source=source,
                group=group,
                license=licence or found.get("license") or "",
                basis=basis,
                tokens=int(tokens),
                canary=bool(canary),
                obligations=tuple(found.get("obligations") or ()),
                credits=tuple(dict.fromkeys(c.strip() for c in credits if c.strip())),
                **_origin(source, basis, signals, json.loads(meta) if meta else {}),
            )
        )
    return docs


def _origin(source: str, basis: str, signals: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, str]:
    """Category (EU summary section), web host and crawl date of one document."""
    uri = str(meta.get("target_uri") or source)
    host = (urlsplit(uri).hostname or "") if uri.startswith(("http://", "https://")) else ""
    crawled = meta.get("format") == "warc" or "http_headers" in meta
    fetched = str(meta.get("warc_date") or "")[:10]
    if crawled and not fetched:
        date_header = next((v for k, v in meta.get("http_headers", []) if k.lower() == "date"), "")
        with contextlib.suppress(TypeError, ValueError):
            fetched = parsedate_to_datetime(date_header).date().isoformat()
    licensor = next((str(s["evidence"].get("licensor", "")) for s in signals if s.get("code") == basis), "")
    if basis == TOKENIZE_CANARY:
        category = "synthetic"
    elif basis.startswith(reasons.CONTRACT_PREFIX):
        category = "licensed"
    elif basis == reasons.FIRST_PARTY:
        category = "first-party"
    else:
        category = "crawled" if crawled else "public"
    return {"category": category, "domain": host, "fetched": fetched if crawled else "", "licensor": licensor}


def _policy(path: str) -> dict[str, Any]:
    """The clearance policy of the run: its name and the crawler whose robots.txt rules it honoured."""
    try:
        policy = load_policy(Path(path) if path else None)
    except ClearLMError:  # the file moved since the run: the built-in defaults name the same agents
        policy = Policy()
    return {
        "name": policy.name,
        "release": policy.release,
        "crawler": policy.crawler_user_agent,
        "respected_agents": list(policy.respect_agents),
        "registry": bool(policy.registry_path),
        "contracts": bool(policy.contracts_path),
    }


def _trained_counts(con: Any) -> tuple[dict[str, int], str]:
    """Flags (pii.*) per trained document, and the date the newest trained document was ingested."""
    flagged = con.execute("""
        SELECT reason, count(DISTINCT doc_id) FROM (SELECT doc_id, unnest(reasons) AS reason FROM ledger
        JOIN trained USING (doc_id) WHERE decision = 'flag') GROUP BY 1 ORDER BY 1""").fetchall()
    latest = con.execute(
        "SELECT max(ts) FROM ledger JOIN trained USING (doc_id) WHERE stage = 'ingest'"
    ).fetchone()
    newest = latest[0].date().isoformat() if latest and latest[0] else ""
    return {str(k): int(v) for k, v in flagged}, newest


def _credit(signal: dict[str, Any]) -> bool:
    evidence = signal.get("evidence")
    return (
        signal.get("class", "allow") == "allow" and isinstance(evidence, dict) and "attribution" in evidence
    )


def _training(ws_root: Path, lineage: dict[str, Any], step: int) -> dict[str, Any]:
    """Hyper-parameters from lineage, final losses up to the checkpoint's step, measured throughput."""
    config = dict(lineage.get("train_config") or {})
    config.pop("model", None)
    model = dict(lineage.get("model") or {})
    known = {f.name for f in dataclasses.fields(LlamaConfig)}
    params = LlamaConfig(**{k: v for k, v in model.items() if k in known}).num_params() if model else None
    losses: dict[str, float] = {}
    metrics = ws_root / "train" / "metrics.jsonl"
    if metrics.is_file():
        for line in metrics.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if int(row.get("step", step + 1)) <= step:
                losses |= {k: float(row[k]) for k in ("loss", "eval_loss") if row.get(k) is not None}
    measured: dict[str, Any] = {}
    summary_path = ws_root / "train" / "summary.json"
    if summary_path.is_file():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        if int(summary.get("steps", -1)) == step:  # throughput of the run that made this checkpoint
            measured = {
                k: summary[k] for k in ("tokens_per_s", "mfu", "dtype", "train_seconds") if k in summary
            }
    return {
        "config": config,
        "model": model,
        "params": params,
        "seed": lineage.get("seed"),
        "tokens_seen": lineage.get("tokens_seen"),
        "world_size": lineage.get("world_size", 1),
        "parallel": lineage.get("parallel"),
        "final_loss": losses.get("loss"),
        "final_eval_loss": losses.get("eval_loss"),
        "measured": measured,
        "code": lineage.get("code") or {},
    }


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
