"""`clearlm audit`: memorisation evidence for one checkpoint, written to WS/audit/.

    extraction   greedy continuations of sampled training prefixes        (audit/extraction.py)
    canaries     exposure and extractability of the planted secrets        (audit/canary.py)
    mia          train vs held-out membership scores, AUROC with CIs       (audit/mia.py)
    report       report.json (read by the release gate), report.md, plots  (audit/report.py, plots.py)

The checkpoint must come from this workspace's token shards (its lineage names their index hash),
else the audit would measure memorisation of data the model never saw.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clearlm.audit.canary import CanarySettings, run_canaries
from clearlm.audit.data import AuditData
from clearlm.audit.extraction import ExtractionSettings, run_extraction
from clearlm.audit.mia import MiaSettings, run_mia
from clearlm.audit.plant import CANARY_FILE, read_canaries
from clearlm.audit.plots import CANARY_PNG, ROC_PNG, plot_canaries, plot_roc
from clearlm.audit.report import FORMAT, evaluate_checks, write_report
from clearlm.audit.scoring import Scorer
from clearlm.clear.policy import AuditPolicy
from clearlm.errors import InputError, WorkspaceError
from clearlm.files import file_sha256
from clearlm.train.replay import seen_by_checkpoint

AUDIT_DIR = "audit"
LINEAGE = "lineage.json"


@dataclass(frozen=True)
class AuditOptions:
    samples: int = 100  # extraction: training documents sampled
    prefix: int = 50  # extraction: prompt tokens
    suffix: int = 50  # extraction: greedy tokens compared with the truth
    candidates: int = 1000  # canaries: random secrets each secret is ranked against
    mia_docs: int = 500  # membership inference: documents per side at most
    window: int = 0  # membership inference: tokens per scored window (0 = training seq_len)
    max_windows: int = 4
    resamples: int = 1000  # bootstrap resamples for the AUROC CIs
    device: str = "auto"
    batch_size: int = 16
    threads: int = 0  # torch CPU threads (0 = torch's default); 1 is fastest for tiny models

    def check(self) -> None:
        for name in ("samples", "prefix", "suffix", "candidates", "mia_docs", "max_windows", "resamples"):
            if getattr(self, name) < 1:
                raise InputError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(self, name)}")
        if self.window == 1 or self.window < 0:
            raise InputError(f"the MIA window must be 0 (training seq_len) or at least 2, got {self.window}")


def read_lineage(checkpoint: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    path = checkpoint / LINEAGE
    if not checkpoint.is_dir():
        raise InputError("checkpoint folder not found", checkpoint)
    if not path.is_file():
        raise InputError("not a clearlm checkpoint (no lineage.json)", checkpoint)
    try:
        lineage: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"unreadable lineage.json ({exc})", path) from None
    trained_on = (lineage.get("tokens") or {}).get("index_sha256")
    if trained_on != manifest.get("index_sha256"):
        raise WorkspaceError("the checkpoint was trained on other token shards than this workspace's", path)
    return lineage


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path.resolve())


def run_audit(
    ws_root: Path, checkpoint: Path, options: AuditOptions, policy: AuditPolicy, seed: int
) -> dict[str, Any]:
    """Measure, judge against `policy`, write WS/audit/report.{json,md} and plots; return the report."""
    options.check()
    started = time.perf_counter()
    if options.threads > 0:
        import torch

        torch.set_num_threads(options.threads)
    data = AuditData(ws_root / "tokens")
    lineage = read_lineage(checkpoint, data.manifest)
    seen, _ = seen_by_checkpoint(data.token_dir, lineage)
    if seen is not None:  # without a replay (an old lineage), every train document counts
        data.keep_read(seen.by_doc)
    scorer = Scorer.from_checkpoint(checkpoint, options.device, options.batch_size)
    if options.prefix + options.suffix > scorer.context:
        raise InputError(
            f"--prefix {options.prefix} + --suffix {options.suffix} tokens exceed the model's "
            f"context of {scorer.context}"
        )
    seq_len = int((lineage.get("train_config") or {}).get("seq_len") or scorer.context)
    window = min(options.window or seq_len, scorer.context)
    audit_dir = ws_root / AUDIT_DIR
    extraction = run_extraction(
        ws_root, data, scorer, ExtractionSettings(options.samples, options.prefix, options.suffix, seed)
    )
    canaries = run_canaries(
        scorer, data, read_canaries(audit_dir / CANARY_FILE), CanarySettings(options.candidates, seed)
    )
    mia = run_mia(
        scorer, data, MiaSettings(options.mia_docs, window, options.max_windows, 0.2, options.resamples, seed)
    )
    audit_dir.mkdir(parents=True, exist_ok=True)
    plots = {}
    for key, name, made in (
        ("roc", ROC_PNG, plot_roc(mia, audit_dir / ROC_PNG)),
        ("canaries", CANARY_PNG, plot_canaries(canaries, audit_dir / CANARY_PNG)),
    ):
        if made:
            plots[key] = name
        else:
            (audit_dir / name).unlink(missing_ok=True)  # no stale figure from an earlier audit
    mia.pop("roc", None)  # the curves are in the plot; the JSON keeps the summary numbers
    report: dict[str, Any] = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "checkpoint": {"path": _relative(checkpoint, ws_root), "step": lineage.get("step")},
        "lineage_sha256": file_sha256(checkpoint / LINEAGE),
        "run_id": lineage.get("run_id"),
        "tokens": {"manifest_index_sha256": data.manifest.get("index_sha256")},
        "thresholds": asdict(policy),
        "settings": {**asdict(options), "window": window, "seed": seed},
        "extraction": extraction,
        "canaries": canaries,
        "mia": mia,
        "plots": plots,
    }
    report["checks"] = evaluate_checks(report, policy)
    report["passed"] = all(check["passed"] for check in report["checks"])
    report["seconds"] = round(time.perf_counter() - started, 2)
    write_report(audit_dir, report)
    return report
