"""licensed/ and the protected-works case: news under a licensing contract, and a review that quotes
a registered work at length.

The protected work itself lives in examples/protected/ (outside the corpus): `make demo` registers
it with `clearlm registry add`, and the review below, which quotes it at length, must then be denied.
The contracts file is written beside the corpus (examples/contracts.toml), like CORPUS.md.
"""

from __future__ import annotations

import re
from pathlib import Path

from .primitives import Corpus, Expect

EXAMPLES = Path(__file__).resolve().parent.parent
PROTECTED = EXAMPLES / "protected" / "the-lighthouse-keepers-ledger.txt"

REVIEW_HEAD = """\
On Reading Other People's Ledgers
A review by Tomasz Ferreira-Quinn, posted to the Harbour Readers' Circle newsletter.

This review is licensed under a Creative Commons Attribution 4.0 International License
(https://creativecommons.org/licenses/by/4.0/).

I came to Marguerite Osei-Lindqvist's new memoir expecting a book about lighthouses and found a book
about the difference between what we record and what we remember. The opening chapter does the whole
trick at once, so I will quote it at length, because summary flattens it:

"""

REVIEW_TAIL = """

There is more of this, and the rest of the book keeps the promise of those pages. If I have a quarrel,
it is with the middle chapters, which lose the lamp room for the town and never quite find their way
back up the cliff. But the ninth of March will stay with me for a long time.
"""

ARTICLES = {
    "licensed/acme/2025-06-harbour-dredging.txt": (
        "Dredging of the inner harbour will begin in the first week of July, the port authority said on "
        "Tuesday, after two years of delays caused by a dispute over where the spoil should be taken. "
        "Fishing crews have been told to expect the north quay to close for up to nine days.",
    ),
    "licensed/acme/2025-07-ferry-timetable.txt": (
        "The summer ferry timetable adds a late sailing on Fridays and Saturdays, a change campaigners "
        "have sought since the night service was cut in 2019. The operator said demand would be reviewed "
        "in October before any decision on keeping the sailing through the winter.",
    ),
    "licensed/northwind/2021-03-archive-weather.txt": (
        "March ended as the wettest on the station's record, with rain on twenty-six of its thirty-one "
        "days. Archive note: this bulletin was licensed under an agreement that ended on 31 December 2022.",
    ),
}

CONTRACTS_TOML = """\
# Licensed-data agreements of the demo (see docs/clear.md). Scope globs match document source URIs.

[[contract]]
id = "acme-news-2025"
licensor = "Acme Coastal News Ltd"
scope = ["file://*/corpus/licensed/acme/*"]
uses = ["train", "commercial"]
start = 2025-01-01
end = 2027-12-31
attribution = "Contains news articles licensed from Acme Coastal News Ltd."

[[contract]]
id = "northwind-archive"
licensor = "Northwind Weather Archive"
scope = ["file://*/corpus/licensed/northwind/*"]
uses = ["train", "commercial"]
start = 2021-01-01
end = 2022-12-31
attribution = "Contains bulletins from the Northwind Weather Archive."
"""


def quoted_excerpt() -> str:
    """About 260 words of the protected work, re-wrapped and with quotes and dashes changed."""
    text = PROTECTED.read_text(encoding="utf-8")
    body = text[text.index("The entry for the ninth of March") :]
    words = body.split()[:262]
    lines: list[str] = []
    line = ""
    for word in words:
        word = word.replace(",", " ,").replace(" ,", ",")
        if len(line) + len(word) > 72:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    lines.append(line)
    return "\u201c" + re.sub(r"\s+", " ", "\n".join(lines)).replace(" - ", " \u2014 ") + "\u2026\u201d"


def build_licensed(c: Corpus) -> None:
    """Write the licensed-data and registry cases into corpus `c`, with their answer-key entries."""
    for rel, (body,) in ARTICLES.items():
        c.write(rel, (body + "\n").encode())
    c.add(
        Expect(
            "licensed/acme/2025-06-harbour-dredging.txt",
            "news article licensed under a contract in scope and in date (examples/contracts.toml)",
            "allow",
            ["contract.acme-news-2025"],
            notes="allowed only with the demo policy's contracts file; without it, deny license.unknown.",
        ),
        Expect(
            "licensed/acme/2025-07-ferry-timetable.txt",
            "news article licensed under a contract in scope and in date",
            "allow",
            ["contract.acme-news-2025"],
        ),
        Expect(
            "licensed/northwind/2021-03-archive-weather.txt",
            "bulletin licensed under a contract that ended on 2022-12-31",
            "deny",
            ["contract.expired"],
        ),
    )
    c.write(
        "books/review-the-lighthouse-keepers-ledger.txt",
        (REVIEW_HEAD + quoted_excerpt() + REVIEW_TAIL).encode(),
    )
    c.add(
        Expect(
            "books/review-the-lighthouse-keepers-ledger.txt",
            "a CC BY review quoting ~260 words of a registered work (examples/protected/), re-wrapped, "
            "with curly quotes and dashes",
            "deny",
            ["registry.match"],
            license="CC-BY-4.0",
            notes="denied once the demo registers examples/protected/ (make demo does); the review's own "
            "CC BY licence does not cover the quoted work.",
        )
    )
    (c.root.parent / "contracts.toml").write_text(CONTRACTS_TOML, encoding="utf-8")
