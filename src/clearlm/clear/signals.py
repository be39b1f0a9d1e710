"""What every clearance detector returns: signals, each a reason code with specific evidence.

A detector looks at one document (plus the context: policy, robots.txt of its host, registry,
contracts) and returns zero or more Signals. It never decides: `clear.decide` combines the signals
of all detectors into one decision under the policy, deny beating allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Characters of context kept around a matched span in evidence: enough for a person to judge it.
CONTEXT_CHARS = 60


@dataclass(frozen=True)
class Signal:
    """One piece of rights evidence about a document.

    code:        a reason code from clearlm.reasons (e.g. "license.cc-by", "optout.tdmrep").
    evidence:    specific and JSON-able: the matched span and its offset, the header line, the file
                 name, the registry work… (see `span_evidence`).
    license:     the SPDX expression, for licence signals.
    obligations: duties that travel with the data if it is used (e.g. "attribution",
                 "share-alike", "license-notice"), recorded for the release's attribution file.
    """

    code: str
    evidence: dict[str, Any] = field(default_factory=dict)
    license: str | None = None
    obligations: tuple[str, ...] = ()


def span_evidence(text: str, match: re.Match[str] | tuple[int, int], **extra: Any) -> dict[str, Any]:
    """Evidence for a matched span: the span itself, its character offset, and a little context."""
    start, end = (match.start(), match.end()) if isinstance(match, re.Match) else match
    return {
        "match": text[start:end][:300],
        "offset": start,
        "context": text[max(0, start - CONTEXT_CHARS) : end + CONTEXT_CHARS][:500],
        **extra,
    }


def http_headers(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """A document's HTTP headers as (lower-case name, value) pairs, in order, duplicates kept."""
    return [(str(name).lower(), str(value)) for name, value in meta.get("http_headers") or []]
