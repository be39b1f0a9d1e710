"""`clearlm revoke` and `clearlm ledger affected`: after-the-fact opt-outs and what they touch."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clearlm.cli_options import WS_OPTION
from clearlm.errors import UserError
from clearlm.revoke.reviews import register_reviews
from clearlm.workspace import Workspace

if TYPE_CHECKING:  # the commands import their machinery when they run: `clearlm --help` stays fast
    from clearlm.revoke.affected import AffectedDoc
    from clearlm.revoke.select import Selection


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (some containers)
        return "unknown"


def _next_step(ws: Path, step: str) -> str:
    """What to do now. Why a rerun leaves registry matches out: clearance matches the registry too."""
    rerun = (
        " A new run with this policy (`clearlm run RECIPE -w NEW_WS`) denies them at clearance"
        " (registry.match)."
        if step != "doc"
        else ""
    )
    return (
        "next: retrain without them — remove WS/tokens and WS/stages/tokenize, move WS/checkpoints aside, "
        "then `clearlm tokenize` (it drops revoked documents) and `clearlm train`; until then "
        f"the training door and the release gate refuse this workspace (docs/revoke.md).{rerun} "
        f"`clearlm ledger affected -w {ws}` lists the checkpoints and releases that used them."
    )


def _selection_table(selection: Selection, title: str) -> Table:
    table = Table(title=title)
    for column in ("doc id", "source", "why"):
        table.add_column(column, overflow="fold")
    for target in selection.targets:
        table.add_row(target.doc_id, escape(target.source), escape(target.why))
    return table


def _affected_table(docs: list[AffectedDoc]) -> Table:
    table = Table(title=f"revoked documents: {len(docs)}")
    for column in ("doc id", "source", "revoked", "checkpoints", "releases"):
        table.add_column(column, overflow="fold")
    for doc in docs:
        checkpoints = "\n".join(
            f"{c.checkpoint}: {'used' if c.used else escape(c.note)}" for c in doc.checkpoints
        )
        releases = "\n".join(f"{escape(r.name)} {r.digest[:16]} {escape(r.dir)}" for r in doc.releases)
        when = f"{doc.revoked_at[:19]} ({doc.revoke_step})"
        table.add_row(doc.doc_id, escape(doc.source), when, checkpoints or "-", releases or "-")
    return table


def register(cli: click.Group, console: Console) -> None:
    ws_option = WS_OPTION

    @cli.command()
    @ws_option
    @click.argument("doc_ids", nargs=-1)
    @click.option("--holder", help="Revoke every allowed document quoting this holder's registered works.")
    @click.option("--registry", "all_holders", is_flag=True, help="The same, for every registered holder.")
    @click.option(
        "--policy",
        type=click.Path(path_type=Path),
        help="Policy whose registry to match (default: the workspace's clear.policy).",
    )
    @click.option("--note", default="", help="Why, in words (recorded in the evidence).")
    @click.option("--by", "requested_by", help="Who asked for it (default: the OS user).")
    @click.option("--dry-run", is_flag=True, help="Show what would be revoked; record nothing.")
    def revoke(
        ws: Path,
        doc_ids: tuple[str, ...],
        holder: str | None,
        all_holders: bool,
        policy: Path | None,
        note: str,
        requested_by: str | None,
        dry_run: bool,
    ) -> None:
        """Record an after-the-fact opt-out: DOC_ID..., --holder NAME or --registry."""
        from clearlm.ledger.record import record_revocations
        from clearlm.revoke.select import select_doc_ids, select_registry_matches

        modes = [bool(doc_ids), holder is not None, all_holders]
        if sum(modes) != 1:
            raise UserError("give exactly one of: DOC_ID..., --holder NAME, --registry")
        if doc_ids and policy is not None:
            raise UserError("--policy applies to --holder and --registry only")
        if holder is not None and not holder.strip():
            raise UserError("--holder needs a name")
        workspace = Workspace.open(ws)
        if doc_ids:
            selection = select_doc_ids(workspace.root, list(doc_ids))
        else:
            selection = select_registry_matches(workspace.root, holder, policy)
        if selection.already:
            names = ", ".join(t.doc_id for t in selection.already[:10])
            more = f" and {len(selection.already) - 10} more" if len(selection.already) > 10 else ""
            console.print(f"already revoked, nothing new recorded for: {names}{more}", soft_wrap=True)
        if not selection.targets:
            found = "no document to revoke" if not selection.already else "nothing new to revoke"
            console.print(f"{found} ({escape(selection.scope)})")
            return
        if dry_run:
            console.print(_selection_table(selection, f"would revoke {len(selection.targets)} (dry run)"))
            console.print("dry run: nothing recorded")
            return
        evidence = {"note": note, "requested_by": requested_by or _os_user(), "scope": selection.scope}
        count = record_revocations(
            workspace.root,
            [t.doc_id for t in selection.targets],
            step=selection.step,
            reasons=selection.reasons,
            evidence=evidence,
            per_doc={t.doc_id: t.evidence for t in selection.targets if t.evidence},
        )
        console.print(_selection_table(selection, f"revoked {count} document{'s' if count != 1 else ''}"))
        console.print(escape(_next_step(ws, selection.step)), soft_wrap=True)

    ledger_group = cli.commands.get("ledger")
    if not isinstance(ledger_group, click.Group):
        raise RuntimeError("clearlm.revoke.cli.register needs the `ledger` group registered first")

    register_reviews(ledger_group, console, ws_option)

    @ledger_group.command("affected")
    @ws_option
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    def ledger_affected(ws: Path, fmt: str) -> None:
        """List the checkpoints and releases that used revoked documents (a report: exit 0)."""
        from clearlm.revoke.affected import affected, summary

        workspace = Workspace.open(ws)
        docs = affected(workspace.root)
        if fmt == "json":
            body = {"revoked": [d.to_dict() for d in docs], "summary": summary(docs)}
            click.echo(json.dumps(body, ensure_ascii=False, indent=1))
            return
        if not docs:
            console.print("no revoked documents")
            return
        console.print(_affected_table(docs))
        counts = summary(docs)
        console.print(
            f"{counts['revoked_documents']} revoked; used by {counts['checkpoints_used']} checkpoint(s) and "
            f"{counts['releases_used']} release(s); {counts['checkpoints_cannot_tell']} checkpoint(s) "
            "cannot tell (their token index is gone or changed)",
            soft_wrap=True,
        )
