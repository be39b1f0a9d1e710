"""Shadow-library stamps in a document's names: its file name, its path or URL, its provenance fields.

Mirror stamps in file names (` - libgen.li`, `(z-lib.org)`, Anna's Archive's `-- <md5> --`, `aacid__`
ids, a bare MD5 name for a book-like file), shadow-library folders and hosts in paths and URLs, and
the same in a record's provenance fields (`path`, `url`, `pile_set_name: Books3` …). See
`clear.piracy` for what counts and why.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from clearlm.clear.signals import Signal
from clearlm.reasons import PIRACY_SHADOW_LIBRARY


def word_set(text: str, sep: str | None = None) -> frozenset[str]:
    """The set of words in `text` (split on whitespace, or on `sep`)."""
    return frozenset(text.split(sep))


BOOK_EXTS = word_set(
    "txt pdf epub djvu djv mobi azw azw3 azw4 kfx fb2 lit chm rtf doc docx odt cbr cbz ps prc pdb"
)
SHADOW_DIRS = word_set(
    "books3|bibliotik|libgen|librarygenesis|library_genesis|library genesis|z-library|zlibrary|z-lib"
    "|annas-archive|annas_archive|anna's archive|annas archive|sci-hub|scihub|lgli|lgrs",
    "|",
)
_PROVENANCE = word_set(
    "path file file_name filename file_path filepath source source_path url uri origin original_path src"
    " location pile_set_name set_name dataset collection subset corpus meta"
)
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
MD5 = re.compile(r"(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{32}", re.I)
_HOST = re.compile(
    r"(?:^|\.)(?:libgen\.[a-z]+|library\.lol|gen\.lib\.rus\.ec|z-?lib(?:rary)?[\w-]*\.[a-z]+|1lib\.[a-z]+"
    r"|b-ok\.[a-z]+|singlelogin\.[a-z]+|annas-archive\.[a-z]+|sci-hub\.[a-z]+|bookfi\.[a-z]+|booksc\.[a-z]+"
    r"|oceanofpdf\.com|allitebooks\.[a-z]+|ebook3000\.[a-z]+|wowebook\.[a-z]+|it-ebooks\.[a-z]+"
    r"|pdfdrive\.[a-z]+|(?:dokumen|ebin|vdoc|epdf)\.pub|pdfcoffee\.com)$"
)


def name_kind(name: str, bare_md5: bool) -> str | None:
    """Which shadow-library stamp a file name carries, if any."""
    stem, dot, ext = name.strip().rpartition(".")
    if not (dot and stem and 0 < len(ext) <= 5 and ext.isalnum()):
        stem, ext = name.strip(), ""
    kind = next((kind for kind, rx in _NAME_RX if rx.search(stem)), None)
    if kind is None and bare_md5 and (ext.lower() in BOOK_EXTS or not ext) and MD5.fullmatch(stem):
        return "md5-name"  # how LibGen / Anna's Archive store books
    return kind


def path_kind(value: str, bare_md5: bool, last: bool = True) -> str | None:
    """A shadow-library host, folder or file-name stamp in a path or URL."""
    parts = urlsplit(value.strip())
    if parts.scheme in ("http", "https", "ftp"):
        host, path = (parts.hostname or "").lower(), unquote(parts.path)
        if _HOST.search(host):
            return "shadow-library-host"
        if host == "the-eye.eu" and "/public/books" in path.lower():
            return "the-eye-books"
        return name_kind(path.rsplit("/", 1)[-1], bare_md5=False)  # hash names in URLs are CDN caches
    path = unquote(parts.path) if parts.scheme == "file" else value.split("#", 1)[0]
    pieces = [p for p in re.split(r"[\\/]", path) if p]
    if "the-eye.eu/public/books" in "/".join(pieces).lower():
        return "the-eye-books"
    for piece in pieces[:-1]:
        p = piece.lower()
        if p in SHADOW_DIRS or re.match(r"books3(?:$|[._-])", p) or "bibliotik" in p:
            return "shadow-library-folder"
        if kind := name_kind(piece, bare_md5=False):
            return kind
    return name_kind(pieces[-1], bare_md5) if pieces and last else None


def field_signals(meta: dict[str, Any], depth: int = 0) -> list[Signal]:
    """Provenance fields of a record (path, url, pile_set_name, …), nested dicts two levels deep."""
    out: list[Signal] = []
    for key, value in meta.items():
        if isinstance(value, dict) and depth < 2:
            out.extend(field_signals(value, depth + 1))
        elif isinstance(value, str) and key.lower() in _PROVENANCE and 0 < len(value) <= 2000:
            as_set = "shadow-library-set" if value.strip().lower() in SHADOW_DIRS else None
            if kind := as_set or path_kind(value, bare_md5=False):
                out.append(
                    Signal(PIRACY_SHADOW_LIBRARY, {"field": key, "value": value[:300], "pattern": kind})
                )
    return out
