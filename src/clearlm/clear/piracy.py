"""Shadow-library provenance: `piracy.shadow-library`, whatever the text itself is.

A file from LibGen, Z-Library, Anna's Archive, Books3/Bibliotik or a pirate e-book site is denied
even when its contents are public domain: the contents are the one thing a pirate copy does not change.
What counts is a stamp, never a mention, so an essay or a news story about shadow libraries passes:

- names (the file name, the last segment of the source, provenance fields of a record): mirror stamps
  ` - libgen.li`, `(z-lib.org)`, `(Z-Library)`, ` - Z-Library`; Anna's Archive names `… -- <md5> --
  Anna's Archive`; `aacid__<collection>__…` container ids; a bare 32-hex MD5 name, but only for a
  book-like file (.txt/.pdf/.epub/.djvu/.mobi/…, or none): hash-named .json/.html/.js/.png… files are
  content-addressed caches, and hash names in web URLs are not judged (CDNs use them);
- paths: a `books3`, `bibliotik`, `libgen`, `z-library`, `annas-archive`, `sci-hub` folder, the-eye.eu's
  `public/Books`, a shadow-library host in a URL, a record field such as `pile_set_name: Books3`;
- text (first 40 KB and last 20 KB): a Library Genesis catalogue record (three or more of its own
  fields: MD5, Time added, Extension, Size in bytes, Periodical, Mirrors, Topic, … with an MD5 value,
  a "Library Genesis"/libgen name or "Time added"), shadow-library record ids (`libgen_id`,
  `lgli_file_id`, `aacid__…`), and pirate-site watermark lines ("OceanofPDF.com", "www.allitebooks.com",
  "WOW! eBook", "www.ebook3000.com", "Get more e-books from www.ketabton.com", "Downloaded from
  z-lib.org", "TEAM LinG"…): a line holding little but the stamp. A document that itself talks about
  piracy or shadow libraries needs two such lines (a quoted example is not a page watermark).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from clearlm.clear.signals import Signal, span_evidence
from clearlm.pipeline.document import Document
from clearlm.reasons import PIRACY_SHADOW_LIBRARY

HEAD, TAIL = 40_000, 20_000
NEAR_HEAD, NEAR_TAIL = 16_000, 8_000  # catalogue records and brand stamps: the very start or end of a file


def _words(text: str, sep: str | None = None) -> frozenset[str]:
    return frozenset(text.split(sep))


BOOK_EXTS = _words(
    "txt pdf epub djvu djv mobi azw azw3 azw4 kfx fb2 lit chm rtf doc docx odt cbr cbz ps prc pdb"
)
SHADOW_DIRS = _words(
    "books3|bibliotik|libgen|librarygenesis|library_genesis|library genesis|z-library|zlibrary|z-lib"
    "|annas-archive|annas_archive|anna's archive|annas archive|sci-hub|scihub|lgli|lgrs",
    "|",
)
# Pirate e-book sites whose name is stamped on pages (lower case, without "www.").
PIRATE_SITES = _words(
    "oceanofpdf.com allitebooks.com allitebooks.org allitebooks.in wowebook.org wowebook.com wowebook.net"
    " wowebook.info ebook3000.com ebook3000.org ebook777.com it-ebooks.info it-ebooks.org ketabton.com"
    " z-lib.org z-lib.io z-lib.is z-lib.se z-lib.gs z-lib.id z-library.sk z-library.se z-library.rs"
    " zlibrary.to 1lib.sk 1lib.org b-ok.cc b-ok.org b-ok.xyz libgen.li libgen.rs libgen.is libgen.st"
    " libgen.lc libgen.gs gen.lib.rus.ec library.lol annas-archive.org annas-archive.se annas-archive.li"
    " annas-archive.gs dbebooks.com ebooksworld.ir pdfdrive.com freelibros.org freelibros.me dokumen.pub"
    " ebin.pub vdoc.pub epdf.pub pdfcoffee.com pdfgrip.com freepdf-books.com ebook-dl.com avxhm.se"
    " ebookee.net sci-hub.se sci-hub.ru bookzz.org booksee.org bookfi.net booksc.org singlelogin.re"
)
_STAMP_WORDS = _words(
    "www http https downloaded download from at get more free e-books ebooks ebook e-book books book pdf epub"
    " visit the this was is by on for and via digital library wow team ling com org net"
    " ==> -> | - – — : ·"
)
_PROVENANCE = _words(
    "path file file_name filename file_path filepath source source_path url uri origin original_path src"
    " location pile_set_name set_name dataset collection subset corpus meta"
)
_SPECIFIC = _words(
    "md5|time added|time modified|extension|filesize|size|periodical|mirrors|topic|dpi|bookmarked|scanned"
    "|searchable (ocr)|paginated|cleaned|orientation|commentary|library",
    "|",
)
_RECORD_HOSTS = {"library.lol", "gen.lib.rus.ec"} | {h for h in PIRATE_SITES if h.startswith("libgen.")}
_TOPICS = _words("pirat|shadow librar|library genesis|z-library|anna's archive|annas archive|infring", "|")
_ANCHOR_KEYS = ("MD5", "md5", "! eBook", "-lib", "LinG")
_TLD = r"(?:li|rs|is|st|lc|gs|bz|la|vg|pw|org|io|me|fun|net|ec|su)"
_NAME_RULES = [
    ("annas-archive-name", r"--\s*[0-9a-f]{32}\s*--|(?:^|\s)--?\s*anna(?:['’`]?s)?[\s_-]*archive\s*$"),
    ("aacid-name", r"^aacid__[a-z0-9_]+__"),
    ("libgen-stamp", rf"\blibgen\.{_TLD}\b|\bgen\.lib\.rus\.ec\b|\blibrary\.lol\b"),
    (
        "bracketed-stamp",
        r"[(\[{]\s*(?:z-?lib(?:rary)?|1lib|b-ok|libgen|library\s+genesis|anna['’]?s\s+archive)"
        r"(?:\.[a-z]{2,4})?\s*[)\]}]",
    ),
    (
        "z-library-stamp",
        r"\bz-?lib(?:rary)?\.(?:org|io|is|se|gs|id|sk|ec|rs|to)\b|\b(?:1lib|b-ok|singlelogin)\.[a-z]{2,3}\b",
    ),
    ("shadow-suffix", r"\s[-–—]{1,2}\s*(?:libgen|library\s+genesis|z-?lib(?:rary)?)\s*$"),
]
_NAME_RX = [(kind, re.compile(rx, re.I)) for kind, rx in _NAME_RULES]
_MD5 = re.compile(r"(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{32}", re.I)
_HOST = re.compile(
    r"(?:^|\.)(?:libgen\.[a-z]+|library\.lol|gen\.lib\.rus\.ec|z-?lib(?:rary)?[\w-]*\.[a-z]+|1lib\.[a-z]+"
    r"|b-ok\.[a-z]+|singlelogin\.[a-z]+|annas-archive\.[a-z]+|sci-hub\.[a-z]+|bookfi\.[a-z]+|booksc\.[a-z]+"
    r"|oceanofpdf\.com|allitebooks\.[a-z]+|ebook3000\.[a-z]+|wowebook\.[a-z]+|it-ebooks\.[a-z]+"
    r"|pdfdrive\.[a-z]+|(?:dokumen|ebin|vdoc|epdf)\.pub|pdfcoffee\.com)$"
)
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


def detect_piracy(doc: Document) -> list[Signal]:
    """`piracy.shadow-library` from the document's name, path, provenance fields and stamps in its text."""
    found: list[Signal] = []
    if doc.file_name and (kind := _name_kind(doc.file_name, bare_md5=True)):
        found.append(Signal(PIRACY_SHADOW_LIBRARY, {"file_name": doc.file_name, "pattern": kind}))
    same = bool(doc.file_name) and unquote(urlsplit(doc.source).path).endswith("/" + doc.file_name)
    if doc.source and (kind := _path_kind(doc.source, bare_md5=not doc.file_name, last=not same)):
        found.append(Signal(PIRACY_SHADOW_LIBRARY, {"source": doc.source, "pattern": kind}))
    return found + _field_signals(doc.meta)[:3] + _text_signals(doc.text)


def _name_kind(name: str, bare_md5: bool) -> str | None:
    """Which shadow-library stamp a file name carries, if any."""
    stem, dot, ext = name.strip().rpartition(".")
    if not (dot and stem and 0 < len(ext) <= 5 and ext.isalnum()):
        stem, ext = name.strip(), ""
    kind = next((kind for kind, rx in _NAME_RX if rx.search(stem)), None)
    if kind is None and bare_md5 and (ext.lower() in BOOK_EXTS or not ext) and _MD5.fullmatch(stem):
        return "md5-name"  # how LibGen / Anna's Archive store books
    return kind


def _path_kind(value: str, bare_md5: bool, last: bool = True) -> str | None:
    """A shadow-library host, folder or file-name stamp in a path or URL."""
    parts = urlsplit(value.strip())
    if parts.scheme in ("http", "https", "ftp"):
        host, path = (parts.hostname or "").lower(), unquote(parts.path)
        if _HOST.search(host):
            return "shadow-library-host"
        if host == "the-eye.eu" and "/public/books" in path.lower():
            return "the-eye-books"
        return _name_kind(path.rsplit("/", 1)[-1], bare_md5=False)  # hash names in URLs are CDN caches
    path = unquote(parts.path) if parts.scheme == "file" else value.split("#", 1)[0]
    pieces = [p for p in re.split(r"[\\/]", path) if p]
    if "the-eye.eu/public/books" in "/".join(pieces).lower():
        return "the-eye-books"
    for piece in pieces[:-1]:
        p = piece.lower()
        if p in SHADOW_DIRS or re.match(r"books3(?:$|[._-])", p) or "bibliotik" in p:
            return "shadow-library-folder"
        if kind := _name_kind(piece, bare_md5=False):
            return kind
    return _name_kind(pieces[-1], bare_md5) if pieces and last else None


def _field_signals(meta: dict[str, Any], depth: int = 0) -> list[Signal]:
    """Provenance fields of a record (path, url, pile_set_name, …), nested dicts two levels deep."""
    out: list[Signal] = []
    for key, value in meta.items():
        if isinstance(value, dict) and depth < 2:
            out.extend(_field_signals(value, depth + 1))
        elif isinstance(value, str) and key.lower() in _PROVENANCE and 0 < len(value) <= 2000:
            as_set = "shadow-library-set" if value.strip().lower() in SHADOW_DIRS else None
            if kind := as_set or _path_kind(value, bare_md5=False):
                out.append(
                    Signal(PIRACY_SHADOW_LIBRARY, {"field": key, "value": value[:300], "pattern": kind})
                )
    return out


def _text_signals(text: str) -> list[Signal]:
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
    md5 = "md5" in fields and _MD5.search(fields["md5"].group(2)) is not None
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
