"""Regular expressions and phrase tables behind `clearlm.clear.licenses`.

Every pattern runs on a *normalised window*: comment leaders (`*`, `#`, `//`, `;`…), HTML tags and
entities are replaced by blanks, line breaks kept. Licence ids are SPDX (validated by the caller
against the SPDX list shipped by `license-expression`), never guessed from unversioned names except
where the licence itself says what an unversioned reference means (GPL §9: any version).
"""

from __future__ import annotations

import re

IC = re.IGNORECASE
LIC = r"licen[cs]e"

# Lower-case literals whose presence makes a stretch of text worth parsing (found with str.find).
# (lower-case literal, characters after it to parse): licence texts need room for their clauses.
ANCHORS = (
    ("licen", 900),
    ("gpl", 900),
    ("gnu", 900),
    ("creativecommons", 900),
    ("creative commons", 900),
    ("cc-by", 900),
    ("cc by", 900),
    ("cc0", 900),
    ("public domain", 300),
    ("public-domain", 300),
    ("permission is hereby granted", 2_000),
    ("permission to use, copy", 2_000),
    ("permission is granted to anyone", 900),
    ("unlimited permission", 900),
    ("in addition to the permissions", 900),
    ("redistribution and use", 2_000),
    ("spdx", 300),
    ("as a special exception", 900),
    ("copying and distribution", 900),
)
# Whole-text needles for the middle of long documents (head and tail are always parsed).
# Project Gutenberg's footer (its trademark licence) follows this marker: it licenses nothing.
GUTENBERG_START = ("*** START OF", "***START OF")
GUTENBERG_END = ("*** END OF", "***END OF", "End of the Project Gutenberg", "End of Project Gutenberg")
MIDDLE_NEEDLES = ("icen",)

# Comment leaders, box borders, tags and entities: blanked before matching.
LEADER = re.compile(r"[ \t]*(?:/\*+|\*+|#+|//+|;+|!|%+|--+|==+|\"|dnl\b|rem\b|@c\b|>+|\(\*|\{-)?[ \t]*")
TRAILER_CHARS = '*"#|/)-}'
TRAILERS = ("*/", '\\n"', '"', "*", "#", "|", "-->", "*)", "-}")
MARKUP = re.compile(r"<[^<>]{0,400}>|&(?:#\d{1,6}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")

SPDX_TAG = re.compile(r"SPDX-Licen[cs]e-Identifier\s*:\s*([^\n\r]*)", IC)
SPDX_TRAILER = re.compile(r"\s*(?:\*/|-->|#}|%>|\*\)|\"\"\"|'''|\*|;|\"|')\s*$")

# Creative Commons deed, legal-code and badge URLs: type, version, port.
CC_URL = re.compile(
    r"(?:creativecommons\.org/(?:licenses|publicdomain)|(?:i\.creativecommons\.org|licensebuttons\.net)/[lp])"
    r"/(?P<type>[a-z][a-z+-]*)(?:/(?P<ver>\d\.\d))?(?:/(?P<port>[a-z]{2}(?:-[a-z]{2})?)(?=[/\"'\s<>)#?]|$))?",
    IC,
)
REL_LICENSE = re.compile(
    r"<(?:a|link)\b[^>]{0,400}?\brel\s*=\s*[\"']?[^\"'>]{0,40}\blicen[cs]e\b[^>]{0,400}>", IC
)
HREF = re.compile(r"\bhref\s*=\s*[\"']?([^\"'\s>]+)", IC)
LINK_HEADER = re.compile(r"<([^>]+)>\s*;[^,]*\brel\s*=\s*\"?[^\",]*\blicense\b", IC)

# Other licence URLs: (pattern, SPDX template with {v} for the version group).
LICENSE_URLS = (
    (re.compile(r"apache\.org/licenses/LICENSE-(\d\.\d)", IC), "Apache-{v}"),
    (re.compile(r"gnu\.org/licenses/(gpl|lgpl|agpl|fdl)-?(\d\.\d)", IC), "{n}-{v}-only"),
    (re.compile(r"gnu\.org/licenses/old-licenses/(gpl|lgpl)-(\d\.\d)", IC), "{n}-{v}-only"),
    (re.compile(r"mozilla\.org/(?:en-US/)?MPL/(?:MPL-)?(\d\.\d)", IC), "MPL-{v}"),
    (re.compile(r"eclipse\.org/legal/epl-(?:v)?(\d)\.?(\d)", IC), "EPL-{v}.{w}"),
    (
        re.compile(
            r"(?:opensource\.org|spdx\.org)/licenses/([A-Za-z0-9.+-]+?)(?:\.php|\.html)?(?=[/\"'\s<>)#?]|$)"
        ),
        "{id}",
    ),
    (re.compile(r"unlicense\.org", IC), "Unlicense"),
    (re.compile(r"wtfpl\.net", IC), "WTFPL"),
)
URL_ID_ALIASES = {"mit-license": "MIT", "bsd-license": "BSD-2-Clause", "apache2.0": "Apache-2.0"}

# Licence names by family (the caller reads a version and "or later" after the match). Each family is
# looked for only where one of its lower-case core literals occurs (str.find), then matched locally.
FAMILY_PATTERNS = {
    "gnu": r"(?:GNU\s+)?(?:(?P<gq>Lesser|Library|Affero)\s+(?:GNU\s+)?)?General\s+Public\s+" + LIC,
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
    "eupl": r"European\s+Union\s+Public\s+" + LIC + r"|(?<![\w-])EUPL(?=[\s-]*v?\d)",
    "bsl": r"Boost\s+Software\s+" + LIC,
    "mit": r"(?<![\w-])(?:MIT|Expat|X11)(?:/X11)?(?:[-\s](?:style|like|type))?\s+" + LIC,
    "bsd": r"(?:(?P<bq>new|revised|modified|simplified|original|free|[234][-\s]?clause"
    r"|two[-\s]clause|three[-\s]clause|four[-\s]clause)\s+)?(?<![\w-])BSD(?:[-\s](?P<bq2>[234][-\s]?clause|new|simplified))?(?:[-\s](?:style|like|type))?"
    r"\s+" + LIC,
    "isc": r"(?<![\w-])ISC\s+" + LIC,
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
    ("union public licen", "eupl"),
    ("eupl", "eupl"),
    ("software licen", "bsl"),
    ("mit", "mit"),
    ("expat", "mit"),
    ("x11", "mit"),
    ("bsd", "bsd"),
    ("isc", "isc"),
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

# Licensing verbs and labels that make a name a statement about *this* document.
TRIGGER = re.compile(
    r"(?:licen[cs]ed|released|distributed|available|provided|published|offered|covered|governed|issued"
    r"|shared|redistribute\s+it|modify\s+it|use\s+it|dual[-\s]?licen[cs]ed)\s+(?:\w+\s+){0,3}?"
    r"(?:under|by)\b|\bsubject\s+to\b|\bunder\s+(?:the\s+)?(?:terms|conditions|provisions)\b"
    r"|\bunder\s+(?:a|an|the|either)?\s*$|terms\s+(?:and\s+conditions\s+)?of\s+(?:the|this|either)\b"
    r"|(?:^|[\s\"'({\[@])(?:licen[cs]es?|licensing|copying)\s*[\"']?\s*[:=]|\bpermitted\s+under"
    r"|\bcompliance\s+with|\bunder\s+(?:version|v\.?)\s*\d|\bbound\s+by\b|\blicen[cs]ed\s+as\b|\b(?:is|are)\s+$|\blicen[cs]ed\s+$|@licen[cs]e\s|public[-\s]domain\W*$",
    IC,
)
SELF_REF = re.compile(
    r"\b(?:this|these|all|our|my|the\s+above|the\s+accompanying)\s+(?:[\w-]+\s+){0,2}?(?:files?|programs?|"
    r"librar(?:y|ies)|software|code|source|works?|documents?|documentation|pages?|site|website|contents?|"
    r"texts?|articles?|materials?|projects?|packages?|modules?|repository|repo|distribution|data(?:set)?|"
    r"images?|photos?|photographs?|books?|posts?|blog|wiki|translations?|headers?|components?|plugins?|"
    r"products?|applications?|app|scripts?|fonts?|recordings?|videos?|media|notes?|slides|course)\b"
    r"|\bit\s+(?:under|and/or)\b|\byou\s+(?:can|may)\s+redistribute\b|\bexcept\s+in\s+compliance\b"
    r"|(?:^|\n)\s*(?:licen[cs]es?|licensing|copying)\b|\bdual[-\s]?licen[cs]ed\b|\bis\s+licen[cs]ed\b",
    IC,
)
NEGATED = re.compile(r"\b(?:not|never|no\s+longer)\s+(?:\w+\s+)?$|n't\s+(?:\w+\s+)?$", IC)
COPYRIGHT_NEAR = re.compile(r"copyright|\(c\)|©", IC)
AFTER_END = re.compile(r"(?<![\s(][vV])[.!?](?:\s|$)")
SENTENCE_END = re.compile(r"(?<![\s(][vV])(?<!\bno)(?<!\be\.g)(?<!\bi\.e)[.!?](?:\s|$)|\n\s*\n")
OR_CUE = re.compile(
    r"\b(?:dual(?:ly)?[-\s]?licen[cs]ed|either|at\s+your\s+(?:option|choice)|choice\s+of)\b", IC
)
ALTERNATIVELY = re.compile(r"\balternatively\b", IC)
# Gap between two names of one statement that makes them alternatives / a conjunction.
GAP_OR = re.compile(
    r"^[\s,;]*(?:\([^()]{0,80}\)[\s,;]*)*(?:licen[cs]es?\s*)?(?:,?\s*(?:or|and/or|/)\s+|/)"
    r"(?:\(?at\s+your\s+option\)?,?\s*)?(?:under\s+)?(?:the\s+)?(?:terms\s+of\s+)?(?:the\s+)?$",
    IC,
)
GAP_AND = re.compile(
    r"^[\s,;]*(?:\([^()]{0,80}\)[\s,;]*)*(?:licen[cs]es?\s*)?(?:,|and|&|\+)\s*(?:the\s+)?$", IC
)

# Public-domain dedications (not mere mentions of "the public domain").
PUBLIC_DOMAIN = re.compile(
    r"\b(?:hereby\s+)?(?:dedicate[ds]?|release[ds]?|place[ds]?|puts?|give[ns]?|contribute[ds]?|donate[ds]?|"
    r"committed|distribute[ds]?|relinquish(?:ed|es)?|waive[ds]?)\s+(?:\w+\s+){0,3}?(?:in|into|to)\s+(?:the\s+)?public[-\s]domain\b"
    r"|\b(?:this|these|the\s+above)\s+(?:[\w-]+\s+){0,3}?(?:is|are)\s+(?:hereby\s+)?(?:in\s+the\s+)?"
    r"public[-\s]domain(?:\s+software)?\s*(?:[.;,]|$)"
    r"|\bpublic\s+domain\s+(?:dedication|declaration)\b"
    r"|(?:^|\n)\s*(?:licen[cs]e|licensing|copying)\s*:\s*public[-\s]domain\b",
    IC,
)

# Full licence texts (or their unmistakable clauses): (pattern, SPDX id or special marker).
LICENSE_TEXTS = (
    (
        "person or organization obtaining",
        re.compile(
            r"Permission\s+is\s+hereby\s+granted,?\s+free\s+of\s+charge,?\s+to\s+any\s+person\s+or\s+"
            r"organization\s+obtaining\s+a\s+copy\s+of\s+the\s+software\s+and\s+accompanying",
            IC,
        ),
        "BSL-1.0",
    ),
    (
        "permission is hereby granted, free of charge",
        re.compile(
            r"Permission\s+is\s+hereby\s+granted,?\s+free\s+of\s+charge,?\s+to\s+any\s+person\s+"
            r"obtaining\s+a\s+copy",
            IC,
        ),
        "#mit",
    ),
    (
        "redistribution and use",
        re.compile(
            r"Redistribution\s+and\s+use\s+(?:of\s+this\s+software\s+)?in\s+source\s+and\s+binary\s+forms,?"
            r"\s+with\s+or\s+without\s+modifications?,?\s+(?:are|is)\s+permitted\s+provided\s+that",
            IC,
        ),
        "#bsd",
    ),
    (
        "permission to use, copy, modify",
        re.compile(
            r"Permission\s+to\s+use,?\s+copy,?\s+modify,?\s+and(?:/or)?\s+distribute\s+this\s+software\s+"
            r"for\s+any\s+purpose\s+with\s+or\s+without\s+fee\s+is\s+hereby\s+granted",
            IC,
        ),
        "#isc",
    ),
    (
        "permission is granted to anyone",
        re.compile(
            r"Permission\s+is\s+granted\s+to\s+anyone\s+to\s+use\s+this\s+software\s+for\s+any\s+purpose,?"
            r"\s+including\s+commercial\s+applications,?\s+and\s+to\s+alter\s+it",
            IC,
        ),
        "Zlib",
    ),
    (
        "free and unencumbered",
        re.compile(
            r"This\s+is\s+free\s+and\s+unencumbered\s+software\s+released\s+into\s+the\s+public\s+domain", IC
        ),
        "Unlicense",
    ),
    (
        "do what the fuck",
        re.compile(r"DO\s+WHAT\s+THE\s+FUCK\s+YOU\s+WANT\s+TO\s+PUBLIC\s+LICENSE", IC),
        "WTFPL",
    ),
    (
        "gives unlimited permission to copy and/or",
        re.compile(
            r"the\s+Free\s+Software\s+Foundation\s+gives\s+unlimited\s+permission\s+to\s+copy\s+and/or\s+"
            r"distribute\s+it,?\s+with\s+or\s+without\s+modifications,?\s+as\s+long\s+as\s+this\s+notice",
            IC,
        ),
        "FSFULLR",
    ),
    (
        "gives unlimited permission to copy, distribute",
        re.compile(
            r"the\s+Free\s+Software\s+Foundation\s+gives\s+unlimited\s+permission\s+to\s+copy,?\s+"
            r"distribute,?\s+and\s+modify\s+it",
            IC,
        ),
        "FSFUL",
    ),
    (
        "copying and distribution of this file",
        re.compile(
            r"Copying\s+and\s+distribution\s+of\s+this\s+file,?\s+with\s+or\s+without\s+modification,?\s+are"
            r"\s+permitted\s+in\s+any\s+medium\s+without\s+royalty",
            IC,
        ),
        "FSFAP",
    ),
    (
        "mpl 1.1/gpl 2.0/lgpl 2.1",
        re.compile(r"\bMPL\s*1\.1\s*/\s*GPL\s*2\.0\s*/\s*LGPL\s*2\.1\b"),
        "MPL-1.1 OR GPL-2.0-or-later OR LGPL-2.1-or-later",
    ),
    (
        "cc0 1.0 universal",
        re.compile(r"CC0\s+1\.0\s+Universal\b.{0,400}?Statement\s+of\s+Purpose", IC | re.S),
        "CC0-1.0",
    ),
)
MIT_CONDITION = re.compile(
    r"above\s+copyright\s+notice\s+and\s+this\s+permission\s+notice\s+shall\s+be\s+included", IC
)
BSD_THIRD = re.compile(
    r"Neither\s+the\s+name|names?\s+of\s+(?:[\w.,'-]+\s+){0,12}?(?:may|must|shall)\s+not\s+be\s+"
    r"used\s+to\s+endorse|(?:may|must|shall)\s+not\s+be\s+used\s+to\s+endorse\s+or\s+promote",
    IC,
)
BSD_ADVERT = re.compile(r"advertising\s+materials\s+mentioning\s+features", IC)
ISC_DISCLAIMER = re.compile(r"AND\s+THE\s+AUTHORS?\s+DISCLAIMS?\s+ALL\s+WARRANTIES", IC)
CURL_CLAUSE = re.compile(
    r"Except\s+as\s+contained\s+in\s+this\s+notice,?\s+the\s+name\s+of\s+a\s+copyright\s+holder", IC
)

# Exceptions that turn "GPL-x" into "GPL-x WITH <exception>".
EXCEPTIONS = (
    (
        "statically or dynamically",
        re.compile(
            r"Linking\s+this\s+library\s+statically\s+or\s+dynamically\s+with\s+"
            r"other\s+modules\s+is\s+making",
            IC,
        ),
        "Classpath-exception-2.0",
    ),
    ("classpath", re.compile(r"[\"“]?Classpath[\"”]?\s+exception", IC), "Classpath-exception-2.0"),
    (
        "does not by itself cause",
        re.compile(
            r"this\s+file\s+does\s+not\s+by\s+itself\s+cause\s+the\s+resulting\s+work\s+to\s+be\s+covered", IC
        ),
        "eCos-exception-2.0",
    ),
    (
        "generated by autoconf",
        re.compile(
            r"configuration\s+script\s+generated\s+by\s+Autoconf,?\s+you\s+may\s+include\s+it\s+under\s+the"
            r"\s+same\s+distribution\s+terms",
            IC,
        ),
        "#autoconf",
    ),
    (
        "gnu libtool",
        re.compile(r"built\s+using\s+GNU\s+Libtool,?\s+you\s+may\s+include\s+this\s+file", IC),
        "Libtool-exception",
    ),
    (
        "bison output file",
        re.compile(r"when\s+this\s+file\s+is\s+copied\s+by\s+Bison\s+into\s+a\s+Bison\s+output\s+file", IC),
        "#bison",
    ),
    (
        "link the compiled version",
        re.compile(
            r"unlimited\s+permission\s+to\s+link\s+the\s+compiled\s+version\s+of\s+this\s+file\s+into\s+"
            r"combinations\s+with\s+other\s+programs",
            IC,
        ),
        "GCC-exception-2.0",
    ),
)

# Linux kernel module licence strings.
MODULE_LICENSE = re.compile(r"MODULE_LICENSE\s*\(\s*\"([^\"]{1,40})\"\s*\)")
MODULE_IDS = {
    "gpl": "GPL-2.0-or-later",
    "gpl v2": "GPL-2.0-only",
    "gpl and additional rights": "GPL-2.0-or-later",
    "dual bsd/gpl": "BSD-3-Clause OR GPL-2.0-only",
    "dual mit/gpl": "MIT OR GPL-2.0-only",
    "dual mpl/gpl": "MPL-1.1 OR GPL-2.0-only",
}

# A whole licence text runs to its end marker; names inside it are part of it, not new statements.
TEXT_END = re.compile(r"END\s+OF\s+TERMS\s+AND\s+CONDITIONS", IC)

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
ATTRIBUTION_HTML = re.compile(
    r"property\s*=\s*[\"'](?:cc:attributionName|dct:creator)[\"'][^>]*>\s*([^<]{1,120})<"
    r"|<meta\s+name\s*=\s*[\"']author[\"']\s+content\s*=\s*[\"']([^\"']{1,120})",
    IC,
)
ATTRIBUTION_TEXT = re.compile(
    r"\b(?:[Bb]y|[Aa]uthor:|[Cc]reated\s+by|[Pp]hoto\s+by)\s+([A-Z][\w.'’-]+"
    r"(?:\s+(?:[A-Z][\w.'’-]+|van|von|de|da|di|la|le)){0,4})"
)
LABEL = re.compile(
    r"(?:licen[cs]es?|licensing)(?:[_ -]?(?:spdx|id|name|expression|type))?[\"']?\s*[:=]\s*[\"'\[]*\s*"
    r"([^\n\"'\]]{1,100})"
    r"|licen[cs]e\s+([^\n\"'\]]{1,100})",
    IC,
)
BARE_TRIGGER = re.compile(
    r"(?:under|licen[cs]ed|licen[cs]es?\s*[\"']?\s*[:=]|dual[-\s]?licen[cs]ed)\s+(?:(?:the|either)"
    r"\s+)?(?:terms\s+of\s+(?:the\s+)?)?[\"'(\[]*$",
    IC,
)
BARE_CHAIN = re.compile(r"(?:and|or|/|,)\s*(?:the\s+)?$", IC)
URL_ANY = re.compile(
    r"(?:https?://)?(?:www\.)?(?:apache\.org|gnu\.org|opensource\.org|mozilla\.org|eclipse\.org|"
    r"spdx\.org|unlicense\.org|wtfpl\.net)/[^\s\"'<>)\]]*",
    IC,
)
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
PRE_VERSION = re.compile(
    r"\bversion\s+(\d(?:\.\d)?)\s*(?P<later>,?\s*or\s+(?:\(?at\s+your\s+option\)?\s+)?(?:any\s+)?later(?:\s+version)?\s*,?)?\s+"
    r"of\s+(?:the\s+)?(?:[\w-]+\s+){0,3}$",
    IC,
)
SLASH_LICENSED = re.compile(
    r"(?<![\w./-])((?:[A-Za-z][\w.+-]*)(?:\s*/\s*[A-Za-z][\w.+-]*)*)\s+licen[cs]ed$", IC
)
COMMON_LICENSES = re.compile(r"/usr/share/common-licenses/([A-Za-z][\w.+-]*[\w+])")
# Deprecated SPDX ids that stand for "licence WITH exception".
DEPRECATED_IDS = {
    "ecos-2.0": "GPL-2.0-or-later WITH eCos-exception-2.0",
    "gpl-2.0-with-classpath-exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "gpl-2.0-with-autoconf-exception": "GPL-2.0-only WITH Autoconf-exception-2.0",
    "gpl-2.0-with-bison-exception": "GPL-2.0-only WITH Bison-exception-2.2",
    "gpl-2.0-with-gcc-exception": "GPL-2.0-only WITH GCC-exception-2.0",
    "gpl-2.0-with-font-exception": "GPL-2.0-only WITH Font-exception-2.0",
    "gpl-3.0-with-autoconf-exception": "GPL-3.0-only WITH Autoconf-exception-3.0",
    "gpl-3.0-with-gcc-exception": "GPL-3.0-only WITH GCC-exception-3.1",
}
PD_IDS = ("CC0-1.0", "CC-PDM-1.0", "CC-PDDC", "Unlicense", "PDDL-1.0")
