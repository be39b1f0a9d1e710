"""The Markdown sections of training-data-summary.md, rendered from the JSON summary's parts.

`data_summary.build_summary` decides every fact and number; these functions only lay them out as the
Commission's template numbers its sections (1 general information, 2 data sources, 3 data
processing), so the Markdown can never say something the JSON does not. Text that came from
documents or settings goes through `md_text`.
"""

from __future__ import annotations

from typing import Any

from clearlm.release.attribution import md_table, md_text


def md_blocks(*blocks: str | list[str]) -> list[str]:
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


def general_section(name: str, general: dict[str, Any]) -> list[str]:
    """Section 1: provider, model, modalities and size."""
    text, model, provider = general["modalities"][0], general["model"], general["provider"]
    sizes = [["text", text["size_range"], str(text["tokens"]), str(text["documents"]),
              md_text(text["types_of_content"])]]  # fmt: skip
    return md_blocks(
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


def sources_section(sources: dict[str, Any]) -> list[str]:
    """Section 2: the data sources by category (2.1 public datasets … 2.6 other)."""
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
    return md_blocks(
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


def processing_section(processing: dict[str, Any]) -> list[str]:
    """Section 3: reservations of rights honoured, illegal content removed, the funnel."""
    rights, illegal = processing["reservation_of_rights"], processing["illegal_content"]
    pii = ", ".join(f"`{k}` {v}" for k, v in illegal["personal_data"].items()) or "none found"
    steps = [[md_text(s["stage"]), md_text(s["step"]), str(s["docs_in"]), str(s["docs_out"])]
             for s in processing["funnel"]]  # fmt: skip
    return md_blocks(
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
