"""The curate stage end to end: steps from the recipe, dedup across tasks with `dup_of`, dry run,
the funnel report, and resume after kill -9 in the middle of deduplication."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clearlm.config import load_config
from clearlm.ledger import Ledger
from clearlm.ledger.query import run_sql
from clearlm.runner import run_stages

# A vocabulary large enough that random prose has no repeated 5-grams to speak of (Gopher's
# repetition rules drop text that repeats itself, as a small vocabulary would).
_RNG = random.Random(11)
WORDS = [
    "".join(_RNG.choice("abcdefghijklmnoprstuvwy") for _ in range(_RNG.randint(3, 8))) for _ in range(3000)
]
NOTICE = "\n\nThis text is dedicated to the public domain under CC0 1.0 Universal.\n"


def _essay(rng: random.Random, paragraphs: int = 12) -> str:
    out = []
    for _ in range(paragraphs):
        sentences = []
        for _ in range(rng.randint(4, 8)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
            words[rng.randrange(len(words))] = "the"
            words[rng.randrange(len(words))] = "and"
            sentences.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(sentences))
    return "\n\n".join(out)


def _corpus(root: Path, n: int = 40) -> Path:
    rng = random.Random(5)
    corpus = root / "corpus"
    for i in range(n):
        folder = corpus / f"f{i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"essay{i:03d}.txt").write_text(_essay(rng) + NOTICE)
    base = (corpus / "f0" / "essay000.txt").read_text()
    (corpus / "f3" / "copy-of-essay000.txt").write_text(base)  # exact duplicate, later task
    words = base.split(" ")
    words[10] = "lighthouse"  # a one-word edit: a near duplicate
    (corpus / "f3" / "edited-essay000.txt").write_text(" ".join(words))
    return corpus


def _config(corpus: Path, *extra: str):  # type: ignore[no-untyped-def]
    config = load_config(
        None,
        [
            "executor.progress=false",
            "ingest.target_task_bytes=20000",
            "curate.language.keep=en",
            "curate.steps=boilerplate,normalize,quality.gopher,quality.gopher_repetition,pii,dedup",
            *extra,
        ],
    )
    config.ingest.inputs = [str(corpus)]
    return config


def test_dedup_across_tasks_names_what_was_duplicated(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    ws = tmp_path / "ws"
    run_stages(_config(corpus), ws, ["ingest", "clear", "curate"])
    _, rows = run_sql(
        ws,
        """
        SELECT i.file_name, l.reasons[1], json_extract_string(l.evidence, '$.dup_of') AS dup_of
        FROM ledger l JOIN ingest i USING (doc_id)
        WHERE l.stage = 'curate' AND l.step = 'dedup' AND l.decision = 'drop' ORDER BY 1""",
    )
    _, first = run_sql(ws, "SELECT doc_id FROM ingest WHERE file_name = 'essay000.txt'")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("copy-of-essay000.txt", "dedup.exact", first[0][0]),
        ("edited-essay000.txt", "dedup.near", first[0][0]),
    ]
    _, kept = run_sql(ws, "SELECT count(*) FROM curate")
    assert kept[0][0] == 40
    assert Ledger(ws / "ledger").verify().rows > 0


def test_dry_run_drops_nothing_but_records_everything(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, n=8)
    ws = tmp_path / "ws"
    run_stages(_config(corpus, "curate.dry_run=true"), ws, ["ingest", "clear", "curate"])
    _, kept = run_sql(ws, "SELECT count(*) FROM curate")
    _, drops = run_sql(ws, "SELECT count(*) FROM ledger WHERE stage = 'curate' AND decision = 'drop'")
    assert kept[0][0] == 10 and drops[0][0] >= 2


def test_unknown_step_is_a_config_error(tmp_path: Path) -> None:
    from clearlm.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown step"):
        run_stages(_config(_corpus(tmp_path, n=4), "curate.steps=quality.nope"), tmp_path / "ws")


def test_report_writes_chart_and_page(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, n=8)
    ws = tmp_path / "ws"
    run_stages(_config(corpus), ws, ["ingest", "clear", "curate"])
    result = subprocess.run(
        [sys.executable, "-m", "clearlm.cli", "report", "-w", str(ws)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "curate/dedup" in result.stdout and "dedup.exact" in result.stdout
    assert (ws / "report" / "funnel.png").read_bytes()[:4] == b"\x89PNG"
    assert "CC0-1.0" in (ws / "report" / "funnel.html").read_text()


def _digest(ws: Path) -> dict[str, str]:
    return {
        p.relative_to(ws).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(ws.rglob("*"))
        if p.is_file()
        and p.relative_to(ws).as_posix().startswith("stages/")
        and "/events/" not in p.as_posix()
    }


@pytest.mark.slow
def test_kill9_mid_dedup_then_rerun_is_identical(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, n=60)
    args = [
        "--set",
        "executor.workers=2",
        "--set",
        "executor.progress=false",
        "--set",
        "ingest.target_task_bytes=20000",
        "--set",
        "curate.steps=boilerplate,normalize,quality.gopher,quality.gopher_repetition,pii,dedup",
    ]
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    for ws in (clean, killed):
        cmd = [sys.executable, "-m", "clearlm.cli", "ingest", str(corpus), "-w", str(ws), *args]
        subprocess.run(cmd, check=True, capture_output=True)
        subprocess.run(
            [sys.executable, "-m", "clearlm.cli", "clear", "-w", str(ws)], check=True, capture_output=True
        )
    subprocess.run(
        [sys.executable, "-m", "clearlm.cli", "curate", "-w", str(clean)], check=True, capture_output=True
    )
    points = [
        lambda: any((killed / "stages/curate_prep/done").glob("0*")),
        lambda: (killed / "stages/curate/duplicates.parquet").exists(),
        lambda: any((killed / "stages/curate/done").glob("0*")),
        lambda: any((killed / "ledger").glob("*-curate-*.parquet")),
    ]
    landed = 0
    for ready in points:
        proc = subprocess.Popen(
            [sys.executable, "-m", "clearlm.cli", "curate", "-w", str(killed)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if ready():
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                landed += 1
                break
            time.sleep(0.002)
        proc.wait()
    assert landed >= 1
    subprocess.run(
        [sys.executable, "-m", "clearlm.cli", "curate", "-w", str(killed)], check=True, capture_output=True
    )
    assert _digest(killed) == _digest(clean)

    def content(ws: Path) -> list[tuple[object, ...]]:
        return run_sql(
            ws, "SELECT seq, stage, step, doc_id, decision, reasons, evidence FROM ledger ORDER BY seq"
        )[1]

    assert content(killed) == content(clean)
    assert json.loads((killed / "stages/curate/_COMPLETE.json").read_text())["docs_out"] > 0
