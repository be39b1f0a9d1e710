"""Ingest throughput on ../shared/data/gutenberg, in MB/s per core, against a bare baseline.

Both run in this process (the CLI's start-up is reported on its own line).

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

from clearlm.config import load_config
from clearlm.runner import run_stages

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
    """clearlm's ingest stage through its Python API, in this process like the baseline."""
    shutil.rmtree(ws, ignore_errors=True)
    config = load_config(
        None, [f"executor.workers={workers}", "executor.progress=false", "ingest.target_task_bytes=4000000"]
    )
    config.ingest.inputs = [str(folder)]
    start = time.perf_counter()
    run_stages(config, ws, ["ingest"])
    return time.perf_counter() - start


def cli_startup() -> float:
    """Seconds for `clearlm --help` as a process: what every command pays before it starts work."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "clearlm.cli", "--help"], check=True, stdout=subprocess.DEVNULL)
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
    print(
        f"CLI start-up (clearlm --help), paid once per command: {min(cli_startup() for _ in range(3)):.2f} s"
    )


if __name__ == "__main__":
    main()
