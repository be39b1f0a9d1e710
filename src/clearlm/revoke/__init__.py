"""Revocation: after-the-fact opt-outs recorded in the ledger, and what they touch.

`clearlm revoke` denies documents from now on (ledger stage `revoke`, decision `deny`); the
training door and the release gate refuse any token of them. `clearlm ledger affected` lists the
checkpoints and releases that used them. See docs/revoke.md.
"""

from clearlm.revoke.affected import AffectedDoc, CheckpointUse, affected
from clearlm.revoke.select import Selection, Target, select_doc_ids, select_registry_matches

__all__ = [
    "AffectedDoc",
    "CheckpointUse",
    "Selection",
    "Target",
    "affected",
    "select_doc_ids",
    "select_registry_matches",
]
