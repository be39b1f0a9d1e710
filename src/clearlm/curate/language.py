"""Offline language identification with py3langid's model; documents outside `keep` are dropped.

The model is the one py3langid ships (a naive Bayes over byte n-grams, 140 languages, no network).
It looks at `sample_chars` characters from the middle of a document, where a book is its text and
not a title page, contents or an index. The score is py3langid's normalised probability (0–1).

Decisions, in this order:
- score below `min_score` → drop `language.low-score` (evidence: the best guess and its score),
  whether or not the guess is in `keep`: below that confidence the guess says nothing, so naming
  the document "language.de" would be a claim the model did not make;
- a confident language not in `keep` → drop `language.<code>` (e.g. `language.fr`);
- otherwise keep. Every document gets `meta["language"]` and `meta["language_score"]`.

Speed: py3langid walks its n-gram automaton one byte at a time in Python (about 9 ms for 20,000
characters). The automaton's states are Aho–Corasick trie nodes at most DEPTH (6) bytes deep, so
the state after byte i depends only on the DEPTH bytes ending at i: walking all positions at once,
DEPTH numpy gathers deep, gives the same states and then the same scores, 4x faster (the tests check
both against `LanguageIdentifier.classify`). That walk is the one thing hand-written here.

A bilingual book (an opera libretto with the English translation, then the French original) is
identified by the language of its middle.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

from clearlm.curate.config import LanguageConfig
from clearlm.errors import ConfigError
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Drop, Filter, Keep, Verdict

LANGUAGE_LOW_SCORE = "language.low-score"
LANGUAGE_PREFIX = "language."  # language.<code>: a confidently identified language not in `keep`
LANGUAGE_REASONS = {
    "language.<code>": "drop: identified as <code> (ISO 639, e.g. language.fr), not in language.keep",
    LANGUAGE_LOW_SCORE: "drop: the best guess scored below language.min_score (evidence: guess, score)",
}
UNDETERMINED = "und"  # no letters at all: nothing to identify
# The deepest node of py3langid 0.4.0's n-gram automaton, in bytes (see `automaton_depth`).
DEPTH = 6


@dataclass(frozen=True)
class _Model:
    """py3langid's model as flat arrays for the vectorised walk."""

    nextmove: NDArray[np.uint32]  # DFA transitions: state row base + byte → next state
    rowbase: NDArray[np.int64]  # per state: offset of its 256-entry row in nextmove
    output: NDArray[np.int64]  # per state: feature id it emits, or -1
    ptc: NDArray[np.float32]  # (features, classes) log-probabilities; float32 gathers 2x faster
    pc: NDArray[np.float32]  # (classes,) log-priors
    classes: tuple[str, ...]  # per column; a label may repeat (script variants), scores fold into the first

    @property
    def labels(self) -> set[str]:
        return set(self.classes)


@cache
def model() -> _Model:
    """The shipped model, loaded once per process (about 0.6 s)."""
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    nextmove = np.frombuffer(ident.tk_nextmove, dtype=np.uint32)
    rowbase = np.asarray(ident.tk_row, dtype=np.int64) << 8
    return _Model(
        nextmove=nextmove,
        rowbase=rowbase,
        output=np.asarray(ident.tk_output, dtype=np.int64),
        ptc=np.asarray(ident.nb_ptc, dtype=np.float32),
        pc=np.asarray(ident.nb_pc, dtype=np.float32),
        classes=tuple(ident.nb_classes),
    )


def automaton_depth(nextmove: NDArray[np.uint32], rowbase: NDArray[np.int64]) -> int:
    """The length of the longest n-gram in the automaton: breadth-first levels from the start state.

    Costs 0.8 s, so the walk uses DEPTH, which a test checks against this for the installed model.
    """
    seen = np.zeros(len(rowbase), dtype=bool)
    seen[0] = True
    frontier, level = np.array([0]), 0
    bytes_ = np.arange(256)
    while True:
        reached = np.unique(nextmove[(rowbase[frontier][:, None] + bytes_).ravel()])
        frontier = reached[~seen[reached]]
        if frontier.size == 0:
            return level
        seen[frontier] = True
        level += 1


def identify(text: str) -> tuple[str, float]:
    """(language code, probability) for `text`; the same answer as py3langid's normalised `classify`."""
    m = model()
    if text.isupper():  # as py3langid does: an all-caps text is scored in lower case
        text = text.lower()
    data = np.frombuffer(unicodedata.normalize("NFC", text).encode("utf-8", "surrogatepass"), np.uint8)
    n = data.size
    states = np.zeros(n, dtype=np.int64)
    for lag in range(min(DEPTH, n) - 1, -1, -1):  # oldest byte of each window first
        states[lag:] = m.nextmove[m.rowbase[states[lag:]] + data[: n - lag]]
    features = m.output[states]
    features = features[features >= 0]
    if features.size == 0:
        return UNDETERMINED, 0.0
    ids, counts = np.unique(features, return_counts=True)
    # einsum, not `@`: a BLAS call here is slower for this size and spawns threads in every worker.
    scores = np.einsum("i,ij->j", np.log1p(counts.astype(np.float32)), m.ptc[ids])
    scores = (scores + m.pc) / math.sqrt(n)  # py3langid's temperature: calibrated across lengths
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    folded: dict[str, float] = {}
    for code, p in zip(m.classes, probs.tolist(), strict=True):
        folded[code] = folded.get(code, 0.0) + p
    best = max(folded, key=folded.__getitem__)
    return best, folded[best]


def middle_sample(text: str, chars: int) -> str:
    """About `chars` characters from the middle of `text`, cut at whitespace (all of it if shorter)."""
    if len(text) <= chars:
        return text
    lo = (len(text) - chars) // 2
    hi = lo + chars
    # Whole words at both ends: a cut word is an n-gram the text does not have.
    a, b = text.find(" ", lo, lo + 100), text.rfind(" ", hi - 100, hi)
    return text[a + 1 if a >= 0 else lo : b if b > a else hi]


class LanguageFilter(Filter):
    """Keep documents in a language of `keep`, identified with at least `min_score` confidence."""

    name = "language"

    def __init__(self, config: LanguageConfig) -> None:
        if not config.keep:
            raise ConfigError(
                "curate.language.keep is empty; to keep all languages, remove 'language' from steps"
            )
        unknown = sorted(set(config.keep) - model().labels)
        if unknown:
            raise ConfigError(
                f"curate.language.keep: unknown language code(s) {unknown} (ISO 639 codes, e.g. en, fr)"
            )
        if not 0.0 <= config.min_score <= 1.0:
            raise ConfigError(f"curate.language.min_score: {config.min_score} is not a probability (0–1)")
        if config.sample_chars <= 0:
            raise ConfigError(f"curate.language.sample_chars: {config.sample_chars} must be positive")
        self.config = config
        self._keep = frozenset(config.keep)

    def keep(self, doc: Document) -> Verdict:
        code, score = identify(middle_sample(doc.text, self.config.sample_chars))
        doc.meta["language"] = code
        doc.meta["language_score"] = round(score, 4)
        evidence: dict[str, Any] = {"language": code, "score": round(score, 4)}
        if score < self.config.min_score:
            return Drop(LANGUAGE_LOW_SCORE, evidence)
        if code not in self._keep:
            return Drop(LANGUAGE_PREFIX + code, evidence)
        return Keep(evidence=evidence)
