"""A small real corpus for the tokenize tests, and the settings they share.

It has two source groups under one input root with different licences (books: CC0, web:
CC BY 4.0) plus a file directly in the root, and text with accents, CJK and emoji so that decoding a
token range must give back the exact curated text.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from clearlm.config import RunConfig, load_config

CC0 = "\n\nThis text is dedicated to the public domain under CC0 1.0 Universal.\n"
CC_BY = "\n\nThis work is licensed under a Creative Commons Attribution 4.0 International License.\n"
EXTRAS = ["café crème", "naïve façade", "東京の夜", "🙂 smile", "tab\tand  double  spaces", "x²+y²"]
BASE_SETTINGS = [
    "executor.progress=false",
    "ingest.target_task_bytes=4000",
    "curate.steps=normalize",
    "tokenize.vocab_size=400",
    "tokenize.heldout_fraction=0.2",
    "tokenize.shard_tokens=1500",
]


def _text(rng: random.Random, words: list[str], n: int) -> str:
    lines = []
    for _ in range(n):
        line = " ".join(rng.choice(words) for _ in range(rng.randint(6, 14)))
        lines.append(line.capitalize() + rng.choice([".", "!", "?", f" ({rng.choice(EXTRAS)})."]))
    return "\n".join(lines)


def make_corpus(root: Path, books: int = 6, web: int = 6, seed: int = 3) -> Path:
    rng = random.Random(seed)
    words = [
        "".join(rng.choice("abcdefghiklmnoprstuvw") for _ in range(rng.randint(2, 7))) for _ in range(300)
    ]
    corpus = root / "corpus"
    for folder, count, notice in (("books", books, CC0), ("web", web, CC_BY)):
        (corpus / folder).mkdir(parents=True)
        for i in range(count):
            (corpus / folder / f"{folder}{i:03d}.txt").write_text(_text(rng, words, 12) + notice)
    (corpus / "readme.txt").write_text(_text(rng, words, 5) + CC0)
    return corpus


def make_config(corpus: Path, *extra: str) -> RunConfig:
    config = load_config(None, [*BASE_SETTINGS, *extra])
    config.ingest.inputs = [str(corpus)]
    return config


TokenizeRun = Callable[..., Path]
