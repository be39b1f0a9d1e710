"""The append-only, hash-chained ledger: one row per (document, stage step)."""

from clearlm.ledger.events import EVENT_SCHEMA, LEDGER_SCHEMA, make_event
from clearlm.ledger.store import Ledger, VerifyReport

__all__ = ["EVENT_SCHEMA", "LEDGER_SCHEMA", "Ledger", "VerifyReport", "make_event"]
