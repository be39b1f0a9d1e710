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

from urllib.parse import unquote, urlsplit

from clearlm.clear.piracy_names import field_signals, name_kind, path_kind
from clearlm.clear.piracy_text import text_signals
from clearlm.clear.signals import Signal
from clearlm.pipeline.document import Document
from clearlm.reasons import PIRACY_SHADOW_LIBRARY


def detect_piracy(doc: Document) -> list[Signal]:
    """`piracy.shadow-library` from the document's name, path, provenance fields and stamps in its text."""
    found: list[Signal] = []
    if doc.file_name and (kind := name_kind(doc.file_name, bare_md5=True)):
        found.append(Signal(PIRACY_SHADOW_LIBRARY, {"file_name": doc.file_name, "pattern": kind}))
    same = bool(doc.file_name) and unquote(urlsplit(doc.source).path).endswith("/" + doc.file_name)
    if doc.source and (kind := path_kind(doc.source, bare_md5=not doc.file_name, last=not same)):
        found.append(Signal(PIRACY_SHADOW_LIBRARY, {"source": doc.source, "pattern": kind}))
    return found + field_signals(doc.meta)[:3] + text_signals(doc.text)
