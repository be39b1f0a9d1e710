"""Licence names by family, their versions, and the SPDX ids they map to.

Ids are SPDX (validated by the caller against the SPDX list shipped by `license-expression`), never
guessed from unversioned names except where the licence itself says what an unversioned reference
means (GPL §9: any version; the CDDL, BSL, CPL and Artistic licences define their first version).
"""

from __future__ import annotations

import re

IC = re.IGNORECASE
LIC = r"licen[cs]e"

# Licence names by family (the caller reads a version and "or later" after the match). Each family is
# looked for only where one of its lower-case core literals occurs (str.find), then matched locally.
FAMILY_PATTERNS = {
    # "GNU Library Public License" (no "General") is an old but common spelling of the LGPL.
    "gnu": r"(?:GNU\s+)?(?:(?P<gq>Lesser|Library|Affero)\s+(?:GNU\s+)?)?General\s+Public\s+"
    + LIC
    + r"|GNU\s+(?P<gq2>Library|Lesser)\s+Public\s+"
    + LIC,
    "gfdl": r"(?:GNU\s+)?Free\s+Documentation\s+" + LIC,
    "gab": r"(?<![\w-])(?:[LA]?GPL|GFDL)(?:-?v?\d(?:\.\d)?)?(?:\+|-or-later|-only)?(?![\w-])",
    "apache": r"Apache(?:\s+Software)?\s+" + LIC + r"|(?<![\w-])ASL(?=\s*v?\d)",
    "mpl": r"Mozilla\s+Public\s+" + LIC + r"|(?<![\w-])MPL(?=[\s-]*v?\d)",
    "epl": r"Eclipse\s+Public\s+" + LIC + r"|(?<![\w-])EPL(?=[\s-]*v?\d)",
    "edl": r"Eclipse\s+Distribution\s+" + LIC,
    "cddl": r"Common\s+Development\s+and\s+Distribution\s+" + LIC + r"|(?<![\w-])CDDL(?![\w-])",
    "cpl": r"Common\s+Public\s+" + LIC,
    "artistic": r"Artistic\s+" + LIC,
    "lppl": r"LaTeX\s+Project\s+Public\s+" + LIC + r"|(?<![\w-])LPPL(?=[\s-]*v?\d)",
    "ofl": r"(?:SIL\s+)?Open\s+Font\s+" + LIC,
    "ecl": r"Educational\s+Community\s+" + LIC,
    "eupl": r"European\s+Union\s+Public\s+" + LIC + r"|(?<![\w-])EUPL(?=[\s-]*v?\d)",
    "bsl": r"Boost\s+Software\s+" + LIC,
    "mit": r"(?<![\w-])(?:MIT|Expat|X11)(?:/X11)?(?:[-\s](?:style|like|type))?\s+" + LIC,
    "bsd": r"(?:(?P<bq>new|revised|modified|simplified|original|free|[234][-\s]?clause"
    r"|two[-\s]clause|three[-\s]clause|four[-\s]clause)\s+)?(?<![\w-])BSD(?:[-\s](?P<bq2>[234][-\s]?clause|new|simplified))?(?:[-\s](?:style|like|type))?"
    r"\s+" + LIC,
    "isc": r"(?<![\w-])ISC\s+" + LIC,
    # "W3C(r) Software License", "W3C Software Notice and License", "... Software and Document ..."
    "w3c": r"(?<![\w-])W3C\s*(?:\(r\)|®)?\s+Software\s+(?P<w3doc>and\s+Document\s+)?(?:Notice\s+and\s+)?"
    + LIC,
    "zlib": r"(?<![\w-])zlib(?:/libpng)?\s+" + LIC,
    "unlicense": r"(?<![\w-])Unlicen[cs]e(?![\w-])",
    "wtfpl": r"(?<![\w-])WTFPL(?![\w-])",
    "psf": r"(?:Python\s+Software\s+Foundation|PSF)\s+" + LIC,
    "cc0": r"(?<![\w-])CC[-\s]?(?:0|zero)(?![\w-])|Creative\s+Commons\s+Zero",
    "cc": r"Creative\s+Commons\s+(?:Legal\s+Code\s+)?(?P<ccn>(?:Attribution|BY)(?:[-\s,–]+(?:and\s+)?"
    r"(?:Non[-\s]?Commercial|NC|Share[-\s]?Alike|SA|No[-\s]?Deriv(?:ative)?s?(?:\s+Works)?|ND)(?![\w-]))*)",
    "ccs": r"(?<![\w-])CC[-\s]BY(?:[-\s](?:NC|SA|ND)(?![\w]))*",
}

FAMILIES = {name: re.compile(f"(?P<{name}>{pattern})", IC) for name, pattern in FAMILY_PATTERNS.items()}

CORES = (
    ("general public licen", "gnu"),
    ("library public licen", "gnu"),
    ("lesser public licen", "gnu"),
    ("free documentation licen", "gfdl"),
    ("gpl", "gab"),
    ("gfdl", "gab"),
    ("apache", "apache"),
    ("asl", "apache"),
    ("mozilla public", "mpl"),
    ("mpl", "mpl"),
    ("eclipse public", "epl"),
    ("epl", "epl"),
    ("eclipse distribution", "edl"),
    ("distribution licen", "cddl"),
    ("cddl", "cddl"),
    ("common public licen", "cpl"),
    ("artistic licen", "artistic"),
    ("project public licen", "lppl"),
    ("lppl", "lppl"),
    ("font licen", "ofl"),
    ("community licen", "ecl"),
    ("union public licen", "eupl"),
    ("eupl", "eupl"),
    ("software licen", "bsl"),
    ("mit", "mit"),
    ("expat", "mit"),
    ("x11", "mit"),
    ("bsd", "bsd"),
    ("isc", "isc"),
    ("w3c", "w3c"),
    ("zlib", "zlib"),
    ("unlicen", "unlicense"),
    ("wtfpl", "wtfpl"),
    ("foundation licen", "psf"),
    ("psf", "psf"),
    ("cc0", "cc0"),
    ("cc-0", "cc0"),
    ("cc zero", "cc0"),
    ("commons zero", "cc0"),
    ("creative commons", "cc"),
    ("cc by", "ccs"),
    ("cc-by", "ccs"),
)

# Bare acronyms accepted only right after a licensing verb ("dual licensed under the MIT and GPL").
BARE = re.compile(r"(?P<bare>(?<![\w-])(?:MIT|BSD|Apache|Expat|ISC|zlib)(?![\w-]))", IC)

VERSION = re.compile(
    r"\s*(?:\(\s*(?:the\s+)?[\"“']?[A-Z][\w ]{0,20}[\"”']?\s*\)\s*)?,?\s*[-–]?\s*"
    r"(?:v(?:ersion|er)?\.?\s*|-)?(\d{1,2}(?:\.\d{1,2})?[a-c]?)(?![\d.]*\d)(?![\w]{2})",
    IC,
)

FSF_VERSION = re.compile(
    r"(?:\s*\(\s*[\"“']?\w+[\"”']?\s*\))?\s*(?:as\s+published\s+by\s+the\s+Free\s+Software\s+Foundation|,)"
    r"\s*[,;:]?\s*(?:either\s+|only\s+|using\s+|under\s+)?(?:version\s+(\d(?:\.\d)?)|(\d(?:\.\d)?)\s+of\s+the\s+"
    + LIC
    + r")",
    IC,
)

OR_LATER = re.compile(
    r"^(?:\s*(?:of\s+the\s+" + LIC + r"|\(\s*the\s+[\"“]\w+[\"”]\s*\)|\w+\s+)?\s*[,;]?\s*(?:\(\s*at\s+your\s+"
    r"(?:option|choice)\s*\)\s*,?\s*)?(?:or|and)\s+(?:\(?\s*at\s+your\s+(?:option|choice)\s*\)?\s*,?\s*)?"
    r"(?:any\s+|a\s+)?(?:later|newer|subsequent|higher|greater)|\+)",
    IC,
)

CC_PORTS = {
    "germany": "de",
    "austria": "at",
    "netherlands": "nl",
    "united states": "us",
    "australia": "au",
    "france": "fr",
    "england and wales": "uk",
    "igo": "igo",
    "japan": "jp",
}

BARE_TRIGGER = re.compile(
    r"(?:under|licen[cs]ed|licen[cs]es?\s*[\"']?\s*[:=]|dual[-\s]?licen[cs]ed)\s+(?:(?:the|either)"
    r"\s+)?(?:terms\s+of\s+(?:the\s+)?)?[\"'(\[]*$",
    IC,
)

BARE_CHAIN = re.compile(r"(?:and|or|/|,)\s*(?:the\s+)?$", IC)

CDDL_11 = re.compile(r"CDDL\S{0,12}?1[._]1|CDDL\s+(?:v(?:ersion)?\s*)?1\.1", IC)

TITLE_PREFIX = re.compile(r"[\s#=*>\-\[(]*(?:the\s+)?", IC)

TITLE_REST_BAD = re.compile(
    r"\b(?:for|see|of|in|to|and|or|is|are|was|under|licen[cs]ed|as|by|with|this)\b", IC
)

# Family → SPDX template; fixed ids; versions assumed when the licence itself defines them.
TEMPLATES = {
    "apache": "Apache-{v}",
    "mpl": "MPL-{v}",
    "epl": "EPL-{v}",
    "cddl": "CDDL-{v}",
    "cpl": "CPL-{v}",
    "artistic": "Artistic-{v}",
    "lppl": "LPPL-{v}",
    "ofl": "OFL-{v}",
    "eupl": "EUPL-{v}",
    "ecl": "ECL-{v}",
    "bsl": "BSL-{v}",
}

DEFAULT_VERSION = {"cddl": "1.0", "bsl": "1.0", "cpl": "1.0", "artistic": "1.0"}

FIXED = {
    "isc": "ISC",
    "zlib": "Zlib",
    "unlicense": "Unlicense",
    "wtfpl": "WTFPL",
    "psf": "PSF-2.0",
    "cc0": "CC0-1.0",
    "edl": "BSD-3-Clause",
}

BARE_IDS = {"mit": "MIT", "expat": "MIT", "bsd": "BSD-3-Clause", "isc": "ISC", "zlib": "Zlib"}

GNU_DEFAULT = {
    "GPL": "GPL-1.0-or-later",
    "LGPL": "LGPL-2.0-or-later",
    "AGPL": "AGPL-3.0-or-later",
    "GFDL": "GFDL-1.1-or-later",
}

# "the GNU General Public License. See the file COPYING in the main directory of the Linux
# distribution": the kernel's COPYING is GPL version 2 only.
LINUX_COPYING = re.compile(
    r"[\s.,;]*(?:see|refer\s+to)\s+(?:the\s+)?file\s+COPYING\s+in\s+the\s+(?:main|top[-\s]?level)\s+"
    r"directory\s+of\s+the\s+Linux\s+(?:kernel\s+)?(?:distribution|source)",
    IC,
)

PRE_VERSION = re.compile(
    r"\bversion\s+(\d(?:\.\d)?)\s*(?P<later>,?\s*or\s+(?:\(?at\s+your\s+option\)?\s+)?(?:any\s+)?later(?:\s+version)?\s*,?)?\s+"
    r"of\s+(?:the\s+)?(?:[\w-]+\s+){0,3}$",
    IC,
)
