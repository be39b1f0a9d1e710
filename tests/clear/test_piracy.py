"""Shadow-library provenance: stamps in names, paths, record fields and text deny; mentions do not.

A public-domain text stays denied when it came from a shadow library. Bare 32-hex names are judged
as LibGen/Anna's Archive storage names only for book-like files (.txt/.pdf/.epub/…, or no
extension); a hash-named .json/.html cache file, or a hash in a web URL (CDNs), is not a stamp.
"""

from __future__ import annotations

from typing import Any

import pytest

from clearlm.clear.piracy import detect_piracy
from clearlm.pipeline.document import Document
from clearlm.reasons import PIRACY_SHADOW_LIBRARY

PD_TEXT = (
    "It is no other than that conspicuous hill which used in my younger days to be known by the name of\n"
    "Brown's Folly. This eminence is a long ridge rising out of the level country around, like a whale's\n"
    "back out of a calm sea, with the head and tail beneath the surface.\n"
)


def doc(text: str = PD_TEXT, name: str = "browne.txt", source: str | None = None, **extra: Any) -> Document:
    source = source if source is not None else f"file:///data/in/{name}"
    return Document.create(key=name, text=text, source=source, file_name=name, **extra)


def kinds(d: Document) -> list[str]:
    found = detect_piracy(d)
    assert all(s.code == PIRACY_SHADOW_LIBRARY for s in found)
    return [str(s.evidence.get("pattern") or s.evidence.get("kind")) for s in found]


@pytest.mark.parametrize(
    "name",
    [
        "Dickens, Charles - The Magic Fishbone - libgen.li.pdf",
        "Mallender, R. T. - Principles of Estuarine Hydraulics - libgen.rs.djvu",
        "Fire Worship - Nathaniel Hawthorne (z-lib.org).epub",
        "The Sand-Hills of Jutland (Z-Library).epub",
        "Bureaucracy - Honore de Balzac - Z-Library.pdf",
        "A Quiet Hill (Ines Roe) (z-library.sk, 1lib.sk, z-lib.sk).epub",
        "A Quiet Hill (Anna's Archive).epub",
        "The Sand-Hills of Jutland -- Hans Christian Andersen -- 2011 -- Lanternfish Classics -- "
        "a6c45ae93124808ab4390fa62979400f -- Anna's Archive.epub",
        "2425b16ae3982a82bd9d9f5f39aef359.txt",
        "2425b16ae3982a82bd9d9f5f39aef359.epub",
        "2425B16AE3982A82BD9D9F5F39AEF359.PDF",
        "aacid__zlib3_files__20230808T014342Z__22433983__hMnfRNMbTRg5X7VPZ7hTxA.txt",
    ],
)
def test_shadow_library_file_names_deny_even_a_public_domain_text(name: str) -> None:
    found = detect_piracy(doc(name=name))
    assert found and found[0].evidence == {"file_name": name, "pattern": found[0].evidence["pattern"]}


@pytest.mark.parametrize(
    "name",
    [
        "notes-2019.txt",
        "libgen-essay.md",
        "zlib-1.3.1-changelog.txt",
        "Grandma Anna's Archive.txt",
        "2425b16ae3982a82bd9d9f5f39aef359.json",  # a content-addressed cache entry, not a book
        "d41d8cd98f00b204e9800998ecf8427e.html",
        "00000000000000000000000000000000.txt",
        "report (final).pdf",
    ],
)
def test_innocent_file_names(name: str) -> None:
    assert kinds(doc(name=name)) == []


@pytest.mark.parametrize(
    ("source", "fields"),
    [
        ("file:///mnt/corpora/books3/the-eye.eu/public/Books/Bibliotik/A/A%20Quiet%20Hill.epub.txt", {}),
        ("file:///mnt/corpora/Books3/0/quiet-hill.txt", {}),
        ("/srv/dumps/bibliotik/fiction/quiet-hill.txt", {}),
        ("https://the-eye.eu/public/Books/Bibliotik/A/A%20Quiet%20Hill.epub", {}),
        ("https://libgen.rs/book/index.php?md5=2425b16ae3982a82bd9d9f5f39aef359", {}),
        ("https://annas-archive.org/md5/2425b16ae3982a82bd9d9f5f39aef359", {}),
        ("file:///data/pile/train/00.jsonl#L12", {"fields": {"meta": {"pile_set_name": "Books3"}}}),
        (
            "file:///data/crawl.jsonl#L3",
            {"fields": {"path": "libgen/fiction/2425b16ae3982a82bd9d9f5f39aef359.epub"}},
        ),
    ],
)
def test_shadow_library_paths_hosts_and_record_fields(source: str, fields: dict[str, Any]) -> None:
    assert kinds(doc(name="part.txt", source=source, meta=fields)) != []


@pytest.mark.parametrize(
    "source",
    [
        "file:///home/ines/essays/libgen-history/draft.md",
        "https://news.example/2024/05/libgen-mirror-seized/",
        "https://cdn.example/assets/2425b16ae3982a82bd9d9f5f39aef359.txt",  # CDN hash name
        "file:///data/books/0a/quiet-hill.txt",
    ],
)
def test_innocent_paths(source: str) -> None:
    assert kinds(doc(name="page.txt", source=source)) == []


LIBGEN_RECORD = """Library Genesis
---------------
ID: 2291847
Title: Tidal Flats and Salt Marsh
Author(s): Quist, Annelie
Series: Coastal Monographs; 9
Publisher: Tidewater Academic Press
Year: 2016
Pages: 288
Time added: 2017-02-11 09:14:52
Size: 6 Mb (6291456 bytes)
Extension: pdf
MD5: 5511aea591e493b70d9d6b0d7d987bde
Mirrors: [1] library.lol/main/5511aea591e493b70d9d6b0d7d987bde
---------------

CHAPTER 1
"""


def test_a_libgen_catalogue_record_in_the_text() -> None:
    [signal] = detect_piracy(doc(LIBGEN_RECORD + PD_TEXT, name="tidal-flats-ch1.txt"))
    assert signal.evidence["kind"] == "libgen-metadata"
    assert {"md5", "time added", "extension"} <= set(signal.evidence["fields"])
    assert LIBGEN_RECORD[signal.evidence["offset"] :].startswith(signal.evidence["match"])


def test_shadow_library_record_ids_in_metadata_text() -> None:
    record = '{"md5": "2425b16ae3982a82bd9d9f5f39aef359", "zlibrary_id": 22433983, "title": "Fire Worship"}\n'
    assert kinds(doc(record + PD_TEXT, name="record.txt")) == ["shadow-library-id"]


@pytest.mark.parametrize(
    "stamp",
    [
        "OceanofPDF.com",
        "www.allitebooks.com",
        "WOW! eBook\nwww.wowebook.org",
        "Get more e-books from www.ketabton.com\nKetabton.com: The Digital Library",
        "www.ebook3000.com",
        "Downloaded from z-lib.org",
        "TEAM LinG",
    ],
)
def test_pirate_site_watermarks(stamp: str) -> None:
    text = f"{stamp}\n\n{PD_TEXT}\n{stamp}\n\n{PD_TEXT}"
    assert kinds(doc(text)) == ["watermark"]


def test_texts_about_shadow_libraries_are_not_stamped() -> None:
    essay = (
        "Notes on the Grey Shelves\n\nThis essay is licensed under CC BY 4.0.\n\n"
        "Library Genesis began as a collection of scanned textbooks; Z-Library grew out of it, and Anna's\n"
        "Archive presents itself as a search engine over both. Downloads from one mirror used to end their\n"
        'names with a bracketed "(z-lib.org)"; others carry an OceanofPDF.com line on every chapter page.\n'
        "Bulk torrents name files by MD5; a catalogue entry has fields such as Extension and Time added.\n\n"
        "A pirated copy may carry this line, which we reproduce once as an example:\n\nOceanofPDF.com\n\n"
        "Z-Library seized by US authorities\n\nSee libgen.rs in the list of domains the court named.\n"
    )
    assert kinds(doc(essay, name="notes-on-the-grey-shelves.txt")) == []


def test_a_public_domain_gutenberg_text_from_a_shadow_library_is_still_denied() -> None:
    pg = (
        "The Project Gutenberg eBook of Browne's Folly, by Nathaniel Hawthorne\n\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK BROWNE'S FOLLY ***\n\n" + PD_TEXT
    )
    assert kinds(doc(pg, name="Browne's Folly - Nathaniel Hawthorne (z-lib.org).txt")) == ["bracketed-stamp"]
