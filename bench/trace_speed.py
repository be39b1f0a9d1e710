"""Output tracing (`clearlm trace`): index build time and query latency over ≥ 10 M real tokens.

1. Trains clearlm's byte-level BPE (vocabulary 8,192) on the first `--bpe-mb` MB of
   ../shared/data/gutenberg, encodes every book (one book = one document, `[bos] + ids + [eos]`) until
   `--tokens` tokens, holds out every 20th book, and writes WS/tokens/ in the tokenize stage's format
   (shards, index.parquet, manifest.json, tokenizer.json). The ledger is left empty: the pipeline's
   clear and curate stages are not what this measures, so decisions show as "no clearance".
   Without the corpus, books of random words stand in (said so in the output).
2. Builds the trace index (`TraceIndex.open`): copy + SHA-256 of the shards, divsufsort, write.
3. Traces `--queries` texts of ~`--chars` characters: half copied verbatim from random training books,
   half invented (bigram Markov text over the same books: real words and common phrases, but no long
   verbatim runs). Reports p50/p95 latency per kind and overall, whether each copied passage was
   traced to its book, and how many invented texts produced a span.

Timings are noisy on a shared machine: read the orders of magnitude, not the digits.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from clearlm.audit.trace_index import TraceIndex
from clearlm.tokenize.config import TokenizeConfig
from clearlm.tokenize.tokenizer import train_tokenizer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "gutenberg"
SHARD_TOKENS = 4_000_000


def load_books(rng: random.Random) -> list[tuple[str, str]]:
    """(name, text) of every book, or 200 books of random words when the corpus is absent."""
    if CORPUS.is_dir():
        books = [
            (str(p.relative_to(CORPUS)), p.read_text(encoding="utf-8")) for p in sorted(CORPUS.rglob("*.txt"))
        ]
        chars = sum(len(t) for _, t in books)
        print(f"corpus: {len(books)} books, {chars / 1e6:.1f} M characters from {CORPUS}")
        return books
    vocab = ["".join(rng.choice("etaoinshrdlucmfwyp") for _ in range(rng.randint(2, 9))) for _ in range(8000)]
    print("corpus absent: 200 synthetic books of random words")
    return [(f"synthetic-{i}", " ".join(rng.choices(vocab, k=60_000))) for i in range(200)]


Doc = tuple[str, str, NDArray[np.uint16]]  # doc_id, text, [bos] + ids + [eos]


def encode_books(tokens_dir: Path, books: list[tuple[str, str]], target: int, bpe_mb: float) -> list[Doc]:
    """Train the BPE, write tokenizer.json, encode books until `target` tokens."""
    start = time.perf_counter()
    sample = "".join(t for _, t in books)[: int(bpe_mb * 1e6)]
    chunks = (sample[i : i + 100_000] for i in range(0, len(sample), 100_000))
    tokenizer = train_tokenizer(chunks, TokenizeConfig())
    (tokens_dir / "tokenizer.json").write_text(tokenizer.to_str(), encoding="utf-8")
    bos, eos = tokenizer.token_to_id("<|bos|>"), tokenizer.token_to_id("<|eos|>")
    print(f"BPE trained on {bpe_mb:.0f} MB in {time.perf_counter() - start:.1f} s", flush=True)
    start = time.perf_counter()
    docs: list[Doc] = []
    for first in range(0, len(books), 8):  # encode_batch runs on every core
        batch = [text for _, text in books[first : first + 8]]
        encodings = tokenizer.encode_batch(batch, add_special_tokens=False)
        for number, (text, enc) in enumerate(zip(batch, encodings, strict=True), first):
            docs.append((f"book-{number:04d}", text, np.array([bos, *enc.ids, eos], dtype="<u2")))
        if sum(len(d[2]) for d in docs) >= target:
            break
    total = sum(len(d[2]) for d in docs)
    print(f"encoded {total:,} tokens in {time.perf_counter() - start:.1f} s", flush=True)
    return docs


def write_tokens(ws: Path, books: list[tuple[str, str]], target: int, bpe_mb: float) -> list[tuple[str, str]]:
    """WS/tokens/ as the tokenize stage lays it out; returns the (doc_id, text) of the training books."""
    tokens_dir = ws / "tokens"
    tokens_dir.mkdir(parents=True)
    docs = encode_books(tokens_dir, books, target, bpe_mb)
    # Every 20th book is held out.
    splits = {"train": [d for i, d in enumerate(docs) if i % 20 != 19], "heldout": docs[19::20]}
    rows: dict[str, list[object]] = {k: [] for k in ("shard", "start", "length", "doc_id", "split", "source")}
    shards: list[dict[str, object]] = []
    for split, members in splits.items():
        groups: list[list[Doc]] = [[]]
        for doc in members:  # shards of about SHARD_TOKENS, whole documents only
            if groups[-1] and sum(len(d[2]) for d in groups[-1]) + len(doc[2]) > SHARD_TOKENS:
                groups.append([])
            groups[-1].append(doc)
        for group in filter(None, groups):
            data = np.concatenate([ids for _, _, ids in group]).tobytes()
            name = f"shard-{len(shards):05d}.bin"
            (tokens_dir / name).write_bytes(data)
            offset = 0
            for doc_id, _, ids in group:
                for key, value in zip(
                    rows, (len(shards), offset, len(ids), doc_id, split, doc_id), strict=True
                ):
                    rows[key].append(value)
                offset += len(ids)
            sha = hashlib.sha256(data).hexdigest()
            shards.append({"file": name, "split": split, "tokens": offset, "docs": len(group), "sha256": sha})
    n = len(rows["shard"])
    table = pa.table(
        {**rows, "repeat": [0] * n, "group": ["gutenberg"] * n, "license": ["LicenseRef-PD"] * n}
    )
    pq.write_table(
        table.cast(table.schema.set(0, pa.field("shard", pa.int32()))), tokens_dir / "index.parquet"
    )
    tokenizer = json.loads((tokens_dir / "tokenizer.json").read_text(encoding="utf-8"))
    manifest = {
        "format": "clearlm-tokens-v1",
        "dtype": "uint16",
        "vocab_size": len(tokenizer["model"]["vocab"]),
        "bos_id": int(docs[0][2][0]),
        "eos_id": int(docs[0][2][-1]),
        "shards": shards,
    }
    (tokens_dir / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return [(doc_id, text) for doc_id, text, _ in splits["train"]]


def body_of(text: str) -> str:
    """The book without Project Gutenberg's header and licence (every book has them: common spans)."""
    start, end = text.find("*** START OF"), text.find("*** END OF")
    return text[text.find("\n", start) if start >= 0 else 0 : end if end > start else len(text)]


def markov(texts: list[str], rng: random.Random, chars: int, model: dict[str, list[str]]) -> str:
    """Invented text: a bigram word chain over the books (real words and phrases, no long quotes)."""
    if not model:
        for text in texts:
            for a, b in itertools.pairwise(body_of(text).split()):
                model.setdefault(a, []).append(b)
    word, out = rng.choice(list(model)), []
    while sum(len(w) + 1 for w in out) < chars:
        out.append(word)
        word = rng.choice(model.get(word) or list(model))
    return " ".join(out)


def measure(index: TraceIndex, books: list[tuple[str, str]], args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    model: dict[str, list[str]] = {}
    sample = [t for _, t in books[:: max(1, len(books) // 20)]]
    times: dict[str, list[float]] = {"copied": [], "invented": []}
    longest: dict[str, list[int]] = {"copied": [], "invented": []}
    found, tokens = 0, []
    for i in range(args.queries):
        kind = "copied" if i % 2 == 0 else "invented"
        if kind == "copied":
            doc_id, text = rng.choice(books)
            body = body_of(text)
            at = rng.randrange(0, max(1, len(body) - args.chars))
            query = body[at : at + args.chars]
        else:
            query = markov(sample, rng, args.chars, model)
        start = time.perf_counter()
        result = index.trace(query)
        times[kind].append((time.perf_counter() - start) * 1000)
        tokens.append(result.tokens)
        longest[kind].append(max((s.length for s in result.spans), default=0))
        if kind == "copied":
            found += any(d.doc_id == doc_id for s in result.spans for d in s.docs)
    every = times["copied"] + times["invented"]
    for label, values in [*times.items(), ("all", every)]:
        p95 = statistics.quantiles(values, n=20)[18]
        print(
            f"trace {label:>8}: p50 {statistics.median(values):6.1f} ms, p95 {p95:6.1f} ms, "
            f"max {max(values):6.1f} ms over {len(values)} texts"
        )
    print(f"texts of {args.chars} characters: {statistics.median(tokens):.0f} tokens (median)")
    print(
        f"copied passages traced to their book: {found}/{len(longest['copied'])}, longest span median "
        f"{statistics.median(longest['copied']):.0f} tokens"
    )
    spans = longest["invented"]
    print(
        f"invented texts with a span: {sum(n > 0 for n in spans)}/{len(spans)}, longest span median "
        f"{statistics.median(spans):.0f}, max {max(spans)} tokens (bigram text re-creates short real phrases)"
    )
    p95 = statistics.quantiles(every, n=20)[18]
    print(f"p95 {p95:.0f} ms vs target 300 ms: {'OK' if p95 <= 300 else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=12_000_000, help="stop encoding books after this many")
    parser.add_argument("--bpe-mb", type=float, default=8, help="MB of text the BPE is trained on")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--chars", type=int, default=600, help="characters per traced text")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        books = write_tokens(ws, load_books(random.Random(args.seed)), args.tokens, args.bpe_mb)
        start = time.perf_counter()
        index = TraceIndex.open(ws)
        seconds = time.perf_counter() - start
        n = sum(index.build_report.tokens.values())
        disk = sum(p.stat().st_size for p in (ws / "tokens" / "trace").iterdir()) / 1e6
        print(
            f"index build: {seconds:.1f} s for {n:,} tokens {index.build_report.tokens} "
            f"({n / seconds / 1e6:.1f} M tokens/s); {disk:.0f} MB on disk ({disk * 1e6 / n:.0f} bytes/token)"
        )
        TraceIndex._cache.clear()
        start = time.perf_counter()
        index = TraceIndex.open(ws)
        print(f"open an existing index: {(time.perf_counter() - start) * 1000:.0f} ms")
        measure(index, books, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
