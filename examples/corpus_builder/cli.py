"""Command line of the demo-corpus builder: parse flags, run every builder in order, report the size.

The builders run in a fixed order because CORPUS.md lists the answer-key entries in the order they
were added; reordering them would change the committed file even though every corpus file is the same.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from .code_files import build_code
from .crawl import build_crawl
from .damaged_crawl import build_damaged_crawl
from .forum import build_forum
from .gutenberg import build_pg_excerpts
from .invented_books import build_invented_books
from .licensed import build_licensed
from .manifest import write_manifest
from .misc_files import build_misc
from .notes_jsonl import build_broken_lines, build_notes, build_truncated
from .parquet_tables import build_parquet
from .primitives import Corpus

DESCRIPTION = "Build the demo corpus in examples/corpus/ from scratch, byte-identical on every run."
EXAMPLES = Path(__file__).resolve().parent.parent
DEFAULT_OUT = EXAMPLES / "corpus"
DEFAULT_GUTENBERG = EXAMPLES.parent.parent / "shared" / "data" / "gutenberg"
SIZE_LIMIT = 3 * 1024 * 1024  # the whole corpus must stay under 3 MB


def build_all(c: Corpus, gutenberg: Path) -> None:
    """Write every corpus file and CORPUS.md (plus contracts.toml) beside the corpus folder."""
    build_pg_excerpts(c, gutenberg)
    build_invented_books(c, gutenberg)
    build_crawl(c)
    build_damaged_crawl(c)
    build_forum(c)
    build_code(c)
    build_notes(c)
    build_broken_lines(c)
    build_truncated(c)
    build_parquet(c)
    build_misc(c)
    build_licensed(c)
    write_manifest(c)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument(
        "--gutenberg",
        type=Path,
        default=Path(os.environ.get("CLEARLM_GUTENBERG", DEFAULT_GUTENBERG)),
        help="the shared Project Gutenberg library (author folders); default ../shared/data/gutenberg",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (rewritten from scratch)"
    )
    args = parser.parse_args(argv)
    if not args.gutenberg.is_dir():
        print(
            f"build_corpus: {args.gutenberg}: Gutenberg library not found (use --gutenberg)", file=sys.stderr
        )
        return 2

    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    c = Corpus(out)
    build_all(c, args.gutenberg)

    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    files = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"build_corpus: wrote {files} files, {total} bytes, {len(c.expect)} expectations to {out}")
    if total > SIZE_LIMIT:
        print(f"build_corpus: corpus is {total} bytes, over the {SIZE_LIMIT}-byte limit", file=sys.stderr)
        return 1
    return 0
