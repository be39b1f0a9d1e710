"""Unicode and whitespace normalisation: one spelling for the same text, indentation kept."""

from __future__ import annotations

from typing import Any

import pytest

from clearlm.curate.config import NormalizeConfig
from clearlm.curate.normalize import NormalizeText
from clearlm.errors import ConfigError
from clearlm.pipeline.document import Document

POEM = (
    "\ufeff\r\n\r\n"
    "CHAPTER  I.   \r\n"
    "\r\n"
    "It was  a dark\tand stormy night;  the rain fell in torrents.   \r\n"
    "\r\n\r\n\r\n\r\n\r\n"
    "    Tiger, tiger,  burning bright\r\n"
    "\tIn the forests of the night,\r\n"
    "   \r\n"
    "The caf\u0065\u0301 was closed.\r\n\r\n"
)
EXPECTED = (
    "CHAPTER I.\n"
    "\n"
    "It was a dark and stormy night; the rain fell in torrents.\n"
    "\n\n"  # five blank lines cut to max_blank_lines (2)
    "    Tiger, tiger, burning bright\n"
    "\tIn the forests of the night,\n"
    "\n"
    "The caf\u00e9 was closed."
)


def run(text: str, **config: Any) -> tuple[Document, dict[str, object]]:
    doc = Document.create("t/a.txt", text, "test")
    verdict = NormalizeText(NormalizeConfig(**config)).process(doc)
    assert verdict.decision == "keep" and verdict.reasons == ()
    return doc, verdict.evidence


def test_whitespace_and_unicode_are_normalised() -> None:
    doc, evidence = run(POEM)
    assert doc.text == EXPECTED
    assert evidence == {"chars_before": len(POEM), "chars_after": len(EXPECTED)}


def test_normalising_twice_changes_nothing() -> None:
    doc, evidence = run(EXPECTED)
    assert doc.text == EXPECTED and evidence == {}


@pytest.mark.parametrize(("blank", "between"), [(0, "\n"), (1, "\n\n"), (3, "\n\n\n\n")])
def test_blank_line_runs_are_capped(blank: int, between: str) -> None:
    doc, _ = run("The end of one chapter.\n\n\n\n\n\n\nThe start of the next.", max_blank_lines=blank)
    assert doc.text == f"The end of one chapter.{between}The start of the next."


def test_nfkc_folds_compatibility_characters_nfc_keeps_them() -> None:
    text = "The \ufb01rst of \u00bd a dozen of\u00a0them."
    assert run(text)[0].text == text
    assert run(text, unicode_form="NFKC")[0].text == "The first of 1\u20442 a dozen of them."


def test_other_line_breaks_become_newlines() -> None:
    doc, _ = run("one line\u2028another line\u2029a paragraph\rold mac line")
    assert doc.text == "one line\nanother line\na paragraph\nold mac line"


def test_trailing_unicode_spaces_and_feeds_go() -> None:
    doc, _ = run("Page one.\u00a0\u3000\n\f\nPage two,\f\vthen three.\v")
    assert doc.text == "Page one.\n\nPage two, then three."


def test_an_unknown_form_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unicode_form"):
        NormalizeText(NormalizeConfig(unicode_form="NFX"))
    with pytest.raises(ConfigError, match="max_blank_lines"):
        NormalizeText(NormalizeConfig(max_blank_lines=-1))
