"""`make bench`: every benchmark in this folder, one after another, ratios printed by each."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    "ingest_throughput.py",
    "license_accuracy.py",
    "registry_speed.py",
    "clear_throughput.py",
    "dedup_quality.py",
    "curate_vs_datatrove.py",
    "train_vs_hf.py",
    "serve_speed.py",
    "trace_speed.py",
]

if __name__ == "__main__":
    failed = 0
    for name in BENCHES:
        print(f"\n=== {name}", flush=True)
        failed |= subprocess.run([sys.executable, str(HERE / name), *sys.argv[1:]]).returncode != 0
    sys.exit(1 if failed else 0)
