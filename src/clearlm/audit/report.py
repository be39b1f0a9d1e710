"""WS/audit/report.json + report.md: the measures, the policy's thresholds, pass or fail per check.

report.json is what the release gate reads: `passed` (every check passed), `checks` (name, value,
threshold, rule, passed, detail), and `checkpoint` + `lineage_sha256`, which tie the audit to the
exact checkpoint it measured. report.md is the same for people.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from clearlm.atomic import atomic_write_text
from clearlm.clear.policy import AuditPolicy

REPORT_JSON = "report.json"
REPORT_MD = "report.md"
FORMAT = "clearlm-audit-v1"


def _check(name: str, value: Any, threshold: Any, rule: str, passed: bool, detail: str) -> dict[str, Any]:
    return {
        "name": name,
        "value": value,
        "threshold": threshold,
        "rule": rule,
        "passed": passed,
        "detail": detail,
    }


def evaluate_checks(report: dict[str, Any], policy: AuditPolicy) -> list[dict[str, Any]]:
    """One check per measure; a measure that could not run passes, saying why in `detail`."""
    checks = []
    ex = report["extraction"]
    rate = ex["exact_rate"]
    checks.append(
        _check(
            "extraction", rate, policy.max_extraction_rate, "exact_rate <= threshold",
            rate is None or rate <= policy.max_extraction_rate,
            f"{ex['exact_matches']} of {ex['documents']} sampled training documents reproduced exactly"
            if ex["documents"] else "no training document is long enough for prefix + suffix",
        )
    )  # fmt: skip
    limit = policy.canary_max_repeats_extractable
    leaked = [c for c in report["canaries"] if c["extracted"] and c["repeats"] >= limit]
    extracted = [c for c in report["canaries"] if c["extracted"]]
    detail = (
        f"{len(extracted)} of {len(report['canaries'])} canaries extracted"
        + (f" (planted {', '.join(str(c['repeats']) for c in extracted)} times)" if extracted else "")
        if report["canaries"]
        else "no canaries planted (tokenize.canaries); not measured"
    )
    checks.append(
        _check(
            "canaries", len(leaked), limit, "no canary planted >= threshold times is extractable",
            not leaked, detail,
        )
    )  # fmt: skip
    mia = report["mia"]
    best = max((s["auroc"] for s in mia["scores"].values()), default=None)
    best_name = max(mia["scores"], key=lambda n: mia["scores"][n]["auroc"]) if mia["scores"] else None
    checks.append(
        _check(
            "membership_inference", best, policy.max_mia_auroc, "highest AUROC <= threshold",
            best is None or best <= policy.max_mia_auroc,
            f"highest AUROC {best:.3f} ({best_name}); {mia['members']} train vs {mia['nonmembers']} held-out"
            if best is not None else str(mia.get("skipped", "not measured")),
        )
    )  # fmt: skip
    return checks


def write_report(audit_dir: Path, report: dict[str, Any]) -> None:
    audit_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(audit_dir / REPORT_JSON, json.dumps(report, indent=1, sort_keys=True) + "\n")
    atomic_write_text(audit_dir / REPORT_MD, render_markdown(report))


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(v).replace("|", "\\|") for v in row) + " |" for row in rows]
    return [*lines, ""]


# (column title, how to get it from a row) for each table.
_CHECK_COLUMNS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("check", lambda c: c["name"]),
    ("value", lambda c: c["value"]),
    ("threshold", lambda c: c["threshold"]),
    ("rule", lambda c: c["rule"]),
    ("result", lambda c: "pass" if c["passed"] else "**FAIL**"),
    ("detail", lambda c: c["detail"]),
]
_WORST_COLUMNS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("doc_id", lambda d: d["doc_id"]),
    ("source", lambda d: d["source"]),
    ("licence", lambda d: d["license"] or "(none)"),
    ("decision", lambda d: d["decision"]),
    ("copies", lambda d: d["copies"]),
    ("exact", lambda d: d["exact"]),
    ("LCS", lambda d: d["lcs"]),
    ("edit dist.", lambda d: d["edit_distance"]),
    ("log p(suffix)", lambda d: d["suffix_logprob"]),
]
_CANARY_COLUMNS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("canary", lambda c: c["index"]),
    ("planted", lambda c: c["repeats"]),
    ("rank / candidates", lambda c: f"{c['rank']} / {c['candidates']}"),
    ("exposure (bits)", lambda c: f"{c['exposure']:.2f} of max {c['exposure_max']:.2f}"),
    ("extrapolated (bits)", lambda c: c["exposure_extrapolated"]),
    ("extracted", lambda c: c["extracted"]),
]
_MIA_COLUMNS: list[tuple[str, Callable[[tuple[str, dict[str, Any]]], Any]]] = [
    ("score", lambda item: item[0]),
    ("AUROC", lambda item: item[1]["auroc"]),
    ("95% CI (bootstrap)", lambda item: f"[{item[1]['ci95'][0]:.3f}, {item[1]['ci95'][1]:.3f}]"),
    ("TPR @ 1% FPR", lambda item: item[1]["tpr_at_1pct_fpr"]),
]


def _rows(columns: list[tuple[str, Callable[[Any], Any]]], items: Iterable[Any]) -> list[str]:
    return _table([title for title, _ in columns], [[get(item) for _, get in columns] for item in items])


def render_markdown(report: dict[str, Any]) -> str:
    ckpt, ex, mia = report["checkpoint"], report["extraction"], report["mia"]
    out = [
        f"# Audit report: {'PASSED' if report['passed'] else 'FAILED'}",
        "",
        f"Checkpoint `{ckpt['path']}` (step {ckpt['step']}), "
        f"lineage.json SHA-256 `{report['lineage_sha256']}`.",
        f"Audited {report['created']} by clearlm; what each number means: docs/audit.md.",
        "",
        "## Checks",
        "",
        *_rows(_CHECK_COLUMNS, report["checks"]),
        "## Extraction",
        "",
        f"{ex['documents']} training documents sampled (of {ex['eligible_documents']} long enough); "
        f"prefix {ex['settings']['prefix']} tokens, greedy suffix {ex['settings']['suffix']} tokens.",
        "",
        *_table(
            ["exact rate", "near rate (edit ≤ 0.1)", "mean LCS (tokens)", "mean log p(suffix)"],
            [[ex["exact_rate"], ex["near_rate"], ex["mean_lcs"], ex["mean_suffix_logprob"]]],
        ),
        "Most memorised documents (their history: `clearlm ledger explain -w WS DOC_ID`):",
        "",
        *_rows(_WORST_COLUMNS, ex["worst"]),
        "## Canaries",
        "",
    ]
    if report["canaries"]:
        out += _rows(_CANARY_COLUMNS, report["canaries"])
        out += [f"![canary exposure]({report['plots'].get('canaries', '')})", ""]
    else:
        out += ["No canaries were planted (set `tokenize.canaries`, e.g. `[1, 20]`, before tokenizing).", ""]
    out += ["## Membership inference", ""]
    if mia["scores"]:
        out += [f"{mia['members']} training vs {mia['nonmembers']} held-out documents.", ""]
        out += _rows(_MIA_COLUMNS, mia["scores"].items())
        out += [f"![ROC]({report['plots'].get('roc', '')})", ""]
    else:
        out += [f"Not measured: {mia.get('skipped', '')}.", ""]
    return "\n".join(out)
