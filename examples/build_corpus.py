#!/usr/bin/env python3
"""Build the demo corpus in examples/corpus/ from scratch, byte-identical on every run.

Usage:  .venv/bin/python examples/build_corpus.py [--gutenberg DIR] [--out DIR]

The corpus is the small, committed input of `recipes/demo.toml` and the answer key for clearance tests:
every file (and every WARC record, JSONL line, Parquet row) stands for one rights case, listed with the
decision and reason codes a correct pipeline should reach in `examples/CORPUS.md`, which this script
writes from the same tables it builds the files from.

Sources:
- books/pg*.txt are short excerpts of real Project Gutenberg eBooks (public domain in the USA), read at
  build time from ../shared/data/gutenberg (or --gutenberg / $CLEARLM_GUTENBERG). Their PG header and
  the full PG licence footer are kept byte for byte; only the middle of a long body is cut. A few other
  books/ files reuse short public-domain passages from the same eBooks.
- Everything else (web pages, forum posts, code, notes, wiki articles, publishers, authors, hosts) is
  invented for this corpus. All hosts use the reserved .example TLD and 192.0.2.0/24 addresses.

Determinism: fixed WARC-Dates and record ids (uuid5), gzip members with mtime 0 and no file name,
seeded randomness only, sorted iteration everywhere. The output does not depend on the clock, the
working directory or the file system order.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import re
import shutil
import struct
import sys
import textwrap
import uuid
import zlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import ClassVar, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pyarrow as pa
import pyarrow.parquet as pq
import zstandard
from corpus_extras import build_extras
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "corpus"
DEFAULT_GUTENBERG = HERE.parent.parent / "shared" / "data" / "gutenberg"
SIZE_LIMIT = 3 * 1024 * 1024  # the whole corpus must stay under 3 MB

# Every uuid in the corpus derives from this namespace, so record ids are stable across runs.
CORPUS_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://clearlm.example/demo-corpus")
CRAWL_START = datetime(2024, 5, 20, 8, 0, 0, tzinfo=UTC)
CRAWLER_UA = "Mozilla/5.0 (compatible; clearlm-demo-crawler/0.1; +https://clearlm.example/crawler)"


# --------------------------------------------------------------------------------------------------
# The answer key


@dataclass
class Expect:
    """What a correct pipeline should conclude about one document (or one broken input).

    decision: allow | deny | review (clearance), quarantine (ingest refuses it), evidence (ingest keeps
    it only as clearance evidence, e.g. robots.txt), skip (not content: request/warcinfo records).
    reasons: codes that must all appear. reasons_any: at least one of these must appear.
    forbid: codes that must not appear (e.g. piracy.* on an essay about piracy).
    acceptable: other decisions a careful implementation may defensibly reach.
    """

    path: str
    case: str
    decision: str
    reasons: list[str] = field(default_factory=list)
    record: str | None = None  # URL, "#id" or "L3" inside a container
    license: str | None = None  # expected SPDX expression (null when none / public domain)
    reasons_any: list[str] = field(default_factory=list)
    forbid: list[str] = field(default_factory=list)
    acceptable: list[str] = field(default_factory=list)
    curate: str = ""
    notes: str = ""


class Corpus:
    """Writes files under one root and collects the answer key."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.expect: list[Expect] = []
        self.facts: dict[str, object] = {}

    def write(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def add(self, *items: Expect) -> None:
        self.expect.extend(items)


# --------------------------------------------------------------------------------------------------
# Small deterministic helpers


def dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n") + "\n"


def gzip_bytes(data: bytes) -> bytes:
    """gzip with a fixed header: no file name, mtime 0."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()


def gzip_member(data: bytes) -> bytes:
    """One gzip member the way warcio writes them (zlib's gzip wrapper, mtime 0)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return comp.compress(data) + comp.flush()


def jsonl(records: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(CORPUS_NS, "\x1f".join(parts)))


def isbn13(stem12: str) -> str:
    """Complete a 12-digit ISBN stem with its check digit (the numbers are invented)."""
    digits = [int(c) for c in stem12 if c.isdigit()]
    total = sum(d * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
    return f"{stem12}-{(10 - total % 10) % 10}"


def paragraphs_html(text: str) -> str:
    """Blank-line separated prose → <p> elements (lines inside a paragraph are joined)."""
    paras = [" ".join(p.split()) for p in dedent(text).split("\n\n") if p.strip()]
    return "\n".join(f"      <p>{p}</p>" for p in paras)


# --------------------------------------------------------------------------------------------------
# books/: Project Gutenberg excerpts (real public-domain text, read from the shared library)

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


# --------------------------------------------------------------------------------------------------
# books/: invented rights cases (front matter, notices and modern prose written for this corpus)

MODERN_EDITION_FRONT = """\
BROWNE'S FOLLY
and Other Salem Sketches

NATHANIEL HAWTHORNE

Edited with an Introduction and Notes by
MARGUERITE OLANDER

PELLMONT & VANE CLASSICS


Pellmont & Vane Classics
An imprint of Pellmont & Vane Publishing Ltd
7 Cordwainer Row, Norwich NR9 9ZZ

First published in this edition 2019

Introduction and Notes (c) Marguerite Olander 2019
This edition (c) 2019 Pellmont & Vane Publishing Ltd. All rights reserved.

No part of this publication may be reproduced, stored in a retrieval system, or transmitted, in any
form or by any means, electronic, mechanical, photocopying, recording or otherwise, without the
prior written permission of the publisher.

The moral right of the editor has been asserted.

British Library Cataloguing in Publication Data
A catalogue record for this book is available from the British Library

Library of Congress Cataloging-in-Publication Data
Names: Hawthorne, Nathaniel, 1804-1864, author. | Olander, Marguerite, editor.
Title: Browne's folly and other Salem sketches / Nathaniel Hawthorne ; edited with an
  introduction and notes by Marguerite Olander.
Description: Norwich : Pellmont & Vane Classics, 2019. | Series: Pellmont & Vane classics |
  Includes bibliographical references.
Identifiers: ISBN {isbn_pb} (paperback) | ISBN {isbn_eb} (ebook)
Subjects: Salem (Mass.)--Description and travel. | Essex County (Mass.)--Fiction.
Classification: DDC 813/.3--dc23

ISBN {isbn_pb} (paperback)
ISBN {isbn_eb} (ebook)

Typeset in 11/14pt Caslon by Wherry Lane Typesetting
Printed and bound by Fenmoor Print Services

10 9 8 7 6 5 4 3 2 1


INTRODUCTION

Hawthorne wrote the short letter printed here in the late summer of 1860, a few weeks after he came
home from seven years abroad. He had been asked for a story to help a Salem charity and, as he
admits with some embarrassment, he no longer trusted himself to invent one. What he offered instead
is a walk: up the long whale-backed ridge outside the town, past the cellar hole of a mansion that
was never lived in, and back down into memory.

Readers who know only The Scarlet Letter may be surprised by how light the piece is. The irony is
gentle, the sentences loosen as the hill rises, and the moral arrives, as it often does in the late
sketches, disguised as a shrug. This edition follows the text of the first printing and records the
few later changes in the notes. Spelling and punctuation have not been modernised.

M.O.
Norwich, 2019


A NOTE ON THE TEXT

The text of "Browne's Folly" is taken from its first appearance in print. Obvious printer's errors
have been silently corrected.


"""

SHADOW_LIBRARY_BOOKS = [
    # (file name pattern, PG source, passage marker, case)
    (
        "Fire Worship - Nathaniel Hawthorne (z-lib.org).txt",
        "Hawthorne, Nathaniel/Fire Worship.txt",
        "It is a great revolution",
        "Z-Library download stamp '(z-lib.org)' in the file name; body is an 1843 public-domain essay",
    ),
    (
        "Dickens, Charles - The Magic Fishbone - libgen.li.txt",
        "Dickens, Charles/The Magic FishboneA Holiday Romance from the Pen of Miss Alice Rainbird, "
        "Aged 7.txt",
        "There was once a King, and he had a Queen",
        "LibGen mirror stamp 'Author - Title - libgen.li' in the file name; body is an 1868 story",
    ),
    (
        "{md5}.txt",
        "Hawthorne, Nathaniel/Dr. Bullivant(From The Doliver Romance and Other Pieces Tales and "
        "Sketches).txt",
        "We will suppose ourselves standing in Cornhill",
        "bare 32-hex MD5 file name (how LibGen / Anna's Archive store files); body is an 1830s sketch",
    ),
    (
        "aacid__zlib3_files__20230808T014342Z__22433983__hMnfRNMbTRg5X7VPZ7hTxA.txt",
        "Lang, Andrew/The Princess Nobody A Tale of Fairyland.txt",
        "Once upon a time, when Fairies",
        "Anna's Archive container id ('aacid__<collection>__<timestamp>__<id>__<shortuuid>') as the name",
    ),
    (
        "The Sand-Hills of Jutland -- Hans Christian Andersen -- 2011 -- Lanternfish Classics -- {md5} "
        "-- Anna's Archive.txt",
        "Andersen, H. C. (Hans Christian)/The Sand-Hills of Jutland.txt",
        "This is a story from the Jutland sand-hills",
        "Anna's Archive name 'Title -- Author -- Year -- Publisher -- <md5> -- Anna's Archive'",
    ),
]

LIBGEN_RECORD = """\
Library Genesis
---------------
ID: 2291847
Title: Principles of Estuarine Hydraulics
Author(s): Mallender, R. T.; Quist, Annelie
Series: Coastal Engineering Monographs; 14
Publisher: Tidewater Academic Press
City: Rotterdam
Year: 2014
Edition: 2nd ed.
Language: English
Pages: 412[398]
ISBN: {isbn}
Time added: 2016-03-11 09:14:52
Time modified: 2019-08-02 17:40:03
Size: 8 Mb (8391204 bytes)
Extension: pdf
MD5: {md5}
Topic: Technology\\\\Hydraulic engineering
Mirrors: [1] library.lol/main/{md5}  [2] libgen.li/ads.php?md5={md5}
---------------

"""

LIBGEN_BODY = """\
CHAPTER 1
WHY ESTUARIES MIX

1.1 A meeting of two waters

An estuary is the reach of a river in which fresh water meets the sea and neither wins. Twice a day
the tide pushes a wedge of dense salt water up the channel beneath the lighter river flow; twice a
day it drains away again. What happens in between, the slow exchange of salt, sediment and heat
across that moving interface, decides where mud settles, where oysters grow and how far upstream a
water intake can safely be placed.

Engineers have described estuaries in three broad classes. In a salt-wedge estuary the river
dominates and the two layers barely mix: a sharp halocline separates them and the wedge advances and
retreats with the tide like a drawer being opened and shut. In a partially mixed estuary the tidal
currents are strong enough to stir the interface, and salinity increases smoothly with depth. In a
well-mixed estuary the water column is nearly uniform from surface to bed, and salinity changes
mainly along the channel rather than across it.

1.2 The estuarine Richardson number

The class an estuary falls into can be estimated from a single dimensionless ratio, comparing the
buoyancy supplied by the river with the mixing energy supplied by the tide. Where the ratio is large
the water stays stratified; where it is small the tide wins. The ratio is not a law of nature but a
convenient summary, and later chapters show where it misleads: in narrow channels with strong
bends, in estuaries with large tidal flats, and during the few days a year when a flood pushes the
salt out to sea altogether.
"""

SHADOW_LIBRARY_ESSAY = """\
Notes on the Grey Shelves
What shadow libraries are, and why a training pipeline has to recognise them

by Ines Carvalho-Baird

This essay is licensed under the Creative Commons Attribution 4.0 International licence (CC BY 4.0),
https://creativecommons.org/licenses/by/4.0/. You may copy, adapt and reuse it, including
commercially, as long as you credit the author.


1. A library without a front desk

For most readers a library is a building with a lending desk and a budget. The libraries this essay
is about have neither. Library Genesis began in the late 2000s as a collection of scanned textbooks
shared among students; Z-Library grew out of it and added a polished storefront; Anna's Archive
presents itself as a search engine over both. Together they are often called shadow libraries: large
collections of books and articles, most of them still in copyright, distributed without the
permission of their authors or publishers.

Their defenders point to students in countries where a single textbook costs a month's wages. Their
critics point out that the authors of those textbooks are rarely paid twice. Both are right about
something, and neither argument settles the question that matters here, which is narrower: may a
company train a commercial language model on files taken from these collections? Courts in several
countries have now said, in different words, that it may not, or at least that it may not assume it
can.

2. How the files give themselves away

Files from shadow libraries tend to carry marks of where they came from. Downloads from one mirror
used to end their names with a bracketed "(z-lib.org)"; files from another append the mirror's
domain after the title; bulk torrents name every file by the MD5 hash of its contents, and the newer
metadata dumps use long identifiers that begin with a fixed prefix and a collection name. Scholars
who studied the Books3 data set found whole directory trees copied from a private tracker.

None of these marks proves anything on its own, and none of them appears in this essay by accident:
a text that merely describes piracy is not pirated. A pipeline that denies this essay because it
mentions Library Genesis would be making the same mistake as a spam filter that blocks every email
about spam.

3. What a careful pipeline keeps

The practical rule is simple to state and tedious to follow. Keep a record of where every file came
from. Treat file names, embedded catalogue records and hash-named files as evidence, not as proof,
and send anything ambiguous to a person. Never let a file whose only provenance is a shadow library
reach a training run, whatever its contents appear to be, because the contents of a file are the one
thing a pirate copy does not change.

Ines Carvalho-Baird writes about archives, access and the law. This essay first appeared in the
newsletter Open Stacks (open-stacks.example), issue 12.
"""

AI_CLAUSE_NOVEL = """\
THE CARTOGRAPHER'S APPRENTICE

A Novel

DELPHINE MARROWBY

ORRIN LAKE PRESS


Orrin Lake Press
1200 Alder Street, Suite 4
Portland, OR 97299

Copyright (c) 2023 by Delphine Marrowby
All rights reserved.

No part of this book may be reproduced or used in any manner without the prior written permission
of the copyright owner, except for the use of brief quotations in a book review.

No part of this book may be used or reproduced in any manner for the purpose of training artificial
intelligence technologies or systems. The publisher and author expressly reserve this work from the
text and data mining exception in accordance with Article 4(3) of the Digital Single Market
Directive 2019/790.

This is a work of fiction. Names, characters, places and incidents are the products of the author's
imagination. Any resemblance to actual persons, living or dead, is coincidental.

First edition, October 2023

ISBN {isbn_hc} (hardcover)
ISBN {isbn_eb} (ebook)

Cover design by Ruth Abernathy-Kole


ONE

The map arrived rolled inside a length of drainpipe, sealed at both ends with candle wax, and Wren
knew before she cut it open that her uncle was dead. He had never once sent anything by post that he
could carry himself.

She spread it on the kitchen table and weighted the corners with the salt cellar, the teapot and
two of her mother's library books. It was the coast north of Gallow Point, drawn in the brown ink he
mixed from oak galls, every cove and shoal labelled in his cramped capitals. It was also wrong. The
lighthouse stood half a mile too far south. The river mouth had moved. And where the Pennock sands
should have been there was a small island she had never heard of, inked in with more care than
anything else on the sheet, and named in letters so fine she had to fetch a magnifying glass to read
them.

FOR W., it said. WHEN YOU ARE READY.

Her mother came in from the garden, saw the drainpipe, saw Wren's face, and sat down without taking
off her boots.

"He always did like a puzzle," she said at last. "More than he liked people, some years."

"There's no island there."

"No," said her mother. "There isn't. Put the kettle on."
"""

AI_CLAUSE_ZINE = """\
THE TIDEWATER ZINE
Issue 7 - Spring 2024
Stories, recipes and tide tables from the Kestrelmouth estuary

Published by the Tidewater Writers' Circle, Kestrelmouth.

Licence: every piece in this issue is shared under the Creative Commons Attribution 4.0
International licence (CC BY 4.0), https://creativecommons.org/licenses/by/4.0/ - copy it, print
it, pin it to the noticeboard, just credit the writer and the zine.

AI notice: the contributors do not consent to the use of this zine, in whole or in part, to train
artificial intelligence or machine-learning models. This reservation of rights is made under
Article 4(3) of Directive (EU) 2019/790 and applies whatever the licence above allows.


CONTENTS
The eel man of Brackwater - Joss Trelawny-Pike
Three soups for a cold April - Marta Olsztyn
What the harbour master saw - Priya Venkataraman-Hole
Tide table, April to June


THE EEL MAN OF BRACKWATER
by Joss Trelawny-Pike

Every village on the estuary had one, my grandmother said, and ours was called Amos. He lived in a
shed at the end of the salt-pan causeway with a stove, a bed, two hundred yards of net and a radio
that only found the shipping forecast. In autumn, when the silver eels ran for the sea on the dark
of the moon, he worked all night and sold them at the back door of the Anchor by breakfast.

Nobody knew how old he was. Nobody knew where he had come from, though the accent was somewhere
north of the river. When the council knocked down the sheds in 1987 he simply moved his stove onto a
boat, and when the boat sank he moved it into the church porch until the vicar found him a room.
He died in that room at ninety-one, or ninety-six, depending on whose story you believe, and left
the nets to the primary school.

They are still there, hanging from the ceiling of the hall, and every child in Kestrelmouth has
stood underneath them at some point and been told to look up.
"""

PG_STYLE_COPYRIGHTED = """\
The Project Gutenberg eBook of The Weir at Hollins Cross, by Winifred Ashcombe

Copyright (C) 1998 by Winifred Ashcombe

Please read this notice before you do anything else with this file. Unlike most eBooks in this
collection, this one is NOT in the public domain. The author holds the copyright and has allowed
Project Gutenberg to share it. You may read it, and you may give unchanged copies to other people
for their own private reading, free of charge. Any other use -- selling it, printing it for sale,
adapting it, or including it in another collection or product -- needs the written permission of
the author or her estate.


Title: The Weir at Hollins Cross

Author: Winifred Ashcombe

Release Date: March, 2003

Language: English

Character set encoding: UTF-8

*** START OF THE PROJECT GUTENBERG EBOOK THE WEIR AT HOLLINS CROSS ***




THE WEIR AT HOLLINS CROSS

by Winifred Ashcombe


I

The river below Hollins Cross was never loud. It went about its business under the alders with a
kind of apology, and it was only at the weir, where the old mill race split from the main stream,
that it raised its voice at all. We children used to lie on the stone lip of the weir in August with
our arms in the water up to the shoulder, feeling for the crayfish that lived in the cracks, and the
noise of it filled our heads so completely that we could not hear our mothers calling.

It was from the weir that I first saw Mr Lovibond's motor car, in the summer of 1951, coming down the
lane from the Cross far too fast, with the hood down and a woman in a green scarf beside him who was
laughing at something he had said. My brother Alec said she was a film star. I said she was not,
because film stars did not come to Hollins Cross, and we fought about it on the stone until we both
fell in.

She was not a film star. She was Mr Lovibond's new wife, and by the end of that summer she had bought
the mill.

*** END OF THE PROJECT GUTENBERG EBOOK THE WEIR AT HOLLINS CROSS ***

This file is a copyrighted eBook, shared by Project Gutenberg with the permission of the copyright
holder. The Project Gutenberg trademark licence does not make it public domain: the copyright notice
at the top of this file applies to the whole text.
"""

COPYRIGHT_1911_BOOK = """\
COUNTRY WALKS ABOUT FENNICK VALE

WITH NOTES ON ITS CHURCHES, MILLS AND ANCIENT ROADS

BY

ARTHUR PENNYCROSS

ILLUSTRATED

LOXLEY & DUNN
BOSTON AND LONDON
1911

Copyright, 1911,
BY LOXLEY & DUNN.

All rights reserved.

Published April, 1911


PREFACE

The walks described in these pages were taken, for the most part, in the spring and early summer of
the year 1909, when the writer was a guest at the Bell Inn at Fennick St. Mary and had no other
duty than to be out of doors. They are set down in the order in which they were taken, and no
attempt has been made to arrange them into a system. The walker who desires a system will find one
in the Ordnance map; the walker who desires company may, perhaps, find some in this book.


WALK THE FIRST

FROM FENNICK ST. MARY TO THE OLD SALT ROAD

Leave the village by the lane beside the churchyard wall, where a stone stile of great age admits
the traveller to a field path. The path climbs gently for the better part of a mile through pasture,
and at the top of the rise the whole breadth of the vale lies open to the south: the river winding
among its willows, the three mills at their several weirs, and beyond them the long blue line of the
downs, upon which, if the day be clear, the ancient trackway may be traced like a chalk mark drawn
by a careful hand.

It is upon this trackway, called in the district the Old Salt Road, that the pack-horses once
carried salt from the pans at Brackwater to the markets of the inland towns. Its course is marked
here and there by thorn trees of remarkable size, which the country people will tell you were
planted as guides for travellers in snow. Whether this be true the writer cannot say; but it is
certain that a man who followed the thorns on a winter evening would come, in the end, to an inn.

The church of St. Mary deserves a longer visit than most travellers give it. The tower is of the
fourteenth century, the nave a good deal older, and in the north aisle is a brass of a wool merchant
and his two wives which the sexton, for a small consideration, will uncover from its carpet.
"""


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
    body = LIBGEN_BODY.encode("utf-8")
    record = LIBGEN_RECORD.format(
        isbn=isbn13("978-9-0825-1140").replace("-", ""), md5=hashlib.md5(body).hexdigest()
    )
    rel = "books/estuarine-hydraulics-ch1.txt"
    c.write(rel, record.encode("utf-8") + body)
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


# --------------------------------------------------------------------------------------------------
# web/: an invented crawl of four .example hosts

CC = {
    "CC-BY-4.0": (
        "https://creativecommons.org/licenses/by/4.0/",
        "Creative Commons Attribution 4.0 International",
    ),
    "CC-BY-SA-4.0": (
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "Creative Commons Attribution-ShareAlike 4.0 International",
    ),
    "CC-BY-NC-4.0": (
        "https://creativecommons.org/licenses/by-nc/4.0/",
        "Creative Commons Attribution-NonCommercial 4.0 International",
    ),
    "CC-BY-ND-4.0": (
        "https://creativecommons.org/licenses/by-nd/4.0/",
        "Creative Commons Attribution-NoDerivatives 4.0 International",
    ),
    "CC0-1.0": ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0 Universal"),
}


def cc_footer(spdx: str, holder: str, what: str = "this post") -> str:
    url, name = CC[spdx]
    if spdx == "CC0-1.0":
        return (
            f'<p class="license">To the extent possible under law, {holder} has waived all copyright and '
            f'related or neighboring rights to {what}. <a rel="license" href="{url}">{name}</a>.</p>'
        )
    return (
        f'<p class="license">&copy; 2024 {holder}. Except where otherwise noted, {what} is licensed under a '
        f'<a rel="license" href="{url}">{name} License</a>.</p>'
    )


@dataclass
class Page:
    host: str
    path: str
    title: str
    body: str  # prose, blank-line separated paragraphs
    footer: str  # HTML for the site footer
    case: str
    decision: str
    reasons: list[str]
    license: str | None = None
    byline: str = ""
    head_extra: str = ""  # extra <head> elements (meta tags)
    headers: list[tuple[str, str]] = field(default_factory=list)  # extra HTTP response headers
    forbid: list[str] = field(default_factory=list)
    acceptable: list[str] = field(default_factory=list)
    notes: str = ""
    last_modified: str = "Mon, 13 May 2024 10:00:00 GMT"


SITES = {
    "blog.example": ("Juniper Row", "a notebook by Tamsin Vell", [("/", "Home"), ("/about/", "About")]),
    "press.example": (
        "Gullwing &amp; Brack",
        "independent publishers since 1987",
        [("/catalog/", "Catalogue"), ("/news/", "News"), ("/rights-and-permissions/", "Rights")],
    ),
    "news.example": (
        "The Kestrelmouth Gazette",
        "news for the estuary towns",
        [("/local/", "Local"), ("/sport/", "Sport"), ("/opinion/", "Opinion")],
    ),
    "wiki.example": (
        "Kestrelmouth Wiki",
        "the community encyclopedia of the Fennick estuary",
        [("/wiki/Main_Page", "Main page"), ("/wiki/Special:Random", "Random")],
    ),
}


def render_page(page: Page) -> bytes:
    site, tagline, nav = SITES[page.host]
    url = f"https://{page.host}{page.path}"
    nav_html = " ".join(f'<a href="{href}">{label}</a>' for href, label in nav)
    byline = f'\n      <p class="byline">{page.byline}</p>' if page.byline else ""
    head_extra = f"\n    {page.head_extra}" if page.head_extra else ""
    html = f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{page.title} | {site}</title>
    <link rel="canonical" href="{url}">{head_extra}
    <link rel="stylesheet" href="/assets/site.css">
  </head>
  <body>
    <header class="site-header">
      <a class="site-name" href="/">{site}</a> <span class="tagline">{tagline}</span>
      <nav>{nav_html}</nav>
    </header>
    <main>
      <article>
      <h1>{page.title}</h1>{byline}
{paragraphs_html(page.body)}
      </article>
    </main>
    <footer class="site-footer">
      {page.footer}
    </footer>
  </body>
</html>
"""
    return html.encode("utf-8")


BLOG_BY = "Tamsin Vell"
RESERVED_PRESS = "<p>&copy; 2024 Gullwing &amp; Brack Publishers Ltd. All rights reserved.</p>"
RESERVED_NEWS = (
    "<p>&copy; 2024 Kestrelmouth Gazette Ltd. All rights reserved. Reproduction without permission is "
    "prohibited.</p>"
)
NEWS_COOP_BY = cc_footer("CC-BY-4.0", "Kestrelmouth Gazette Co-operative", "this article")
WIKI_SA = (
    cc_footer("CC-BY-SA-4.0", "Kestrelmouth Wiki contributors", "text on this page")
    + '\n      <p><a href="/wiki/Kestrelmouth_Wiki:Privacy">Privacy</a></p>'
)

PAGES = [
    # ---- blog.example: robots.txt allows everything
    Page(
        "blog.example",
        "/2024/03/sourdough-hydration/",
        "What I got wrong about sourdough hydration",
        """
        For two years I treated hydration like a personality trait. High-hydration loaves were for
        serious bakers; anything under seventy-five percent was bread for people who had given up. My
        loaves were flat, sticky and sour, and I blamed the flour, the weather and at one low point the
        oven.

        What fixed it was boring. I dropped to sixty-eight percent water, weighed the salt instead of
        guessing, and gave the dough a proper bulk ferment by watching it rather than the clock: it is
        ready when it has grown by about half and the surface is domed and a little jiggly, not when a
        recipe says four hours. In my cold kitchen that can take seven.

        Once the dough could hold its shape I crept back up, two percent at a time. I now bake at
        seventy-two with a wholemeal blend and it behaves. The lesson is the same one every hobby
        teaches eventually: get the simple version right before you make it hard.
        """,
        cc_footer("CC-BY-4.0", BLOG_BY),
        'blog post under CC BY 4.0: rel="license" link and licence footer (with a (c) line, as CC '
        "footers usually have)",
        "allow",
        ["license.cc-by"],
        license="CC-BY-4.0",
        byline="By Tamsin Vell &middot; 12 March 2024",
        forbid=["copyright.all-rights-reserved"],
        notes="obligation: attribution to Tamsin Vell / Juniper Row. The '(c) 2024' line sits beside a CC "
        "licence and is not 'all rights reserved'.",
    ),
    Page(
        "blog.example",
        "/2024/04/winter-bike-commuting/",
        "A winter of commuting by bike, in numbers",
        """
        I promised myself I would ride to work every day from November to February, and I mostly did.
        Ninety-one days, fourteen hundred kilometres, three punctures, one chain snapped on the worst
        hill in town and exactly one morning when I turned round at the end of the road because the
        sleet was coming in sideways.

        The gear that mattered was not the expensive gear. Mudguards with long flaps did more for my
        mood than any jacket. Lights that take USB charging got charged; lights that took batteries did
        not. Overshoes were worth it. Studded tyres were not, on our roads, though I know riders further
        north who would disagree.

        If you want to try it, start in October while it is still light and let the habit form before
        the weather turns. Feel free to copy the spreadsheet linked below and adapt it; if you share
        your version, share it under the same licence.
        """,
        cc_footer("CC-BY-SA-4.0", BLOG_BY),
        'blog post under CC BY-SA 4.0 (rel="license" link)',
        "allow",
        ["license.cc-by-sa"],
        license="CC-BY-SA-4.0",
        byline="By Tamsin Vell &middot; 2 April 2024",
        notes="obligations: attribution and share-alike.",
    ),
    Page(
        "blog.example",
        "/2024/04/allotment-soil-notes/",
        "Allotment notes: fixing heavy clay, year three",
        """
        Plot 14 came with a shed, a rhubarb crown of enormous age and about thirty centimetres of yellow
        clay that set like brick in July. Three years on it is something I would call soil, and this is
        the log of what I did, in case it saves anyone else a season.

        Year one was cardboard and manure: I covered half the plot in flattened boxes, piled horse
        manure from the stables down the lane on top and left the worms to it. Year two was green
        manure, field beans over winter, chopped and dug in at flowering. Year three I stopped digging
        altogether and started mulching every bed with an inch of compost each autumn.

        The difference shows in the spring. The mulched beds drain after rain and can be planted a
        fortnight earlier than the neighbouring plots. The rhubarb, as ever, did not notice anything.
        """,
        cc_footer("CC-BY-NC-4.0", BLOG_BY),
        "blog post under CC BY-NC 4.0",
        "deny",
        ["license.non-commercial"],
        license="CC-BY-NC-4.0",
        byline="By Tamsin Vell &middot; 21 April 2024",
        notes="the default policy targets a commercial release and denies NC; a research policy that "
        "allows NC would allow it and carry the NC restriction into the release.",
    ),
    Page(
        "blog.example",
        "/2024/05/rust-lifetimes-field-notes/",
        "Field notes on Rust lifetimes for people who write Python all day",
        """
        The borrow checker stopped feeling hostile the week I started reading its errors as questions
        rather than accusations. "This value does not live long enough" is asking: who owns this, and
        when do they let go? In Python the answer is always "the garbage collector, eventually", so I had
        never had to think about it.

        Three habits helped. First, return owned values from functions until profiling says otherwise;
        a few clones are cheaper than an afternoon of annotations. Second, when a struct wants to hold a
        reference, ask whether it could hold an index or an id instead. Third, read the elision rules
        once, properly, because most of the lifetimes you think you need are already implied.

        I am putting these notes in the public domain. Copy them into your team wiki, your slides, your
        own blog; no credit needed.
        """,
        cc_footer("CC0-1.0", BLOG_BY),
        'blog post dedicated to the public domain with CC0 1.0 (rel="license" link)',
        "allow",
        ["license.cc0"],
        license="CC0-1.0",
        byline="By Tamsin Vell &middot; 8 May 2024",
    ),
    Page(
        "blog.example",
        "/2024/05/travel-sketchbook-lisbon/",
        "A travel sketchbook: five days in Lisbon",
        """
        I take one small sketchbook, one pen and a water brush, and I draw whatever I am waiting in front
        of. In Lisbon that meant trams, mostly, and the queue for custard tarts, and a great many roof
        lines seen from the top of steep streets while I got my breath back.

        Drawing in public gets easier. On the first day I hid in doorways; by the third an old man on a
        bench at the Miradouro was offering corrections and a boy from a school group asked if he could
        draw in my book too. His tram is better than mine.

        The scans of all forty pages are below. I am happy for people to reuse them with credit, but I do
        not want them or this text used to train image or text generators.
        """,
        cc_footer("CC-BY-4.0", BLOG_BY),
        "CC BY 4.0 post served with the HTTP response header 'X-Robots-Tag: noai, noimageai'",
        "deny",
        ["optout.noai"],
        license="CC-BY-4.0",
        byline="By Tamsin Vell &middot; 16 May 2024",
        headers=[("X-Robots-Tag", "noai, noimageai")],
        notes="deny beats allow: the CC BY licence is there, the noai opt-out wins.",
    ),
    Page(
        "blog.example",
        "/about/",
        "About Juniper Row",
        """
        Juniper Row is where I write about bread, bikes, the allotment and whatever I happen to be
        learning. I am a hydrologist by training and work for a water company, which explains the
        occasional post about rivers.

        Unless a post says otherwise, the writing here is licensed CC BY 4.0. Please do not use it to
        train AI models: I have added the noai directive to every page for that reason.
        """,
        cc_footer("CC-BY-4.0", BLOG_BY, "this site"),
        'CC BY 4.0 page with <meta name="robots" content="noai, noimageai">',
        "deny",
        ["optout.noai"],
        license="CC-BY-4.0",
        head_extra='<meta name="robots" content="noai, noimageai">',
        notes="the opt-out is in HTML, not in a header.",
    ),
    Page(
        "blog.example",
        "/2024/02/hello-again/",
        "Hello again",
        """
        It has been a year since I last posted anything here. Some of that was the new job, some of it
        was the allotment, and some of it was simply that I stopped wanting to write for an audience and
        started keeping a paper notebook instead.

        The notebook is full now, and I miss the small discipline of tidying a thought up enough for
        someone else to read it. So: more posts, shorter ones, and no promises about schedule.
        """,
        '<p>Juniper Row &middot; <a href="/feed.xml">RSS</a></p>',
        "blog post with no licence, no notice, no opt-out: silence",
        "deny",
        ["license.unknown"],
        notes="deny by default: no positive evidence of a right.",
    ),
    Page(
        "blog.example",
        "/2024/06/kestrel-on-the-gasholder/",
        "The kestrel on the gasholder",
        """
        For three weeks a kestrel has been hunting from the top of the old gasholder frame by the
        canal. It hangs in the wind above the towpath, drops, misses, climbs back up and tries again,
        apparently unbothered by the cyclists and the dog walkers underneath.

        Header photo: "Kestrel hovering", by Olu Adeyemi-Rhys, licensed under CC BY 2.0. The photo is
        the only thing on this page with a licence; I have not decided what to do about my own writing
        yet.

        The image below is a quick sketch of the frame, for scale.
        """,
        '<p>Juniper Row &middot; <a href="/feed.xml">RSS</a></p>\n      <img src="/media/kestrel-sketch.png" '
        'alt="sketch of the gasholder frame" width="16" height="16">',
        "post whose only licence statement is for an embedded photo by someone else (CC BY 2.0), not for "
        "the text",
        "deny",
        ["license.unknown"],
        forbid=["license.cc-by"],
        acceptable=["review"],
        notes="hard case: a CC mention about a third-party image is not a licence for the page text.",
    ),
    # ---- press.example: robots.txt disallows /drafts/ for every agent; /.well-known/tdmrep.json
    Page(
        "press.example",
        "/catalog/the-salt-road/",
        "The Salt Road by Morwenna Pascoe",
        """
        From the salt pans of Brackwater to the market towns of the interior, a single track once carried
        the wealth of a coast. Morwenna Pascoe walked all ninety miles of it in the winter of 2022, with
        a pack, a notebook and a very old map, and this is the book she brought back.

        Part history, part travelogue and part quarrel with the people who paved it over, The Salt Road
        is a portrait of a landscape that remembers more than it lets on. Hardback, 312 pages, with
        twenty-four colour plates and endpaper maps by the author.

        Publication date: 6 June 2024. Available to order from all good bookshops.
        """,
        RESERVED_PRESS,
        "publisher catalogue page under /catalog/, which /.well-known/tdmrep.json reserves (tdm-reservation "
        "1); page footer says 'All rights reserved'",
        "deny",
        ["optout.tdmrep"],
        notes="the TDM opt-out comes only from the host's tdmrep.json (location /catalog/*); "
        "copyright.all-rights-reserved is expected too.",
    ),
    Page(
        "press.example",
        "/news/spring-list-2024/",
        "Our spring list for 2024",
        """
        Spring is the season we look forward to most, and this year's list is the strongest we have
        published in a decade: two debut novels, a new collection from a poet we have championed since
        her first pamphlet, and the long-awaited second volume of our history of the estuary mills.

        We are also delighted to welcome three new members to the editorial team, and to announce that
        our submissions window for unsolicited manuscripts will reopen in September.

        Review copies are available to booksellers and press on request.
        """,
        '<p>Gullwing &amp; Brack Publishers Ltd &middot; <a href="/contact/">Contact</a></p>',
        'publisher news page with <meta name="tdm-reservation" content="1"> (and a tdm-policy meta)',
        "deny",
        ["optout.tdmrep"],
        head_extra='<meta name="tdm-reservation" content="1">\n    '
        '<meta name="tdm-policy" content="https://press.example/policies/tdm-policy.json">',
        notes="outside the tdmrep.json locations; the opt-out is the page's own meta tag. No licence either "
        "(license.unknown may appear).",
    ),
    Page(
        "press.example",
        "/rights-and-permissions/",
        "Rights and permissions",
        """
        We welcome requests to quote from our books in reviews, articles and teaching materials. Short
        quotations for review do not need permission. For anything longer, or for anthology, translation,
        audio or film rights, please write to our rights team with the title, the passage and the use
        you have in mind.

        Text and data mining of our publications is reserved. Licences for research and commercial
        mining are available: see our TDM policy for terms and contact details.
        """,
        '<p>Gullwing &amp; Brack Publishers Ltd &middot; <a href="/contact/">Contact</a></p>',
        "publisher page served with the HTTP header 'tdm-reservation: 1' (and 'tdm-policy')",
        "deny",
        ["optout.tdmrep"],
        headers=[("tdm-reservation", "1"), ("tdm-policy", "https://press.example/policies/tdm-policy.json")],
        notes="the opt-out is only in the HTTP headers.",
    ),
    Page(
        "press.example",
        "/open/house-style-guide/",
        "House style guide",
        """
        This guide sets out the conventions our editors follow. We publish it so that authors can prepare
        manuscripts that need fewer corrections, and so that other small presses can use it as a starting
        point for their own.

        Use single quotation marks, with double marks for quotations within quotations. Spell out numbers
        from one to ninety-nine, except in measurements and dates. Use the serial comma only where it
        prevents ambiguity. Dates take the form 6 June 2024, without ordinals. Book titles are set in
        italics; chapter and article titles in roman within quotation marks.

        Please share the guide as it is. If you want to adapt it for your own press, write to us and we
        will almost certainly say yes.
        """,
        cc_footer("CC-BY-ND-4.0", "Gullwing &amp; Brack Publishers Ltd", "this guide"),
        "style guide under CC BY-ND 4.0, in /open/ where tdmrep.json says tdm-reservation 0",
        "deny",
        ["license.no-derivatives"],
        license="CC-BY-ND-4.0",
        forbid=["optout.tdmrep"],
        notes="training makes a derivative; the default policy denies ND. tdmrep.json explicitly does not "
        "reserve /open/*.",
    ),
    Page(
        "press.example",
        "/drafts/autumn-catalogue-draft/",
        "DRAFT - autumn catalogue copy (do not publish)",
        """
        Working copy for the autumn catalogue. Blurbs still to be approved by authors; prices provisional.

        Title one: a family saga set in the oyster fisheries, 1890 to 1920. Title two: a memoir of forty
        years as a lock keeper. Title three: poems, untitled as yet, author asks that we do not announce
        before the prize shortlist.
        """,
        RESERVED_PRESS,
        "page under /drafts/, a path robots.txt disallows for every user agent (fetched anyway)",
        "deny",
        ["optout.robots"],
        notes="robots.txt 'User-agent: * / Disallow: /drafts/' covers any crawler; "
        "copyright.all-rights-reserved is expected too.",
    ),
    Page(
        "press.example",
        "/about/",
        "About Gullwing &amp; Brack",
        """
        Gullwing &amp; Brack was founded in 1987 by two booksellers who thought the estuary towns deserved
        a publisher of their own. We publish around twenty books a year: fiction, poetry, local history
        and natural history, most of it by writers who live within a day's walk of the sea.

        We are a small team of nine, working from the upper floor of a former sail loft on Quay Street.
        """,
        RESERVED_PRESS,
        "publisher 'about' page with an 'All rights reserved' footer and no licence; not covered by any TDM "
        "reservation or robots rule",
        "deny",
        ["copyright.all-rights-reserved"],
        notes="license.unknown may appear too.",
    ),
    # ---- news.example: robots.txt disallows GPTBot, CCBot, ClaudeBot and Google-Extended for the site
    Page(
        "news.example",
        "/2024/05/20/harbour-bridge-reopens/",
        "Harbour swing bridge reopens after eight-month repair",
        """
        The Kestrelmouth harbour swing bridge reopened to traffic on Monday morning, eight months after
        it was closed when engineers found corrosion in the turning mechanism.

        The repair, which cost the harbour trust just over two million pounds, replaced the central
        pivot bearing and all four of the original Victorian drive gears. Pedestrians and cyclists had
        been using a temporary ferry since September.

        "It has been a long winter for the traders on the east quay," said the trust's chief executive.
        "We are grateful for their patience." The bridge will swing for shipping at high water, as
        before, with the first scheduled opening on Wednesday.
        """,
        NEWS_COOP_BY,
        "CC BY 4.0 news article on a host whose robots.txt disallows GPTBot, CCBot, ClaudeBot and "
        "Google-Extended",
        "deny",
        ["optout.robots"],
        license="CC-BY-4.0",
        byline="By Harbour reporter &middot; 20 May 2024",
        notes="deny beats allow. Expected when the policy's crawler is one of the AI agents the site names "
        "(or the policy honours AI-agent rules generally); a crawler name the file does not mention falls "
        "under 'User-agent: *' (allowed) and would leave only license.cc-by.",
    ),
    Page(
        "news.example",
        "/2024/05/19/council-approves-library-budget/",
        "Council approves library budget after late amendment",
        """
        Fennick District Council has approved next year's library budget after a late amendment restored
        Saturday opening hours at the two smallest branches.

        The original proposal would have closed the Brackwater and Hollins Cross libraries at weekends
        to save around forty thousand pounds. Councillors voted 23 to 17 to fund the hours from reserves
        for one year while a review of the service is carried out.

        Campaigners, who had delivered a petition with more than three thousand signatures, said the
        decision was a relief but not a solution.
        """,
        RESERVED_NEWS,
        "news article with 'All rights reserved' footer on the host that disallows AI crawlers",
        "deny",
        ["optout.robots", "copyright.all-rights-reserved"],
        byline="By Local democracy reporter &middot; 19 May 2024",
    ),
    # ---- wiki.example: no robots.txt (404)
    Page(
        "wiki.example",
        "/wiki/Tidal_mill",
        "Tidal mill",
        """
        A tidal mill is a water mill driven by the rise and fall of the tide. A dam with a sluice gate
        is built across a suitable inlet, creating a mill pond. As the tide comes in, water flows into
        the pond through the gate; at high water the gate is closed, and when the tide has fallen far
        enough the stored water is released through the water wheel.

        The Kestrelmouth tidal mill stood on the west bank of the Fennick from at least 1540 until 1911,
        when it was converted into a grain store. Its mill pond, now a nature reserve, covers about six
        hectares. The wheel pit and part of the sluice survive and were restored by volunteers in 2015.

        Because a tidal mill can only work for a few hours around each low tide, millers kept irregular
        hours that shifted by about fifty minutes a day.
        """,
        WIKI_SA,
        "community wiki article under CC BY-SA 4.0",
        "allow",
        ["license.cc-by-sa"],
        license="CC-BY-SA-4.0",
        notes="obligations: attribution (Kestrelmouth Wiki contributors, page URL) and share-alike. The "
        "host has no robots.txt (404): no rules.",
    ),
    Page(
        "wiki.example",
        "/wiki/Lantern_walk",
        "Lantern walk",
        """
        The Kestrelmouth lantern walk is a procession held on the first Saturday of December, in which
        residents carry paper lanterns from the market cross to the harbour. It was started in 1994 by
        the primary school and has grown to several thousand participants.

        Lanterns are made at workshops in the weeks before the walk, using willow withies and tissue
        paper. The route is lit only by the lanterns; street lights along the quay are switched off for
        the hour of the procession by arrangement with the council.
        """,
        WIKI_SA,
        "CC BY-SA 4.0 wiki page served with the HTTP header 'Content-Usage: train-ai=n' "
        "(IETF AI preferences)",
        "deny",
        ["optout.content-usage"],
        license="CC-BY-SA-4.0",
        headers=[("Content-Usage", "train-ai=n")],
        notes="deny beats allow.",
    ),
    Page(
        "wiki.example",
        "/wiki/Ferry_timetable_history",
        "History of the Kestrelmouth ferry timetable",
        """
        A passenger ferry has crossed the Fennick at Kestrelmouth since at least the fourteenth century.
        The first printed timetable, from 1862, lists eleven crossings a day in summer and seven in
        winter, each "weather and tide permitting".

        A steam launch replaced the rowing ferry in 1899 and was itself replaced by a diesel boat in
        1951. The present timetable, with crossings every twenty minutes, dates from 1988. During the
        closure of the harbour bridge in 2023 and 2024 a second boat ran a shuttle service.
        """,
        WIKI_SA,
        "CC BY-SA 4.0 wiki page served with the HTTP header 'Content-Signal: ai-train=no, search=yes'",
        "deny",
        ["optout.content-signal"],
        license="CC-BY-SA-4.0",
        headers=[("Content-Signal", "ai-train=no, search=yes")],
        notes="deny beats allow; search=yes does not permit training.",
    ),
]

ROBOTS = {
    "blog.example": """\
# Juniper Row - everyone welcome
User-agent: *
Allow: /

Sitemap: https://blog.example/sitemap.xml
""",
    "press.example": """\
# Gullwing & Brack
User-agent: *
Disallow: /drafts/
Disallow: /search
Allow: /

Sitemap: https://press.example/sitemap.xml
""",
    "news.example": """\
# The Kestrelmouth Gazette does not allow its journalism to be used to train AI models.
User-agent: GPTBot
Disallow: /

User-agent: CCBot
Disallow: /

User-agent: ClaudeBot
Disallow: /

User-agent: Google-Extended
Disallow: /

User-agent: *
Disallow: /search
Disallow: /account/
Allow: /
""",
}

TDMREP_JSON = [
    {
        "location": "/catalog/*",
        "tdm-reservation": 1,
        "tdm-policy": "https://press.example/policies/tdm-policy.json",
    },
    {"location": "/open/*", "tdm-reservation": 0},
]


def tiny_png(width: int = 16, height: int = 16) -> bytes:
    """A valid little RGB PNG (a diagonal gradient), built without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes(((x * 16) % 256, (y * 16) % 256, ((x + y) * 8) % 256)) for x in range(width))
        for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


class Crawl:
    """Writes request/response pairs with fixed dates, ids and IP addresses."""

    IPS: ClassVar[dict[str, str]] = {
        "blog.example": "192.0.2.10",
        "press.example": "192.0.2.20",
        "news.example": "192.0.2.30",
    }

    def __init__(self, out: io.BytesIO, filename: str, start: datetime) -> None:
        self.out = out
        self.writer = WARCWriter(out, gzip=True)
        self.clock = start
        self.offsets: dict[str, int] = {}  # target URI -> offset of its response record
        info = (
            f"software: clearlm build_corpus.py (warcio)\r\nformat: WARC File Format 1.0\r\n"
            f"isPartOf: clearlm-demo-crawl\r\ndescription: invented demo crawl of .example hosts\r\n"
            f"robots: recorded, not obeyed\r\nhttp-header-user-agent: {CRAWLER_UA}\r\n"
        ).encode()
        record = self.writer.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(info),
            length=len(info),
            warc_headers_dict={
                "WARC-Record-ID": f"<urn:uuid:{stable_uuid('warcinfo', filename)}>",
                "WARC-Date": self._warc_date(),
                "WARC-Filename": filename,
                "Content-Type": "application/warc-fields",
            },
        )
        self.writer.write_record(record)

    def _warc_date(self) -> str:
        return self.clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def fetch(
        self,
        url: str,
        status: str,
        content_type: str,
        body: bytes,
        extra: list[tuple[str, str]] | None = None,
        last_modified: str = "Mon, 13 May 2024 10:00:00 GMT",
    ) -> None:
        self.clock += timedelta(seconds=17)
        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        http_date = format_datetime(self.clock, usegmt=True)
        headers = [
            ("Date", http_date),
            ("Server", "nginx/1.24.0"),
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
        ]
        if status.startswith("200"):
            etag = hashlib.sha1(body).hexdigest()[:16]
            headers += [
                ("Last-Modified", last_modified),
                ("ETag", f'"{etag}"'),
                ("Cache-Control", "max-age=600"),
            ]
        headers += (extra or []) + [("Connection", "close")]
        resp_id = f"<urn:uuid:{stable_uuid('response', url)}>"
        common = {"WARC-Date": self._warc_date()}
        response = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
            warc_headers_dict={
                **common,
                "WARC-Record-ID": resp_id,
                "WARC-IP-Address": self.IPS.get(host, "192.0.2.40"),
            },
        )
        request = self.writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"GET {path} HTTP/1.1",
                [
                    ("Host", host),
                    ("User-Agent", CRAWLER_UA),
                    ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"),
                    ("Accept-Language", "en-GB,en;q=0.9"),
                    ("Accept-Encoding", "identity"),
                    ("Connection", "close"),
                ],
                is_http_request=True,
            ),
            warc_headers_dict={
                **common,
                "WARC-Record-ID": f"<urn:uuid:{stable_uuid('request', url)}>",
                "WARC-Concurrent-To": resp_id,
            },
        )
        self.offsets[url] = self.out.tell()
        self.writer.write_record(response)
        self.writer.write_record(request)

    def page(self, page: Page) -> None:
        self.fetch(
            f"https://{page.host}{page.path}",
            "200 OK",
            "text/html; charset=utf-8",
            render_page(page),
            page.headers,
            page.last_modified,
        )


def expect_page(rel: str, page: Page) -> Expect:
    return Expect(
        rel,
        page.case,
        page.decision,
        page.reasons,
        record=f"https://{page.host}{page.path}",
        license=page.license,
        forbid=page.forbid,
        acceptable=page.acceptable,
        notes=page.notes,
    )


NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n"


def build_crawl(c: Corpus) -> None:
    rel = "web/crawl.warc.gz"
    buf = io.BytesIO()
    crawl = Crawl(buf, "crawl.warc.gz", CRAWL_START)
    # A redirect first: not content, readers skip it.
    crawl.fetch(
        "http://blog.example/",
        "301 Moved Permanently",
        "text/html",
        b'<html><body><a href="https://blog.example/">Moved</a></body></html>\n',
        [("Location", "https://blog.example/")],
    )
    c.add(
        Expect(
            rel,
            "301 redirect http -> https (and every request/warcinfo record): not content",
            "skip",
            record="http://blog.example/",
            notes="no document; redirects, request and warcinfo records are not ingested.",
        )
    )
    for host in ("blog.example", "press.example", "news.example", "wiki.example"):
        url = f"https://{host}/robots.txt"
        if host in ROBOTS:
            crawl.fetch(url, "200 OK", "text/plain; charset=utf-8", ROBOTS[host].encode())
        else:
            crawl.fetch(url, "404 Not Found", "text/html", NOT_FOUND)
        robots_case = {
            "blog.example": "robots.txt allowing every agent everywhere",
            "press.example": "robots.txt disallowing only /drafts/ (and /search) for every agent",
            "news.example": "robots.txt disallowing GPTBot, CCBot, ClaudeBot and Google-Extended from the "
            "whole site",
            "wiki.example": "robots.txt answered 404: no rules at all (RFC 9309: crawl freely)",
        }[host]
        c.add(
            Expect(
                rel,
                robots_case,
                "evidence",
                ["ingest.robots-txt"],
                record=url,
                notes="kept as clearance evidence for the host's other records, never a training candidate.",
            )
        )
        if host == "press.example":
            tdm = (json.dumps(TDMREP_JSON, indent=2) + "\n").encode()
            url = "https://press.example/.well-known/tdmrep.json"
            crawl.fetch(url, "200 OK", "application/json", tdm)
            c.add(
                Expect(
                    rel,
                    "TDMRep well-known file: /catalog/* reserved (tdm-reservation 1), "
                    "/open/* not reserved (0)",
                    "deny",
                    [],
                    reasons_any=["clear.evidence-only", "license.unknown"],
                    record=url,
                    acceptable=["evidence"],
                    notes="clearance evidence for press.example pages, never training text: deny "
                    "clear.evidence-only (or, kept as an ordinary JSON document, license.unknown).",
                )
            )
        for page in PAGES:
            if page.host != host:
                continue
            crawl.page(page)
            c.add(expect_page(rel, page))
            if page.path == "/2024/06/kestrel-on-the-gasholder/":
                url = "https://blog.example/media/kestrel-sketch.png"
                crawl.fetch(url, "200 OK", "image/png", tiny_png())
                c.add(
                    Expect(
                        rel,
                        "image/png response (16x16 PNG): not text",
                        "quarantine",
                        ["input.unsupported-type"],
                        record=url,
                    )
                )
    c.write(rel, buf.getvalue())
    c.facts["crawl_offsets"] = dict(crawl.offsets)


DAMAGED_PAGES = [
    Page(
        "wiki.example",
        "/wiki/Fennick_lighthouse",
        "Fennick lighthouse",
        """
        Fennick lighthouse stands on the shingle spit at the mouth of the Fennick estuary. The present
        tower, of brick with a white-painted lantern, was completed in 1859 and replaced a wooden light
        that had burned down in a storm. It was automated in 1987 and its keepers' cottages are now
        holiday lets.

        The light shows a white flash every ten seconds and can be seen for about eighteen nautical
        miles in clear weather.
        """,
        WIKI_SA,
        "CC BY-SA 4.0 wiki article stored just before a damaged record",
        "allow",
        ["license.cc-by-sa"],
        license="CC-BY-SA-4.0",
        notes="must survive: it precedes the first broken member.",
    ),
    Page(
        "wiki.example",
        "/wiki/Market_cross",
        "Market cross",
        """
        The Kestrelmouth market cross is a fifteenth-century octagonal shelter of Purbeck-style stone at
        the top of Fore Street. Traders sold butter, eggs and poultry beneath it until the covered market
        opened in 1868.

        The cross was restored in 1902 and again in 1998, when a lorry reversing into Fore Street
        dislodged two of its pinnacles.
        """,
        WIKI_SA,
        "CC BY-SA 4.0 wiki article stored between two damaged records",
        "allow",
        ["license.cc-by-sa"],
        license="CC-BY-SA-4.0",
        notes="must survive: reading has to resume after the garbage member.",
    ),
    Page(
        "wiki.example",
        "/wiki/Brackwater_salt_pans",
        "Brackwater salt pans",
        """
        The Brackwater salt pans were shallow clay-lined ponds on the south shore of the estuary in which
        sea water was evaporated to make salt. Records of salt making at Brackwater go back to the
        Domesday survey; the last pans were abandoned in the 1820s.

        The outlines of more than forty pans can still be traced in the salt marsh at low tide.
        """,
        WIKI_SA,
        "CC BY-SA 4.0 wiki article stored after the last damaged record",
        "allow",
        ["license.cc-by-sa"],
        license="CC-BY-SA-4.0",
        notes="must survive: reading has to resume after the truncated member.",
    ),
]


def build_damaged_crawl(c: Corpus) -> None:
    """A second WARC with two broken gzip members between readable records."""
    rel = "web/crawl-damaged.warc.gz"
    buf = io.BytesIO()
    crawl = Crawl(buf, "crawl-damaged.warc.gz", CRAWL_START + timedelta(days=1))
    first, middle, last = DAMAGED_PAGES
    crawl.page(first)

    # Broken member 1: a complete gzip member whose content is not a WARC record at all.
    garbage_at = buf.tell()
    garbage = (
        b"\x00\x13\x37WRAC/1.O\r\nWARC-Type response\r\n"
        + random.Random(1859).randbytes(160)
        + b"\r\nContent-Length: 12x4\r\n\r\n<html>half a page</html>\r\n\r\n"
    )
    buf.write(gzip_member(garbage))
    crawl.page(middle)

    # Broken member 2: a well-formed header whose Content-Length promises 4096 bytes; the member ends
    # after a few hundred, as if the crawler died while writing it.
    truncated_at = buf.tell()
    url = "https://wiki.example/wiki/Old_ferry_steps"
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 3900\r\n\r\n"
        b'<!DOCTYPE html>\n<html lang="en"><head><title>Old ferry steps | Kestrelmouth Wiki</title></head>'
        b"<body><h1>Old ferry steps</h1><p>The old ferry steps are a flight of granite"
    )
    header = (
        b"WARC/1.0\r\nWARC-Type: response\r\n"
        + f"WARC-Record-ID: <urn:uuid:{stable_uuid('response', url)}>\r\n".encode()
        + b"WARC-Date: 2024-05-21T08:01:09Z\r\n"
        + f"WARC-Target-URI: {url}\r\n".encode()
        + b"Content-Type: application/http; msgtype=response\r\nContent-Length: 4096\r\n\r\n"
    )
    buf.write(gzip_member(header + http))
    crawl.page(last)
    c.write(rel, buf.getvalue())

    for page in DAMAGED_PAGES:
        c.add(expect_page(rel, page))
    c.add(
        Expect(
            rel,
            f"gzip member at byte {garbage_at}: decompresses to garbage, not a WARC record",
            "quarantine",
            ["input.bad-warc"],
            record=f"byte {garbage_at}",
            notes=f"warcio raises ArchiveLoadFailed here; reading must resume at the next gzip member "
            f"(byte {crawl.offsets[f'https://{middle.host}{middle.path}']}).",
        ),
        Expect(
            rel,
            f"gzip member at byte {truncated_at}: response record for {url} whose Content-Length (4096) is "
            "longer than the record",
            "quarantine",
            reasons_any=["input.truncated", "input.bad-warc"],
            record=f"byte {truncated_at}",
            notes="warcio reads it with a short body and a warning; it must not become a document. "
            f"The next record starts at byte {crawl.offsets[f'https://{last.host}{last.path}']}.",
        ),
    )
    c.facts["damaged_offsets"] = {"garbage": garbage_at, "truncated": truncated_at, **crawl.offsets}


# --------------------------------------------------------------------------------------------------
# jsonl/: forum dump, code dump, first-party notes, and two broken files

FORUM = "https://forum.example/t"
FORUM_POSTS = [
    (
        "f-001",
        f"{FORUM}/412/replacing-a-leaking-radiator-valve",
        "CC-BY-4.0",
        "Replacing a leaking radiator valve is a job most people can do in an afternoon. Turn the heating "
        "off and let it cool, close the valves at both ends of the radiator and count the turns on the "
        "lockshield so you can set it back. Put a tray and old towels underneath, crack the union nut "
        "slowly and let the radiator drain. Wrap the new valve's thread in PTFE tape, five or six turns "
        "clockwise, and tighten it by hand before the last quarter turn with a spanner. Bleed the "
        "radiator when you refill and check the joint again the next morning.",
        "allow",
        ["license.cc-by"],
        "forum post, SPDX licence field CC-BY-4.0",
        "",
    ),
    (
        "f-002",
        f"{FORUM}/418/cast-iron-pan-rust",
        "CC-BY-SA-4.0",
        "If your cast iron pan has gone rusty, it is not ruined. Scrub the rust off with steel wool and a "
        "little washing-up liquid - this is the one time soap is fine - then rinse, dry it on the hob "
        "until every drop has gone, and rub a very thin layer of vegetable oil over every surface, "
        "handle included. Wipe off as much oil as you can, as if you had made a mistake, and bake it "
        "upside down at 230C for an hour. Repeat two or three times. Cook something fatty in it first.",
        "allow",
        ["license.cc-by-sa"],
        "forum post, CC-BY-SA-4.0",
        "",
    ),
    (
        "f-003",
        f"{FORUM}/421/sharing-my-lesson-plans",
        "CC-BY-NC-4.0",
        "I teach Year 5 and I am sharing the lesson plans for our rivers topic here: six lessons, from "
        "the water cycle to a field trip to the local brook, with worksheets and a marking rubric. Use "
        "them in your own classroom, adapt them as you like, but please do not sell them on teacher "
        "resource sites - that is why I have chosen a non-commercial licence.",
        "deny",
        ["license.non-commercial"],
        "forum post, CC-BY-NC-4.0",
        "",
    ),
    (
        "f-004",
        f"{FORUM}/425/which-tent-for-wild-camping",
        None,
        "Which tent for wild camping in the hills? I have a budget of about two hundred and fifty pounds "
        "and I am looking at a two-person tunnel tent or a one-person trekking pole shelter. I am six "
        "foot two, which rules out half the lightweight options before I start.",
        "deny",
        ["license.unknown"],
        "forum post with license: null",
        "",
    ),
    (
        "f-005",
        f"{FORUM}/430/public-domain-tide-tables",
        "CC0-1.0",
        "I have typed up the tide tables for the estuary from the 1936 almanac in the library and put "
        "them in a spreadsheet. I am releasing my transcription into the public domain: no rights "
        "reserved, do what you like with it.",
        "allow",
        ["license.cc0"],
        "forum post, CC0-1.0",
        "",
    ),
    (
        "f-006",
        f"{FORUM}/433/my-short-story-the-lock-keeper",
        "CC-BY-ND-4.0",
        "Here is a short piece I wrote for the writing group. The lock keeper had been at the top lock "
        "for thirty years and had never once been through it himself. He knew every boat by the sound "
        "of its engine and every skipper by the way they threw a rope. Share it if you like it, but "
        "please do not change it.",
        "deny",
        ["license.no-derivatives"],
        "forum post, CC-BY-ND-4.0",
        "",
    ),
    (
        "f-007",
        f"{FORUM}/440/radiator-valve-again",
        "CC-BY-4.0",
        None,  # exact copy of f-001's text
        "allow",
        ["license.cc-by"],
        "CC-BY-4.0 repost whose text is byte-identical to f-001",
        "curation: drop dedup.exact (dup_of the f-001 document)",
    ),
    (
        "f-008",
        f"{FORUM}/441/cast-iron-rust-repost",
        "CC-BY-SA-4.0",
        None,  # near copy of f-002's text
        "allow",
        ["license.cc-by-sa"],
        "CC-BY-SA-4.0 post that repeats f-002 with small edits",
        "curation: drop dedup.near (dup_of the f-002 document, high estimated Jaccard)",
    ),
    (
        "f-009",
        f"{FORUM}/447/looking-for-a-plumber",
        "CC-BY-4.0",
        "Looking for a plumber in the Brackwater area who will take on small jobs. Please email me at "
        "dana.whitlock@mail.example or call 01632 960 418 after six. I have a dripping bath tap and a "
        "toilet cistern that will not stop filling.",
        "allow",
        ["license.cc-by"],
        "CC-BY-4.0 post containing an e-mail address and a phone number (invented, reserved ranges)",
        "curation: flag pii.email and pii.phone (with counts)",
    ),
    (
        "f-010",
        f"{FORUM}/452/bird-feeder-squirrels",
        "CC BY 4.0",
        "The only squirrel-proof bird feeder I have found is the one with a spring-loaded cage that "
        "closes the ports when anything heavier than a woodpecker sits on the perch. Everything else, "
        "including the one greased with chilli oil, lasted about a week.",
        "allow",
        ["license.cc-by"],
        "licence field spelled 'CC BY 4.0' instead of the SPDX id",
        "normalisation: the licence should be recorded as the SPDX id CC-BY-4.0.",
    ),
]

CODE_FILES = [
    (
        "c-001",
        "tidewater-tools/tidewater-tools",
        "src/tidewater/slugify.py",
        "python",
        '''\
# SPDX-License-Identifier: MIT
# Copyright (c) 2022 The Tidewater Tools contributors
"""Turn titles into URL slugs."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(title: str, max_length: int = 60) -> str:
    """Lower-case ASCII slug: 'Tide Tables (1936)' -> 'tide-tables-1936'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_title.lower()).strip("-")
    return slug[:max_length].rstrip("-")
''',
        "allow",
        ["license.open-source"],
        "MIT",
        "SPDX-License-Identifier: MIT header",
    ),
    (
        "c-002",
        "kestrel-labs/gatekeeper",
        "internal/ratelimit/bucket.go",
        "go",
        """\
// Copyright 2023 Kestrel Labs
// SPDX-License-Identifier: Apache-2.0

// Package ratelimit implements a token bucket.
package ratelimit

import (
	"sync"
	"time"
)

// Bucket refills at Rate tokens per second up to Burst.
type Bucket struct {
	mu     sync.Mutex
	Rate   float64
	Burst  float64
	tokens float64
	last   time.Time
}

// Allow reports whether one token is available now and takes it if so.
func (b *Bucket) Allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.last.IsZero() {
		b.tokens, b.last = b.Burst, now
	}
	b.tokens += now.Sub(b.last).Seconds() * b.Rate
	if b.tokens > b.Burst {
		b.tokens = b.Burst
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
""",
        "allow",
        ["license.open-source"],
        "Apache-2.0",
        "SPDX-License-Identifier: Apache-2.0 header",
    ),
    (
        "c-003",
        "brackwater/ringlog",
        "src/ringbuf.c",
        "c",
        """\
/* SPDX-License-Identifier: GPL-3.0-only
 *
 * ringbuf.c - fixed-size byte ring buffer for the ringlog daemon.
 * Copyright (C) 2021 Brackwater Instruments contributors
 */
#include <stddef.h>
#include <string.h>

#include "ringbuf.h"

size_t ringbuf_write(struct ringbuf *rb, const unsigned char *data, size_t len)
{
	size_t written = 0;

	while (written < len && rb->count < rb->size) {
		rb->buf[rb->head] = data[written++];
		rb->head = (rb->head + 1) % rb->size;
		rb->count++;
	}
	return written;
}

size_t ringbuf_read(struct ringbuf *rb, unsigned char *out, size_t len)
{
	size_t n = 0;

	while (n < len && rb->count > 0) {
		out[n++] = rb->buf[rb->tail];
		rb->tail = (rb->tail + 1) % rb->size;
		rb->count--;
	}
	return n;
}
""",
        "allow",
        ["license.open-source"],
        "GPL-3.0-only",
        "SPDX-License-Identifier: GPL-3.0-only header (copyleft)",
    ),
    (
        "c-004",
        "dmarsh/dotfiles",
        "bin/deploy-helpers.sh",
        "shell",
        """\
#!/usr/bin/env bash
# Helpers I source before deploying the side projects. Use at your own risk.
set -euo pipefail

wait_for_port() {
  local host=$1 port=$2 tries=${3:-30}
  for _ in $(seq "$tries"); do
    if (echo > "/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "timed out waiting for $host:$port" >&2
  return 1
}

current_sha() { git rev-parse --short HEAD; }
""",
        "deny",
        ["license.unknown"],
        None,
        "source file with no licence header (and no licence field)",
    ),
    (
        "c-005",
        "northwind-ledger/billing-core",
        "src/rules/lateFees.ts",
        "typescript",
        """\
// SPDX-License-Identifier: LicenseRef-Northwind-Proprietary
// Copyright (c) 2023 Northwind Ledger Systems Ltd. All rights reserved.
// CONFIDENTIAL - do not distribute outside Northwind Ledger Systems.

export interface Invoice {
  dueDate: Date;
  amountCents: number;
}

export function lateFeeCents(invoice: Invoice, today: Date): number {
  const msPerDay = 24 * 60 * 60 * 1000;
  const daysLate = Math.floor((today.getTime() - invoice.dueDate.getTime()) / msPerDay);
  if (daysLate <= 14) return 0;
  return Math.min(Math.round(invoice.amountCents * 0.015), 5000);
}
""",
        "deny",
        ["copyright.all-rights-reserved"],
        None,
        "proprietary file: LicenseRef-* SPDX id plus 'All rights reserved. CONFIDENTIAL'",
    ),
    (
        "c-006",
        "fennick/csvsniff",
        "src/delimiter.rs",
        "rust",
        """\
// SPDX-License-Identifier: Apache-2.0 OR MIT

/// Guess the delimiter of a CSV sample by counting candidates on the first lines.
pub fn guess_delimiter(sample: &str) -> u8 {
    let candidates = [b',', b';', b'\\t', b'|'];
    let lines: Vec<&str> = sample.lines().take(10).collect();
    let mut best = (b',', 0usize);
    for &c in &candidates {
        let counts: Vec<usize> = lines.iter().map(|l| l.bytes().filter(|&b| b == c).count()).collect();
        let consistent = counts.windows(2).all(|w| w[0] == w[1]);
        if consistent && counts.first().copied().unwrap_or(0) > best.1 {
            best = (c, counts[0]);
        }
    }
    best.0
}
""",
        "allow",
        ["license.open-source"],
        "Apache-2.0 OR MIT",
        "SPDX expression 'Apache-2.0 OR MIT'",
    ),
]

NOTES = [
    (
        "n-001",
        "Demo team stand-up, 4 March: the ingest stage now keeps HTTP headers from WARC records in order, "
        "including duplicates. Next: clearance reads tdm-reservation from headers and meta tags.",
    ),
    (
        "n-002",
        "Idea for the demo: show the funnel report before and after adding a publisher's books to the "
        "registry, so people see exactly which documents drop out and why.",
    ),
    (
        "n-003",
        "Reminder: every example host in the demo corpus uses the .example TLD and 192.0.2.x addresses. "
        "Never point the demo crawler at a real site.",
    ),
    (
        "n-004",
        "Notes from the licensing call: the contract with the estuary archive covers transcripts from "
        "2015 to 2020 only; anything outside those years is out of scope and must be denied.",
    ),
]

HARBOUR_THREAD = [
    "The east quay was rebuilt in stone in 1823 after the old timber wharf collapsed under a cargo of "
    "slate. The new quay was long enough for three coasters to lie alongside at once.",
    "My grandfather worked the steam crane on the west quay until 1961. He said the worst cargo was "
    "china clay, which got into everything, and the best was timber from Riga, which smelled of resin.",
    "Does anyone know when the railway siding along the harbour was lifted? The rails are still visible "
    "in the cobbles outside the chandlery, but the maps I have stop showing the line after 1966.",
    "The siding closed in 1964 and the track was lifted in 1967, according to the minute books of the "
    "harbour trust, which are in the county record office and well worth an afternoon.",
    "There is a photograph in the museum of the 1953 flood, with water over the top of the quay and a "
    "rowing boat tied to the lamp post outside the Anchor. The lamp post is still there.",
    "The pilot station on the point was built in 1888 and manned until the pilots moved to the new "
    "harbour office in 1972. It is a holiday cottage now, with the signal mast kept as a flagpole.",
    "For anyone researching ships: the harbour dues ledgers from 1840 to 1915 list every vessel by name, "
    "master, tonnage and cargo. The library has them on microfilm and a volunteer index is under way.",
    "Last one from me: the fish market moved from the quay to the industrial estate in 1994, and the old "
    "market hall became the lifeboat shop. The weather vane shaped like a herring went with it.",
]
TRUNCATED_RECORDS = [
    (f"t-{i:03d}", f"https://forum.example/t/{500 + i}", text) for i, text in enumerate(HARBOUR_THREAD, 1)
]


def build_jsonl(c: Corpus) -> None:
    texts: dict[str, str] = {}
    records = []
    for pid, url, lic, text, decision, reasons, case, curate in FORUM_POSTS:
        if pid == "f-007":
            text = texts["f-001"]
        elif pid == "f-008":
            text = (
                texts["f-002"]
                .replace("Scrub the rust off", "Scrub off the rust")
                .replace("and bake it", "and then bake it")
                .replace("Repeat two or three times.", "Repeat this two or three times.")
            )
        assert text is not None
        texts[pid] = text
        records.append({"id": pid, "text": text, "url": url, "license": lic})
        c.add(
            Expect(
                "jsonl/forum.jsonl",
                case,
                decision,
                reasons,
                record=f"#{pid}",
                license=lic.replace(" ", "-") if lic else None,
                curate=curate,
            )
        )
    c.write("jsonl/forum.jsonl", jsonl(records))

    records = []
    for cid, repo, path, lang, text, decision, reasons, spdx, case in CODE_FILES:
        records.append({"id": cid, "repo": repo, "path": path, "lang": lang, "text": text})
        c.add(
            Expect(
                "jsonl/code.jsonl.gz",
                case,
                decision,
                reasons,
                record=f"#{cid}",
                license=spdx,
                notes="obligation: keep the licence notice (attribution file)" if decision == "allow" else "",
            )
        )
    c.write("jsonl/code.jsonl.gz", gzip_bytes(jsonl(records)))

    records = [
        {"id": nid, "text": text, "owner": "clearlm-demo", "created": f"2024-03-{4 + i:02d}"}
        for i, (nid, text) in enumerate(NOTES)
    ]
    c.write("jsonl/notes.jsonl.zst", zstandard.ZstdCompressor(level=10).compress(jsonl(records)))
    for nid, _ in NOTES:
        c.add(
            Expect(
                "jsonl/notes.jsonl.zst",
                "first-party note written by the demo team (owner: clearlm-demo)",
                "allow",
                ["first-party"],
                record=f"#{nid}",
                acceptable=["deny"],
                notes="allow only when the recipe/policy declares this source first-party; without that "
                "declaration nothing in the record proves a right, and deny license.unknown is correct.",
            )
        )

    good = {"text": "Tide tables for the week are pinned at the harbour office.", "license": "CC-BY-4.0"}
    lines = [
        json.dumps({"id": "b-001", **good, "url": f"{FORUM}/600"}),
        '{"id": "b-002", "text": "This line was cut off by a bad export, "license": "CC-BY-4.0"',
        json.dumps({"id": "b-003", "url": f"{FORUM}/602", "license": "CC-BY-4.0"}),
        "",
        json.dumps({"id": "b-004", "text": 42, "license": "CC0-1.0"}),
        json.dumps(
            {"id": "b-005", "text": "The ferry runs every twenty minutes until dusk.", "license": "CC0-1.0"}
        ),
    ]
    c.write("jsonl/broken-lines.jsonl", ("\n".join(lines) + "\n").encode())
    c.add(
        Expect(
            "jsonl/broken-lines.jsonl",
            "good line (1 of 2)",
            "allow",
            ["license.cc-by"],
            "#b-001",
            "CC-BY-4.0",
        ),
        Expect(
            "jsonl/broken-lines.jsonl",
            "line 2: malformed JSON (unescaped quote, unterminated object)",
            "quarantine",
            ["input.bad-json"],
            "L2",
        ),
        Expect(
            "jsonl/broken-lines.jsonl",
            'line 3: valid JSON without a "text" field',
            "quarantine",
            ["input.missing-field"],
            "L3",
        ),
        Expect(
            "jsonl/broken-lines.jsonl",
            "line 4: blank line",
            "skip",
            record="L4",
            notes="a blank separator line is not a record; skipping it silently is fine.",
        ),
        Expect(
            "jsonl/broken-lines.jsonl",
            'line 5: "text" is a number, not a string',
            "quarantine",
            ["input.missing-field"],
            "L5",
        ),
        Expect(
            "jsonl/broken-lines.jsonl", "good line (2 of 2)", "allow", ["license.cc0"], "#b-005", "CC0-1.0"
        ),
    )

    data = jsonl(
        [
            {"id": tid, "text": text, "url": url, "license": "CC-BY-4.0"}
            for tid, url, text in TRUNCATED_RECORDS
        ]
    )
    packed = gzip_bytes(data)
    cut = len(packed) * 55 // 100
    c.write("jsonl/truncated.jsonl.gz", packed[:cut])
    recovered = zlib.decompressobj(wbits=31).decompress(packed[:cut])
    complete = recovered.count(b"\n")
    cut_line_at = recovered.rfind(b"\n") + 1
    for tid, _, _ in TRUNCATED_RECORDS[:complete]:
        c.add(
            Expect(
                "jsonl/truncated.jsonl.gz",
                "complete line before the cut",
                "allow",
                ["license.cc-by"],
                record=f"#{tid}",
                license="CC-BY-4.0",
            )
        )
    c.add(
        Expect(
            "jsonl/truncated.jsonl.gz",
            f"gzip stream cut at byte {cut} of {len(packed)}: the first {complete} lines decompress "
            f"completely, line {complete + 1} is cut mid-record, "
            f"lines {complete + 2}-{len(TRUNCATED_RECORDS)} are lost",
            "quarantine",
            ["input.truncated"],
            record=f"line {complete + 1} (decompressed byte {cut_line_at})",
            notes=f"keep the {complete} complete records before the cut, quarantine the rest with one entry.",
        )
    )
    c.facts["truncated_complete_lines"] = complete


# --------------------------------------------------------------------------------------------------
# parquet/: a small encyclopedia dump and a corrupt file

WIKI_ARTICLES = [
    (
        "w-001",
        "Fennick_Vale",
        "CC-BY-SA-4.0",
        "Fennick Vale is the valley of the River Fennick between the chalk downs and the estuary at "
        "Kestrelmouth. It is about twenty kilometres long and rarely more than four wide. The vale floor is "
        "mostly pasture on alluvial soils, with water meadows near Fennick St. Mary that were worked until "
        "the 1930s. Three villages, Fennick St. Mary, Hollins Cross and Brackwater, lie along the old road "
        "on the north bank. The vale has given its name to a breed of sheep, the Fennick Longwool, now rare.",
    ),
    (
        "w-002",
        "Kestrelmouth_Harbour_Railway",
        "CC-BY-SA-4.0",
        "The Kestrelmouth Harbour Railway was a short branch line linking the harbour at Kestrelmouth with "
        "the main line at Fennick Road station. It opened for goods in 1872 and for passengers in 1875. "
        "Passenger services ended in 1952 and the line closed completely in 1964, when the harbour siding "
        "was taken out of use. Part of the trackbed between Hollins Cross and the harbour is now a "
        "footpath and cycleway, crossing the river on the original iron bridge.",
    ),
    (
        "w-003",
        "Brackwater",
        "CC-BY-SA-4.0",
        "Brackwater is a village on the south shore of the Fennick estuary. Its name refers to the "
        "brackish water of the salt marsh that surrounds it on three sides. Salt was made here from at "
        "least the eleventh century until the 1820s. The parish church of St. Edda has a rare "
        "thirteenth-century wall painting of a ship. The village had a population of 1,240 at the 2021 "
        "census.",
    ),
    (
        "w-004",
        "Hollins_Cross_weir",
        "CC-BY-SA-4.0",
        "Hollins Cross weir is a stone weir on the River Fennick built to divert water into the leat of "
        "Hollins Cross mill. The present structure dates mainly from a rebuilding of 1788. A fish pass "
        "was added on the south side in 2009 to let salmon and sea trout reach the upper river. The "
        "weir pool is a popular bathing place in summer, despite warning signs.",
    ),
    (
        "w-005",
        "Fennick_Longwool",
        "CC-BY-SA-3.0",
        "The Fennick Longwool is a rare breed of domestic sheep from Fennick Vale. It is a large, "
        "polled breed with a long, lustrous fleece that hangs in ringlets, and was valued in the "
        "eighteenth century for worsted cloth. Numbers fell sharply in the twentieth century and fewer "
        "than five hundred registered ewes remain. The breed society holds its annual show at Fennick St. "
        "Mary in August.",
    ),
]


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def build_parquet(c: Corpus) -> None:
    table = pa.table(
        {
            "id": [a[0] for a in WIKI_ARTICLES],
            "text": [a[3] for a in WIKI_ARTICLES],
            "url": [f"https://wiki.example/wiki/{a[1]}" for a in WIKI_ARTICLES],
            "license": [a[2] for a in WIKI_ARTICLES],
        }
    )
    c.write("parquet/wiki.parquet", parquet_bytes(table))
    for wid, title, lic, _ in WIKI_ARTICLES:
        c.add(
            Expect(
                "parquet/wiki.parquet",
                f"encyclopedia article '{title}' with licence column {lic}",
                "allow",
                ["license.cc-by-sa"],
                record=f"#{wid}",
                license=lic,
                notes="obligations: attribution (Kestrelmouth Wiki contributors, URL) and share-alike.",
            )
        )

    # A real Parquet file with its footer metadata cut short: the magic bytes and the footer length
    # are intact, so it looks valid until a reader tries to decode the footer.
    news = pa.table(
        {
            "id": ["x-1", "x-2", "x-3"],
            "text": ["Ferry fares to rise in June.", "Quay repairs finish early.", "Regatta date set."],
            "url": [f"https://news.example/brief/{i}" for i in (1, 2, 3)],
            "license": ["CC-BY-4.0"] * 3,
        }
    )
    data = parquet_bytes(news)
    (footer_len,) = struct.unpack("<I", data[-8:-4])
    footer_start = len(data) - 8 - footer_len
    garbage = random.Random(404).randbytes(footer_len // 2)
    corrupt = data[:footer_start] + garbage + data[-8:]  # footer shorter than its declared length
    c.write("parquet/corrupt.parquet", corrupt)
    c.add(
        Expect(
            "parquet/corrupt.parquet",
            f"Parquet file whose {footer_len}-byte footer was replaced by {len(garbage)} random bytes "
            "(PAR1 magic and footer length intact)",
            "quarantine",
            ["input.bad-parquet"],
            notes="pyarrow refuses to open it; the whole file goes to quarantine, no rows are read.",
        )
    )


# --------------------------------------------------------------------------------------------------
# misc/: odd single files

LATIN1_TEXT = """\
Carnet de route - la vallée de la Fennick

Par Hélène Duprat-Løkke, avril 2024

Nous sommes arrivés à Kestrelmouth par le dernier bac, un vendredi soir, trempés et affamés. Le
patron de l'auberge « The Anchor » nous a servi une soupe de poissons et un café noir, et nous a
expliqué, avec une patience d'ange, que la marée n'attend personne : le bac du matin part à six
heures précises, pas une minute de plus.

Le lendemain, nous avons suivi l'ancienne route du sel jusqu'à Fennick St. Mary. Les aubépines qui
bordent le chemin sont énormes ; on dit qu'elles servaient de repères aux voyageurs par temps de
neige. À midi, déjeuner sur l'herbe près du déversoir de Hollins Cross : pain, fromage, pommes et
une bouteille de cidre achetée 4,50 € au marché (oui, ils acceptent l'euro, avec un sourire).

Ce que je retiendrai : le silence des marais salants à Brackwater, le vol stationnaire d'un
faucon crécerelle au-dessus du vieux gazomètre, et l'accueil - chaleureux, naïf peut-être, mais
sincère - de tous ceux que nous avons croisés. Un vrai cœur de pays.

Ce texte est publié sous licence Creative Commons Attribution 4.0 International (CC BY 4.0) :
https://creativecommons.org/licenses/by/4.0/deed.fr - merci de citer l'autrice.
"""

README_LICENCE_MD = """\
# Field notes: birds of the Fennick estuary

A checklist kept by the Kestrelmouth Natural History Society, updated after every monthly walk.

## Winter (November to February)

| Species | Where | Notes |
|---|---|---|
| Brent goose | Brackwater saltmarsh | flocks of 200+ on the flood tide |
| Avocet | Pilot station lagoon | first recorded 2011, now regular |
| Short-eared owl | Fennick Vale water meadows | hunts at dusk along the flood bank |

## Summer (May to August)

| Species | Where | Notes |
|---|---|---|
| Little tern | Shingle spit by the lighthouse | fenced colony, keep to the path |
| Kestrel | Gasholder frame by the canal | hunting from the top rail most mornings |

## Reuse

These notes are shared so that anyone can copy, adapt and republish them, including commercially,
as long as they credit the Kestrelmouth Natural History Society.

SPDX-License-Identifier: CC-BY-4.0
"""

MIT_LICENSE = """\
MIT License

Copyright (c) 2021 Brackwater Instruments contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

UTIL_PY = '''\
# SPDX-License-Identifier: Apache-2.0
# Copyright 2021 Brackwater Instruments contributors
"""Unit helpers for the tide gauge logger."""


def mm_to_feet(mm: float) -> float:
    """Millimetres to feet, rounded to two places (the harbour board still publishes feet)."""
    return round(mm / 304.8, 2)


def moving_average(values: list[float], window: int = 5) -> list[float]:
    """Simple trailing moving average; the first window-1 points average what is available."""
    out = []
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1) : i + 1]
        out.append(sum(chunk) / len(chunk))
    return out
'''


def tiny_pdf() -> bytes:
    """A small well-formed one-page PDF (correct xref offsets) that clearlm does not read."""
    stream = b"BT /F1 14 Tf 72 720 Td (Gullwing & Brack - quarterly sales report, Q1 2024) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def build_misc(c: Corpus) -> None:
    c.write("misc/empty.txt", b"")
    c.add(Expect("misc/empty.txt", "zero-byte file", "quarantine", ["input.empty"]))

    c.write("misc/binary.txt", random.Random(20240520).randbytes(4096))
    c.add(
        Expect(
            "misc/binary.txt",
            "4096 random bytes (seeded) behind a .txt name",
            "quarantine",
            ["input.undecodable"],
            notes="must not be decoded as Latin-1 mojibake and passed on.",
        )
    )

    c.write("misc/latin1.txt", LATIN1_TEXT.encode("cp1252"))
    c.add(
        Expect(
            "misc/latin1.txt",
            "French travel note encoded in Windows-1252 (é, à, «», €, œ, ø; no BOM, not UTF-8) with a "
            "CC BY 4.0 line",
            "allow",
            ["license.cc-by"],
            license="CC-BY-4.0",
            curate="language.fr",
            notes="charset detection must read it as cp1252/latin-1 (the € sign is byte 0x80, cp1252 "
            "only); obligation: attribution to Hélène Duprat-Løkke.",
        )
    )

    c.write("misc/report.pdf", tiny_pdf())
    c.add(
        Expect(
            "misc/report.pdf",
            "a small valid PDF: a format clearlm does not read",
            "quarantine",
            ["input.unsupported-type"],
        )
    )

    c.write("misc/README-licence.md", README_LICENCE_MD.encode())
    c.add(
        Expect(
            "misc/README-licence.md",
            "Markdown notes ending in 'SPDX-License-Identifier: CC-BY-4.0'",
            "allow",
            ["license.cc-by"],
            license="CC-BY-4.0",
            notes="obligation: attribution to the Kestrelmouth Natural History Society.",
        )
    )

    c.write("misc/MIT-LICENSE.txt", MIT_LICENSE.encode())
    c.add(
        Expect(
            "misc/MIT-LICENSE.txt",
            "the full MIT licence text of a small code project (Brackwater Instruments)",
            "allow",
            ["license.open-source"],
            license="MIT",
            acceptable=["review"],
            notes="a licence text is itself freely copyable; it is also evidence for the project's files "
            "that carry no header of their own (util.py has its own header).",
        )
    )

    c.write("misc/util.py", UTIL_PY.encode())
    c.add(
        Expect(
            "misc/util.py",
            "Python file with '# SPDX-License-Identifier: Apache-2.0', next to an MIT licence file",
            "allow",
            ["license.open-source"],
            license="Apache-2.0",
            notes="ingest reads source files as text; the licence is Apache-2.0 from the file's own "
            "SPDX header, not MIT from the licence file beside it.",
        )
    )


# --------------------------------------------------------------------------------------------------
# CORPUS.md: the answer key, written from the Expect entries collected above

MANIFEST_HEAD = """\
# Demo corpus: manifest and answer key

SPDX-License-Identifier: CC0-1.0

Generated by `examples/build_corpus.py`; do not edit by hand (rerun the script). Every file below
`examples/corpus/` is listed with the rights case it stands for and what a correct pipeline should
decide. This file is the answer key, not training data: tests and demos should leave `CORPUS.md`
out of any count (it is plain CC0 text if it is ingested anyway).

Where the data comes from: `books/pg*.txt` are excerpts of real Project Gutenberg eBooks, public domain
in the USA, with their PG header and full PG licence unchanged; five shadow-library-named files and the
2019 "modern edition" reuse short public-domain passages from the same eBooks. Everything else - every
page, post, note, article, code file, publisher, author, host and notice - was invented for this corpus.
All hosts use the reserved `.example` domain and 192.0.2.0/24 addresses.

## How to read the tables

- **decision**: `allow` / `deny` / `review` are clearance decisions under the default policy (a
  commercial open-weights release: NC and ND denied). `quarantine` means ingest must refuse the input
  with the given `input.*` reason (see `src/clearlm/reasons.py`). `evidence` means ingest keeps the record
  only as clearance evidence (robots.txt). `skip` means the record is not content (redirects, WARC
  request/warcinfo records, blank JSONL lines) and produces no document.
- **reasons**: codes that must all appear. `any of` lists codes of which at least one must appear.
  `not` lists codes that must not appear. Any deny code beats every allow code, so a denied document
  may carry more codes than listed.
- **also ok**: another decision a careful implementation may defensibly reach (e.g. `review` where
  evidence is indirect). Nothing listed as deny may be allowed under the default policy. (A research
  policy that allows NC would allow the `license.non-commercial` rows and carry the NC restriction.)
- **record**: the URL of a WARC response, `#id` of a JSONL/Parquet record, `L<n>` for a JSONL line
  without a usable id, or the byte offset of a broken WARC member.
- The fenced JSON block under "Machine-readable key" at the end holds the same rows for tests (one
  object per row, every key present; `record` is null for whole-file documents).
"""

SECTION_TITLES = {
    "books": "books/ - plain-text books",
    "web": "web/ - WARC crawl of invented hosts",
    "jsonl": "jsonl/ - JSON Lines dumps",
    "parquet": "parquet/ - Parquet tables",
    "misc": "misc/ - odd single files",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _codes(e: Expect) -> str:
    parts = []
    if e.reasons:
        parts.append(", ".join(f"`{r}`" for r in e.reasons))
    if e.reasons_any:
        parts.append("any of " + " / ".join(f"`{r}`" for r in e.reasons_any))
    if e.forbid:
        parts.append("not " + ", ".join(f"`{r}`" for r in e.forbid))
    return "; ".join(parts) or "-"


def write_manifest(c: Corpus) -> None:
    sizes = {str(p.relative_to(c.root)): p.stat().st_size for p in sorted(c.root.rglob("*")) if p.is_file()}
    lines = [MANIFEST_HEAD]
    lines.append("## Files\n")
    lines.append("| file | bytes | documents / records expected |")
    lines.append("|---|---:|---|")
    for rel, size in sizes.items():
        rows = [e for e in c.expect if e.path == rel]
        summary: dict[str, int] = {}
        for e in rows:
            summary[e.decision] = summary.get(e.decision, 0) + 1
        text = ", ".join(f"{n} {d}" for d, n in sorted(summary.items()))
        lines.append(f"| `{_cell(rel)}` | {size} | {text} |")
    lines.append("")

    for folder, title in SECTION_TITLES.items():
        rows = [e for e in c.expect if e.path.startswith(folder + "/")]
        lines.append(f"## {title}\n")
        lines.append("| file | record | case | decision | reasons | licence | also ok | notes |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for e in rows:
            notes = "; ".join(x for x in (e.curate, e.notes) if x)
            lines.append(
                f"| `{_cell(e.path.split('/', 1)[1])}` | {_cell(e.record or '')} | {_cell(e.case)} "
                f"| **{e.decision}** | {_codes(e)} | {e.license or ''} | {', '.join(e.acceptable)} "
                f"| {_cell(notes)} |"
            )
        lines.append("")

    broken = [e for e in c.expect if e.decision == "quarantine"]
    lines.append("## Deliberately broken or unsupported input (ingest must quarantine)\n")
    lines.append("| file | where | what is wrong | reason | what must still be read |")
    lines.append("|---|---|---|---|---|")
    survivors = {
        "web/crawl-damaged.warc.gz": "the three wiki articles around the two broken members",
        "jsonl/broken-lines.jsonl": "lines 1 and 6 (#b-001, #b-005)",
        "jsonl/truncated.jsonl.gz": f"the first {c.facts['truncated_complete_lines']} records",
        "web/crawl.warc.gz": "every other record of the crawl",
    }
    for e in broken:
        reason = ", ".join(f"`{r}`" for r in e.reasons) or " / ".join(f"`{r}`" for r in e.reasons_any)
        lines.append(
            f"| `{_cell(e.path)}` | {_cell(e.record or 'whole file')} | {_cell(e.case)} | {reason} "
            f"| {survivors.get(e.path, '-')} |"
        )
    lines.append("")
    lines.append("## Notes\n")
    lines.append(
        "- The shared Gutenberg library (`../shared/data/gutenberg`, not bundled here) contains five World "
        "Library Shakespeare plays (`Shakespeare, William/*.txt`) that Project Gutenberg distributes with a "
        "'COPYRIGHT 1990-1993 BY WORLD LIBRARY, INC.' notice limiting them to personal, non-commercial use "
        "and with no `*** START OF` markers. They are a real-world version of the PG-copyrighted case "
        "above: not `source.gutenberg`, deny (non-commercial / all rights reserved). They are not copied "
        "into this corpus.\n"
        "- Document counts for curation: `forum.jsonl` #f-007 duplicates #f-001 exactly and #f-008 nearly "
        "duplicates #f-002; #f-009 holds an e-mail address and a phone number (invented, reserved ranges).\n"
        "- robots.txt decisions assume the policy honours the AI user agents DESIGN.md lists (GPTBot, CCBot, "
        "ClaudeBot, Google-Extended). The crawl's own user agent (`clearlm-demo-crawler`) is not named in "
        "any robots.txt."
    )
    lines.append("")
    lines.append("## Machine-readable key\n")
    rows = [asdict(e) for e in c.expect]
    lines.append("```json\n" + json.dumps(rows, indent=1, ensure_ascii=False) + "\n```\n")
    # Beside the corpus, not in it: the answer key quotes every notice and stamp, and is not data.
    (c.root.parent / "CORPUS.md").write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--gutenberg",
        type=Path,
        default=Path(os.environ.get("CLEARLM_GUTENBERG", DEFAULT_GUTENBERG)),
        help="the shared Project Gutenberg library (author folders); default ../shared/data/gutenberg",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (rewritten from scratch)"
    )
    args = parser.parse_args(argv)
    if not args.gutenberg.is_dir():
        print(
            f"build_corpus: {args.gutenberg}: Gutenberg library not found (use --gutenberg)", file=sys.stderr
        )
        return 2

    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    c = Corpus(out)
    build_pg_excerpts(c, args.gutenberg)
    build_invented_books(c, args.gutenberg)
    build_crawl(c)
    build_damaged_crawl(c)
    build_jsonl(c)
    build_parquet(c)
    build_misc(c)
    build_extras(c, Expect)
    write_manifest(c)

    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    files = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"build_corpus: wrote {files} files, {total} bytes, {len(c.expect)} expectations to {out}")
    if total > SIZE_LIMIT:
        print(f"build_corpus: corpus is {total} bytes, over the {SIZE_LIMIT}-byte limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
