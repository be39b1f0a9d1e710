"""A near-duplicate evaluation set with known pairs, and how to score a dedup result against it.

From a list of passages (tests pass their own paragraphs; bench/dedup_quality.py takes ~200 from
Gutenberg books), every passage gets variants of known kinds:

- rewrap      the same words, new line breaks and spacing                      (Jaccard 1 after normalising)
- punct       curly quotes, em dashes, dropped commas, SHOUTED and Title words  (Jaccard 1 after normalising)
- edit-R      each word, with probability R, replaced, deleted or followed by an inserted word
- truncate-T  the last T of the words cut off                                   (Jaccard ≈ 1 − T)
- embed-F     the passage inside another passage's text, F of the result        (Jaccard ≈ F)
- negative    a different passage (paired with this one: it must not be reported)

The exact Jaccard of every pair is computed on the same normalised word 5-gram shingles that dedup
uses, so the score measures the MinHash + LSH + confirmation path, not the normalisation.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from clearlm.curate import minhash

EDIT_RATES = (0.005, 0.01, 0.02, 0.03, 0.05, 0.10, 0.20)
# Not 40%: its pair with 25% would sit at exactly J = 0.60 / 0.75 = 0.8, a coin flip on the threshold.
TRUNCATIONS = (0.05, 0.10, 0.25, 0.50)
EMBED_SHARES = (0.9, 0.6)
Variant = Callable[[list[str], random.Random, list[str]], str]


def _rewrap(words: list[str], rng: random.Random) -> str:
    lines, line, width = [], [], rng.randint(35, 90)
    for word in words:
        if line and sum(map(len, line)) + len(line) + len(word) > width:
            lines.append(("  " if rng.random() < 0.1 else " ").join(line))
            line = []
            if rng.random() < 0.05:
                lines.append("")
        line.append(word)
    return "\n".join([*lines, " ".join(line)])


def _punct(words: list[str], rng: random.Random) -> str:
    out = []
    for i, word in enumerate(words):
        word = word.replace("'", "’").replace("--", "—").replace('"', rng.choice("“”"))
        if word.endswith(",") and rng.random() < 0.5:
            word = word[:-1]
        word = word.upper() if i < 6 else (word.title() if rng.random() < 0.05 else word)
        out.append(word)
    return " ".join(out)


def _edit(words: list[str], rng: random.Random, rate: float, vocab: list[str]) -> str:
    out = []
    for word in words:
        if rng.random() >= rate:
            out.append(word)
            continue
        op = rng.randrange(3)
        if op == 0:
            out.append(rng.choice(vocab))  # replaced
        elif op == 2:
            out.extend([word, rng.choice(vocab)])  # another word inserted after it
    return " ".join(out)


def _embed(words: list[str], rng: random.Random, share: float, filler: list[str]) -> str:
    extra = round(len(words) * (1 - share) / share)
    start = rng.randrange(max(1, len(filler) - extra))
    around = (filler * (1 + extra // max(1, len(filler))))[start : start + extra]
    cut = rng.randint(0, len(around))
    return " ".join([*around[:cut], *words, *around[cut:]])


def variants() -> dict[str, Variant]:
    """Every variant kind by name: f(passage words, rng, other text's words) -> variant text."""
    kinds: dict[str, Variant] = {
        "rewrap": lambda w, rng, other: _rewrap(w, rng),
        "punct": lambda w, rng, other: _punct(w, rng),
    }
    for rate in EDIT_RATES:
        kinds[f"edit-{rate:.1%}"] = lambda w, rng, other, r=rate: _edit(w, rng, r, other)
    for cut in TRUNCATIONS:
        kinds[f"truncate-{cut:.0%}"] = lambda w, rng, other, c=cut: " ".join(w[: round(len(w) * (1 - c))])
    for share in EMBED_SHARES:
        kinds[f"embed-{share:.0%}"] = lambda w, rng, other, s=share: _embed(w, rng, s, other)
    return kinds


@dataclass
class NearDupSet:
    """Documents in corpus order, and the known pairs between them (indices into `texts`)."""

    texts: list[str] = field(default_factory=list)
    family: list[int] = field(default_factory=list)  # passage each document was made from
    pairs: list[tuple[int, int, str, float]] = field(default_factory=list)  # (original, other, kind, J)


def exact_jaccard(a: str, b: str, n: int = 5) -> float:
    sa, sb = minhash.shingle_set(a, n), minhash.shingle_set(b, n)
    union = len(np.union1d(sa, sb))
    return len(np.intersect1d(sa, sb, assume_unique=True)) / union if union else 1.0


def build(
    passages: list[str], negatives: list[str], seed: int = 0, kinds: list[str] | None = None
) -> NearDupSet:
    """Originals first (so they are the kept ones), then all variants and negatives, shuffled."""
    rng = random.Random(seed)
    makers = variants()
    chosen = kinds if kinds is not None else list(makers)
    out = NearDupSet(texts=list(passages), family=list(range(len(passages))))
    later: list[tuple[int, str, str]] = []
    for i, passage in enumerate(passages):
        words = passage.split()
        other = passages[(i + 1 + rng.randrange(len(passages) - 1)) % len(passages)].split()
        later += [(i, kind, makers[kind](words, rng, other)) for kind in chosen]
        if i < len(negatives):  # each negative once: repeated ones would be exact copies of each other
            later.append((i, "negative", negatives[i]))
    rng.shuffle(later)
    for i, kind, text in later:
        out.pairs.append((i, len(out.texts), kind, exact_jaccard(passages[i], text)))
        out.texts.append(text)
        out.family.append(-1 if kind == "negative" else i)
    return out


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs of a text, whitespace collapsed."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


@dataclass
class Score:
    recall: float  # of pairs with exact J ≥ recall_at, the share whose variant was dropped within its family
    precision: float  # of dropped documents, the share whose exact J with their dup_of is ≥ threshold
    relevant: int
    reported: int
    by_kind: dict[str, tuple[int, float, float]]  # kind -> (pairs, mean exact J, share dropped)


def score(data: NearDupSet, dup_of: dict[int, int], threshold: float = 0.8, recall_at: float = 0.8) -> Score:
    """Score `dup_of` (dropped document index -> the index it duplicates) against the known pairs."""
    relevant = [(i, j) for i, j, kind, jac in data.pairs if jac >= recall_at and kind != "negative"]
    found = sum(1 for i, j in relevant if j in dup_of and data.family[dup_of[j]] == data.family[j])
    right = sum(1 for j, k in dup_of.items() if exact_jaccard(data.texts[j], data.texts[k]) >= threshold)
    by_kind: dict[str, list[tuple[float, bool]]] = {}
    for _, j, kind, jac in data.pairs:
        by_kind.setdefault(kind, []).append((jac, j in dup_of))
    return Score(
        recall=found / len(relevant) if relevant else 1.0,
        precision=right / len(dup_of) if dup_of else 1.0,
        relevant=len(relevant),
        reported=len(dup_of),
        by_kind={
            k: (len(v), float(np.mean([j for j, _ in v])), float(np.mean([d for _, d in v])))
            for k, v in by_kind.items()
        },
    )
