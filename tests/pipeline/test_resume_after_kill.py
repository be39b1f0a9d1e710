"""kill -9 at any moment, rerun, and the outputs are byte-identical to an uninterrupted run.

Runs the real `clearlm ingest` in subprocesses (two worker processes) and SIGKILLs the whole process
group at several points: mid-task, with half the tasks done, and during the ledger commit.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.kill import kill_when

WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
]
ARGS = [
    "--set",
    "executor.workers=2",
    "--set",
    "ingest.target_task_bytes=40000",
    "--set",
    "executor.progress=false",
]


def _make_corpus(root: Path) -> Path:
    rng = random.Random(7)
    corpus = root / "corpus"
    for folder in range(6):
        (corpus / f"f{folder}").mkdir(parents=True)
        for i in range(40):
            n = rng.randint(200, 3000)
            (corpus / f"f{folder}" / f"doc{i:03d}.txt").write_text(
                " ".join(rng.choice(WORDS) for _ in range(n))
            )
    lines = [
        json.dumps({"id": i, "text": f"record {i} " + " ".join(rng.choices(WORDS, k=40))})
        for i in range(3000)
    ]
    lines.insert(1500, "{not json")
    (corpus / "records.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode(), mtime=0))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "junk.txt").write_bytes(random.Random(1).randbytes(3000))
    return corpus


def _ingest(corpus: Path, ws: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "clearlm.cli", "ingest", str(corpus), "-w", str(ws), *ARGS]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _digest(ws: Path) -> dict[str, str]:
    """Hashes of every published output file (stage parts, stats, markers, quarantine)."""
    out = {}
    for path in sorted(ws.rglob("*")):
        rel = path.relative_to(ws).as_posix()
        if path.is_file() and rel.startswith(("stages/", "quarantine/")) and "/events/" not in rel:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _ledger_content(ws: Path) -> list[tuple[object, ...]]:
    """Ledger rows without the parts that legitimately differ between runs (time, run id, hashes)."""
    rows = []
    for seg in sorted((ws / "ledger").glob("[0-9]*.parquet")):
        for r in pq.read_table(seg).to_pylist():
            rows.append(
                (
                    r["seq"],
                    r["stage"],
                    r["step"],
                    r["doc_id"],
                    r["source"],
                    r["content_sha256"],
                    r["decision"],
                    tuple(r["reasons"]),
                    r["evidence"],
                )
            )
    return rows


@pytest.mark.slow
def test_kill9_then_rerun_gives_identical_outputs(tmp_path: Path) -> None:
    corpus = _make_corpus(tmp_path)
    clean = tmp_path / "clean"
    proc = _ingest(corpus, clean)
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode() if proc.stderr else ""

    ws = tmp_path / "killed"
    done = ws / "stages/ingest/done"
    n_tasks = len(json.loads((clean / "stages/ingest/plan.json").read_text())["tasks"])
    kill_points = [
        lambda: done.is_dir() and len(os.listdir(done)) >= 1,
        lambda: done.is_dir() and len(os.listdir(done)) >= n_tasks // 2,
        lambda: done.is_dir() and len(os.listdir(done)) >= n_tasks - 2,
        lambda: any((ws / "ledger").glob("[0-9]*.parquet")),
        lambda: len(list((ws / "ledger").glob("[0-9]*.parquet"))) >= n_tasks // 2,
    ]
    kills = 0
    for ready in kill_points:
        kills += kill_when(_ingest(corpus, ws), ready)
    assert kills >= 3, "the kill points should land inside the run"
    final = _ingest(corpus, ws)
    assert final.wait(timeout=300) == 0, final.stderr.read().decode() if final.stderr else ""

    assert _digest(ws) == _digest(clean)
    assert _ledger_content(ws) == _ledger_content(clean)
    verify = subprocess.run(
        [sys.executable, "-m", "clearlm.cli", "ledger", "verify", "-w", str(ws)],
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stderr
    docs = pq.read_table(sorted((ws / "stages/ingest").glob("part-*.parquet"))[0]).num_rows
    assert docs > 0
    leftovers = [p for p in ws.rglob(".tmp-*")]
    assert leftovers == []
