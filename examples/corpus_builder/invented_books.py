"""books/: invented rights cases (front matter, notices and modern prose written for this corpus).

The texts live in book_texts_*.py; this module fills in ISBNs and MD5 names, writes the files and
records what a correct pipeline should decide about each.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .book_texts_ai_clauses import AI_CLAUSE_NOVEL, AI_CLAUSE_ZINE
from .book_texts_editions import COPYRIGHT_1911_BOOK, MODERN_EDITION_FRONT, PG_STYLE_COPYRIGHTED
from .book_texts_shadow import LIBGEN_BODY, LIBGEN_RECORD, SHADOW_LIBRARY_BOOKS, SHADOW_LIBRARY_ESSAY
from .gutenberg import pg_body_text
from .primitives import Corpus, Expect, isbn13


def build_invented_books(c: Corpus, gutenberg: Path) -> None:
    # A modern edition of a public-domain text: the front matter makes it an in-copyright edition.
    front = MODERN_EDITION_FRONT.format(isbn_pb=isbn13("978-1-9164-0327"), isbn_eb=isbn13("978-1-9164-0328"))
    body = pg_body_text(
        gutenberg,
        "Hawthorne, Nathaniel/Browne's Folly - (From The Doliver Romance and Other Pieces Tales and "
        "Sketches).txt",
        "MY DEAR COUSIN",
        12_000,
    )
    rel = "books/brownes-folly-pellmont-vane-classics-2019.txt"
    c.write(rel, (front + body).encode("utf-8"))
    c.add(
        Expect(
            rel,
            "2019 edition of an 1860 public-domain text: ISBN, CIP data, '(c) 2019 ... All rights reserved. "
            "No part of this publication may be reproduced...', a copyrighted introduction",
            "deny",
            ["copyright.recent-edition"],
            forbid=["source.gutenberg"],
            notes="the body is public domain, but this edition (introduction, notes, typography) is not; "
            "copyright.all-rights-reserved may appear as well.",
        )
    )

    # Shadow-library downloads: innocuous public-domain bodies, only the file name gives them away.
    for pattern, source, marker, case in SHADOW_LIBRARY_BOOKS:
        text = pg_body_text(gutenberg, source, marker, 6_000)
        data = text.encode("utf-8")
        name = pattern.format(md5=hashlib.md5(data).hexdigest())
        c.write(f"books/{name}", data)
        c.add(
            Expect(
                f"books/{name}",
                case,
                "deny",
                ["piracy.shadow-library"],
                notes="the text itself is public domain; provenance from a shadow library is still denied "
                "(a file's contents are the one thing a pirate copy does not change).",
            )
        )

    # LibGen catalogue fields inside the text (a 'scan' passed around with its record pasted on top).
    libgen_body = LIBGEN_BODY.encode("utf-8")
    record = LIBGEN_RECORD.format(
        isbn=isbn13("978-9-0825-1140").replace("-", ""), md5=hashlib.md5(libgen_body).hexdigest()
    )
    rel = "books/estuarine-hydraulics-ch1.txt"
    c.write(rel, record.encode("utf-8") + libgen_body)
    c.add(
        Expect(
            rel,
            "text carrying a Library Genesis catalogue record (ID, MD5, Time added, Extension, mirrors)",
            "deny",
            ["piracy.shadow-library"],
            notes="innocent file name; the evidence is the LibGen metadata block in the text. The ISBN and "
            "2014 date may add copyright.recent-edition.",
        )
    )

    rel = "books/notes-on-the-grey-shelves.txt"
    c.write(rel, SHADOW_LIBRARY_ESSAY.encode("utf-8"))
    c.add(
        Expect(
            rel,
            "CC BY 4.0 essay that DISCUSSES Library Genesis, Z-Library, Anna's Archive and Books3 and quotes "
            "a '(z-lib.org)' stamp in prose",
            "allow",
            ["license.cc-by"],
            license="CC-BY-4.0",
            forbid=["piracy.shadow-library"],
            notes="hard case: mentioning shadow libraries is not being from one. Obligation: attribution "
            "to Ines Carvalho-Baird.",
        )
    )

    rel = "books/the-cartographers-apprentice.txt"
    text = AI_CLAUSE_NOVEL.format(isbn_hc=isbn13("978-1-7356-2281"), isbn_eb=isbn13("978-1-7356-2282"))
    c.write(rel, text.encode("utf-8"))
    c.add(
        Expect(
            rel,
            "2023 novel whose copyright page says it 'may not be used ... for the purpose of training "
            "artificial intelligence technologies or systems' (plus TDM reservation under DSM Art. 4(3))",
            "deny",
            ["optout.ai-clause"],
            notes="copyright.all-rights-reserved and copyright.recent-edition are expected too.",
        )
    )

    rel = "books/tidewater-zine-issue-7.txt"
    c.write(rel, AI_CLAUSE_ZINE.encode("utf-8"))
    c.add(
        Expect(
            rel,
            "community zine under CC BY 4.0 that also states the contributors do not consent to AI training",
            "deny",
            ["optout.ai-clause"],
            license="CC-BY-4.0",
            notes="deny beats allow: the licence would allow it, the explicit AI reservation denies it.",
        )
    )

    rel = "books/pg-copyrighted-the-weir-at-hollins-cross.txt"
    c.write(rel, PG_STYLE_COPYRIGHTED.encode("utf-8"))
    c.add(
        Expect(
            rel,
            "Project-Gutenberg-style header and markers around a work still in copyright (1998), shared "
            "'by permission' for private, non-commercial reading (invented wording)",
            "deny",
            reasons_any=["copyright.all-rights-reserved", "license.non-commercial", "license.unknown"],
            forbid=["source.gutenberg"],
            acceptable=["review"],
            notes="trap: PG markers are not proof of public domain; the copyright notice in the header wins.",
        )
    )

    rel = "books/country-walks-about-fennick-vale-1911.txt"
    c.write(rel, COPYRIGHT_1911_BOOK.encode("utf-8"))
    c.add(
        Expect(
            rel,
            "plain text of a 1911 book (no PG header) whose title page says 'Copyright, 1911' and 'All "
            "rights reserved'",
            "allow",
            ["license.public-domain"],
            forbid=["copyright.recent-edition", "copyright.all-rights-reserved"],
            acceptable=["review"],
            notes="a 1911 US publication is public domain (published more than 95 years ago); the old "
            "notice is positive evidence of its date. A policy that does not reason about notice years "
            "should send it to review, not deny it as copyright.recent-edition.",
        )
    )
