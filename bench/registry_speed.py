"""Protected-works registry: registration speed, index size, match latency, recall and false positives.

1. Registers every book of ../shared/data/gutenberg (150 books, 50 MB) — or `--works N` synthetic
   works when the corpus is absent — and reports seconds per MB, index size on disk and load time.
2. Matches `--docs` documents of ~50 KB of bigram-Markov text trained on the same books (so they
   share the books' vocabulary and common phrases): half carry a 300-word excerpt of a random book,
   disguised (curly quotes, case, re-wrapped, hyphenated across lines); half are clean. Reports
   p50/p95 latency, recall (the right work found) and false positives, plus a 500 KB document.
3. Adds `--scale` synthetic works (~5,000 words each) to show how matching scales to thousands
   of registered works, and repeats step 2.

Timings are noisy on a shared machine: read the ratios and orders of magnitude, not the digits.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from clearlm.clear import fingerprint as fpr
from clearlm.clear.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "gutenberg"
EXCERPT_WORDS = 300


def synthetic_vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    syllables = [c + v for c in "bcdfghklmnprstvw" for v in "aeiou"] + ["th", "st", "er", "an", "or"]
    words = {"".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


def disguise(words: list[str], rng: random.Random, width: int = 52) -> str:
    """A re-keyed copy: other quotes and dashes, some shouting, new line breaks, hyphenated words."""
    lines, line = [], ""
    for i, word in enumerate(words):
        word = word.replace('"', "”").replace("'", "’").replace("--", "—")
        word = word.upper() if i % 50 < 6 else word
        if len(line) + 1 + len(word) <= width:
            line = f"{line} {word}".strip()
        elif re.fullmatch(r"[A-Za-z]{8,}", word) and rng.random() < 0.7:
            lines.append(f"{line} {word[: len(word) // 2]}-".strip())
            line = word[len(word) // 2 :]
        else:
            lines.append(line)
            line = word
    return "\n".join([*lines, line])


class Markov:
    """Bigram word model: realistic vocabulary and common phrases, no long verbatim runs."""

    def __init__(self, texts: list[str]) -> None:
        self.next: dict[str, list[str]] = {}
        for text in texts:
            words = text.split()
            for a, b in itertools.pairwise(words):
                self.next.setdefault(a, []).append(b)
        self.starts = [w for w in self.next if w[:1].isupper()] or list(self.next)

    def text(self, rng: random.Random, chars: int) -> str:
        out, size, word = [], 0, rng.choice(self.starts)
        while size < chars:
            out.append(word)
            size += len(word) + 1
            following = self.next.get(word)
            word = rng.choice(following) if following else rng.choice(self.starts)
            if len(out) % 120 == 0:
                out.append("\n\n")
        return " ".join(out)


def body_of(text: str) -> str:
    """The book without Project Gutenberg's header and licence (which every book shares)."""
    start, end = text.find("*** START OF"), text.find("*** END OF")
    return text[text.find("\n", start) if start >= 0 else 0 : end if end > start else len(text)]


Doc = tuple[str, str | None, str]


def make_docs(books: list[Path], model: Markov, rng: random.Random, n: int) -> list[Doc]:
    """(text, title of the quoted book or None, the excerpt) for n documents of ~50 KB."""
    docs: list[Doc] = []
    for i in range(n):
        body = model.text(rng, 50_000)
        if i % 2:
            docs.append((body, None, ""))
            continue
        book = rng.choice(books)
        words = body_of(book.read_text(encoding="utf-8")).split()
        start = rng.randrange(len(words) // 5, max(len(words) * 4 // 5 - EXCERPT_WORDS, len(words) // 5 + 1))
        cut = body.find(" ", len(body) // 2)
        excerpt = disguise(words[start : start + EXCERPT_WORDS], rng)
        docs.append((body[:cut] + "\n\n" + excerpt + "\n\n" + body[cut:], book.name, excerpt))
    return docs


def evaluate(reg: Registry, docs: list[Doc], label: str) -> list[float]:
    times, found, missed, false_pos, duplicates, spurious = [], 0, 0, 0, 0, 0
    for text, title, excerpt in docs:
        start = time.perf_counter()
        signals = reg.match(text)
        times.append((time.perf_counter() - start) * 1000)
        titles = {s.evidence["title"] for s in signals}
        if title is not None:
            found += title in titles
            missed += title not in titles
        others = titles - {title}
        if others:  # another book that holds the same passage (an anthology) is a true match
            shared = {s.evidence["title"] for s in reg.match(excerpt)} if excerpt else set()
            duplicates += len(others & shared)
            false_pos += len(others - shared)
    # How close clean documents come to the threshold: their largest overlap estimate.
    for text, title, _ in docs:
        if title is None:
            overlaps = [int(s.evidence["matched_words"]) for s in reg.match(text, min_words=1)]
            spurious = max([spurious, *overlaps])
    q = statistics.quantiles(times, n=20)
    print(
        f"{label}: match p50 {statistics.median(times):.1f} ms, p95 {q[18]:.1f} ms over {len(docs)} docs of "
        f"~50 KB; recall {found}/{found + missed}; false-positive works {false_pos} "
        f"(+{duplicates} other books holding the same passage); "
        f"largest overlap in a clean doc {spurious} words (threshold 200)"
    )
    return times


def register(reg: Registry, files: list[Path], holder: str) -> tuple[float, float]:
    mb = sum(f.stat().st_size for f in files) / 1e6
    start = time.perf_counter()
    for f in files:
        reg.add(f, holder)
    reg.save()
    return time.perf_counter() - start, mb


def index_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir()) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=150, help="synthetic works when the corpus is absent")
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--scale", type=int, default=3000, help="synthetic works added for the scaling run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if CORPUS.is_dir():
            books = sorted(CORPUS.rglob("*.txt"))
            print(f"corpus: {len(books)} books from {CORPUS}")
        else:
            vocab = synthetic_vocabulary(rng)
            (tmp / "books").mkdir()
            books = []
            for i in range(args.works):
                words = rng.choices(vocab, weights=[1 / (r + 1) for r in range(len(vocab))], k=60_000)
                books.append(tmp / "books" / f"work-{i:05d}.txt")
                books[-1].write_text(" ".join(words), encoding="utf-8")
            print(f"corpus absent: {len(books)} synthetic works of 60,000 words")
        fpr.fingerprint("warm up the code point tables")
        reg_dir = tmp / "registry"
        seconds, mb = register(Registry.open(reg_dir), books, "Bench Holder")
        print(
            f"register {len(books)} works, {mb:.1f} MB: {seconds:.1f} s, {seconds / mb * 1000:.0f} ms/MB "
            f"({mb / seconds:.1f} MB/s); index on disk {index_mb(reg_dir):.1f} MB "
            f"({index_mb(reg_dir) / mb:.2f} x the text)"
        )
        start = time.perf_counter()
        reg = Registry.open(reg_dir)
        print(f"open (load the index): {(time.perf_counter() - start) * 1000:.0f} ms")

        model = Markov([b.read_text(encoding="utf-8") for b in books[:: max(1, len(books) // 30)]])
        docs = make_docs(books, model, rng, args.docs)
        base = evaluate(reg, docs, f"{len(reg.works())} works")

        big = model.text(rng, 500_000)
        quoted = docs[0][0][20_000:32_000]
        big_doc = big[:250_000] + "\n\n" + quoted + "\n\n" + big[250_000:]
        times, found_in_big = [], []
        for _ in range(10):
            start = time.perf_counter()
            found_in_big = reg.match(big_doc)
            times.append((time.perf_counter() - start) * 1000)
        fp_times = []
        for _ in range(10):
            start = time.perf_counter()
            fpr.fingerprint(big_doc)
            fp_times.append((time.perf_counter() - start) * 1000)
        print(
            f"500 KB document: match p50 {statistics.median(times):.1f} ms "
            f"(fingerprinting alone {statistics.median(fp_times):.1f} ms, "
            f"{statistics.median(fp_times) / statistics.median(times):.0%} of it); "
            f"found {[s.evidence['title'] for s in found_in_big]}, quoted {docs[0][1]!r}"
        )
        licence = next((b for b in books if "*** END OF" in b.read_text(encoding="utf-8")), None)
        if licence is not None:
            text = licence.read_text(encoding="utf-8")
            tail = text[text.index("*** END OF") :]
            hits = reg.match(tail)
            print(
                f"Project Gutenberg licence ({len(tail.split())} words, in every registered book): "
                f"{len(hits)} signals (boilerplate is ignored)"
            )

        if args.scale:
            counts = Counter(w for b in books[:20] for w in b.read_text(encoding="utf-8").split())
            vocab_arr = np.array([w for w, _ in counts.most_common(20_000)])
            weights = np.array([c for _, c in counts.most_common(20_000)], dtype=float)
            np_rng = np.random.default_rng(args.seed)
            (tmp / "synthetic").mkdir()
            extra = []
            for i in range(args.scale):
                words = vocab_arr[np_rng.choice(len(vocab_arr), size=5000, p=weights / weights.sum())]
                extra.append(tmp / "synthetic" / f"synthetic-{i:05d}.txt")
                extra[-1].write_text(" ".join(words), encoding="utf-8")
            seconds, mb = register(reg, extra, "Synthetic Holder")
            print(
                f"add {args.scale} synthetic works, {mb:.1f} MB: {seconds:.1f} s "
                f"({seconds / mb * 1000:.0f} ms per MB incl. re-sorting the index); "
                f"index on disk {index_mb(reg_dir):.1f} MB"
            )
            start = time.perf_counter()
            reg = Registry.open(reg_dir)
            print(f"open (load the index): {(time.perf_counter() - start) * 1000:.0f} ms")
            scaled = evaluate(reg, docs, f"{len(reg.works())} works")
            ratio = statistics.median(scaled) / statistics.median(base)
            print(f"scaling: {len(reg.works()) / len(books):.0f}x the works -> {ratio:.2f}x the p50 latency")
    return 0


if __name__ == "__main__":
    sys.exit(main())
