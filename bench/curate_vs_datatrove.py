"""clearlm's curation chain against datatrove's, side by side, on the same books (target ≥ 20× per core).

    .venv/bin/python bench/curate_vs_datatrove.py [--limit N] [--workers N] [--corpus FOLDER]

The chain on both sides: Gopher quality + Gopher repetition (max_doc_words raised to 2,000,000 on
both, so books are not dropped for length), then exact and MinHash deduplication (FineWeb's 5-gram,
14 buckets × 8 hashes).

- clearlm: ingest and clear run untimed, then the curate stage is timed with
  `curate.steps=quality.gopher,quality.gopher_repetition,dedup` (ledger, parts and markers included).
- datatrove 0.10.1: bench/datatrove_chain.py, in its own venv (bench/setup_datatrove.sh makes it on
  first use; PyPI is needed once), as a subprocess; its JSONL conversion is untimed, its six
  LocalPipelineExecutor stages are timed (intermediate JSONL included, as datatrove runs them).

Both read one copy of the corpus's .txt files (the first N by path with --limit); clearlm's curate
reads what its clearance let through (147 of the 150 books), and each side's MB/s is over the text
it was given. Per-core figures
divide by --workers; with one worker, CPU seconds are shown too (steadier than wall time on a shared
machine). The full 150 books take datatrove about five minutes on one worker.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1] / "shared" / "data" / "gutenberg"
DATATROVE_PYTHON = HERE / ".venv-datatrove" / "bin" / "python"
STEPS = "quality.gopher,quality.gopher_repetition,dedup"
TARGET = 20.0


def copy_corpus(corpus: Path, dest: Path, limit: int | None) -> Path:
    """The corpus's .txt files (the first `limit` by relative path) under dest/<corpus name>.

    Both tools read this one copy, so they see the same files; the folder keeps the corpus's name,
    which clearlm's doc ids start with.
    """
    files = sorted(corpus.rglob("*.txt"), key=lambda p: p.relative_to(corpus).as_posix())
    if limit is not None:
        files = files[:limit]
    if not files:
        sys.exit(f"bench: no .txt files under {corpus}")
    root = dest / corpus.resolve().name
    for path in files:
        target = root / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return root


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children: per-core cost on a shared machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_clearlm(folder: Path, ws: Path, workers: int) -> dict[str, Any]:
    """Ingest and clear untimed, curate timed; raises RuntimeError if the curate stage is missing."""
    try:
        from clearlm.config import load_config
        from clearlm.errors import ConfigError
        from clearlm.ledger.query import run_sql
        from clearlm.runner import run_stages
    except ImportError as exc:
        raise RuntimeError(f"clearlm's curate stage is not importable yet ({exc})") from exc
    try:
        config = load_config(
            None, [f"executor.workers={workers}", "executor.progress=false", f"curate.steps={STEPS}"]
        )
    except ConfigError as exc:
        raise RuntimeError(f"clearlm's config has no curate stage yet ({exc})") from exc
    # Set directly rather than as an override: a path may hold commas, which split a list override.
    config.ingest.inputs = [str(folder)]
    ingest, clear = run_stages(config, ws, ["ingest", "clear"])
    try:
        start, cpu_start = time.perf_counter(), cpu_seconds()
        results = run_stages(config, ws, ["curate"])
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    except ConfigError as exc:
        raise RuntimeError(f"clearlm's runner has no curate stage yet ({exc})") from exc
    # Untimed: which rules dropped what, to set beside datatrove's counts.
    _, rows = run_sql(
        ws,
        "SELECT reason, count(*) FROM (SELECT unnest(reasons) AS reason FROM ledger"
        " WHERE stage = 'curate' AND decision = 'drop') GROUP BY reason ORDER BY reason",
    )
    return {
        "tool": "clearlm",
        "dropped": {str(reason): int(count) for reason, count in rows},
        "docs_read": ingest.stats["docs_out"],
        # What clearance let through is what curate reads.
        "docs_in": clear.stats["docs_out"],
        "bytes_in": clear.stats["text_bytes_out"],
        "docs_after_filters": results[0].stats["docs_out"],
        "docs_out": results[-1].stats["docs_out"],
        "seconds": seconds,
        "cpu_seconds": cpu,
    }


def run_datatrove(folder: Path, workers: int, log: Path) -> dict[str, Any]:
    """Set up datatrove's venv if needed, run its chain, and return its JSON; its log goes to `log`."""
    if subprocess.run(["bash", str(HERE / "setup_datatrove.sh")]).returncode != 0:
        raise RuntimeError("bench/setup_datatrove.sh failed (see above)")
    with log.open("w") as err:
        done = subprocess.run(
            [str(DATATROVE_PYTHON), str(HERE / "datatrove_chain.py"), str(folder), "--workers", str(workers)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    if done.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-30:]
        raise RuntimeError("datatrove chain failed:\n" + "\n".join(tail))
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def table(rows: list[dict[str, Any]], workers: int) -> str:
    """Wall seconds, CPU seconds, throughput per core (wall × workers) and document counts."""
    line = "{:<11}{:>9}{:>9}{:>13}{:>11}{:>9}{:>10}{:>6}"
    lines = [line.format("", "wall s", "cpu s", "docs/s/core", "MB/s/core", "docs in", "filtered", "kept")]
    for r in rows:
        core_seconds = r["seconds"] * workers
        lines.append(
            line.format(
                str(r["tool"]).split()[0],
                f"{r['seconds']:.2f}",
                f"{r['cpu_seconds']:.2f}" if workers == 1 else "-",
                f"{r['docs_in'] / core_seconds:.2f}",
                f"{r['bytes_in'] / 1e6 / core_seconds:.3f}",
                r["docs_in"],
                r["docs_after_filters"],
                r["docs_out"],
            )
        )
    return "\n".join(lines)


def ratio(clearlm: dict[str, Any], datatrove: dict[str, Any], key: str) -> float:
    """clearlm's MB per `key` second over datatrove's (each over the text it was given)."""
    return float((clearlm["bytes_in"] / clearlm[key]) / (datatrove["bytes_in"] / datatrove[key]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N books (by path)")
    parser.add_argument("--workers", type=int, default=1, help="workers on both sides (default 1)")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"bench: corpus {args.corpus} not found")
    with tempfile.TemporaryDirectory(prefix="curate-vs-datatrove-") as tmp:
        folder = copy_corpus(args.corpus, Path(tmp) / "corpus", args.limit)
        books = sum(1 for _ in folder.rglob("*.txt"))
        megabytes = sum(p.stat().st_size for p in folder.rglob("*.txt")) / 1e6
        print(
            f"corpus: {args.corpus} ({books} books, {megabytes:.1f} MB), {args.workers} worker(s)", flush=True
        )
        rows: list[dict[str, Any]] = []
        failure = ""
        try:
            rows.append(run_clearlm(folder, Path(tmp) / "ws", args.workers))
        except RuntimeError as exc:
            failure = f"clearlm side failed: {exc}"
            print(failure, file=sys.stderr)
        print("datatrove: running (about 2 s per book on one worker) …", flush=True)
        try:
            datatrove = run_datatrove(folder, args.workers, Path(tmp) / "datatrove.log")
        except RuntimeError as exc:
            sys.exit(f"bench: {exc}")
        rows.append(datatrove)
    print(table(rows, args.workers))
    if rows[0]["tool"] == "clearlm" and rows[0]["docs_read"] != rows[0]["docs_in"]:
        print(f"clearlm: clearance let {rows[0]['docs_in']} of {rows[0]['docs_read']} documents into curate")
    for r in rows:
        print(f"{str(r['tool']).split()[0]} drops: {r['dropped']}")
    print(f"datatrove seconds per stage: {datatrove['stage_seconds']}")
    if failure:
        sys.exit(1)
    wall = ratio(rows[0], datatrove, "seconds")
    verdict = "meets" if wall >= TARGET else "MISSES"
    # CPU time only adds up with one worker: datatrove's pool runs under a forkserver, whose workers
    # are no children of this process, so their time is not counted.
    by_cpu = f", {ratio(rows[0], datatrove, 'cpu_seconds'):.1f}× by CPU time" if args.workers == 1 else ""
    print(
        f"clearlm / datatrove, MB/s per core: {wall:.1f}× wall ({verdict} the ≥ {TARGET:.0f}× target){by_cpu}"
    )


if __name__ == "__main__":
    main()
