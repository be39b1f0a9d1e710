"""Complainants' personal details, kept beside the ledger rather than in it, so they can be erased.

The ledger is append-only and hash-chained: whatever goes in can never come out. A review request
(the lookup page's complaint form) carries a name, an e-mail address and a message, which the
person may later ask to have deleted (GDPR Art. 17). So the ledger row holds only the request id
and a salted SHA-256 commitment to these details; the details live in
`WS/review/contacts/<request_id>.json` (owner-only), where a reviewer reads them and
`erase_contact` deletes them. After erasure the commitment proves a request was made and when,
and with its salt gone it cannot be used to test guesses of who made it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clearlm.atomic import atomic_write_text
from clearlm.errors import UserError
from clearlm.ledger.events import canonical_json

CONTACTS_DIR = Path("review") / "contacts"
_REQUEST_ID_RE = re.compile(r"^[0-9a-f]{16}$")


def _path(ws_root: Path, request_id: str) -> Path:
    if not _REQUEST_ID_RE.match(request_id):
        raise UserError(f"{request_id!r} is not a review request id (16 hex digits)")
    return Path(ws_root) / CONTACTS_DIR / f"{request_id}.json"


def commitment(record: dict[str, Any]) -> str:
    """The SHA-256 the ledger keeps for a stored contact record (salt included)."""
    return hashlib.sha256(canonical_json(record).encode("utf-8")).hexdigest()


def store_contact(ws_root: Path, request_id: str, details: dict[str, str]) -> str:
    """Write the details (owner-only) and return the commitment to put in the ledger."""
    path = _path(ws_root, request_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    record = {"request_id": request_id, "salt": secrets.token_hex(16), **details}
    record["received"] = datetime.now(UTC).isoformat(timespec="seconds")
    atomic_write_text(path, json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    os.chmod(path, 0o600)
    return commitment(record)


def read_contact(ws_root: Path, request_id: str) -> dict[str, Any] | None:
    """The stored details of a request, or None once erased."""
    path = _path(ws_root, request_id)
    if not path.is_file():
        return None
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return record


def erase_contact(ws_root: Path, request_id: str) -> bool:
    """Delete a request's personal details; True if there was something to delete."""
    path = _path(ws_root, request_id)
    existed = path.is_file()
    path.unlink(missing_ok=True)
    return existed
