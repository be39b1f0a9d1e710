"""Regular expressions for finding licence statements and judging their context (`license_scan`).

Every pattern runs on a *normalised window*: comment leaders (`*`, `#`, `//`, `;`…), HTML tags and
entities are replaced by blanks, line breaks kept. Licence names and versions live in
`license_families`, whole licence texts and exceptions in `license_clauses`.
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
LEADER = re.compile(r"[ \t]*(?:/\*+|\*+|#+|//+|;+|!|%+|--+|==+|\"|dnl\b|rem\b|@c\b|>+|\|+|\(\*|\{-)?[ \t]*")

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
    r"(?:\(?at\s+your\s+option\)?,?\s*)?(?:under\s+)?(?:the\s+)?(?:terms\s+of\s+)?(?:the\s+)?$"
    # "the MPL 1.1 with permission to redistribute under either the GPL 2 or the LGPL 2.1"
    r"|^[\s,;]*with\s+(?:the\s+)?permission\s+to\s+(?:re)?distribute(?:\s+(?:it|them))?\s+under\s+"
    r"(?:either\s+)?(?:terms\s+of\s+)?(?:the)?\s*$",
    IC,
)

# Gap between a notice and a licence text offered as an alternative to it.
OR_FOLLOWING = re.compile(
    r"[;,]\s*or\b[^.]{0,300}?\b(?:the\s+)?(?:following|below)\s+(?:licen[cs]e|terms)\s*:?\s*$", IC
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

URL_ANY = re.compile(
    r"(?:https?://)?(?:www\.)?(?:apache\.org|gnu\.org|opensource\.org|mozilla\.org|eclipse\.org|"
    r"spdx\.org|unlicense\.org|wtfpl\.net)/[^\s\"'<>)\]]*",
    IC,
)

# "provided under a dual BSD/GPLv2 license"
DUAL_SLASH = re.compile(
    r"\bdual(?:ly)?[-\s]+(?:licen[cs]ed\s+)?(?:under\s+)?(?:the\s+|an?\s+)?"
    r"((?:[A-Za-z][\w.+-]*)(?:\s*/\s*[A-Za-z][\w.+-]*)+)\s+licen[cs]e",
    IC,
)
SLASH_LICENSED = re.compile(
    r"(?<![\w./-])((?:[A-Za-z][\w.+-]*)(?:\s*/\s*[A-Za-z][\w.+-]*)*)\s+licen[cs]ed$", IC
)

COMMON_LICENSES = re.compile(r"/usr/share/common-licenses/([A-Za-z][\w.+-]*[\w+])")
