"""books/pg*.txt: excerpts of real Project Gutenberg eBooks (public domain in the USA).

Read at build time from the shared Gutenberg library; the PG header and the full PG licence footer
are kept byte for byte, only the middle of a long body is cut. `pg_body_text` also supplies the
public-domain passages that the invented books (invented_books.py) wrap in their own notices.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from .primitives import Corpus, Expect

_PG_START = re.compile(rb"\*\*\* ?START OF[^\n]*\n")
_PG_END = re.compile(rb"\*\*\* ?END OF")
_PG_TRAILER = re.compile(r"^End of (the )?Project Gutenberg", re.IGNORECASE | re.MULTILINE)


class PgExcerpt(NamedTuple):
    folder: str  # author folder in the shared Gutenberg library
    file: str
    out: str  # name under books/
    keep: int | None  # body bytes to keep, or None for the complete, unmodified file
    case: str
    notes: str = ""
    acceptable: tuple[str, ...] = ()


PG_EXCERPTS = [
    PgExcerpt(
        "London, Jack",
        "The Call of the Wild.txt",
        "pg215-the-call-of-the-wild.txt",
        26_000,
        "Project Gutenberg eBook #215 (1903 novel), PG header and full PG licence footer",
        "",
    ),
    PgExcerpt(
        "Doyle, Arthur Conan",
        "The Hound of the Baskervilles.txt",
        "pg2852-the-hound-of-the-baskervilles.txt",
        26_000,
        "Project Gutenberg eBook #2852 (1902 novel)",
        "",
    ),
    PgExcerpt(
        "Potter, Beatrix",
        "The Tale of Two Bad Mice.txt",
        "pg45264-the-tale-of-two-bad-mice.txt",
        None,
        "Project Gutenberg eBook #45264 (1904), complete file; its title page reprints "
        "'[All rights reserved]' and 'COPYRIGHT 1904 BY FREDERICK WARNE & CO.'",
        "trap: the 1904 notices are historical; a detector that denies on any 'All rights reserved' "
        "line is wrong here. Must not get copyright.* denies.",
    ),
    PgExcerpt(
        "Emshwiller, Ed",
        "Proof of the Pudding.txt",
        "pg50844-proof-of-the-pudding.txt",
        None,
        "Project Gutenberg eBook #50844, complete file: a 1952 magazine story (Robert Sheckley) that is "
        "public domain in the USA only because its copyright was not renewed",
        "the PG header says 'in the United States and most other parts of the world' and asks readers "
        "outside the USA to check their laws; a policy for a non-US release may send it to review.",
        ("review",),
    ),
    PgExcerpt(
        "Goldfrap, John Henry",
        "The Boy Aviators in Nicaragua; or, In League with the Insurgents.txt",
        "pg49734-the-boy-aviators-in-nicaragua.txt",
        24_000,
        "Project Gutenberg eBook #49734 (1910 juvenile novel); title page says "
        "'Copyright, 1910, by HURST & CO.'",
        "trap: an expired 1910 copyright line inside a PG public-domain text.",
    ),
    PgExcerpt(
        "Verne, Jules",
        "Round the World in Eighty Days.txt",
        "pg32972-round-the-world-in-eighty-days.txt",
        24_000,
        "Project Gutenberg eBook #32972 (19th-century translation, Henry Frith); header also points to "
        "an improved edition",
        "",
    ),
    PgExcerpt(
        "Chekhov, Anton Pavlovich",
        "The Bet, and other stories.txt",
        "pg55283-the-bet-and-other-stories.txt",
        24_000,
        "Project Gutenberg eBook #55283 (stories translated 1915)",
        "",
    ),
    PgExcerpt(
        "Wharton, Edith",
        "The Marne A Tale of the War.txt",
        "pg41855-the-marne.txt",
        24_000,
        "Project Gutenberg eBook #41855 (1918); older '***START OF THE PROJECT GUTENBERG EBOOK' marker "
        "without spaces",
        "",
    ),
]


def pg_split(raw: bytes, name: str) -> tuple[bytes, bytes, bytes]:
    """(header through the START line, body, END line and licence footer)."""
    start, end = _PG_START.search(raw), _PG_END.search(raw)
    if not start or not end or end.start() < start.end():
        raise SystemExit(f"build_corpus: {name}: no Project Gutenberg START/END markers")
    return raw[: start.end()], raw[start.end() : end.start()], raw[end.start() :]


def cut_at_paragraph(body: bytes, limit: int) -> bytes:
    """The first `limit` bytes of body, shortened to end at a blank line (CRLF or LF files)."""
    if len(body) <= limit:
        return body
    head = body[:limit]
    for sep in (b"\r\n\r\n", b"\n\n"):
        cut = head.rfind(sep)
        if cut > limit // 2:
            return head[: cut + len(sep)]
    return head


def pg_body_text(gutenberg: Path, rel: str, marker: str, limit: int) -> str:
    """A public-domain passage from a PG body (LF line ends), from `marker` on, about `limit` chars."""
    raw = (gutenberg / rel).read_bytes()
    _, body, _ = pg_split(raw, rel)
    text = body.decode("utf-8").replace("\r\n", "\n")
    at = text.find(marker)
    if at < 0:
        raise SystemExit(f"build_corpus: {rel}: passage marker {marker!r} not found")
    text = text[at:]
    trailer = _PG_TRAILER.search(text)  # "End of the Project Gutenberg EBook of ..." before the END line
    if trailer:
        text = text[: trailer.start()]
    if len(text) > limit:
        cut = text.rfind("\n\n", 0, limit)
        text = text[: cut if cut > limit // 2 else limit]
    return text.rstrip() + "\n"


def build_pg_excerpts(c: Corpus, gutenberg: Path) -> None:
    for pg in PG_EXCERPTS:
        raw = (gutenberg / pg.folder / pg.file).read_bytes()
        header, body, footer = pg_split(raw, pg.file)
        if pg.keep is None:
            data = raw  # a complete, unmodified eBook file
        else:
            nl = b"\r\n" if b"\r\n" in header else b"\n"
            note = (
                b"[clearlm demo corpus: the rest of this eBook's text is omitted here to keep the demo"
                + nl
                + b"small; the Project Gutenberg header above and the licence below are unchanged.]"
                + nl
                + nl
            )
            data = header + cut_at_paragraph(body, pg.keep) + note + footer
        c.write(f"books/{pg.out}", data)
        c.add(
            Expect(
                f"books/{pg.out}",
                pg.case,
                "allow",
                ["source.gutenberg"],
                forbid=["copyright.all-rights-reserved", "copyright.recent-edition", "piracy.shadow-library"],
                acceptable=list(pg.acceptable),
                notes=pg.notes or "public domain in the USA; PG header + licence are the evidence.",
            )
        )
