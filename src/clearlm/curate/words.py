"""Words, lines and paragraphs of a document, computed once and shared by the quality rules.

datatrove's rules split words with spaCy's blank English tokenizer (`split_into_words`), three of
them again for every document: that is most of their cost. Here a document is split once, with
numpy (`clearlm.curate.wordsplit`), and the views are kept in `doc.cache` for every rule.

A token is a (start, end) code-point span plus a 64-bit hash, equal for equal strings, so the rules
count, compare and n-gram tokens without a Python string per token; `words(doc)` gives the strings.

How the split differs from spaCy's English tokenizer (what datatrove 0.10 uses for "en"):

- spaCy splits "don't" into "do" "n't"; we give "don" "'t": as many tokens and characters;
- spaCy keeps the period on ~150 listed abbreviations (US states, months, "Ph.D."); we keep it on
  single letters, dotted initialisms and ~40 common abbreviations ("Mr.", "Dr.", "St.", "Jan.");
- spaCy keeps the hyphen of "-5" or "co-" on the word; we always split it;
- spaCy's other listed exceptions ("o'clock", emoticons such as ":-)") are several tokens here;
- symbol tokens outside its punctuation lists ("£", "©") are words to datatrove's Gopher rules and
  punctuation to ours (a token is a word when it holds a letter or digit).
"""

from __future__ import annotations

import re
from functools import cached_property

from clearlm.curate.wordsplit import Tokens, has_letter, tokenize
from clearlm.pipeline.document import Document

__all__ = ["TextViews", "Tokens", "has_letter", "invalidate", "lines", "tokenize", "tokens", "views", "words"]


class TextViews:
    """The views of one text that the quality rules use. Those that several rules share are
    computed on first use and kept; those one rule uses once are methods, so that a document in a
    batch does not hold several more copies of its text."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def tokens(self) -> Tokens:
        return tokenize(self.text)

    @cached_property
    def words(self) -> list[str]:
        return self.tokens.strings(self.text)

    @cached_property
    def lines(self) -> list[str]:
        """`str.splitlines()`: Gopher's line rules and C4 use these."""
        return self.text.splitlines()

    def paragraphs(self) -> list[str]:
        """The stripped text split at blank lines (Gopher repetition)."""
        return _PARAGRAPH_BREAK.split(self.text.strip())

    def newline_runs(self) -> list[str]:
        """The text split at runs of newlines, not stripped, as `re.split("\\n+", text)` gives it
        (Gopher repetition's lines), from `str.split`, which is several times faster."""
        text = self.text
        if not text:
            return [""]
        parts = [part for part in text.split("\n") if part]
        return [""] * text.startswith("\n") + parts + [""] * text.endswith("\n")

    def nonblank_lines(self) -> list[str]:
        """Lines split at "\\n" that hold more than whitespace (FineWeb)."""
        return [line for line in self.text.split("\n") if line and not line.isspace()]


# Spelled "\n\n+" and not "\n{2,}": re finds the literal prefix and runs about 7 times faster.
_PARAGRAPH_BREAK = re.compile("\n\n+")
_CACHE_KEY = "clearlm.words"


def views(doc: Document) -> TextViews:
    """The shared views of `doc`, made again if its text changed since."""
    cached = doc.cache.get(_CACHE_KEY)
    # `is`, not `==`: new text is a new string object, so views go stale safely even when a step
    # forgets `invalidate`, and the check is free.
    if isinstance(cached, TextViews) and cached.text is doc.text:
        return cached
    doc.cache[_CACHE_KEY] = fresh = TextViews(doc.text)
    return fresh


def invalidate(doc: Document) -> None:
    """Forget the views of `doc`; call after changing `doc.text`."""
    doc.cache.pop(_CACHE_KEY, None)


def tokens(doc: Document) -> Tokens:
    return views(doc).tokens


def words(doc: Document) -> list[str]:
    """The words of `doc`, punctuation tokens included, as datatrove's `split_into_words` gives them."""
    return views(doc).words


def lines(doc: Document) -> list[str]:
    return views(doc).lines
