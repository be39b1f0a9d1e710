"""Clearance throughput on ../shared/data/gutenberg, in MB/s per core (target ≥ 50 MB/s per core).

Ingests the books once, then times the clear stage alone (one worker, so MB/s is per core), and
each detector on its own over the same documents, to show where the time goes. Read the ratios and
the per-core figure; this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from clearlm.clear.copyright import detect_copyright
from clearlm.clear.gutenberg import detect_gutenberg
from clearlm.clear.licenses import detect_licenses
from clearlm.clear.optouts import OptoutContext, detect_optouts
from clearlm.clear.piracy import detect_piracy
from clearlm.clear.policy import load_policy
from clearlm.clear.stage import ClearContext
from clearlm.config import load_config
from clearlm.ingest.readers import read_file
from clearlm.ingest.stage import discover
from clearlm.pipeline.document import Document
from clearlm.runner import run_stages

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "gutenberg"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"bench: corpus {args.corpus} not found", file=sys.stderr)
        sys.exit(2)
    config = load_config(
        None, ["executor.workers=1", "executor.progress=false", "ingest.target_task_bytes=4000000"]
    )
    config.ingest.inputs = [str(args.corpus)]
    docs = [d for key, p in discover([str(args.corpus)]) for d in read_file(p, key, config.ingest)]
    docs = [d for d in docs if isinstance(d, Document)]
    mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        run_stages(config, ws, ["ingest"])
        best = float("inf")
        for _ in range(args.repeat):
            shutil.rmtree(ws / "stages" / "clear", ignore_errors=True)
            for seg in (ws / "ledger").glob("*-clear-*.parquet"):
                seg.unlink()
            start = time.perf_counter()
            run_stages(config, ws, ["clear"])
            best = min(best, time.perf_counter() - start)
    policy = load_policy()
    optouts = OptoutContext(policy)
    context = ClearContext(policy, date.today())
    detectors = {
        "licenses": detect_licenses,
        "gutenberg": detect_gutenberg,
        "copyright": lambda d: detect_copyright(d, policy),
        "piracy": detect_piracy,
        "optouts": lambda d: detect_optouts(d, optouts),
        "all signals + decide": context.clear,
    }
    print(f"corpus: {args.corpus} ({mb:.1f} MB of text, {len(docs)} docs), best of {args.repeat}")
    print(
        f"clear stage, 1 worker (ledger, parts, markers included): {mb / best:7.1f} MB/s per core"
        f"  (target 50: {mb / best / 50:.2f}x)"
    )
    for name, detect in detectors.items():
        start = time.perf_counter()
        for doc in docs:
            detect(doc)  # type: ignore[operator]
        seconds = time.perf_counter() - start
        print(f"  {name:<22}{mb / seconds:9.1f} MB/s  ({seconds / best:5.1%} of the stage)")


if __name__ == "__main__":
    main()
