"""datatrove's side of bench/curate_vs_datatrove.py: Gopher filters, exact and MinHash dedup.

Runs inside bench/.venv-datatrove (bench/setup_datatrove.sh), never in the project venv:

    bench/.venv-datatrove/bin/python bench/datatrove_chain.py FOLDER [--workers N]

and prints one JSON object: seconds, docs in/out (and after each dedup), text bytes in.

datatrove 0.10.1 has no plain-text reader, so the .txt files (sorted by relative path, one book one
document, decoded as UTF-8 like clearlm's ingest does) are first written as JSONL shards in a temp
folder, outside the timing, and read with JsonlReader. Everything after that is timed, as datatrove
runs it (each stage of its own LocalPipelineExecutor, intermediate JSONL on disk):

    1 filter   JsonlReader → GopherQuality → GopherRepetition → JsonlWriter → ExactDedupSignature
    2 exact    ExactFindDedups                                                   (1 task)
    3 sigs     JsonlReader → ExactDedupFilter → JsonlWriter → MinhashDedupSignature
    4 buckets  MinhashDedupBuckets                              (14 tasks: one per bucket)
    5 cluster  MinhashDedupCluster                                               (1 task)
    6 dedup    JsonlReader → MinhashDedupFilter → JsonlWriter

Exact dedup runs before MinHash, on its own pass, because both dedup filters find documents by
their index in the task's input: chaining the two filters in one pass would shift the second's.
"""

from __future__ import annotations

import argparse
import heapq
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import (
    ExactDedupConfig,
    ExactDedupFilter,
    ExactDedupSignature,
    ExactFindDedups,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from datatrove.utils.hashing import HashConfig
from datatrove.utils.text import TextNormConfig, simplify_text

# FineWeb's MinHash settings (datatrove examples/fineweb.py): 5-gram shingles, 14 buckets × 8 hashes,
# 64-bit SHA-1 hashes.
MINHASH = MinhashConfig(
    hash_config=HashConfig(hash_fc="sha1", precision=64), num_buckets=14, hashes_per_bucket=8, n_grams=5
)
# Gopher's 100,000 drops 30 of the 150 Gutenberg books for length; clearlm's recipe raises it too.
MAX_DOC_WORDS = 2_000_000


def _exact_key(doc: Document) -> str:
    """Content key for exact dedup: datatrove's own text simplification (case, spaces, punctuation)."""
    key: str = simplify_text(doc.text, TextNormConfig())
    return key


EXACT = ExactDedupConfig(content_getter=_exact_key)


def write_shards(folder: Path, out: Path, shards: int, limit: int | None) -> tuple[int, int]:
    """Every .txt under `folder` as JSONL, spread over `shards` files of about equal bytes."""
    paths = sorted(folder.rglob("*.txt"), key=lambda p: p.relative_to(folder).as_posix())
    if limit is not None:
        paths = paths[:limit]
    docs = [(p.relative_to(folder).as_posix(), p.read_bytes().decode("utf-8-sig", "replace")) for p in paths]
    # Largest first onto the lightest shard, so no worker idles while another reads the big books.
    heap: list[tuple[int, int, list[tuple[str, str]]]] = [(0, i, []) for i in range(shards)]
    for doc_id, text in sorted(docs, key=lambda d: -len(d[1])):
        size, i, members = heapq.heappop(heap)
        members.append((doc_id, text))
        heapq.heappush(heap, (size + len(text), i, members))
    out.mkdir(parents=True)
    for _, i, members in heap:
        with (out / f"{i:05d}.jsonl").open("w", encoding="utf-8") as fh:
            for doc_id, text in sorted(members):
                fh.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    return len(docs), sum(len(text.encode("utf-8")) for _, text in docs)


def _fill_missing(folder: Path, tasks: int) -> None:
    """An empty shard for every task that wrote nothing: readers pick files by sorted position, and a
    gap would hand task k the file of task k+1, out of step with its dedup signatures."""
    folder.mkdir(parents=True, exist_ok=True)
    for rank in range(tasks):
        (folder / f"{rank:05d}.jsonl").touch()


def _cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children: per-core cost on a shared machine.

    Complete with one worker only: with more, datatrove's pool runs under a forkserver, not as children.
    """
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _count(folder: Path) -> int:
    return sum(path.read_bytes().count(b"\n") for path in folder.glob("*.jsonl"))


def run_chain(data: Path, work: Path, workers: int) -> tuple[dict[str, float], dict[str, int]]:
    """The six stages over the shards in `data` (one task per shard): seconds per stage, and how many
    documents each filter dropped for each reason."""
    tasks = len(list(data.glob("*.jsonl")))
    # The bucket stage splits each bucket's hash range over tasks // 14 workers: it needs a multiple
    # of 14 tasks (tasks < 14 divides by zero).
    bucket_tasks = MINHASH.num_buckets * max(1, workers // MINHASH.num_buckets)
    filtered, exact_out, final = work / "filtered", work / "exact_out", work / "output"

    def writer(folder: Path) -> JsonlWriter:
        # Uncompressed: gzip (datatrove's default) would add time that is no part of curation.
        return JsonlWriter(str(folder), output_filename="${rank}.jsonl", compression=None)

    def reader(folder: Path) -> JsonlReader:
        return JsonlReader(str(folder), glob_pattern="*.jsonl", compression=None)

    # (name, pipeline, tasks)
    stages: list[tuple[str, list[Any], int]] = [
        (
            "filter",
            [
                reader(data),
                GopherQualityFilter(max_doc_words=MAX_DOC_WORDS),
                GopherRepetitionFilter(),
                writer(filtered),
                ExactDedupSignature(output_folder=str(work / "exact_sigs"), config=EXACT),
            ],
            tasks,
        ),
        (
            "exact",
            [ExactFindDedups(str(work / "exact_sigs"), str(work / "exact_dups"), config=EXACT)],
            1,
        ),
        (
            "sigs",
            [
                reader(filtered),
                ExactDedupFilter(str(work / "exact_dups"), config=EXACT),
                writer(exact_out),
                MinhashDedupSignature(output_folder=str(work / "sigs"), config=MINHASH),
            ],
            tasks,
        ),
        (
            "buckets",
            [MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=MINHASH)],
            bucket_tasks,
        ),
        (
            "cluster",
            [MinhashDedupCluster(str(work / "buckets"), str(work / "remove_ids"), config=MINHASH)],
            1,
        ),
        ("dedup", [reader(exact_out), MinhashDedupFilter(str(work / "remove_ids")), writer(final)], tasks),
    ]
    seconds: dict[str, float] = {}
    dropped: dict[str, int] = {}
    for name, pipeline, n_tasks in stages:
        if name == "sigs":
            _fill_missing(filtered, tasks)
        elif name == "dedup":
            _fill_missing(exact_out, tasks)
        start = time.perf_counter()
        stats = LocalPipelineExecutor(
            pipeline, tasks=n_tasks, workers=min(workers, n_tasks), logging_dir=str(work / "logs" / name)
        ).run()
        seconds[name] = time.perf_counter() - start
        for step in stats.stats:
            for key, metric in step.stats.items():
                if key.startswith("dropped_"):
                    reason = key.removeprefix("dropped_")
                    dropped[reason] = dropped.get(reason, 0) + int(metric.total)
    return seconds, dropped


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path, help="folder of .txt files (searched recursively)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="only the first N files (sorted by path)")
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"datatrove_chain: {args.folder} is not a folder")
    with tempfile.TemporaryDirectory(prefix="datatrove-chain-") as tmp:
        work = Path(tmp)
        docs_in, bytes_in = write_shards(args.folder, work / "input", args.workers, args.limit)
        cpu_start = _cpu_seconds()
        seconds, dropped = run_chain(work / "input", work, args.workers)
        cpu = _cpu_seconds() - cpu_start
        filtered, exact, final = (
            _count(work / "filtered"),
            _count(work / "exact_out"),
            _count(work / "output"),
        )
        dropped.update(exact_dedup=filtered - exact, minhash_dedup=exact - final)
        result = {
            "tool": "datatrove 0.10.1",
            "workers": args.workers,
            "docs_in": docs_in,
            "bytes_in": bytes_in,
            "docs_after_filters": filtered,
            "docs_after_exact": exact,
            "docs_out": final,
            "seconds": sum(seconds.values()),
            "cpu_seconds": cpu,
            "stage_seconds": {k: round(v, 3) for k, v in seconds.items()},
            "dropped": dropped,
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
