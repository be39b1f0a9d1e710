"""training-data-summary.md + .json: the public summary of training content the EU AI Act asks for.

Laid out like the European Commission's "Template for the public summary of training content for
general-purpose AI models" (July 2025, Article 53(1)(d) AI Act): 1 general information, 2 data sources
by category (public datasets, third-party private/licensed data, crawled data with crawler, period
and top domains, user data, synthetic data, other), 3 data processing (reservations of rights
honoured, illegal content removed). The JSON is built first and the Markdown is rendered from it, so
the two never disagree; every count is a clearance reason code's count from the ledger's funnel.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from clearlm import reasons
from clearlm.atomic import atomic_write_text
from clearlm.release.attribution import md_table, md_text
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


def _blocks(*blocks: str | list[str]) -> list[str]:
    """Paragraphs, headings and tables, one blank line between each."""
    lines: list[str] = []
    for block in blocks:
        if block:  # an empty list is a table with nothing to show
            lines += [*([block] if isinstance(block, str) else block), ""]
    return lines


def _parts(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["None."]
    headers = ["name", "licensor", "documents", "tokens", "licences / basis"]
    cells = [[md_text(r["name"]), md_text(r.get("licensor", "")), str(r["documents"]), str(r["tokens"]),
              md_text(", ".join(r["licences"]))] for r in rows]  # fmt: skip
    return md_table(headers, cells)


def _codes(rows: list[dict[str, Any]]) -> list[str]:
    cells = [[f"`{r['code']}`", str(r["documents"]), md_text(r["meaning"])] for r in rows]
    return md_table(["reason code", "documents", "meaning"], cells)


def _used(section: dict[str, Any]) -> str:
    return "Used: yes." if section["used"] else "Used: no."


def _general(name: str, general: dict[str, Any]) -> list[str]:
    text, model, provider = general["modalities"][0], general["model"], general["provider"]
    sizes = [["text", text["size_range"], str(text["tokens"]), str(text["documents"]),
              md_text(text["types_of_content"])]]  # fmt: skip
    return _blocks(
        "## 1. General information",
        "### 1.1 Provider identification",
        f"Provider: {md_text(provider['name'])}. "
        f"Contact: {md_text(provider['contact'] or 'see the model card')}.",
        "### 1.2 Model identification",
        f"Model: {md_text(name)}, {md_text(model['version'])}. Dependencies: {model['dependencies']}. "
        f"Date: {model['placed_on_market']}.",
        "### 1.3 Modalities, overall training data size and other characteristics",
        md_table(["modality", "size range", "tokens", "documents", "types of content"], sizes),
        f"Languages: {md_text(', '.join(general['languages']))}. Latest data collection: "
        f"{general['latest_data_collection'] or 'not recorded'}. {md_text(general['other_characteristics'])}",
    )


def _sources(sources: dict[str, Any]) -> list[str]:
    crawl, synthetic, period = sources["crawled"], sources["synthetic"], sources["crawled"]["period"]
    domains = [[md_text(d["name"]), str(d["documents"]), str(d["tokens"]), f"{d['share']:.2%}"]
               for d in crawl["top_domains"]]  # fmt: skip
    crawled = _used(crawl) + (
        f" Crawler: {md_text(', '.join(crawl['crawlers']))}." if crawl["crawlers"] else ""
    )
    crawled += f" Collection period: {period['from']} to {period['to']}." if period else ""
    if crawl["used"]:
        crawled += f" {crawl['domains']} domains; the largest by tokens (at least the top 10 %):"
    made_up = (
        f" {synthetic['documents']} documents, {synthetic['tokens']} tokens: {synthetic['description']}."
    )
    return _blocks(
        "## 2. List of data sources",
        "### 2.1 Publicly available datasets",
        _used(sources["publicly_available_datasets"])
        + " Collections of openly licensed or public-domain text:",
        _parts(sources["publicly_available_datasets"]["collections"]),
        "### 2.2 Private non-publicly available datasets obtained from third parties",
        _used(sources["private_third_party"]) + " Licensed data, by contract (in scope and in date):",
        _parts(sources["private_third_party"]["licensed"]),
        "### 2.3 Data crawled and scraped from online sources",
        crawled,
        md_table(["domain", "documents", "tokens", "share of all tokens"], domains) if domains else [],
        "### 2.4 User data",
        "Used: no. No data from users of the model or of the provider's services was trained on.",
        "### 2.5 Synthetic data",
        _used(synthetic) + (made_up if synthetic["used"] else ""),
        "### 2.6 Other sources of data",
        _used(sources["other"]) + " The provider's own (first-party) data:",
        _parts(sources["other"]["first_party"]),
    )


def _processing(processing: dict[str, Any]) -> list[str]:
    rights, illegal = processing["reservation_of_rights"], processing["illegal_content"]
    pii = ", ".join(f"`{k}` {v}" for k, v in illegal["personal_data"].items()) or "none found"
    steps = [[md_text(s["stage"]), md_text(s["step"]), str(s["docs_in"]), str(s["docs_out"])]
             for s in processing["funnel"]]  # fmt: skip
    return _blocks(
        "## 3. Data processing aspects",
        "### 3.1 Respect of reservation of rights from text and data mining exception or limitation",
        "Every document was denied unless positive evidence of a right to use it was found, and any "
        f"reservation of rights beat every licence. robots.txt was read for {md_text(rights['crawler'])} (the"
        f" crawler) and for the AI agents {md_text(', '.join(rights['respected_agents']))}."
        " Documents withheld for each kind of reservation (`revoked`: opt-outs received after the fact); "
        f"{rights['complaints']} complaint(s) received through the lookup page's form:",
        _codes(rights["opt_outs_honoured"]),
        "### 3.2 Removal of illegal content",
        "Shadow-library copies and excerpts of works in the protected-works registry were removed "
        f"(registry in use: {'yes' if illegal['registry_in_use'] else 'no'}):",
        _codes(illegal["removed"]),
        "Documents withheld for lack of a right to use them:",
        _codes(illegal["other_rights_denials"]),
        "Personal data: trained documents in which the curate stage replaced personal data with a "
        f"placeholder, by kind: {pii}. No other classifier for illegal content was run.",
        "### 3.3 Other information",
        "Documents through each pipeline step:",
        md_table(["stage", "step", "documents in", "documents out"], steps),
    )


def render_summary(facts: ReleaseFacts, summary: dict[str, Any]) -> str:
    """training-data-summary.md, rendered from the JSON summary."""
    head = _blocks(
        f"# Public summary of training content: {md_text(facts.name)}",
        f"Structured after the {md_text(TEMPLATE)}. Machine-readable copy: `{SUMMARY_JSON}`.",
    )
    general = _general(facts.name, summary["general_information"])
    body = general + _sources(summary["data_sources"]) + _processing(summary["data_processing"])
    return "\n".join(head + body).rstrip() + "\n"


def write_data_summary(facts: ReleaseFacts, out_dir: Path) -> list[Path]:
    summary = build_summary(facts)
    md_path, json_path = Path(out_dir) / SUMMARY_MD, Path(out_dir) / SUMMARY_JSON
    atomic_write_text(json_path, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    atomic_write_text(md_path, render_summary(facts, summary))
    return [md_path, json_path]
