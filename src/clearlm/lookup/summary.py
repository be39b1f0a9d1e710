"""The one sentence that sums up a lookup: found or not, where the matched documents ended, and why.

"Found in training data: 1 document trained, used by 1 release, 1 since revoked." Each match counts
once, under its `DocMatch.status()`; denials and curation drops list their reason codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clearlm.lookup.result import DocMatch


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _with_reasons(count: int, label: str, reasons: list[list[str]]) -> str:
    codes = sorted({code for group in reasons for code in group})
    return f"{count} {label}" + (f" ({', '.join(codes)})" if codes else "")


def summarize(matches: list[DocMatch], threshold: float, documents: int) -> str:
    """One sentence: found or not, then how many documents ended where, with the reasons why."""
    if not matches:
        return (
            f"Not found: no exact copy, near duplicate (estimated Jaccard ≥ {threshold:g}) or verbatim "
            f"span among {_plural(documents, 'document')}."
        )
    by_status: dict[str, list[DocMatch]] = {}
    for match in matches:
        by_status.setdefault(match.status(), []).append(match)
    parts = []
    trained = by_status.pop("trained", [])
    if trained:
        releases = {r.digest for m in trained for r in m.releases}
        used = f", used by {_plural(len(releases), 'release')}" if releases else ""
        parts.append(f"{_plural(len(trained), 'document')} trained{used}")
    for status, group in by_status.items():
        if status == "denied":
            parts.append(_with_reasons(len(group), "denied", [m.reasons for m in group]))
        elif status == "dropped by curation":
            parts.append(_with_reasons(len(group), status, [m.drop_reasons for m in group]))
        else:
            parts.append(f"{len(group)} {status}")
    revoked = sum(m.revoked for m in matches)
    if revoked:
        parts.append(f"{revoked} since revoked")
    head = "Found in training data" if trained else "Found in the collected data, not trained on"
    return f"{head}: " + ", ".join(parts) + "."
