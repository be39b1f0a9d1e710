"""training-data-summary.md + .json: the public summary of training content the EU AI Act asks for.

Laid out like the European Commission's "Template for the public summary of training content for
general-purpose AI models" (July 2025, Article 53(1)(d) AI Act): 1 general information, 2 data sources
by category (public datasets, third-party private/licensed data, crawled data with crawler, period
and top domains, user data, synthetic data, other), 3 data processing (reservations of rights
honoured, illegal content removed). The JSON is built first and the Markdown is rendered from it, so
the two never disagree (`data_summary_md` lays out its sections); every count is a clearance
reason code's count from the ledger's funnel.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from clearlm import reasons
from clearlm.atomic import atomic_write_text
from clearlm.release.attribution import md_text
from clearlm.release.data_summary_md import general_section, md_blocks, processing_section, sources_section
from clearlm.release.facts import ReleaseFacts, TrainedDoc

SUMMARY_MD = "training-data-summary.md"
SUMMARY_JSON = "training-data-summary.json"
TEMPLATE = (
    "European Commission, Template for the public summary of training content for general-purpose AI "
    "models (July 2025), Article 53(1)(d) of Regulation (EU) 2024/1689"
)
R = reasons
OPT_OUTS = (R.OPTOUT_ROBOTS, R.OPTOUT_TDMREP, R.OPTOUT_NOAI, R.OPTOUT_CONTENT_USAGE, R.OPTOUT_CONTENT_SIGNAL,
            R.OPTOUT_AI_CLAUSE, R.REVOKED)  # fmt: skip
ILLEGAL = (R.PIRACY_SHADOW_LIBRARY, R.REGISTRY_MATCH)
UNCLEARED = (R.COPYRIGHT_ALL_RIGHTS_RESERVED, R.COPYRIGHT_RECENT_EDITION, R.LICENSE_UNKNOWN,
             R.LICENSE_NON_COMMERCIAL, R.LICENSE_NO_DERIVATIVES, R.LICENSE_NOT_ALLOWED, R.CONTRACT_EXPIRED,
             R.CONTRACT_OUT_OF_SCOPE)  # fmt: skip
# The source categories of section 2 (TrainedDoc.category), as "types of content" names them.
CATEGORIES = {"public": "openly licensed or public-domain text collections", "licensed": "licensed text",
              "crawled": "web pages", "first-party": "the provider's own text"}  # fmt: skip
CANARIES = (
    "random canary sequences planted to measure memorisation (see the audit); the sequences are kept private"
)


def size_range(tokens: int) -> str:
    """The template's text size band."""
    if tokens < 1_000_000_000:
        return "Less than 1 billion tokens"
    return "1 billion to 10 trillion tokens" if tokens <= 10**13 else "More than 10 trillion tokens"


def _meaning(code: str) -> str:
    text = reasons.CLEAR_REASONS.get(code, code)
    return text.split(": ", 1)[1] if ": " in text else text


def _counted(facts: ReleaseFacts, codes: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"code": c, "documents": facts.stopped.get(c, 0), "meaning": _meaning(c)} for c in codes]


def _part(docs: list[TrainedDoc], key: str) -> list[dict[str, Any]]:
    """Documents and tokens per value of `key` (a collection, contract, domain), most tokens first."""
    rows: dict[str, dict[str, Any]] = {}
    for doc in docs:
        row = rows.setdefault(getattr(doc, key), {"name": getattr(doc, key), "documents": 0, "tokens": 0})
        row["documents"] += 1
        row["tokens"] += doc.tokens
        row.setdefault("licences", set()).add(doc.mix_label)
        if doc.licensor:
            row["licensor"] = doc.licensor
    found = sorted(rows.values(), key=lambda r: (-r["tokens"], r["name"]))
    return [{**r, "licences": sorted(r["licences"])} for r in found]


def build_summary(facts: ReleaseFacts) -> dict[str, Any]:
    """The summary as data (training-data-summary.json)."""
    docs = list(facts.docs)
    by = {c: [d for d in docs if d.category == c] for c in CATEGORIES}
    canaries = [d for d in docs if d.canary]
    crawled = by["crawled"]
    domains = _part(crawled, "domain")
    shown = max(math.ceil(len(domains) * 0.1), min(len(domains), 10))
    fetched = sorted(d.fetched for d in crawled if d.fetched)
    total = facts.total_tokens
    return {
        "format": "clearlm-training-data-summary-v1",
        "template": TEMPLATE,
        "general_information": {
            "provider": {"name": facts.release.provider, "contact": facts.release.contact},
            "model": {
                "name": facts.name,
                "version": f"step {facts.step} ({facts.checkpoint})",
                "dependencies": "none: trained from random initialisation by clearlm",
                "placed_on_market": facts.as_of,
            },
            "modalities": [
                {
                    "modality": "text",
                    "size_range": size_range(total),
                    "tokens": total,
                    "documents": len(docs),
                    "types_of_content": _content_types(by, canaries),
                }
            ],
            "latest_data_collection": facts.latest_ingest,
            "languages": list(facts.release.languages),
            "other_characteristics": (
                f"Tokens count every trained copy (repeats included) in the train split; "
                f"{facts.manifest.get('splits', {}).get('heldout', {}).get('docs', 0)} further documents "
                "were held out for evaluation and never trained on."
            ),
        },
        "data_sources": {
            "publicly_available_datasets": {
                "used": bool(by["public"]),
                "collections": _part(by["public"], "group"),
            },
            "private_third_party": {"used": bool(by["licensed"]), "licensed": _part(by["licensed"], "basis")},
            "crawled": {
                "used": bool(crawled),
                "crawlers": [facts.policy.get("crawler", "")] if crawled else [],
                "period": {"from": fetched[0], "to": fetched[-1]} if fetched else None,
                "domains": len(domains),
                "top_domains": [{**d, "share": round(d["tokens"] / total, 4)} for d in domains[:shown]],
            },
            "user_data": {"used": False},
            "synthetic": {
                "used": bool(canaries),
                "documents": len(canaries),
                "tokens": sum(d.tokens for d in canaries),
                "description": CANARIES if canaries else "",
            },
            "other": {"used": bool(by["first-party"]), "first_party": _part(by["first-party"], "group")},
        },
        "data_processing": {
            "reservation_of_rights": {
                "crawler": facts.policy.get("crawler", ""),
                "respected_agents": facts.policy.get("respected_agents", []),
                "opt_outs_honoured": _counted(facts, OPT_OUTS),
                "complaints": sum(
                    v for k, v in facts.stopped.items() if k.startswith(reasons.COMPLAINT_PREFIX)
                ),
            },
            "illegal_content": {
                "removed": _counted(facts, ILLEGAL),
                "registry_in_use": bool(facts.policy.get("registry")),
                "other_rights_denials": _counted(facts, UNCLEARED),
                "personal_data": dict(
                    sorted((k, v) for k, v in facts.flagged.items() if k.startswith("pii."))
                ),
            },
            "funnel": list(facts.funnel_steps),
        },
    }


def _content_types(by: dict[str, list[TrainedDoc]], canaries: list[TrainedDoc]) -> str:
    parts = [f"{CATEGORIES[k]} ({len(v)} documents)" for k, v in by.items() if v]
    parts += [f"synthetic canaries ({len(canaries)})"] if canaries else []
    return "; ".join(parts) or "none"


def render_summary(facts: ReleaseFacts, summary: dict[str, Any]) -> str:
    """training-data-summary.md, rendered from the JSON summary."""
    head = md_blocks(
        f"# Public summary of training content: {md_text(facts.name)}",
        f"Structured after the {md_text(TEMPLATE)}. Machine-readable copy: `{SUMMARY_JSON}`.",
    )
    general = general_section(facts.name, summary["general_information"])
    sections = sources_section(summary["data_sources"]) + processing_section(summary["data_processing"])
    body = general + sections
    return "\n".join(head + body).rstrip() + "\n"


def write_data_summary(facts: ReleaseFacts, out_dir: Path) -> list[Path]:
    summary = build_summary(facts)
    md_path, json_path = Path(out_dir) / SUMMARY_MD, Path(out_dir) / SUMMARY_JSON
    atomic_write_text(json_path, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    atomic_write_text(md_path, render_summary(facts, summary))
    return [md_path, json_path]
