"""The demo's second half: the model, its signed release, a rights holder's side, tune and serve."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from demo_shell import ROOT, clearlm, console, sql_rows

MODEL = "clearlm-demo"  # the name the demo server answers to (OpenAI clients send it with every request)
KEY = "demo-key"


def show_training(ws: str) -> None:
    """Tokens → model: what the model saw by licence, the loss curve, lineage, audit and trace."""
    console.rule("[bold]tokenize: every token range maps to one ledger document")
    clearlm(
        "ledger", "sql", "-w", ws,
        "SELECT split, license, count(DISTINCT doc_id) AS docs, sum(length) AS tokens "
        "FROM tokens GROUP BY ALL ORDER BY split DESC, tokens DESC",
    )  # fmt: skip
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
    keys = ("ledger_head", "tokens_seen", "tokens_by_license", "code")
    console.print_json(
        data={"tokenizer_sha256": lineage["tokens"]["tokenizer_sha256"]} | {k: lineage[k] for k in keys}
    )
    console.rule("[bold]audit: what did the model memorise? (`clearlm run` audited it before releasing)")
    report = json.loads((Path(ws) / "audit" / "report.json").read_text())
    for check in report["checks"]:
        verdict = "[green]pass[/]" if check["passed"] else "[red]FAIL[/]"
        console.print(f"  {verdict} {check['name']}: {check['detail']}")
    console.print(f"  full report: {ws}/audit/report.md")
    passage = training_passage(ws)
    if passage:
        console.rule("[bold]trace: where in the training data does this text come from?")
        clearlm("trace", "-w", ws, passage)


def training_passage(ws: str) -> str | None:
    """Some words from a kept training document, to trace back to it."""
    rows = sql_rows(
        ws,
        "SELECT text FROM curate WHERE doc_id IN (SELECT doc_id FROM tokens WHERE split = 'train') "
        "AND length(text) > 2000 ORDER BY doc_id LIMIT 1",
    )
    # Whole words only: drop the first and last, which the character cut may have split.
    return " ".join(rows[0]["text"][1000:1400].split()[1:-1]) if rows else None


def release_and_rights(ws: str) -> str:
    """The signed release `clearlm run` made; then a rights holder looks up a work and opts out."""
    records = (Path(ws) / "release" / "releases.jsonl").read_text().splitlines()
    folder = Path(json.loads(records[-1])["dir"])
    release = str(folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder)
    console.rule("[bold]release: the gate passed, so `clearlm run` published a signed release")
    files = sorted(p.relative_to(release) for p in Path(release).rglob("*") if p.is_file())
    console.print("  " + "  ".join(str(f) for f in files), soft_wrap=True)
    clearlm("verify-release", release)
    card = (Path(release) / "README.md").read_text().split("---")[1]
    console.print(f"[bold]{release}/README.md[/] front matter:{card}")
    console.print(f"[bold]{release}/ATTRIBUTION.md[/] (first lines):")
    console.print("\n".join((Path(release) / "ATTRIBUTION.md").read_text().splitlines()[:12]))

    console.rule("[bold]a rights holder asks: is my work in this training data?")
    work = sql_rows(
        ws,
        "SELECT doc_id, source FROM tokens WHERE split = 'train' AND license = 'CC-BY-4.0' "
        "AND source LIKE 'file://%' ORDER BY source LIMIT 1",
    )
    shadow = "examples/corpus/books/Fire Worship - Nathaniel Hawthorne (z-lib.org).txt"
    clearlm("lookup", "-w", ws, shadow)
    if work:
        path = urllib.parse.unquote(urllib.parse.urlparse(work[0]["source"]).path)
        clearlm("lookup", "-w", ws, path)
        console.rule("[bold]the author opts out after the fact: revoke, see what used it, gate refuses")
        clearlm(
            "revoke", "-w", ws, work[0]["doc_id"], "--note", "the author withdrew consent", "--by", "demo"
        )
        clearlm("ledger", "affected", "-w", ws)
        console.print(
            "[bold]a new release of the same checkpoint is refused (exit 1) until retrained without it:[/]"
        )
        clearlm("release", "-w", ws, "-o", f"{ws}/release/refused", check=False)
    return release


def tune_and_serve(ws: str, release: str, port: int) -> None:
    """A company adapts the released model to its own chat data and serves it, with the lookup pages."""
    console.rule("[bold]tune: LoRA on private chat data (examples/chat); its lineage stays in the adapter")
    clearlm("tune", release, "examples/chat/support.jsonl", "-o", f"{ws}/adapter", "--steps", "150")
    console.rule(
        "[bold]serve: the release + adapter as an OpenAI-compatible API, and the rights-holder pages"
    )
    serve_args = ["serve", release, "--adapter", f"{ws}/adapter", "--port", str(port), "--api-key", KEY]
    serve_args += ["--model-name", MODEL, "--workspace", ws]
    server = subprocess.Popen([sys.executable, "-m", "clearlm.cli", *serve_args], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, server)
        body: dict[str, object] = {"model": MODEL}
        body["messages"] = [{"role": "user", "content": "My lantern will not light."}]
        body |= {"max_tokens": 40, "temperature": 0}
        console.print(
            f"[bold cyan]$ curl {base}/v1/chat/completions -H 'Authorization: Bearer {KEY}' "
            f"-H 'Content-Type: application/json' -d '{json.dumps(body)}'[/]"
        )
        request = urllib.request.Request(
            f"{base}/v1/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            console.print(f"X-ClearLM-Release: {response.headers['X-ClearLM-Release']}")
            console.print_json(response.read().decode())
        _openai_stream(base)
        with urllib.request.urlopen(f"{base}/", timeout=30) as page:
            console.print(f"GET {base}/ → {page.status}, {len(page.read())} bytes of HTML")
        console.print(
            f"\n[bold green]Is my work in this training data?[/] {base}/   (ledger explorer: {base}/ledger)"
        )
        if sys.stdin.isatty():
            console.print(f"[green]serving at {base}/v1[/] (API key {KEY}); press Ctrl-C to stop")
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


def _openai_stream(base: str) -> None:
    """The same server through the official `openai` client, streaming."""
    from openai import OpenAI

    console.print(
        "[bold cyan]>>> OpenAI(base_url=..., api_key=...).chat.completions.create(..., stream=True)[/]"
    )
    client = OpenAI(base_url=f"{base}/v1", api_key=KEY)
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
