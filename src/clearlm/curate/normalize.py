"""Unicode normalisation and whitespace cleanup, so later steps (dedup above all) see one spelling.

What changes: Unicode normal form (`unicode_form`, NFC by default: composes "e" + combining acute
into "é" without folding compatibility characters such as "ﬁ" or "½", which NFKC would); a leading
byte-order mark; line endings (CRLF, CR, U+2028/2029, NEL) become "\\n"; trailing spaces and tabs go;
runs of spaces and tabs between words become one space; at most `max_blank_lines` blank lines in a
row; no blank lines at the start or end.

What stays: a line's leading indentation. In books it carries structure (verse, block quotes,
letters, tables of contents), and models learn it; collapsing it would also merge a poem's indented
lines into prose for the quality rules. Every pass is one compiled regex or a C-level str method
over the whole text (no Python loop over lines or characters): 51 MB of books take well under a
second.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from clearlm.curate.config import NormalizeConfig
from clearlm.curate.words import invalidate
from clearlm.errors import ConfigError
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Annotator

UNICODE_FORMS = ("NFC", "NFD", "NFKC", "NFKD")
_UNICODE_BREAKS = ("\u2028", "\u2029", "\x85")
# Is there whitespace at the end of any line? Found from each "\n" (a literal: fast) looking back.
_TRAILING = re.compile(r"\n(?<=[^\S\n]\n)")
# Speed: Python's regex engine scans fast for a literal prefix and slowly for a lookbehind tried at
# every position, so runs of spaces are found by their literal "  " and the "after a non-space" test
# comes second (10x faster on books). That keeps indentation at the start of a line; trailing runs
# are gone by then, so every run matched lies between two words.
_SPACE_RUN = re.compile(r"  (?<=\S  ) *")
# Tabs, form and vertical feeds are rare in text, and this general form is slower: only when present.
_MIXED_RUN = re.compile(r"[ \t\f\v](?<=\S[ \t\f\v])(?:[ \t\f\v]+|(?<=[\t\f\v]))")


class NormalizeText(Annotator):
    """Normalise Unicode and whitespace; keep, with chars_before/chars_after when anything changed."""

    name = "normalize"

    def __init__(self, config: NormalizeConfig) -> None:
        if config.unicode_form not in UNICODE_FORMS:
            raise ConfigError(
                f"curate.normalize.unicode_form: {config.unicode_form!r} is not one of "
                + ", ".join(UNICODE_FORMS)
            )
        if config.max_blank_lines < 0:
            raise ConfigError(f"curate.normalize.max_blank_lines: {config.max_blank_lines} is negative")
        self.config = config
        # A literal prefix again ("\n\n\n\n+", not "\n{4,}"): 7x faster.
        self._blank_run = re.compile("\n" * (config.max_blank_lines + 2) + "+")
        self._blank_keep = "\n" * (config.max_blank_lines + 1)

    def annotate(self, doc: Document) -> tuple[list[str], dict[str, Any]]:
        before = doc.text
        after = self.normalize(before)
        if after == before:
            return [], {}
        doc.text = after
        invalidate(doc)  # the shared word split is of the old text
        return [], {"chars_before": len(before), "chars_after": len(after)}

    def normalize(self, text: str) -> str:
        """The normalised form of `text`."""
        if not text.isascii():  # ASCII is already in every normal form
            form = self.config.unicode_form
            if not unicodedata.is_normalized(form, text):  # type: ignore[arg-type]
                text = unicodedata.normalize(form, text)  # type: ignore[arg-type]
            text = text.removeprefix("\ufeff")
            for br in _UNICODE_BREAKS:
                if br in text:
                    text = text.replace(br, "\n")
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        # Trailing whitespace: one C-level rstrip per line beats a `\s+$` regex 4x, and most books
        # have none, which _TRAILING tells faster still.
        if _TRAILING.search(text) or text[-1:].isspace():
            text = "\n".join(map(str.rstrip, text.split("\n")))
        if "\t" in text or "\f" in text or "\v" in text:
            text = _MIXED_RUN.sub(" ", text)
        else:
            text = _SPACE_RUN.sub(" ", text)
        text = self._blank_run.sub(self._blank_keep, text)
        return text.strip("\n")
