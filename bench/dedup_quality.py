"""Deduplication: throughput and memory on the Gutenberg books, recall and precision on known pairs.

    .venv/bin/python bench/dedup_quality.py [--corpus FOLDER] [--passages 200] [--workers 1]

1. The books (150, 51 MB) are written as Parquet parts (DOC_SCHEMA), then `find_duplicates` runs
   over them with the default config (exact + MinHash 5-gram, 14 bands × 8 rows, threshold 0.8):
   MB/s per core (CPU seconds, one worker), wall time, and the process's peak RSS.
2. A near-duplicate set (tests/curate/near_dup_set.py) is built from `--passages` passages of
   ≥ 300 words cut from the books (disjoint, from the middle 80% of each book's body, without the
   Project Gutenberg header and licence that every book repeats), each with 15 variants (rewrap,
   punctuation, word edits at 0.5–20%, truncation, embedding in other text) and an unrelated
   negative. Exact Jaccard on the same shingles is the truth. Recall: of pairs with exact J ≥ 0.8,
   the share whose variant was dropped (as a duplicate of its own family). Precision: of dropped
   documents, the share whose exact J with the document named in `dup_of` is ≥ the threshold.
   Targets: both ≥ 0.95. Tables by variant and by exact J show where the misses sit: within a few
   hundredths of the threshold, where a 112-value estimate (standard error ~0.04) cannot decide.

Timings are noisy on a shared machine: read CPU seconds and orders of magnitude.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the set's generator lives with the tests that also use it

from tests.curate import near_dup_set  # noqa: E402

from clearlm.curate.boilerplate import gutenberg_body  # noqa: E402
from clearlm.curate.config import DedupConfig  # noqa: E402
from clearlm.curate.dedup import find_duplicates  # noqa: E402
from clearlm.pipeline.document import DOC_SCHEMA, Document  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "gutenberg"
TARGET = 0.95
BINS = (0.0, 0.5, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0, 1.01)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def write_parts(
    items: list[tuple[str, Callable[[], str]]], folder: Path, parts: int
) -> tuple[list[Path], int]:
    """(key, text loader) documents as `parts` Parquet parts in order, one row group per document.

    Returns the parts and the UTF-8 bytes of text written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, size = [], 0
    for k in range(parts):
        path = folder / f"part-{k:05d}.parquet"
        with pq.ParquetWriter(path, DOC_SCHEMA) as writer:
            for key, load in items[k * len(items) // parts : (k + 1) * len(items) // parts]:
                text = load()
                size += len(text.encode("utf-8"))
                row = Document.create(key, text, source=key).to_row()
                writer.write_table(pa.Table.from_pylist([row], schema=DOC_SCHEMA))
        paths.append(path)
    return paths, size


def throughput(books: list[Path], corpus: Path, tmp: Path, workers: int) -> None:
    items = [
        (b.relative_to(corpus).as_posix(), partial(b.read_text, "utf-8", errors="replace")) for b in books
    ]
    parts, size = write_parts(items, tmp / "books", 8)  # one book in memory at a time
    before = peak_rss_mb()
    cpu, wall = time.process_time(), time.perf_counter()
    table = find_duplicates(parts, DedupConfig(), workers=1)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    mb = size / 1e6
    print(f"books: {len(books)}, {mb:.1f} MB of text in 8 parts")
    print(f"find_duplicates, 1 worker: {cpu:.2f} s CPU ({mb / cpu:.1f} MB/s per core), {wall:.2f} s wall")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (process; {before:.0f} MB before dedup) — limit 2048 MB")
    print(f"duplicates among the books: {table.num_rows}")
    for row in table.to_pylist():
        print(f"  {row['reason']} J={row['jaccard']:.3f} {row['doc_id']} of {row['dup_of']}")
    if workers > 1:
        wall = time.perf_counter()
        same = find_duplicates(parts, DedupConfig(), workers=workers).equals(table)
        print(f"{workers} workers: {time.perf_counter() - wall:.2f} s wall, same result: {same}")


def passages(books: list[Path], count: int, seed: int) -> list[str]:
    """Disjoint passages of ≥ 300 words from the books' bodies, spread round-robin over the books."""
    rng = random.Random(seed)
    per_book = []
    for book in books:
        text = book.read_text("utf-8", errors="replace")
        body = gutenberg_body(text)  # the licence is in every book: passages from it would be copies
        paras = near_dup_set.paragraphs(text[body[0] : body[1]] if body else text)
        paras = paras[len(paras) * 10 // 100 : len(paras) * 90 // 100]
        chunks, current = [], []
        for para in paras:
            current.append(para)
            if sum(len(p.split()) for p in current) >= 300:
                chunks.append("\n\n".join(current))
                current = []
        rng.shuffle(chunks)
        per_book.append([c for c in chunks if len(c.split()) <= 1500])
    out: list[str] = []
    while len(out) < count and any(per_book):
        out += [chunks.pop() for chunks in per_book if chunks][: count - len(out)]
    return out


def quality(books: list[Path], tmp: Path, count: int) -> None:
    cut = passages(books, 2 * count, seed=7)
    data = near_dup_set.build(cut[:count], cut[count:], seed=11)
    parts, _ = write_parts(
        [(f"eval/{i}", partial(str, t)) for i, t in enumerate(data.texts)], tmp / "eval", 4
    )
    config = DedupConfig()
    table = find_duplicates(parts, config)
    index = {Document.create(f"eval/{i}", t, source="").doc_id: i for i, t in enumerate(data.texts)}
    dropped, kept = table["doc_id"].to_pylist(), table["dup_of"].to_pylist()
    dup_of = {index[d]: index[k] for d, k in zip(dropped, kept, strict=True)}
    s = near_dup_set.score(data, dup_of, threshold=config.threshold)
    words = sum(len(t.split()) for t in data.texts) / len(data.texts)
    print(f"\nnear-duplicate set: {count} passages, {len(data.texts)} documents (~{words:.0f} words each)")
    ok = "ok" if s.recall >= TARGET else "MISS"
    print(f"recall    (exact J ≥ 0.8): {s.recall:.3f} of {s.relevant} pairs  (target ≥ {TARGET}: {ok})")
    ok = "ok" if s.precision >= TARGET else "MISS"
    print(f"precision (exact J ≥ {config.threshold}): {s.precision:.3f} of {s.reported} dropped  ({ok})")
    print(f"\n{'variant':14s} {'pairs':>5s} {'mean J':>7s} {'dropped':>8s}")
    for kind, (n, mean_j, dropped) in s.by_kind.items():
        print(f"{kind:14s} {n:5d} {mean_j:7.3f} {dropped:8.3f}")
    print(f"\n{'exact J':14s} {'pairs':>5s} {'dropped':>8s}")
    for lo, hi in itertools.pairwise(BINS):
        hits = [j in dup_of for _, j, kind, jac in data.pairs if lo <= jac < hi]
        if hits:
            label = "1.0" if lo == 1.0 else f"[{lo:.2f}, {min(hi, 1.0):.2f})"
            print(f"{label:14s} {len(hits):5d} {sum(hits) / len(hits):8.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--passages", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1, help="also run with N workers and compare")
    args = parser.parse_args()
    books = sorted(args.corpus.rglob("*.txt"), key=lambda p: p.relative_to(args.corpus).as_posix())
    if not books:
        print(f"bench: no .txt files under {args.corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        throughput(books, args.corpus, Path(tmp), args.workers)
        quality(books, Path(tmp), args.passages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
