"""Every reason code the tokenize stage writes (documented in docs/tokenize.md and docs/reasons.md)."""

from __future__ import annotations

# The mixture weights give the document no copy at all (a weight of 0, or the seeded draw of a
# fractional weight came out against it).
TOKENIZE_MIXTURE_EXCLUDED = "tokenize.mixture_excluded"
# Nothing is left to train on: the text encodes to no token between bos and eos.
TOKENIZE_EMPTY = "tokenize.empty"

# A synthetic canary secret planted for the audit (clearlm.audit.plant); allowed by the tokenize stage
# itself because it never came from any rights holder.
TOKENIZE_CANARY = "canary"

TOKENIZE_REASONS: dict[str, str] = {
    TOKENIZE_CANARY: "allow: a random canary secret planted for the memorisation audit "
    "(evidence: repeats, canary_index; the secret is only in WS/audit/canaries.json)",
    TOKENIZE_MIXTURE_EXCLUDED: "drop: the mixture weights give the document zero training copies "
    "(evidence: weight, group, license)",
    TOKENIZE_EMPTY: "drop: the text encodes to no tokens besides bos and eos",
}
