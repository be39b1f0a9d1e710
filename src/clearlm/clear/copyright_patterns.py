"""What copyright pages look like: the patterns and literal gates that `clear.copyright` reads with.

Claims (©/(c)/Copyright with a year, a Roman numeral or a holder), "All rights reserved" and its
translations, proprietary stamps, ISBNs, CIP data, "No part of this publication…", imprint lines,
moral-rights assertions, and the words that mark an open licence. `KEYS` lists, per rule, the
lower-case literals whose presence makes a stretch of text worth matching (found with str.find).
"""

from __future__ import annotations

import re

_Y = r"(?:1[5-9]\d\d|20\d\d)"
_SYM = r"(?:\(c\)|©|&copy;|&#169;|&#xa9;)"
CLAIM = re.compile(
    rf"(?:copyright(?:ed)?|{_SYM})(?P<sep>(?:[\s_*.,:;·]|{_SYM}|&nbsp;){{0,12}})"
    rf"(?:(?P<years>{_Y}(?:\s*(?:[-–—,/&]|and|to)\s*\d{{2,4}})*)(?!\d)|(?P<roman>[MDCLXVI]{{4,12}})\b"
    rf"|(?P<holder>[^\n\d;!?]{{1,60}}?)[\s,]+(?P<late>{_Y})(?!\d))",
    re.I,
)
YEAR = re.compile(rf"(?<!\d){_Y}(?!\d)")
ALL_RIGHTS = re.compile(
    r"all\s+rights\s+reserved|tous\s+droits|alle\s+rechte|derechos\s+reservados|diritti\s+riservat"
)
PROPRIETARY = re.compile(
    r"proprietary\s+and\s+confidential|confidential\s+and\s+proprietary|(?:company|strictly|highly|internal)"
    r"[\s-]+confidential|contains\s+(?:confidential|proprietary)\s+(?:and\s+\w+\s+)?information"
    r"|unauthori[sz]ed"
    r"\s+(?:copying|reproduction|use|distribution)[^\n]{0,100}?strictly\s+prohibited|spdx-license-identifier:"
    r"\s*licenseref-\S*(?:proprietary|confidential|internal|commercial|private|reserved)",
    re.I,
)
STAMP = re.compile(r"[ \t/#*<!>-]*(?:PRIVATE\s+AND\s+)?CONFIDENTIAL\b")
ISBN = re.compile(r"isbn(?:-1[03])?[\s:#]*(?:\([^)\n]{0,20}\)[\s:]*)?([0-9][0-9Xx‐–— -]{9,20})", re.I)
ISBN_FORM = re.compile(
    r"\((?:[\w.]+\s)?(?:paperback|pbk|hardback|hardcover|hbk|cloth|e-?book|electronic|print|pdf|epub)", re.I
)
CIP = re.compile(
    r"catalog(?:u)?ing[\s-]+in[\s-]+publication"
    r"|catalog(?:ue)?\s+record\s+for\s+this\s+(?:book|title|publication)"
    r"\s+is\s+available|library\s+of\s+congress\s+control\s+number|\blccn\s*:?\s*\d{8,10}",
    re.I,
)
NO_PART = re.compile(
    r"no\s+part\s+of\s+this\s+"
    r"(?:publication|book|work|e-?book|title|document|magazine|journal|volume|edition)"
    r"\b[^.]{0,40}?\bmay\s+be\s+(?:reproduced|used|copied|stored|transmitted|distributed|scanned)|(?:this\s+"
    r"(?:book|publication|work|e-?book)|any\s+portion\s+thereof)\s*,?\s+may\s+not\s+be"
    r"\s+(?:reproduced|copied|used)",
    re.I,
)
_COUNTRY = (
    r"great\s+britain|the\s+united\s+\w+|the\s+uk|the\s+usa?|canada|australia|india|ireland|new\s+zealand"
)
# An imprint line: "First published in Great Britain by … 2019", "First edition, 2023".
DATED_LINE = re.compile(
    rf"[ \t_*]*(?:(?:first|originally)\s+published|(?:this|the\s+present)\s+(?:[\w-]+\s+){{0,2}}?edition\s+"
    rf"(?:first\s+)?published|published\s+(?:(?:in\s+)?(?=\d{{4}}\s+by\s)|in\s+(?:{_COUNTRY})"
    rf"|by\s+[^\n]{{0,60}}?"
    rf"(?:ltd|limited|inc|llc|plc|press|books|publishing|publishers)\b)|(?:first|second|third|revised|new"
    rf"|paperback|hardcover|e-?book)\s+edition\b)[^\n]{{0,80}}?(\d{{4}})(?!\d)",
    re.I,
)
MORAL = re.compile(
    r"moral\s+rights?\s+of\s+the\s+|asserted\s+\w+\s+(?:moral\s+)?rights?\s+to\s+be\s+identified", re.I
)
OPEN = (
    "creativecommons.org", "creative commons", "cc by", "cc-by", "cc0", "some rights reserved",
    'rel="license"', "free software", "permission is hereby granted", "apache license",
    "general public license", "waived all copyright", "dedicated to the public domain",
    "public domain dedication", "into the public domain", "placed in the public domain",
)  # fmt: skip
OPEN_SPDX = re.compile(r"spdx-license-identifier:\s*(?!licenseref)\w", re.I)
CLOSED_FIELD = re.compile(r"licenseref|proprietary|all rights|copyright|unknown|none|null", re.I)
PG_GATE = ("copyright", "©", "(c)", "isbn", "rights reserved", "no part of", "catalog", "moral right")
KEYS = {
    "claim": ("copyright", "©", "(c)", "&copy;", "&#"),
    "arr": ("rights reserved", "tous droits", "alle rechte", "derechos reservados", "diritti riservati"),
    "proprietary": ("confidential", "proprietary", "strictly prohibited", "licenseref-"),
    "isbn": ("isbn",),
    "cip": ("catalog", "control number", "lccn"),
    "no-part": ("no part of", "may not be reproduced"),
    "first-published": ("published", "edition"),
    "printing": ("4 3 2", "7 6 5", "1 3 5 7", "2 4 6 8"),
    "moral-rights": ("moral right", "to be identified as"),
}
