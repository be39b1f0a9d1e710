"""kill -9 during the tokenize stage, rerun, and WS/tokens/ is byte-identical to an uninterrupted run.

The stage runs in a subprocess (two worker processes) that is SIGKILLed as a group: while tasks
run, during the ledger commit, and while pack writes shards and the index.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from clearlm.ledger import Ledger
from clearlm.runner import run_stages
from tests.kill import kill_when
from tests.tokenize.corpus import make_config, make_corpus

REPO = Path(__file__).resolve().parents[2]
# Small shards: pack writes (and fsyncs) one per document, which leaves time to kill it half-way.
EXTRA = ["executor.workers=2", "tokenize.shard_tokens=300", "ingest.target_task_bytes=6000"]
SCRIPT = (
    "import sys; from pathlib import Path; from tests.tokenize.corpus import make_config; "
    "from clearlm.runner import run_stages; "
    "run_stages(make_config(Path(sys.argv[1]), *sys.argv[3:]), Path(sys.argv[2]), ['tokenize'])"
)


def _tokenize(corpus: Path, ws: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-c", SCRIPT, str(corpus), str(ws), *EXTRA]
    return subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def _digest(ws: Path) -> dict[str, str]:
    """Every published file of the stage and its tokens, except events (they carry times)."""
    out = {}
    for path in sorted([*ws.joinpath("tokens").rglob("*"), *ws.joinpath("stages/tokenize").rglob("*")]):
        rel = path.relative_to(ws).as_posix()
        if path.is_file() and "/events/" not in rel and rel != "tokens/manifest.json":
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _ledger_content(ws: Path) -> list[tuple[object, ...]]:
    keys = ("seq", "stage", "step", "doc_id", "source", "content_sha256", "decision", "evidence")
    rows = []
    for segment in sorted((ws / "ledger").glob("[0-9]*.parquet")):
        rows += [tuple(r[k] for k in keys) for r in pq.read_table(segment).to_pylist()]
    return rows


@pytest.mark.slow
def test_kill9_during_tokenize_then_rerun_gives_identical_tokens(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, books=30, web=30)
    base = tmp_path / "base"
    run_stages(make_config(corpus, *EXTRA), base, ["ingest", "clear", "curate"])
    clean, ws = tmp_path / "clean", tmp_path / "killed"
    shutil.copytree(base, clean)
    shutil.copytree(base, ws)
    proc = _tokenize(corpus, clean)
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode() if proc.stderr else ""

    done = ws / "stages/tokenize/done"
    n_tasks = len(json.loads((clean / "stages/tokenize/plan.json").read_text())["tasks"])
    assert n_tasks >= 6
    kill_points = [
        lambda: done.is_dir() and len(os.listdir(done)) >= 1,
        lambda: done.is_dir() and len(os.listdir(done)) >= n_tasks // 2,
        lambda: any((ws / "ledger").glob("*-tokenize-*.parquet")),
        lambda: len(list((ws / "tokens").glob("shard-*.bin"))) >= 3,
        lambda: len(list((ws / "tokens").glob("shard-*.bin"))) >= 20,
    ]
    kills = [kill_when(_tokenize(corpus, ws), ready, timeout=120.0) for ready in kill_points]
    assert sum(kills) >= 3, f"the kill points should land inside the run: {kills}"
    final = _tokenize(corpus, ws)
    assert final.wait(timeout=300) == 0, final.stderr.read().decode() if final.stderr else ""

    assert _digest(ws) == _digest(clean)
    assert _ledger_content(ws) == _ledger_content(clean)
    manifest, reference = (json.loads((w / "tokens/manifest.json").read_text()) for w in (ws, clean))
    assert manifest.pop("ledger_head") == Ledger(ws / "ledger").verify().head_hash
    reference.pop("ledger_head")
    assert manifest == reference
    assert [p for p in ws.rglob(".tmp-*")] == []
