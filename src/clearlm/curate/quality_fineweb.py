"""FineWeb's quality rules (Penedo et al. 2024), as datatrove 0.10's FineWebQualityFilter.

Over the non-blank lines of the text (split at "\\n"), in order: too few lines end with sentence-final
punctuation, too many lines are short, too many characters sit in repeated lines, too many newlines
per word. Reasons are datatrove's rule names under `quality.fineweb.`; evidence holds the measured
value and the threshold. datatrove's `line_punct_exclude_zero` and `stop_chars` keep their defaults
(False, Unicode Sentence_Terminal).
"""

from __future__ import annotations

from clearlm.curate.config import FineWebConfig
from clearlm.curate.quality_c4 import SENTENCE_TERMINALS
from clearlm.curate.quality_gopher import measured_drop
from clearlm.curate.quality_repetition import duplicates
from clearlm.curate.words import views
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Drop, Filter, Keep, Verdict

_P = "quality.fineweb."
EMPTY = _P + "empty"
LINE_PUNCT_RATIO = _P + "line_punct_ratio"
SHORT_LINE_RATIO = _P + "short_line_ratio"
CHAR_DUP_RATIO = _P + "char_dup_ratio"
LIST_RATIO = _P + "list_ratio"

REASONS = {
    EMPTY: "drop: no line holds more than whitespace",
    LINE_PUNCT_RATIO: "drop: share of lines ending in sentence-final punctuation below line_punct_thr",
    SHORT_LINE_RATIO: "drop: share of lines of at most short_line_length characters above short_line_thr",
    CHAR_DUP_RATIO: "drop: characters in repeated lines per non-newline character above the threshold",
    LIST_RATIO: "drop: newlines per word above new_line_ratio (a list rather than prose)",
}


class FineWebQuality(Filter):
    """Drop documents that look like lists, menus or boilerplate rather than prose."""

    name = "quality.fineweb"

    def __init__(self, config: FineWebConfig | None = None) -> None:
        self.config = config or FineWebConfig()

    def keep(self, doc: Document) -> Verdict:
        c, text, view = self.config, doc.text, views(doc)
        lines = view.nonblank_lines()
        if not lines:
            return Drop(EMPTY)
        n = len(lines)
        # A non-blank line is not empty, and every stop character is one character long.
        ratio = sum(1 for line in lines if line[-1] in SENTENCE_TERMINALS) / n
        if ratio < c.line_punct_thr:
            return measured_drop(LINE_PUNCT_RATIO, ratio, c.line_punct_thr)
        ratio = sum(1 for line in lines if len(line) <= c.short_line_length) / n
        if ratio > c.short_line_thr:
            return measured_drop(SHORT_LINE_RATIO, ratio, c.short_line_thr)
        newlines = text.count("\n")
        ratio = duplicates(lines)[1] / (len(text) - newlines)
        if ratio > c.char_duplicates_ratio:
            return measured_drop(CHAR_DUP_RATIO, ratio, c.char_duplicates_ratio)
        # Never zero: a non-blank line holds a non-space character, and each of those is in a token.
        ratio = newlines / len(view.tokens)
        if ratio > c.new_line_ratio:
            return measured_drop(LIST_RATIO, ratio, c.new_line_ratio)
        return Keep()
