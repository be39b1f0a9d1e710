"""ATTRIBUTION.md: the credit every CC BY / BY-SA work asks for, and every open-source licence notice.

A licence's attribution obligation travels with the weights: each trained document whose clearance
recorded an `attribution` obligation (CC BY and BY-SA of any version, a contract's credit line)
is listed with its credit, source and licence; each one with a `license-notice` obligation (an
open-source licence) is listed under the licence it needs noticed. Groups and rows are sorted, so
a rerun gives the same bytes.

Credits and sources are text from documents, so they are untrusted: `md_text` makes them inert
(HTML escaped, Markdown syntax escaped, one line). The model card and the data summary use the same
two helpers for the same reason.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

from clearlm.atomic import atomic_write_text
from clearlm.release.facts import ReleaseFacts, TrainedDoc
from clearlm.release.license_terms import deed_url

ATTRIBUTION_FILE = "ATTRIBUTION.md"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}|~#!])")  # < > & are HTML-escaped first
NO_CREDIT = "none given in the document: credit the source"


def md_text(value: object) -> str:
    """Untrusted text as inert inline Markdown: one line, HTML escaped, Markdown syntax escaped."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """A pipe table; cells must already be Markdown (md_text for anything that came from documents)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def md_licence(license_id: str) -> str:
    """A licence id, linked to its deed or SPDX page when it has one."""
    url = deed_url(license_id)
    return f"[{md_text(license_id)}]({url})" if url else md_text(license_id)


def credited(facts: ReleaseFacts) -> dict[str, list[TrainedDoc]]:
    """Documents that must be credited, by licence (or contract), each group sorted by source."""
    return _grouped(d for d in facts.docs if "attribution" in d.obligations and not d.canary)


def noticed(facts: ReleaseFacts) -> dict[str, list[TrainedDoc]]:
    """Documents whose open-source licence must be noticed, by licence."""
    return _grouped(d for d in facts.docs if "license-notice" in d.obligations and not d.canary)


def _grouped(docs: Iterable[TrainedDoc]) -> dict[str, list[TrainedDoc]]:
    groups: dict[str, list[TrainedDoc]] = {}
    for doc in docs:
        groups.setdefault(doc.license or doc.basis, []).append(doc)
    return {k: sorted(v, key=lambda d: (d.source, d.doc_id)) for k, v in sorted(groups.items())}


def attribution_markdown(facts: ReleaseFacts) -> str:
    credits = credited(facts)
    notices = noticed(facts)
    n_credit = sum(len(v) for v in credits.values())
    n_notice = sum(len(v) for v in notices.values())
    lines = [
        f"# Attribution: {md_text(facts.name)}",
        "",
        f"{md_text(facts.name)} was trained on {len(facts.docs)} documents. {n_credit} of them are under "
        f"licences that ask for credit, and {n_notice} under open-source licences that ask for their "
        "notice to be kept. Whoever copies or adapts these weights should keep this file with them. "
        "Each entry names the document's id in the training ledger "
        "(`clearlm ledger explain -w WS DOC_ID` shows the evidence).",
        "",
        *md_table(
            ["licence", "documents", "obligation"],
            [[md_licence(k), str(len(v)), "credit"] for k, v in credits.items()]
            + [[md_licence(k), str(len(v)), "licence notice"] for k, v in notices.items()],
        ),
    ]
    lines += ["", "## Credits"]
    if not credits:
        lines += ["", "No training document asks for credit."]
    for licence, docs in credits.items():
        lines += ["", f"### {md_licence(licence)} (documents: {len(docs)})", ""]
        lines += md_table(
            ["credit", "source", "document"],
            [
                [
                    "; ".join(md_text(c) for c in doc.credits) or md_text(NO_CREDIT),
                    md_text(doc.source),
                    md_text(doc.doc_id),
                ]
                for doc in docs
            ],
        )
    lines += ["", "## Open-source licence notices"]
    if not notices:
        lines += ["", "No training document is under an open-source licence that asks for a notice."]
    for licence, docs in notices.items():
        url = deed_url(licence)
        where = f"; its text: {url}" if url else ""
        lines += ["", f"### {md_licence(licence)} (documents: {len(docs)})", ""]
        lines.append(f"These documents are used under the {md_text(licence)} licence{where}.")
        lines.append("")
        lines += md_table(
            ["source", "document"], [[md_text(doc.source), md_text(doc.doc_id)] for doc in docs]
        )
    return "\n".join(lines) + "\n"


def write_attribution(facts: ReleaseFacts, out_dir: Path) -> list[Path]:
    path = Path(out_dir) / ATTRIBUTION_FILE
    atomic_write_text(path, attribution_markdown(facts))
    return [path]
