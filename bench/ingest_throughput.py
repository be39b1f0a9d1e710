"""Ingest throughput on ../shared/data/gutenberg, in MB/s per core, against a bare baseline.

The baseline does only what any ingest must do — read each file, decode it, write the text to
zstd Parquet with pyarrow — with no ledger, no quarantine, no resume markers. The ratio says what
clearlm's provenance costs. Timings are noisy on a shared machine: read the ratios, not the seconds.
Each figure is the best of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from charset_normalizer import from_bytes

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "gutenberg"


def corpus_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def baseline(folder: Path, out: Path) -> float:
    """Read, decode, write one Parquet file; single process."""
    start = time.perf_counter()
    texts, names = [], []
    for path in sorted(folder.rglob("*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = str(from_bytes(raw).best())
        texts.append(text)
        names.append(path.name)
    pq.write_table(
        pa.table({"file_name": names, "text": texts}), out / "baseline.parquet", compression="zstd"
    )
    return time.perf_counter() - start


def clearlm_ingest(folder: Path, ws: Path, workers: int) -> float:
    """The real CLI, timed as a whole process (start-up included, as a user sees it)."""
    shutil.rmtree(ws, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "clearlm.cli",
        "ingest",
        str(folder),
        "-w",
        str(ws),
        "--set",
        f"executor.workers={workers}",
        "--set",
        "executor.progress=false",
        "--set",
        "ingest.target_task_bytes=4000000",
    ]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"bench: corpus {args.corpus} not found (expected ../shared/data/gutenberg)", file=sys.stderr)
        sys.exit(2)
    mb = corpus_mb(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        base = min(baseline(args.corpus, out) for _ in range(args.repeat))
        one = min(clearlm_ingest(args.corpus, out / "ws1", 1) for _ in range(args.repeat))
        two = min(clearlm_ingest(args.corpus, out / "ws2", 2) for _ in range(args.repeat))
    rows = [
        ("baseline (read+decode+parquet, 1 proc)", base, 1),
        ("clearlm ingest, 1 worker", one, 1),
        ("clearlm ingest, 2 workers", two, 2),
    ]
    print(f"corpus: {args.corpus} ({mb:.1f} MB), best of {args.repeat}")
    print(f"{'run':<42}{'MB/s':>8}{'MB/s/core':>11}{'vs baseline/core':>18}")
    for name, seconds, cores in rows:
        per_core = mb / seconds / cores
        print(f"{name:<42}{mb / seconds:>8.1f}{per_core:>11.1f}{per_core / (mb / base):>17.2f}x")
    print(f"parallel speed-up 2 workers vs 1: {one / two:.2f}x")


if __name__ == "__main__":
    main()
