"""`make demo`: run the pipeline on the bundled corpus and show what happened, command by command.

Each step is the real `clearlm` command a user would type, echoed before it runs: the data stages
here, the model, its release and the rights holders' side in demo_model.py.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from demo_model import release_and_rights, show_training, tune_and_serve
from demo_shell import clearlm, console, first_doc_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", default="demo-ws", help="workspace folder (default: demo-ws)")
    parser.add_argument(
        "--keep", action="store_true", help="resume an existing workspace instead of starting over"
    )
    parser.add_argument("--port", type=int, default=8765, help="port of the demo server (default: 8765)")
    args = parser.parse_args()
    ws = str(args.workspace)
    if not args.keep and Path(ws).exists():
        shutil.rmtree(ws)

    console.rule("[bold]a rights holder registers a protected work (examples/protected/)")
    shutil.rmtree("demo-registry", ignore_errors=True)
    clearlm(
        "registry",
        "add",
        "examples/protected/the-lighthouse-keepers-ledger.txt",
        "--holder",
        "Pellmont Vane Press",
        "--registry",
        "demo-registry",
    )

    console.rule("[bold]clearlm demo: the bundled corpus (examples/corpus), ingest → clear → … → train")
    clearlm("run", "recipes/demo.toml", "-w", ws)

    console.rule("[bold]the clearance funnel: every decision, by reason")
    clearlm(
        "ledger",
        "sql",
        "-w",
        ws,
        "SELECT decision, reason, count(*) AS docs FROM (SELECT decision, unnest(reasons) AS reason "
        "FROM ledger WHERE stage = 'clear') GROUP BY ALL ORDER BY decision, docs DESC, reason",
    )
    clearlm(
        "ledger",
        "sql",
        "-w",
        ws,
        "SELECT coalesce(json_extract_string(meta, '$.license'), '(' || "
        "array_to_string(CAST(json_extract(meta, '$.clear_reasons') AS VARCHAR[]), ', ') || ')') AS license, "
        "count(*) AS docs, round(sum(length(text)) / 1e3, 1) AS kchars "
        "FROM clear GROUP BY ALL ORDER BY docs DESC",
    )

    console.rule("[bold]curation: the funnel from ingest to training-grade text")
    clearlm("report", "-w", ws)
    dup = first_doc_id(
        ws,
        "SELECT doc_id FROM ledger WHERE stage = 'curate' AND step = 'dedup' AND decision = 'drop' "
        "ORDER BY seq LIMIT 1",
    )
    if dup:
        console.print("[bold]why was this document dropped, and duplicate of what?[/]")
        clearlm("ledger", "explain", "-w", ws, dup)

    console.rule("[bold]what could not be read is quarantined with a reason, never dropped")
    clearlm("quarantine", "-w", ws)

    console.rule("[bold]the ledger is SQL: documents by format and kind")
    clearlm(
        "ledger",
        "sql",
        "-w",
        ws,
        "SELECT json_extract_string(meta, '$.format') AS format, kind, count(*) AS docs, "
        "round(sum(length(text)) / 1e3, 1) AS kchars FROM ingest GROUP BY ALL ORDER BY docs DESC",
    )
    clearlm(
        "ledger",
        "sql",
        "-w",
        ws,
        "SELECT stage, step, decision, reason, count(*) AS events FROM "
        "(SELECT *, unnest(reasons) AS reason FROM ledger) GROUP BY ALL ORDER BY events DESC",
    )

    console.rule("[bold]every web document keeps its HTTP headers (evidence for clearance)")
    clearlm(
        "ledger",
        "sql",
        "-w",
        ws,
        "SELECT source, json_extract_string(meta, '$.http_status') AS status, "
        "json_array_length(json_extract(meta, '$.http_headers')) AS headers FROM ingest "
        "WHERE json_extract_string(meta, '$.format') = 'warc' ORDER BY source LIMIT 8",
    )

    console.rule("[bold]one document's history, and the hash chain that makes edits visible")
    first = first_doc_id(
        ws,
        "SELECT doc_id FROM ledger WHERE stage = 'clear' AND list_contains(reasons, 'optout.robots') "
        "ORDER BY source LIMIT 1",
    )
    if first:
        clearlm("ledger", "explain", "-w", ws, first)
    clearlm("ledger", "verify", "-w", ws)

    show_training(ws)
    release = release_and_rights(ws)
    tune_and_serve(ws, release, args.port)
    console.print(f"\n[green]demo done.[/] Workspace: {ws}/  (try: clearlm status -w {ws})")


if __name__ == "__main__":
    main()
