"""Gopher's quality rules (Rae et al. 2021, appendix A1), as datatrove 0.10's GopherQualityFilter.

Rules run in datatrove's order and the first that fails drops the document; its reason is the
setting that tripped (`quality.gopher.<setting>`) and the evidence holds the measured value and the
threshold. A threshold of 0 turns its rule off, as None does in datatrove.

Words are the shared tokens of `clearlm.curate.words` (an approximation of spaCy's split); "symbol"
tokens are those with no letter or digit, where datatrove lists its punctuation characters — so a
token such as "£" or "©" is a symbol here and a word there.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from clearlm.curate.config import GopherQualityConfig
from clearlm.curate.words import has_letter, tokenize, views
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Drop, Filter, Keep, Verdict

_P = "quality.gopher."
MIN_DOC_WORDS = _P + "min_doc_words"
MAX_DOC_WORDS = _P + "max_doc_words"
MIN_AVG_WORD_LENGTH = _P + "min_avg_word_length"
MAX_AVG_WORD_LENGTH = _P + "max_avg_word_length"
MAX_HASH_WORD_RATIO = _P + "max_hash_word_ratio"
MAX_ELLIPSIS_WORD_RATIO = _P + "max_ellipsis_word_ratio"
MAX_BULLET_LINES_RATIO = _P + "max_bullet_lines_ratio"
MAX_ELLIPSIS_LINES_RATIO = _P + "max_ellipsis_lines_ratio"
MAX_NON_ALPHA_WORDS_RATIO = _P + "max_non_alpha_words_ratio"
MIN_STOP_WORDS = _P + "min_stop_words"

REASONS = {
    MIN_DOC_WORDS: "drop: fewer words (not counting punctuation) than gopher.min_doc_words",
    MAX_DOC_WORDS: "drop: more words (not counting punctuation) than gopher.max_doc_words",
    MIN_AVG_WORD_LENGTH: "drop: mean word length below gopher.min_avg_word_length characters",
    MAX_AVG_WORD_LENGTH: "drop: mean word length above gopher.max_avg_word_length characters",
    MAX_HASH_WORD_RATIO: "drop: '#' per word above gopher.max_symbol_word_ratio",
    MAX_ELLIPSIS_WORD_RATIO: "drop: ellipses ('...', '…') per word above gopher.max_symbol_word_ratio",
    MAX_BULLET_LINES_RATIO: "drop: share of lines starting with a bullet ('•', '-') above the threshold",
    MAX_ELLIPSIS_LINES_RATIO: "drop: share of lines ending with an ellipsis above the threshold",
    MAX_NON_ALPHA_WORDS_RATIO: "drop: share of tokens (punctuation too) with a letter below the threshold",
    MIN_STOP_WORDS: "drop: fewer distinct English stop words (the, be, to, of, and, that, have, with)",
}

STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")


@functools.cache
def _stop_hashes() -> list[np.uint64]:
    return [tokenize(w).hashes[0] for w in STOP_WORDS]


def _distinct_present(hashes: NDArray[np.uint64], wanted: list[np.uint64], enough: int) -> int:
    """How many of `wanted` occur in `hashes`, counting no further than `enough`."""
    found = 0
    for h in wanted:
        found += bool(np.any(hashes == h))
        if found >= enough:
            break
    return found


class GopherQuality(Filter):
    """Drop documents that fail one of Gopher's quality heuristics."""

    name = "quality.gopher"

    def __init__(self, config: GopherQualityConfig | None = None) -> None:
        self.config = config or GopherQualityConfig()

    def keep(self, doc: Document) -> Verdict:
        c = self.config
        text, view = doc.text, views(doc)
        tokens = view.tokens
        n_tokens = len(tokens)
        n_words = int(tokens.wordlike.sum())
        if c.min_doc_words and n_words < c.min_doc_words:
            return measured_drop(MIN_DOC_WORDS, n_words, c.min_doc_words)
        if c.max_doc_words and n_words > c.max_doc_words:
            return measured_drop(MAX_DOC_WORDS, n_words, c.max_doc_words)

        if n_words:  # datatrove's mean of no words is NaN, which fails no comparison
            mean = float(tokens.lengths[tokens.wordlike].mean())
            if c.min_avg_word_length and mean < c.min_avg_word_length:
                return measured_drop(MIN_AVG_WORD_LENGTH, mean, c.min_avg_word_length)
            if c.max_avg_word_length and mean > c.max_avg_word_length:
                return measured_drop(MAX_AVG_WORD_LENGTH, mean, c.max_avg_word_length)

        # Per token, punctuation included, as datatrove divides by all of its tokens.
        per_token = max(n_tokens, 1)
        hashes, ellipses = text.count("#"), text.count("...") + text.count("…")
        if c.max_symbol_word_ratio:
            if hashes / per_token > c.max_symbol_word_ratio:
                return measured_drop(MAX_HASH_WORD_RATIO, hashes / per_token, c.max_symbol_word_ratio)
            if ellipses / per_token > c.max_symbol_word_ratio:
                return measured_drop(MAX_ELLIPSIS_WORD_RATIO, ellipses / per_token, c.max_symbol_word_ratio)

        # Looping over the lines costs as much as tokenising, so look at them only when the bullet or
        # ellipsis characters, each line's count bounded by its own, are enough to cross the limit
        # even over fewer lines than there are ("\n" count <= len(splitlines())).
        at_least_lines = max(text.count("\n"), 1)
        bullets = text.count("•") + text.count("-")
        if c.max_bullet_lines_ratio and bullets / at_least_lines > c.max_bullet_lines_ratio:
            lines = view.lines
            ratio = sum(1 for s in lines if s.lstrip().startswith(("•", "-"))) / max(len(lines), 1)
            if ratio > c.max_bullet_lines_ratio:
                return measured_drop(MAX_BULLET_LINES_RATIO, ratio, c.max_bullet_lines_ratio)
        if c.max_ellipsis_lines_ratio and ellipses / at_least_lines > c.max_ellipsis_lines_ratio:
            lines = view.lines
            ratio = sum(1 for s in lines if s.rstrip().endswith(("...", "…"))) / max(len(lines), 1)
            if ratio > c.max_ellipsis_lines_ratio:
                return measured_drop(MAX_ELLIPSIS_LINES_RATIO, ratio, c.max_ellipsis_lines_ratio)

        # datatrove's name is a misnomer it notes itself: the rule wants at least this share of
        # tokens to hold a letter. Punctuation tokens count, so dialogue-heavy books can fail it.
        if c.max_non_alpha_words_ratio:
            ratio = int(has_letter(text, tokens).sum()) / per_token
            if ratio < c.max_non_alpha_words_ratio:
                return measured_drop(MAX_NON_ALPHA_WORDS_RATIO, ratio, c.max_non_alpha_words_ratio)
        if c.min_stop_words:
            found = _distinct_present(tokens.hashes, _stop_hashes(), c.min_stop_words)
            if found < c.min_stop_words:
                return measured_drop(MIN_STOP_WORDS, found, c.min_stop_words)
        return Keep()


def measured_drop(reason: str, value: float, threshold: float, **more: Any) -> Verdict:
    """A drop whose evidence is the measured value and the threshold it crossed."""
    measured = round(value, 6) if isinstance(value, float) else value
    return Drop(reason, {"value": measured, "threshold": threshold, **more})
