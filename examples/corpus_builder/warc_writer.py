"""The WARC writer behind web/: request/response pairs with fixed dates, record ids and IPs.

Dates advance by a fixed step from a fixed start and every record id is a uuid5, so the gzip
members (and the byte offsets the answer key quotes) are the same on every run.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import ClassVar

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .primitives import stable_uuid
from .web_pages import Page, render_page

CRAWL_START = datetime(2024, 5, 20, 8, 0, 0, tzinfo=UTC)
CRAWLER_UA = "Mozilla/5.0 (compatible; clearlm-demo-crawler/0.1; +https://clearlm.example/crawler)"


def tiny_png(width: int = 16, height: int = 16) -> bytes:
    """A valid little RGB PNG (a diagonal gradient), built without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes(((x * 16) % 256, (y * 16) % 256, ((x + y) * 8) % 256)) for x in range(width))
        for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


class Crawl:
    """Writes request/response pairs with fixed dates, ids and IP addresses."""

    IPS: ClassVar[dict[str, str]] = {
        "blog.example": "192.0.2.10",
        "press.example": "192.0.2.20",
        "news.example": "192.0.2.30",
    }

    def __init__(self, out: io.BytesIO, filename: str, start: datetime) -> None:
        self.out = out
        self.writer = WARCWriter(out, gzip=True)
        self.clock = start
        self.offsets: dict[str, int] = {}  # target URI -> offset of its response record
        info = (
            f"software: clearlm build_corpus.py (warcio)\r\nformat: WARC File Format 1.0\r\n"
            f"isPartOf: clearlm-demo-crawl\r\ndescription: invented demo crawl of .example hosts\r\n"
            f"robots: recorded, not obeyed\r\nhttp-header-user-agent: {CRAWLER_UA}\r\n"
        ).encode()
        record = self.writer.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(info),
            length=len(info),
            warc_headers_dict={
                "WARC-Record-ID": f"<urn:uuid:{stable_uuid('warcinfo', filename)}>",
                "WARC-Date": self._warc_date(),
                "WARC-Filename": filename,
                "Content-Type": "application/warc-fields",
            },
        )
        self.writer.write_record(record)

    def _warc_date(self) -> str:
        return self.clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def fetch(
        self,
        url: str,
        status: str,
        content_type: str,
        body: bytes,
        extra: list[tuple[str, str]] | None = None,
        last_modified: str = "Mon, 13 May 2024 10:00:00 GMT",
    ) -> None:
        self.clock += timedelta(seconds=17)
        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        http_date = format_datetime(self.clock, usegmt=True)
        headers = [
            ("Date", http_date),
            ("Server", "nginx/1.24.0"),
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
        ]
        if status.startswith("200"):
            etag = hashlib.sha1(body).hexdigest()[:16]
            headers += [
                ("Last-Modified", last_modified),
                ("ETag", f'"{etag}"'),
                ("Cache-Control", "max-age=600"),
            ]
        headers += (extra or []) + [("Connection", "close")]
        resp_id = f"<urn:uuid:{stable_uuid('response', url)}>"
        common = {"WARC-Date": self._warc_date()}
        response = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
            warc_headers_dict={
                **common,
                "WARC-Record-ID": resp_id,
                "WARC-IP-Address": self.IPS.get(host, "192.0.2.40"),
            },
        )
        request = self.writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"GET {path} HTTP/1.1",
                [
                    ("Host", host),
                    ("User-Agent", CRAWLER_UA),
                    ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"),
                    ("Accept-Language", "en-GB,en;q=0.9"),
                    ("Accept-Encoding", "identity"),
                    ("Connection", "close"),
                ],
                is_http_request=True,
            ),
            warc_headers_dict={
                **common,
                "WARC-Record-ID": f"<urn:uuid:{stable_uuid('request', url)}>",
                "WARC-Concurrent-To": resp_id,
            },
        )
        self.offsets[url] = self.out.tell()
        self.writer.write_record(response)
        self.writer.write_record(request)

    def page(self, page: Page) -> None:
        self.fetch(
            f"https://{page.host}{page.path}",
            "200 OK",
            "text/html; charset=utf-8",
            render_page(page),
            page.headers,
            page.last_modified,
        )
