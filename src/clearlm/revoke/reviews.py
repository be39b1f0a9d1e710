"""`clearlm ledger reviews`: the complaint form's requests, for the person who reviews them.

Each request is a `review` row (or several, one per document) in the ledger; the complainant's
details sit beside it in `WS/review/contacts/` (clearlm.ledger.contacts) until erased. Listing
checks each stored record against the commitment the ledger holds, so an edited contact file shows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clearlm.ledger.contacts import commitment, erase_contact, read_contact
from clearlm.ledger.query import connect
from clearlm.workspace import Workspace

_REQUESTS_SQL = """
SELECT json_extract_string(evidence, '$.request_id') AS request_id,
       min(ts) AS received,
       any_value(reasons[1]) AS reason,
       list(doc_id ORDER BY seq) AS doc_ids,
       any_value(json_extract_string(evidence, '$.contact_sha256')) AS contact_sha256
FROM ledger WHERE stage = 'review'
GROUP BY 1 ORDER BY received DESC, request_id
"""


def review_requests(ws_root: Path) -> list[dict[str, Any]]:
    """Every review request, newest first, with its contact record's state: stored, erased or altered."""
    con = connect(Path(ws_root))
    try:
        rows = con.execute(_REQUESTS_SQL).fetchall()
    finally:
        con.close()
    found = []
    for request_id, received, reason, doc_ids, contact_sha256 in rows:
        contact = read_contact(ws_root, request_id) if request_id else None
        if contact is None:
            state = "erased" if contact_sha256 else "in the ledger (recorded before contacts were kept apart)"
        else:
            state = "stored" if commitment(contact) == contact_sha256 else "ALTERED since it was received"
        found.append(
            {"request_id": request_id, "received": received, "reason": reason, "doc_ids": list(doc_ids),
             "contact": contact, "contact_state": state}
        )  # fmt: skip
    return found


def register_reviews(ledger_group: click.Group, console: Console, ws_option: Callable[[Any], Any]) -> None:
    @ledger_group.command("reviews")
    @ws_option
    @click.option("--show-contacts", is_flag=True, help="Also print names, e-mails and messages.")
    @click.option("--erase", metavar="REQUEST_ID", help="Delete one request's personal details for good.")
    def ledger_reviews(ws: Path, show_contacts: bool, erase: str | None) -> None:
        """Review requests from the lookup page's complaint form, newest first."""
        workspace = Workspace.open(ws)
        if erase is not None:
            erased = erase_contact(workspace.root, erase)
            console.print(f"{'erased' if erased else 'nothing stored for'} request {escape(erase)}")
            return
        requests = review_requests(workspace.root)
        if not requests:
            console.print("no review requests")
            return
        table = Table(title=f"review requests: {len(requests)}")
        for column in ("request", "received", "asks", "documents", "contact"):
            table.add_column(column, overflow="fold")
        for r in requests:
            contact = r["contact_state"]
            if show_contacts and r["contact"]:
                c = r["contact"]
                contact = f"{c['name']} <{c['email']}>: {c['message'][:300]} ({r['contact_state']})"
            docs = ", ".join(d for d in r["doc_ids"] if not d.startswith("request-")) or "(none named)"
            received = f"{r['received']:%Y-%m-%d %H:%M}"
            table.add_row(r["request_id"], received, r["reason"], docs, escape(contact))
        console.print(table)
