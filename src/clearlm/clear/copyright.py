"""In-copyright editions and restrictive notices: `copyright.recent-edition`, `copyright.all-rights-reserved`.

The contract: the decision combiner denies on every `copyright.*` signal, so one is emitted only for a
current, restrictive claim, and nothing at all for an old or an open one.

- `copyright.all-rights-reserved`: "All rights reserved" (Tous droits réservés, Alle Rechte vorbehalten,
  derechos reservados, diritti riservati) at a notice position, beside a © year ≥ policy.public_domain_
  before_year or with no year near it; a proprietary notice ("Proprietary and confidential", a
  CONFIDENTIAL stamp line, "Unauthorized copying … strictly prohibited", SPDX `LicenseRef-…Proprietary`).
- `copyright.recent-edition`: a ©/(c)/Copyright claim dated ≥ the cutoff without "All rights reserved";
  "No part of this publication may be reproduced"; and, unless the document carries an open licence
  (an open textbook has them too): an ISBN with a valid check digit on an imprint line, CIP data, a
  printer's key ("10 9 8 7 6 5 4 3 2 1"), an imprint line "First published 2019 by …"/"First edition,
  2023", the moral-rights assertion of the UK 1988 Act.

Never a signal: claims older than the cutoff ("Copyright, 1911, by …") and an undated "All rights
reserved" on such a title page; a dated © line in a document carrying an open licence (Creative Commons,
"Some rights reserved", an OSI licence text or SPDX id, a public-domain dedication, an open `license`
field), which the licence detector reports; the phrase in running prose or in dialogue; a citation's ISBN.
Inside a Project Gutenberg public-domain edition (`clear.gutenberg`) only the book's body is read, and
claims before 1978 there (PG clears US works whose copyright lapsed, e.g. was not renewed), undated
notices, printer's keys and proprietary stamps are the old print edition's history; ISBN, CIP, "no part
of this publication", moral rights and claims from 1978 on still count.

Evidence: the matched span, offset and context (`span_evidence`), a `kind`, and the `year` or `isbn`.
Only the first 40 KB and last 20 KB are read (of a PG edition's body: 10 KB and 2 KB).
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Any

from clearlm.clear import copyright_patterns as P
from clearlm.clear.gutenberg import layout
from clearlm.clear.policy import Policy
from clearlm.clear.signals import Signal, span_evidence
from clearlm.clear.text_search import find_all, line_span, lowered
from clearlm.pipeline.document import Document
from clearlm.reasons import COPYRIGHT_ALL_RIGHTS_RESERVED as ARR
from clearlm.reasons import COPYRIGHT_RECENT_EDITION as RECENT

HEAD, TAIL = 40_000, 20_000
PG_HEAD, PG_TAIL = 10_000, 2_000
PG_CLEARED_BEFORE = 1978  # US works published before 1978 may have lapsed (no renewal, no notice)


def detect_copyright(doc: Document, policy: Policy) -> list[Signal]:
    """Signals for current, restrictive copyright claims and modern copyright pages (see the module doc)."""
    return _Scan(doc, policy.public_domain_before_year).run()


class _Scan:
    def __init__(self, doc: Document, cutoff: int) -> None:
        text = self.text = doc.text
        self.doc, self.cutoff, self.this_year = doc, cutoff, date.today().year
        pg = layout(text)
        self.pg = pg is not None and pg.public_domain
        lo, hi = pg.body if pg is not None else (0, len(text))
        head, tail = (PG_HEAD, PG_TAIL) if self.pg else (HEAD, TAIL)
        spans = [(lo, min(hi, lo + head))] + ([(max(lo + head, hi - tail), hi)] if hi - lo > head else [])
        self.zones = [(lowered(text[a:b]), a) for a, b in spans]
        if self.pg and not any(k in low for low, _ in self.zones for k in P.PG_GATE):
            self.zones = []  # a PG edition's body with no copyright wording at all: nothing to read
        self.found: dict[tuple[str, str], Signal] = {}
        self._open: bool | None = None

    def hits(self, rule: str) -> list[int]:
        return sorted(
            {base + i for low, base in self.zones for key in P.KEYS[rule] for i in find_all(low, key)}
        )

    def add(self, code: str, span: tuple[int, int], kind: str, **extra: Any) -> None:
        self.found.setdefault((code, kind), Signal(code, span_evidence(self.text, span, kind=kind, **extra)))

    def modern(self, year: int) -> bool:
        return self.cutoff <= year <= self.this_year + 1 and not (self.pg and year < PG_CLEARED_BEFORE)

    def run(self) -> list[Signal]:
        text = self.text
        arr = sorted({a for i in self.hits("arr") if (a := _arr_at(text, i)) and self.notice_at(a[0])})
        claims = self.claims()
        for start, end, year in claims:
            if not self.modern(year) or _quoted(text, start):
                continue
            if near := [a for a in arr if start - 160 <= a[0] <= end + 200]:
                self.add(ARR, (start, end), "copyright-notice", year=year, notice=text[slice(*near[0])])
            elif not self.open_licence():
                self.add(RECENT, (start, end), "copyright-notice", year=year)
        for i, j in arr:
            if any(s - 200 <= i <= e + 160 for s, e, _ in claims):
                continue  # the claim beside it decided
            years = _imprint_years(text, i)
            if years and self.modern(max(years)):
                self.add(ARR, (i, j), "all-rights-reserved", year=max(years))
            elif not years and not self.pg and not any(y < self.cutoff for *_, y in claims):
                self.add(ARR, (i, j), "all-rights-reserved", year=None)
        self.notices()
        return list(self.found.values())

    def claims(self) -> list[tuple[int, int, int]]:
        """(start, end, year) of each dated ©/(c)/Copyright claim, the latest year of a range."""
        out: list[tuple[int, int, int]] = []
        for i in self.hits("claim"):
            if out and i < out[-1][1]:
                continue
            if self.text.startswith("copyrightYear", i) and (y := P.YEAR.search(self.text, i, i + 24)):
                out.append((i, y.end(), int(y.group())))  # schema.org JSON-LD
            m = P.CLAIM.match(self.text, i)
            if m is None or (self.text[i] == "(" and "(b)" in self.text[max(0, i - 200) : i]):
                continue  # "(a) …, (b) …, (c) 2019" is a list, not a claim
            if m["roman"]:
                years = [_roman(m["roman"])] if m["roman"].isupper() and self.text[i] in "cC" else []
            elif m["late"]:  # "© Jane Doe 2019": a holder before the year needs the © symbol
                symbol = self.text[i] in "©(&" or any(s in m["sep"].lower() for s in ("©", "(c)", "&"))
                years = [int(m["late"])] if symbol else []
            else:
                years = [int(y) for y in re.findall(r"\d{4}", m["years"])]
            if years := [y for y in years if 1500 <= y <= self.this_year + 1]:
                out.append((m.start(), m.end(), max(years)))
        return out

    def notices(self) -> None:
        text = self.text
        for i in self.hits("proprietary") if not self.pg else []:
            ls, le = line_span(text, i)
            m = P.PROPRIETARY.search(text, max(ls, i - 60), le) or P.STAMP.match(text, ls)
            if m and not _quoted(text, m.start()):
                self.add(ARR, m.span(), "proprietary-notice")
        for i in self.hits("no-part"):
            if (m := P.NO_PART.search(text, max(0, i - 40), i + 200)) and not _quoted(text, m.start()):
                self.add(RECENT, m.span(), "no-part-reproduced")
        weak: list[tuple[tuple[int, int], str, dict[str, Any]]] = []
        for i in self.hits("isbn"):
            m = P.ISBN.match(text, i)
            ls = line_span(text, i)[0]
            at_notice = i - ls <= 24 and not any(c.isdigit() for c in text[ls:i])
            if m and (isbn := _valid_isbn(m.group(1))) and (at_notice or P.ISBN_FORM.match(text, m.end(1))):
                weak.append(((m.start(), m.start(1) + len(m.group(1).rstrip())), "isbn", {"isbn": isbn}))
        for rule, rx in (("cip", P.CIP), ("moral-rights", P.MORAL)):
            for i in self.hits(rule):
                if (m := rx.search(text, max(0, i - 40), i + 200)) and not _quoted(text, m.start()):
                    weak.append((m.span(), rule, {}))
        for i in self.hits("first-published"):
            m = P.DATED_LINE.match(text, line_span(text, i)[0])
            if m and self.modern(year := int(m.group(1))):
                weak.append((m.span(), "first-published", {"year": year}))
        for i in self.hits("printing") if not self.pg else []:
            ls, le = line_span(text, i)
            if _printing_line(text[ls:le]):
                weak.append(((ls, le), "printing-line", {}))
        # Beside an open licence, ISBN, CIP and imprint lines are an open edition's (e.g. a CC textbook).
        for span, kind, extra in weak if weak and not self.open_licence() else []:
            self.add(RECENT, span, kind, **extra)

    def notice_at(self, i: int) -> bool:
        """Whether position i starts a notice: at a line start, after a sentence or a © claim, not quoted."""
        pre = self.text[line_span(self.text, i)[0] : i]
        pre = pre[pre.rfind(">") + 1 :].strip(" \t[(_*#/<!|-•·")
        claim = any(s in pre.lower() for s in ("©", "(c)", "copyright", "&copy"))
        return (not pre or pre[-1] in ".!?;—–)" or claim) and not _quoted(self.text, i)

    def open_licence(self) -> bool:
        """An open licence in the document or its `license` field: a © line beside it is not a denial."""
        if self._open is None:
            fields = self.doc.meta.get("fields") or {}
            value = str(fields.get("license") or fields.get("licence") or "")
            key = "spdx-license-identifier"
            spdx = any(P.OPEN_SPDX.match(low, i) for low, _ in self.zones for i in find_all(low, key))
            words = any(k in low for low, _ in self.zones for k in P.OPEN)
            self._open = bool(value and not P.CLOSED_FIELD.search(value)) or spdx or words
        return self._open


def _arr_at(text: str, i: int) -> tuple[int, int] | None:
    """The span of the "All rights reserved" (or a translation) whose keyword is at offset i."""
    lo = max(0, i - 8)
    m = P.ALL_RIGHTS.search(lowered(text[lo : i + 24]))
    return (lo + m.start(), lo + m.end()) if m else None


def _imprint_years(text: str, i: int) -> list[int]:
    """Years on the line of i, or on short (title-page, imprint) lines up to three lines from it."""
    ls, le = line_span(text, i)
    near = text[max(0, ls - 400) : ls].split("\n")[-4:-1] + text[le + 1 : le + 400].split("\n")[:3]
    lines = [line for line in near if len(line.strip()) <= 60] + [text[ls:le]]
    return [int(y) for line in lines for y in P.YEAR.findall(line)]


def _quoted(text: str, i: int) -> bool:
    """Inside an open quotation of its paragraph (dialogue), judged from the text before i."""
    para = text[max(text.rfind("\n\n", 0, i), i - 400, 0) : i]
    para = para[para.rfind(">") + 1 :]
    return para.count('"') % 2 == 1 or para.rfind("“") > para.rfind("”")


def _roman(s: str) -> int:
    values = [{"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}[c] for c in s]
    return sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))


def _valid_isbn(raw: str) -> str | None:
    """The ISBN-13 or ISBN-10 at the start of `raw` whose check digit is right, separators removed."""
    s = "".join(c for c in raw.upper() if c.isdigit() or c == "X")
    if s[:3] in ("978", "979") and len(s) >= 13 and s[:13].isdigit():
        return s[:13] if sum(int(c) * (3 if k % 2 else 1) for k, c in enumerate(s[:13])) % 10 == 0 else None
    ten, weights = s[:10], range(10, 0, -1)
    ok = len(ten) == 10 and "X" not in ten[:9]
    return (
        ten
        if ok and sum(w * (10 if c == "X" else int(c)) for w, c in zip(weights, ten, strict=False)) % 11 == 0
        else None
    )


def _printing_line(line: str) -> bool:
    """A printer's key: small numbers (and short codes) only, counting down, or odd up then even down."""
    words = line.split()
    if any(not (w.isdigit() or (w.isalpha() and w.isupper() and len(w) <= 5)) for w in words):
        return False
    nums = [int(w) for w in words if w.isdigit() and len(w) <= 2]
    run = nums[-1:]
    for a in reversed(nums[:-1]):
        if a - run[0] != 1:
            break
        run = [a, *run]
    if len(run) >= 5 and run[-1] == 1:
        return True  # "… 10 9 8 7 6 5 4 3 2 1", perhaps after a run of years
    if len(nums) < 5 or sorted(nums) != list(range(min(nums), max(nums) + 1)):
        return False
    k = next((j for j, x in enumerate(nums) if x % 2 != nums[0] % 2), len(nums))
    up, down = nums[:k], nums[k:]
    zigzag = all(b - a == 2 for a, b in pairwise(up)) and all(a - b == 2 for a, b in pairwise(down))
    return bool(down) and zigzag
