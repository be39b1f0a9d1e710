"""Project Gutenberg editions: structure, not a mention; PG's copyrighted eBooks are denied.

Documents are written here the way PG files look (modern, 2000s and 1990s headers, the licence text
that talks about copyright holders in general), plus a few real PG books from the shared folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clearlm.clear.copyright import detect_copyright
from clearlm.clear.gutenberg import PG_LICENSE, detect_gutenberg, layout
from clearlm.clear.piracy import detect_piracy
from clearlm.clear.policy import Policy
from clearlm.pipeline.document import Document
from clearlm.reasons import COPYRIGHT_ALL_RIGHTS_RESERVED, SOURCE_GUTENBERG

SHARED = Path("/work/shared/data/gutenberg")

MODERN_HEADER = """The Project Gutenberg eBook of The Lantern Fair, by Edwin Marlowe Hask

This eBook is for the use of anyone anywhere in the United States and
most other parts of the world at no cost and with almost no restrictions
whatsoever. You may copy it, give it away or re-use it under the terms
of the Project Gutenberg License included with this eBook or online at
www.gutenberg.org. If you are not located in the United States, you
will have to check the laws of the country where you are located before
using this eBook.

Title: The Lantern Fair

Author: Edwin Marlowe Hask

Release Date: March 4, 2016 [eBook #51377]

Language: English

*** START OF THE PROJECT GUTENBERG EBOOK THE LANTERN FAIR ***
"""

BODY = """


THE LANTERN FAIR

BY EDWIN MARLOWE HASK

NEW YORK
HARWELL & SONS
1909

Copyright, 1909, by Harwell & Sons.

[All rights reserved]


CHAPTER I

The fair came to Dunmore on the first Saturday of October, as it had every
year since the old mill burned, and the whole valley came down to see it.
"""

TRAILER = """
*** END OF THE PROJECT GUTENBERG EBOOK THE LANTERN FAIR ***

Updated editions will replace the previous one--the old editions will
be renamed.

Creating the works from print editions not protected by U.S. copyright
law means that no one owns a United States copyright in these works,
so the Foundation (and you!) can copy and distribute it in the United
States without permission and without paying copyright royalties.

START: FULL LICENSE

THE FULL PROJECT GUTENBERG LICENSE
PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK

1.E.2. If an individual Project Gutenberg-tm electronic work is derived
from texts not protected by U.S. copyright law (does not contain a
notice indicating that it is posted with permission of the copyright
holder), the work can be copied and distributed to anyone in the United
States without paying any fees or charges.

1.E.3. If an individual Project Gutenberg-tm electronic work is posted
with the permission of the copyright holder, your use and distribution
must comply with both paragraphs 1.E.1 through 1.E.7 and any additional
terms imposed by the copyright holder.

The Project Gutenberg Literary Archive Foundation is a non-profit
501(c)(3) educational corporation organized under the laws of the
state of Mississippi. Copyright (C) 2001, 2002 by Michael S. Hart.
"""

OLD_1990S = """**The Project Gutenberg Etext of The Lantern Fair, by E. M. Hask**
******This file should be named lfair10.txt or lfair10.zip*****

Copyright laws are changing all over the world, be sure to check
the copyright laws for your country before posting these files!!

Project Gutenberg Etexts are usually created from multiple editions,
all of which are in the Public Domain in the United States, unless a
copyright notice is included.

***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***
This PROJECT GUTENBERG-tm etext, like most PROJECT GUTENBERG-tm etexts,
is a "public domain" work distributed by Professor Michael S. Hart
through the Project Gutenberg Association (the "Project"). Among other
things, this means that no one owns a United States copyright on or for
this work, so the Project (and you!) can copy and distribute it in the
United States without permission and without paying copyright royalties.
*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*
"""


def doc(text: str, name: str = "lantern-fair.txt") -> Document:
    return Document.create(key=name, text=text, source=f"file:///corpus/{name}", file_name=name)


def codes(text: str) -> list[str]:
    return [s.code for s in detect_gutenberg(doc(text))]


def test_a_modern_pg_edition_is_source_gutenberg_with_its_number_and_us_notice() -> None:
    [signal] = detect_gutenberg(doc(MODERN_HEADER + BODY + TRAILER))
    assert signal.code == SOURCE_GUTENBERG and signal.license == PG_LICENSE
    assert signal.evidence["ebook"] == "51377"
    assert signal.evidence["jurisdiction"] == "US"
    assert signal.evidence["match"].startswith("The Project Gutenberg eBook of The Lantern Fair")
    assert set(signal.evidence["pieces"]) == {"header", "start", "end", "licence"}


def test_the_old_print_editions_copyright_lines_do_not_deny_a_pg_edition() -> None:
    # "Copyright, 1909 … [All rights reserved]" is the source edition's history, and the licence's
    # "posted with permission of the copyright holder" is general text, not this eBook's status.
    text = MODERN_HEADER + BODY + TRAILER
    assert codes(text) == [SOURCE_GUTENBERG]
    assert detect_copyright(doc(text), Policy()) == []


def test_older_header_variants_are_recognised() -> None:
    text = MODERN_HEADER.replace("The Project Gutenberg eBook of", "The Project Gutenberg EBook of").replace(
        "*** START OF THE PROJECT", "***START OF THIS PROJECT"
    )
    assert codes(text + BODY + TRAILER.replace("*** END OF THE", "***END OF THIS")) == [SOURCE_GUTENBERG]
    [old] = detect_gutenberg(doc(OLD_1990S + BODY + "\nEnd of Project Gutenberg Etext of The Lantern Fair\n"))
    assert old.code == SOURCE_GUTENBERG and old.evidence["jurisdiction"] == "US"
    assert "header" in old.evidence["pieces"] and "licence" in old.evidence["pieces"]
    found = layout(OLD_1990S + BODY)
    assert found is not None and found.body[0] > OLD_1990S.index("*END*THE SMALL PRINT")


@pytest.mark.parametrize(
    "notice",
    [
        "** This is a COPYRIGHTED Project Gutenberg eBook, Details Below **\n"
        "**     Please follow the copyright guidelines in this file.     **\n",
        "Copyright (C) 2004 by Marguerite Ollander.\n",
        "This eBook is copyrighted. The copyright is held by the author, and it is used\n"
        "with permission. It is NOT in the public domain.\n",
    ],
)
def test_a_copyrighted_pg_ebook_is_denied_and_not_source_gutenberg(notice: str) -> None:
    text = MODERN_HEADER.replace("Title: The Lantern Fair", notice + "\nTitle: The Lantern Fair")
    [signal] = detect_gutenberg(doc(text + BODY + TRAILER))
    assert signal.code == COPYRIGHT_ALL_RIGHTS_RESERVED
    assert signal.evidence["kind"] == "gutenberg-copyrighted"
    assert signal.evidence["match"] in text


def test_the_world_library_shakespeare_notice_is_a_copyright_deny() -> None:
    world_library = """This Etext file is presented by Project Gutenberg, in
cooperation with World Library, Inc., from their Library of the
Future and Shakespeare CDROMS.

<<THIS ELECTRONIC VERSION OF THE COMPLETE WORKS OF WILLIAM
SHAKESPEARE IS COPYRIGHT 1990-1993 BY WORLD LIBRARY, INC., AND IS
PROVIDED BY PROJECT GUTENBERG WITH PERMISSION.  ELECTRONIC AND
MACHINE READABLE COPIES MAY BE DISTRIBUTED SO LONG AS SUCH COPIES
(1) ARE FOR YOUR OR OTHERS PERSONAL USE ONLY, AND (2) ARE NOT
DISTRIBUTED OR USED COMMERCIALLY.  PROHIBITED COMMERCIAL
DISTRIBUTION INCLUDES BY ANY SERVICE THAT CHARGES FOR DOWNLOAD
TIME OR FOR MEMBERSHIP.>>

***** SMALL PRINT! for COMPLETE SHAKESPEARE *****

THE TRAGEDY OF MACBETH
"""
    assert codes(world_library) == [COPYRIGHT_ALL_RIGHTS_RESERVED]


def test_a_mention_or_a_lone_header_line_is_not_a_pg_edition() -> None:
    essay = (
        "Why I read on Project Gutenberg\n\nMost mornings I open The Project Gutenberg eBook of Middlemarch\n"
        "on my phone. Project Gutenberg has digitised over 70,000 books since 1971, and its volunteers\n"
        "check every title: the project says its texts are free in the United States.\n"
    )
    assert codes(essay) == []
    assert (
        codes("The Project Gutenberg eBook of Nothing Much, by Nobody\n\nJust a line someone copied.\n") == []
    )


def test_project_gutenberg_australia_is_not_a_us_public_domain_edition() -> None:
    text = (
        "Project Gutenberg Australia\n\nTitle: A Later Novel\nAuthor: Someone Recent\n"
        "eBook No.: 0600011h.txt\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK A LATER NOVEL ***\n\nCHAPTER I\n\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK A LATER NOVEL ***\n"
    )
    assert codes(text) == []


REAL_BOOKS = {
    "London, Jack/The Call of the Wild.txt": SOURCE_GUTENBERG,
    "Potter, Beatrix/The Tale of Two Bad Mice.txt": SOURCE_GUTENBERG,
    "Shakespeare, William/King John.txt": SOURCE_GUTENBERG,  # 1990s eBook, "Small Print!" only
    "Shakespeare, William/Macbeth.txt": COPYRIGHT_ALL_RIGHTS_RESERVED,  # World Library edition
}


@pytest.mark.parametrize("name", sorted(REAL_BOOKS))
def test_real_pg_books(name: str) -> None:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    book = doc(path.read_text(encoding="utf-8"), path.name)
    assert [s.code for s in detect_gutenberg(book)] == [REAL_BOOKS[name]]
    assert detect_piracy(book) == []
    if REAL_BOOKS[name] == SOURCE_GUTENBERG:
        assert detect_copyright(book, Policy()) == []  # "COPYRIGHT 1904", "[All rights reserved]" are old
