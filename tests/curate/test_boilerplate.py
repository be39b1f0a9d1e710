"""Project Gutenberg wrappers are cut off; the book stays, and the cut text is the flag's evidence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from clearlm.curate.boilerplate import BOILERPLATE_GUTENBERG, BOILERPLATE_REASONS, StripBoilerplate
from clearlm.curate.config import BoilerplateConfig
from clearlm.curate.words import words
from clearlm.pipeline.document import Document

SHARED = Path("/work/shared/data/gutenberg")

HEADER = """The Project Gutenberg EBook of The Lantern Fair, by Edwin Marlowe Hask

This eBook is for the use of anyone anywhere at no cost and with
almost no restrictions whatsoever.  You may copy it, give it away or
re-use it under the terms of the Project Gutenberg License included
with this eBook or online at www.gutenberg.org


Title: The Lantern Fair

Author: Edwin Marlowe Hask

Release Date: March 4, 2016 [EBook #51377]

Language: English

Character set encoding: UTF-8

*** START OF THIS PROJECT GUTENBERG EBOOK THE LANTERN FAIR ***




Produced by Marta Kowalczyk, Tom Reyes and the Online
Distributed Proofreading Team at http://www.pgdp.net (This
file was produced from images generously made available
by The Internet Archive)




"""

BODY = """THE LANTERN FAIR

BY EDWIN MARLOWE HASK


CHAPTER I

The fair came to Dunmore on the first Saturday of October, as it had every
year since the old mill burned, and the whole valley came down to see it.
Old Mrs. Pettigrew said that she had been to forty of them, and that this
one would be the last; she had said the same at the thirty-ninth."""

FOOTER = """




End of the Project Gutenberg EBook of The Lantern Fair, by Edwin Marlowe Hask

*** END OF THIS PROJECT GUTENBERG EBOOK THE LANTERN FAIR ***

***** This file should be named 51377-0.txt or 51377-0.zip *****
This and all associated files of various formats will be found in:
        http://www.gutenberg.org/5/1/3/7/51377/

Updated editions will replace the previous one--the old editions
will be renamed.

*** START: FULL LICENSE ***

THE FULL PROJECT GUTENBERG LICENSE
PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK

Section 5.  General Information About Project Gutenberg-tm electronic
works. Contact the Foundation at business@pglaf.org.
"""


def strip(text: str, **config: bool) -> tuple[Document, tuple[str, ...], dict[str, object]]:
    doc = Document.create("t/book.txt", text, "test")
    verdict = StripBoilerplate(BoilerplateConfig(**config)).process(doc)
    return doc, verdict.reasons, verdict.evidence


def test_a_modern_edition_is_cut_to_its_book() -> None:
    original = HEADER + BODY + FOOTER
    doc, reasons, evidence = strip(original)
    assert reasons == (BOILERPLATE_GUTENBERG,)
    assert doc.text.strip() == BODY
    # The credit paragraph after START goes with the header; it names the volunteers.
    assert "Produced by" not in doc.text and "pgdp" not in doc.text
    assert evidence["removed_chars"] == len(original) - len(doc.text)
    head, tail = original.split(doc.text)
    assert evidence["head"] == head
    # Evidence is kept without personal data: PG's contact address is redacted like any other.
    assert evidence["tail"] == tail.replace("business@pglaf.org", "<EMAIL>")
    assert str(evidence["tail"]).lstrip().startswith("End of the Project Gutenberg EBook")
    assert evidence["sha256"] == hashlib.sha256((head + tail).encode()).hexdigest()


def test_windows_line_endings() -> None:
    doc, reasons, _ = strip((HEADER + BODY + FOOTER).replace("\n", "\r\n"))
    assert reasons == (BOILERPLATE_GUTENBERG,)
    assert doc.text.strip() == BODY.replace("\n", "\r\n")


def test_evidence_is_bounded_but_the_hash_covers_everything() -> None:
    licence = "Section 3.  Information about the Project Gutenberg Literary Archive Foundation.\n" * 400
    original = HEADER + BODY + FOOTER + licence
    doc, _, evidence = strip(original)
    tail = original[original.index(doc.text) + len(doc.text) :]
    assert len(tail) > 30_000  # more than clear.gutenberg.layout reads at the end of a file
    assert evidence["tail"] == tail.replace("business@pglaf.org", "<EMAIL>")[:2000]
    assert (
        evidence["sha256"]
        == hashlib.sha256((original[: original.index(doc.text)] + tail).encode()).hexdigest()
    )


def test_a_start_marker_wrapped_onto_the_next_line() -> None:
    header = HEADER.replace(
        "*** START OF THIS PROJECT GUTENBERG EBOOK THE LANTERN FAIR ***",
        "*** START OF THIS PROJECT GUTENBERG EBOOK STUDIES IN THE PSYCHOLOGY OF SEX, VOL. 6\nSEX IN"
        " RELATION TO SOCIETY***",
    )
    doc, reasons, _ = strip(header + BODY + FOOTER)
    assert reasons == (BOILERPLATE_GUTENBERG,)
    assert doc.text.strip() == BODY


def test_a_section_divider_after_start_is_the_books() -> None:
    body = "***\n\nThe fair came to Dunmore on the first Saturday of October."
    start = "*** START OF THIS PROJECT GUTENBERG EBOOK THE LANTERN FAIR\n\n"
    doc, _, _ = strip(HEADER.split("*** START")[0] + start + body + FOOTER)
    assert doc.text.strip() == body


def test_a_1990s_small_print_edition() -> None:
    text = (
        "**The Project Gutenberg Etext of The Lantern Fair, by Edwin Marlowe Hask**\n"
        "Please take a look at the important information in this header.\n\n"
        "**Welcome To The World of Free Plain Vanilla Electronic Texts**\n\n"
        "*****These Etexts Are Prepared By Thousands of Volunteers!*****\n\n"
        "**START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***\n"
        'Why is this "Small Print!" statement here? You know: lawyers.\n'
        "They tell us you might sue us if there is something wrong with\n"
        "your copy of this etext, even if you got it for free.\n\n"
        "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\n\n\n" + BODY + "\n\n\n"
        "End of Project Gutenberg Etext of The Lantern Fair, by Edwin Marlowe Hask\n"
    )
    doc, reasons, evidence = strip(text)
    assert reasons == (BOILERPLATE_GUTENBERG,)
    assert doc.text.strip() == BODY
    assert "SMALL PRINT" in str(evidence["head"])


def test_an_essay_that_mentions_gutenberg_is_left_alone() -> None:
    essay = (
        "Project Gutenberg began in 1971 when Michael Hart typed the Declaration of Independence\n"
        "into a mainframe at the University of Illinois. The Project Gutenberg eBook collection now\n"
        "holds more than seventy thousand titles, and volunteers still proofread every page.\n"
    )
    doc, reasons, evidence = strip(essay)
    assert (reasons, evidence) == ((), {})
    assert doc.text == essay


def test_switched_off() -> None:
    original = HEADER + BODY + FOOTER
    doc, reasons, _ = strip(original, gutenberg=False)
    assert reasons == () and doc.text == original


def test_the_shared_word_split_follows_the_new_text() -> None:
    doc = Document.create("t/book.txt", HEADER + BODY + FOOTER, "test")
    assert "Gutenberg" in words(doc)
    StripBoilerplate(BoilerplateConfig()).process(doc)
    assert "Gutenberg" not in words(doc) and "Dunmore" in words(doc)


def test_every_reason_is_described() -> None:
    assert set(BOILERPLATE_REASONS) == {BOILERPLATE_GUTENBERG}


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared Gutenberg books not present")
def test_a_real_book() -> None:
    path = (
        SHARED / "Alcott, Louisa May" / "A Modern Cinderella; Or, The Little Old Shoe, and Other Stories.txt"
    )
    doc, reasons, evidence = strip(path.read_text(encoding="utf-8"))
    assert reasons == (BOILERPLATE_GUTENBERG,)
    assert doc.text.strip().startswith("A Modern Cinderella")
    assert doc.text.rstrip().endswith('He made and loveth all."')
    assert "gutenberg" not in doc.text.lower()
    assert "Joe Hogan" in str(evidence["head"]) and "END OF THIS PROJECT" in str(evidence["tail"])
