"""Shadow-library stamps inside a document's text: catalogue records, record ids, page watermarks.

Only the first HEAD and last TAIL characters are read for pirate-site names; the literal anchors of
catalogue records and brand stamps ("MD5", "WOW! eBook", "TEAM LinG" …) only nearer the ends
(NEAR_HEAD, NEAR_TAIL). A Library Genesis record needs three or more of its own fields; a watermark
is a line holding little but a pirate site's name or stamp, and a text about piracy needs two of
them. See `clear.piracy` for what counts and why.
"""

from __future__ import annotations

import re

from clearlm.clear.piracy_names import MD5, word_set
from clearlm.clear.signals import Signal, span_evidence
from clearlm.reasons import PIRACY_SHADOW_LIBRARY

HEAD, TAIL = 40_000, 20_000
NEAR_HEAD, NEAR_TAIL = 16_000, 8_000  # catalogue records and brand stamps: the very start or end of a file


# Pirate e-book sites whose name is stamped on pages (lower case, without "www.").
PIRATE_SITES = word_set(
    "oceanofpdf.com allitebooks.com allitebooks.org allitebooks.in wowebook.org wowebook.com wowebook.net"
    " wowebook.info ebook3000.com ebook3000.org ebook777.com it-ebooks.info it-ebooks.org ketabton.com"
    " z-lib.org z-lib.io z-lib.is z-lib.se z-lib.gs z-lib.id z-library.sk z-library.se z-library.rs"
    " zlibrary.to 1lib.sk 1lib.org b-ok.cc b-ok.org b-ok.xyz libgen.li libgen.rs libgen.is libgen.st"
    " libgen.lc libgen.gs gen.lib.rus.ec library.lol annas-archive.org annas-archive.se annas-archive.li"
    " annas-archive.gs dbebooks.com ebooksworld.ir pdfdrive.com freelibros.org freelibros.me dokumen.pub"
    " ebin.pub vdoc.pub epdf.pub pdfcoffee.com pdfgrip.com freepdf-books.com ebook-dl.com avxhm.se"
    " ebookee.net sci-hub.se sci-hub.ru bookzz.org booksee.org bookfi.net booksc.org singlelogin.re"
)
_STAMP_WORDS = word_set(
    "www http https downloaded download from at get more free e-books ebooks ebook e-book books book pdf epub"
    " visit the this was is by on for and via digital library wow team ling com org net"
    " ==> -> | - – — : ·"
)
_SPECIFIC = word_set(
    "md5|time added|time modified|extension|filesize|size|periodical|mirrors|topic|dpi|bookmarked|scanned"
    "|searchable (ocr)|paginated|cleaned|orientation|commentary|library",
    "|",
)
_RECORD_HOSTS = {"library.lol", "gen.lib.rus.ec"} | {h for h in PIRATE_SITES if h.startswith("libgen.")}
_TOPICS = word_set("pirat|shadow librar|library genesis|z-library|anna's archive|annas archive|infring", "|")
_ANCHOR_KEYS = ("MD5", "md5", "! eBook", "-lib", "LinG")
_DOMAIN = re.compile(
    r"\.(?:com|org|net|info|ir|pub|se|rs|li|is|st|sk|lol|cc|to|io|ec|gs|lc|id|in|me|re|ru)\b"
)
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,38}$")
_BRANDS = re.compile(
    r"WOW!\s*e-?Book|TEAM\s+LinG|(?:downloaded|download|get\s+more\s+e-?books|(?:more|free)\s+e-?books)"
    r"\s+(?:from|at|on|via)\s+(?:www\.)?z-?lib(?:rary)?\b",
    re.I,
)
_FIELD = re.compile(
    r"^[ \t]*(MD5|Time added|Time modified|Extension|Filesize|Size|Periodical|Mirrors|Topic|ID|Series|Edition"
    r"|Pages|Language|Year|Publisher|City|ISBN|Author\(s\)|Title|DPI|Bookmarked|Scanned|Searchable \(OCR\)"
    r"|Paginated|Color|Cleaned|Orientation|Issue|Volume|Commentary|Identifier|Library)[ \t]*:[ \t]*([^\n]*)",
    re.M | re.I,
)
_IDS = re.compile(
    r"\b(?:libgen(?:_?(?:rs|li))?_?id|lgli_file_id|lgrs(?:nf|fic)_book_id|zlibrary_id)\b\W{0,3}\d+"
    r"|\baacid__\w+__",
    re.I,
)


def text_signals(text: str) -> list[Signal]:
    n = len(text)
    zones = [(0, min(n, HEAD))] + ([(max(HEAD, n - TAIL), n)] if n > HEAD else [])
    sites = [
        (m.start(), h) for lo, hi in zones for m in _DOMAIN.finditer(text, lo, hi) if (h := _host_at(text, m))
    ]
    near = [(0, min(n, NEAR_HEAD))] + ([(max(NEAR_HEAD, n - NEAR_TAIL), n)] if n > NEAR_HEAD else [])
    anchors = [i for lo, hi in near for key in _ANCHOR_KEYS for i in _finds(text, key, lo, hi)]
    out: list[Signal] = []
    records = {i for i, host in sites if host in _RECORD_HOSTS} | {i for i in anchors if text[i] in "Mm"}
    for i in sorted(records):
        if block := _libgen_record(text, max(0, i - 3000), min(n, i + 3000)):
            out.append(block)
            break
    if stamps := _stamp_lines(text, [i for i, _ in sites] + [i for i in anchors if text[i] not in "Mm"]):
        # A text about piracy may quote a stamp once; a watermark repeats on the pages of its file.
        most = max(sum(site == s for _, s in stamps) for _, site in stamps)
        if most >= 2 or not any(topic in text[:HEAD].lower() for topic in _TOPICS):
            (span, site), count = stamps[0], len(stamps)
            out.append(
                Signal(
                    PIRACY_SHADOW_LIBRARY, span_evidence(text, span, kind="watermark", site=site, count=count)
                )
            )
    return out


def _finds(text: str, key: str, lo: int, hi: int, limit: int = 8) -> list[int]:
    found: list[int] = []
    i = text.find(key, lo, hi)
    while i >= 0 and len(found) < limit:
        found.append(i)
        i = text.find(key, i + 1, hi)
    return found


def _host_at(text: str, m: re.Match[str]) -> str | None:
    """The pirate site whose top-level domain `m` matched, if the name before it is one."""
    label = _LABEL.search(text, max(0, m.start() - 40), m.start())
    host = text[label.start() : m.end()].lower().removeprefix("www.") if label else ""
    return host if host in PIRATE_SITES else None


def _libgen_record(text: str, lo: int, hi: int) -> Signal | None:
    """A Library Genesis catalogue record (or shadow-library record ids) in text[lo:hi]."""
    if m := _IDS.search(text, lo, hi):
        return Signal(PIRACY_SHADOW_LIBRARY, span_evidence(text, m, kind="shadow-library-id"))
    fields = {f.group(1).lower(): f for f in _FIELD.finditer(text, lo, hi)}
    specific = set(fields) & _SPECIFIC
    md5 = "md5" in fields and MD5.search(fields["md5"].group(2)) is not None
    named = any(name in text[lo:hi].lower() for name in ("library genesis", "libgen"))
    if len(specific) >= 3 and (md5 or named or "time added" in specific):
        span = (min(f.start() for f in fields.values()), max(f.end() for f in fields.values()))
        evidence = span_evidence(text, span, kind="libgen-metadata", fields=sorted(fields))
        return Signal(PIRACY_SHADOW_LIBRARY, evidence)
    return None


def _stamp_lines(text: str, candidates: list[int]) -> list[tuple[tuple[int, int], str]]:
    """Lines holding little but a pirate site's name or stamp (a page watermark): (span, site)."""
    spans: dict[tuple[int, int], str] = {}
    for i in candidates:
        ls, le = text.rfind("\n", 0, i) + 1, text.find("\n", i)
        line = text[ls : len(text) if le < 0 else le]
        if len(line) > 120 or (ls, ls + len(line)) in spans:
            continue
        words = [w.strip(".,;:!?()[]<>\"'*_") for w in line.lower().split()]
        sites = [w for w in words if w.split("://")[-1].removeprefix("www.").split("/")[0] in PIRATE_SITES]
        if brand := _BRANDS.search(line):
            sites += brand.group().lower().split()
        if sites and all(w in sites or not w or w.isdigit() or w in _STAMP_WORDS for w in words):
            spans[(ls, ls + len(line))] = sites[0].split("://")[-1].removeprefix("www.")
    return sorted(spans.items())
