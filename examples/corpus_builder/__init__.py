"""The demo-corpus builder behind examples/build_corpus.py, one module per part of the corpus.

The corpus is the small, committed input of `recipes/demo.toml` and the answer key for clearance tests:
every file (and every WARC record, JSONL line, Parquet row) stands for one rights case, listed with the
decision and reason codes a correct pipeline should reach in `examples/CORPUS.md`, which the builder
writes from the same tables it builds the files from.

Sources:
- books/pg*.txt are short excerpts of real Project Gutenberg eBooks (public domain in the USA), read at
  build time from ../shared/data/gutenberg (or --gutenberg / $CLEARLM_GUTENBERG). Their PG header and
  the full PG licence footer are kept byte for byte; only the middle of a long body is cut. A few other
  books/ files reuse short public-domain passages from the same eBooks.
- Everything else (web pages, forum posts, code, notes, wiki articles, publishers, authors, hosts) is
  invented for this corpus. All hosts use the reserved .example TLD and 192.0.2.0/24 addresses.

Determinism: fixed WARC-Dates and record ids (uuid5), gzip members with mtime 0 and no file name,
seeded randomness only, sorted iteration everywhere. The output does not depend on the clock, the
working directory or the file system order.

Modules, in build order:
- primitives: the answer-key entry (`Expect`), the `Corpus` writer and deterministic helpers.
- gutenberg: books/pg*.txt excerpts; invented_books (+ book_texts_*): invented books/ cases.
- crawl (+ web_pages, pages_*, warc_writer): web/crawl.warc.gz with robots.txt and TDMRep;
  damaged_crawl: web/crawl-damaged.warc.gz.
- forum, code_files, notes_jsonl: jsonl/; parquet_tables: parquet/; misc_files: misc/.
- licensed: licensed/, contracts.toml and the protected-works review.
- manifest: CORPUS.md; cli: the command line.
"""

from .cli import main

__all__ = ["main"]
