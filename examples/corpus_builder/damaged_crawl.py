"""web/crawl-damaged.warc.gz: readable wiki records around two broken gzip members.

A reader must quarantine the garbage member and the truncated one and still read every page.
"""

from __future__ import annotations

import io
import random
from datetime import timedelta

from .primitives import Corpus, Expect, gzip_member, stable_uuid
from .warc_writer import CRAWL_START, Crawl
from .web_pages import WIKI_SA, Page, expect_page

DAMAGED_PAGES = [
    Page(
        "wiki.example",
        "/wiki/Fennick_lighthouse",
        "Fennick lighthouse",
        """
        Fennick lighthouse stands on the shingle spit at the mouth of the Fennick estuary. The present
        tower, of brick with a white-painted lantern, was completed in 1859 and replaced a wooden light
        that had burned down in a storm. It was automated in 1987 and its keepers' cottages are now
        holiday lets.

        The light shows a white flash every ten seconds and can be seen for about eighteen nautical
        miles in clear weather.
        """,
        WIKI_SA,
        "CC BY-SA 4.0 wiki article stored just before a damaged record",
        "allow",
        ["license.cc-by-sa"],
        license="CC-BY-SA-4.0",
        notes="must survive: it precedes the first broken member.",
    ),
    Page(
        "wiki.example",
        "/wiki/Market_cross",
        "Market cross",
        """
        The Kestrelmouth market cross is a fifteenth-century octagonal shelter of Purbeck-style stone at
        the top of Fore Street. Traders sold butter, eggs and poultry beneath it until the covered market
        opened in 1868.

        The cross was restored in 1902 and again in 1998, when a lorry reversing into Fore Street
        dislodged two of its pinnacles.
        """,
        WIKI_SA,
        "CC BY-SA 4.0 wiki article stored between two damaged records",
        "allow",
        ["license.cc-by-sa"],
        license="CC-BY-SA-4.0",
        notes="must survive: reading has to resume after the garbage member.",
    ),
    Page(
        "wiki.example",
        "/wiki/Brackwater_salt_pans",
        "Brackwater salt pans",
        """
        The Brackwater salt pans were shallow clay-lined ponds on the south shore of the estuary in which
        sea water was evaporated to make salt. Records of salt making at Brackwater go back to the
        Domesday survey; the last pans were abandoned in the 1820s.

        The outlines of more than forty pans can still be traced in the salt marsh at low tide.
        """,
        WIKI_SA,
        "CC BY-SA 4.0 wiki article stored after the last damaged record",
        "allow",
        ["license.cc-by-sa"],
        license="CC-BY-SA-4.0",
        notes="must survive: reading has to resume after the truncated member.",
    ),
]


def build_damaged_crawl(c: Corpus) -> None:
    """A second WARC with two broken gzip members between readable records."""
    rel = "web/crawl-damaged.warc.gz"
    buf = io.BytesIO()
    crawl = Crawl(buf, "crawl-damaged.warc.gz", CRAWL_START + timedelta(days=1))
    first, middle, last = DAMAGED_PAGES
    crawl.page(first)

    # Broken member 1: a complete gzip member whose content is not a WARC record at all.
    garbage_at = buf.tell()
    garbage = (
        b"\x00\x13\x37WRAC/1.O\r\nWARC-Type response\r\n"
        + random.Random(1859).randbytes(160)
        + b"\r\nContent-Length: 12x4\r\n\r\n<html>half a page</html>\r\n\r\n"
    )
    buf.write(gzip_member(garbage))
    crawl.page(middle)

    # Broken member 2: a well-formed header whose Content-Length promises 4096 bytes; the member ends
    # after a few hundred, as if the crawler died while writing it.
    truncated_at = buf.tell()
    url = "https://wiki.example/wiki/Old_ferry_steps"
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 3900\r\n\r\n"
        b'<!DOCTYPE html>\n<html lang="en"><head><title>Old ferry steps | Kestrelmouth Wiki</title></head>'
        b"<body><h1>Old ferry steps</h1><p>The old ferry steps are a flight of granite"
    )
    header = (
        b"WARC/1.0\r\nWARC-Type: response\r\n"
        + f"WARC-Record-ID: <urn:uuid:{stable_uuid('response', url)}>\r\n".encode()
        + b"WARC-Date: 2024-05-21T08:01:09Z\r\n"
        + f"WARC-Target-URI: {url}\r\n".encode()
        + b"Content-Type: application/http; msgtype=response\r\nContent-Length: 4096\r\n\r\n"
    )
    buf.write(gzip_member(header + http))
    crawl.page(last)
    c.write(rel, buf.getvalue())

    for page in DAMAGED_PAGES:
        c.add(expect_page(rel, page))
    c.add(
        Expect(
            rel,
            f"gzip member at byte {garbage_at}: decompresses to garbage, not a WARC record",
            "quarantine",
            ["input.bad-warc"],
            record=f"byte {garbage_at}",
            notes=f"warcio raises ArchiveLoadFailed here; reading must resume at the next gzip member "
            f"(byte {crawl.offsets[f'https://{middle.host}{middle.path}']}).",
        ),
        Expect(
            rel,
            f"gzip member at byte {truncated_at}: response record for {url} whose Content-Length (4096) is "
            "longer than the record",
            "quarantine",
            reasons_any=["input.truncated", "input.bad-warc"],
            record=f"byte {truncated_at}",
            notes="warcio reads it with a short body and a warning; it must not become a document. "
            f"The next record starts at byte {crawl.offsets[f'https://{last.host}{last.path}']}.",
        ),
    )
    c.facts["damaged_offsets"] = {"garbage": garbage_at, "truncated": truncated_at, **crawl.offsets}
