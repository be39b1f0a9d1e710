"""Everything a release's transparency documents say, gathered once from the workspace.

The gate has already decided which documents trained the checkpoint (`GateReport.trained_docs`)
and hashed its lineage.json; `trained_doc` joins those documents with their clearance decision and
origin, and this adds lineage, training metrics, the audit report and the funnel (why other
documents never reached training). The document writers read only these facts, so every number in
the model card and the data summary comes from one place. Text that came from documents (sources,
credits) is untrusted: writers format it with `attribution.md_text`, never raw.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from clearlm.clear.policy import Policy, load_policy
from clearlm.errors import ClearLMError, WorkspaceError
from clearlm.funnel import compute
from clearlm.ledger.query import connect
from clearlm.model.config import LlamaConfig
from clearlm.release.config import ReleaseConfig
from clearlm.release.gate import GateReport
from clearlm.release.trained_doc import TrainedDoc, trained_counts, trained_docs
from clearlm.workspace import Workspace

__all__ = ["ReleaseFacts", "TrainedDoc"]  # TrainedDoc stays importable from here

STOPPING = ("deny", "drop", "review")


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
        # The gate hashed lineage.json already; hashing it again would read it twice per release.
        lineage_sha256 = gate_report.lineage_sha256
        if lineage_sha256 is None or not lineage_path.is_file():
            raise WorkspaceError("lineage.json is missing", lineage_path)
        index_path = ws_root / "tokens" / "index.parquet"
        if not index_path.is_file():
            raise WorkspaceError("the token index is missing; run `clearlm tokenize`", index_path)
        lineage = gate_report.lineage
        step = int(lineage.get("step", 0))
        con = connect(ws_root)
        try:
            con.register("trained", gate_report.trained_docs)
            docs = tuple(trained_docs(con))
            flagged, latest = trained_counts(con)
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
            lineage_sha256=lineage_sha256,
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
