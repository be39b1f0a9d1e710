"""`make demo`: run the pipeline on the bundled corpus and show what happened, command by command.

Each step is the real `clearlm` command a user would type, echoed before it runs. The demo grows
with the pipeline: stages that exist run here, in order.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
console = Console()
MODEL = "clearlm-demo"  # the name the demo server answers to (OpenAI clients send it with every request)


def clearlm(*args: str, check: bool = True) -> int:
    console.print(f"\n[bold cyan]$ clearlm {' '.join(args)}[/]")
    result = subprocess.run([sys.executable, "-m", "clearlm.cli", *args], cwd=ROOT)
    if check and result.returncode != 0:
        console.print(f"[red]demo: `clearlm {args[0]}` exited {result.returncode}[/]")
        sys.exit(result.returncode)
    return result.returncode


def first_doc_id(ws: str, sql: str) -> str | None:
    """The first doc_id a `clearlm ledger sql` query returns, or None."""
    lines = subprocess.run(
        [sys.executable, "-m", "clearlm.cli", "ledger", "sql", "-w", ws, "--format", "csv", sql],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return lines[1] if len(lines) > 1 else None


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
    tune_and_serve(ws, args.port)
    console.print(f"\n[green]demo done.[/] Workspace: {ws}/  (try: clearlm status -w {ws})")


def show_training(ws: str) -> None:
    """Tokens → model: what the model saw by licence, the loss curve, lineage, and the export."""
    console.rule("[bold]tokenize: every token range maps to one ledger document")
    clearlm(
        "ledger",
        "sql",
        "-w",
        ws,
        "SELECT split, license, count(DISTINCT doc_id) AS docs, sum(length) AS tokens "
        "FROM tokens GROUP BY ALL ORDER BY split DESC, tokens DESC",
    )
    console.rule("[bold]train: a tiny Llama; the door checked every document against the ledger first")
    metrics = [json.loads(line) for line in (Path(ws) / "train" / "metrics.jsonl").read_text().splitlines()]
    evals = [(m["step"], m["eval_loss"]) for m in metrics if m.get("eval_loss") is not None]
    console.print(
        f"train loss {metrics[0]['loss']:.2f} → {metrics[-1]['loss']:.2f} over {metrics[-1]['step']} steps; "
        f"held-out loss {evals[0][1]:.2f} (step {evals[0][0]}) → {evals[-1][1]:.2f}; "
        f"curve: {ws}/train/loss.png"
    )
    latest = (Path(ws) / "checkpoints" / "latest").read_text().strip()
    lineage = json.loads((Path(ws) / "checkpoints" / latest / "lineage.json").read_text())
    console.print(f"[bold]{ws}/checkpoints/{latest}/lineage.json[/] (excerpt):")
    console.print_json(
        data={
            "tokenizer_sha256": lineage["tokens"]["tokenizer_sha256"],
            "ledger_head": lineage["ledger_head"],
            "shards": lineage["tokens"]["shards"],
            "tokens_seen": lineage["tokens_seen"],
            "tokens_by_license": lineage["tokens_by_license"],
            "code": lineage["code"],
        }
    )
    console.rule("[bold]audit: what did the model memorise? (exit 1 = a policy bound was crossed)")
    clearlm("audit", "-w", ws, check=False)
    passage = _first_training_passage(ws)
    if passage:
        console.rule("[bold]trace: where in the training data does this text come from?")
        clearlm("trace", "-w", ws, passage)
    console.rule("[bold]export: a transformers folder (safetensors + chat template) and a GGUF file")
    clearlm("export", "-w", ws, "-o", f"{ws}/export")


def _first_training_passage(ws: str) -> str | None:
    """Some words from a kept training document, to trace back to it."""
    sql = (
        "SELECT text FROM curate WHERE doc_id IN (SELECT doc_id FROM tokens WHERE split = 'train') "
        "AND length(text) > 2000 ORDER BY doc_id LIMIT 1"
    )
    command = [sys.executable, "-m", "clearlm.cli", "ledger", "sql", "-w", ws, "--format", "json", sql]
    rows = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    found = json.loads(rows)
    # Whole words only: drop the first and last, which the character cut may have split.
    return " ".join(found[0]["text"][1000:1400].split()[1:-1]) if found else None


def tune_and_serve(ws: str, port: int) -> None:
    """A company adapts the model to its own chat data (kept out of the public ledger) and serves it."""
    console.rule("[bold]tune: LoRA on private chat data (examples/chat); its lineage stays in the adapter")
    clearlm("tune", f"{ws}/export", "examples/chat/support.jsonl", "-o", f"{ws}/adapter", "--steps", "150")
    console.rule("[bold]serve: an OpenAI-compatible API with the adapter on top of the base")
    key = "demo-key"
    serve_args = [
        "serve",
        f"{ws}/export",
        "--adapter",
        f"{ws}/adapter",
        "--port",
        str(port),
        "--api-key",
        key,
        "--model-name",
        MODEL,
    ]
    server = subprocess.Popen([sys.executable, "-m", "clearlm.cli", *serve_args], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, server)
        body = {"model": MODEL, "messages": [{"role": "user", "content": "My lantern will not light."}]}
        body |= {"max_tokens": 40, "temperature": 0}
        console.print(
            f"[bold cyan]$ curl {base}/v1/chat/completions -H 'Authorization: Bearer {key}' "
            f"-H 'Content-Type: application/json' -d '{json.dumps(body)}'[/]"
        )
        request = urllib.request.Request(
            f"{base}/v1/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            console.print(f"X-ClearLM-Release: {response.headers['X-ClearLM-Release']}")
            console.print_json(response.read().decode())
        _openai_stream(base, key)
        if sys.stdin.isatty():
            console.print(f"\n[green]serving at {base}/v1[/] (API key {key}); press Ctrl-C to stop")
            server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.terminate()
        server.wait(timeout=60)


def _wait_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(240):
        if server.poll() is not None:
            console.print(f"[red]demo: the server exited with {server.returncode}[/]")
            sys.exit(1)
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    console.print("[red]demo: the server did not become healthy in 2 minutes[/]")
    sys.exit(1)


def _openai_stream(base: str, key: str) -> None:
    """The same server through the official `openai` client, streaming."""
    from openai import OpenAI

    console.print(
        "[bold cyan]>>> OpenAI(base_url=..., api_key=...).chat.completions.create(..., stream=True)[/]"
    )
    client = OpenAI(base_url=f"{base}/v1", api_key=key)
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Can I return a lantern I bought last month?"}],
        max_tokens=40,
        temperature=0,
        stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            console.print(chunk.choices[0].delta.content, end="")
    console.print()


if __name__ == "__main__":
    main()
