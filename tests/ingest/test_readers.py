"""Format readers: good files round-trip, every kind of bad input is quarantined, nothing raises.

All inputs are written here, in tmp_path, by the libraries that write them in real life (gzip,
zstandard, pyarrow, warcio), then damaged the way downloads and crawls damage them.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import zlib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from clearlm.config import IngestConfig
from clearlm.ingest.readers import SUPPORTED_SUFFIXES, read_file
from clearlm.ingest.readers.decode import DecodeError, decode_bytes
from clearlm.pipeline.document import Document, Malformed
from clearlm.reasons import (
    INPUT_BAD_JSON,
    INPUT_BAD_PARQUET,
    INPUT_BAD_WARC,
    INPUT_EMPTY,
    INPUT_MISSING_FIELD,
    INPUT_TOO_LARGE,
    INPUT_TRUNCATED,
    INPUT_UNDECODABLE,
    INPUT_UNREADABLE,
    INPUT_UNSUPPORTED,
)

CFG = IngestConfig()
FRENCH = "Le garçon était très âgé ; il a mangé à l'hôtel près de la forêt, façade naïve.\n" * 4


def junk(size: int) -> bytes:
    """Random-looking binary, the same on every run (seeded by its size)."""
    return random.Random(size).randbytes(size)


def read(path: Path, config: IngestConfig = CFG) -> tuple[list[Document], list[Malformed]]:
    items = list(read_file(path, f"root/{path.name}", config))
    docs = [i for i in items if isinstance(i, Document)]
    bad = [i for i in items if isinstance(i, Malformed)]
    for item in bad:
        assert item.file == str(path) and item.position and item.detail and "\n" not in item.detail
        assert len(item.raw) <= 4096
    return docs, bad


def reasons(bad: list[Malformed]) -> list[str]:
    return [m.reason for m in bad]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- decoding and whole-file text


def test_decode_bytes_accepts_text_and_rejects_binary() -> None:
    assert decode_bytes("héllo".encode()) == ("héllo", "utf-8")
    assert decode_bytes(b"\xef\xbb\xbfhi") == ("hi", "utf-8-sig")
    assert decode_bytes(FRENCH.encode("utf-16"))[0] == FRENCH
    assert decode_bytes(FRENCH.encode("latin-1"))[0] == FRENCH
    assert decode_bytes(FRENCH.encode("cp1252"), declared="windows-1252") == (FRENCH, "windows-1252")
    png = b"\x89PNG\r\n\x1a\n" + zlib.compress(junk(2000))
    for binary in (junk(3000), png, b"\x00" * 500 + b"ab"):
        with pytest.raises(DecodeError) as err:
            decode_bytes(binary)
        assert err.value.reason == INPUT_UNDECODABLE
    with pytest.raises(DecodeError) as err:
        decode_bytes(b" \r\n\t ")
    assert err.value.reason == INPUT_EMPTY


def test_text_files_round_trip(tmp_path: Path) -> None:
    md = write(tmp_path / "a.md", b"# Title\r\n\r\nBody text.\r\n")
    html = write(tmp_path / "p.HTML", '<meta charset="windows-1252"><p>“Quoted” café</p>'.encode("cp1252"))
    docs, bad = read(md)
    assert not bad and docs[0].text == "# Title\r\n\r\nBody text.\r\n"  # kept as in the file
    assert (docs[0].mime, docs[0].file_name, docs[0].byte_length) == ("text/markdown", "a.md", 23)
    assert docs[0].source == md.resolve().as_uri() and docs[0].meta == {"format": "text", "encoding": "utf-8"}
    docs, bad = read(html)
    assert not bad and "“Quoted” café" in docs[0].text and docs[0].mime == "text/html"
    assert docs[0].meta["encoding"] == "windows-1252"


@pytest.mark.parametrize(
    ("data", "reason", "encoding"),
    [
        (FRENCH.encode("latin-1"), None, "cp1252"),
        (FRENCH.encode("utf-16"), None, "utf-16"),
        (b"", INPUT_EMPTY, None),
        (b"  \n\n\t  \n", INPUT_EMPTY, None),
        (junk(4000), INPUT_UNDECODABLE, None),
    ],
    ids=["latin-1", "utf-16-bom", "zero-bytes", "whitespace", "random-binary"],
)
def test_text_file_encodings_and_bad_bytes(tmp_path: Path, data: bytes, reason: str, encoding: str) -> None:
    docs, bad = read(write(tmp_path / "x.txt", data))
    if reason is None:
        assert not bad and docs[0].text == FRENCH and docs[0].meta["encoding"] == encoding
    else:
        assert not docs and reasons(bad) == [reason]
        assert bad[0].raw == data[:4096]


def test_unsupported_unreadable_and_too_large(tmp_path: Path) -> None:
    docs, bad = read(write(tmp_path / "book.pdf", b"%PDF-1.7 ..."))
    assert not docs and reasons(bad) == [INPUT_UNSUPPORTED] and "book.pdf" in bad[0].detail
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    assert reasons(read(tmp_path / "gone.txt")[1]) == [INPUT_UNREADABLE]
    (tmp_path / "dir.jsonl").mkdir()
    assert reasons(read(tmp_path / "dir.jsonl")[1]) == [INPUT_UNREADABLE]
    small = IngestConfig(max_record_bytes=10)
    assert reasons(read(write(tmp_path / "big.txt", b"x" * 11), small)[1]) == [INPUT_TOO_LARGE]
    assert {".txt", ".jsonl.zst", ".warc.gz", ".parquet"} <= set(SUPPORTED_SUFFIXES)


# ---------------------------------------------------------------- JSONL

LINES = [
    b'{"text": "first", "id": "a", "lang": "en", "score": 0.5}',
    b"",
    b'{"text": "second", "tags": ["x", "y"], "blob": "' + b"z" * 5000 + b'"}',
    b'{"text": "first"}',
]


def test_jsonl_round_trip_offsets_and_ids(tmp_path: Path) -> None:
    data = b"\n".join(LINES) + b"\n"
    path = write(tmp_path / "d.jsonl", data)
    docs, bad = read(path)
    assert not bad and [d.text for d in docs] == ["first", "second", "first"]
    for doc in docs:
        assert json.loads(data[doc.byte_offset : doc.byte_offset + doc.byte_length])["text"] == doc.text
    assert [d.source.rsplit("#", 1)[1] for d in docs] == ["L1", "L3", "L4"]
    assert docs[0].meta["fields"] == {"id": "a", "lang": "en", "score": 0.5}
    assert docs[1].meta["fields"] == {"tags": ["x", "y"]}  # the 5 KB blob is left out
    assert len({d.doc_id for d in docs}) == 3  # "first" twice: L1 is keyed by its id, L4 by its line
    twins, _ = read(write(tmp_path / "twins.jsonl", b'{"text": "same"}\n{"text": "same"}\n'))
    assert twins[0].content_sha256 == twins[1].content_sha256 and twins[0].doc_id != twins[1].doc_id
    assert [d.doc_id for d in read(path)[0]] == [d.doc_id for d in docs]  # deterministic


def test_jsonl_bad_lines_are_quarantined_and_neighbours_kept(tmp_path: Path) -> None:
    lines = [
        b'{"text": "before"}',
        b'{"text": "cut off',
        b"[1, 2]",
        b'{"body": "no text field"}',
        b'{"text": 42}',
        b'{"text": "   "}',
        '{"text": "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, tr\u00e8s bien"}'.encode("latin-1"),
        b'{"text": "' + b"y" * 200 + b'"}',
        b'{"text": "after"}\r',
    ]
    path = write(tmp_path / "d.ndjson", b"\n".join(lines))  # no newline after the last line
    docs, bad = read(path, IngestConfig(max_record_bytes=150))
    assert [d.text for d in docs] == ["before", "café crème brûlée, très bien", "after"]
    assert docs[1].meta["encoding"] == "cp1252"
    assert reasons(bad) == [INPUT_BAD_JSON] * 2 + [INPUT_MISSING_FIELD] * 2 + [INPUT_EMPTY, INPUT_TOO_LARGE]
    assert [m.position for m in bad] == ["line 2", "line 3", "line 4", "line 5", "line 6", "line 8"]
    assert bad[0].raw == lines[1] and len(bad[-1].raw) <= 151


def test_jsonl_custom_text_and_id_fields(tmp_path: Path) -> None:
    path = write(tmp_path / "d.jsonl", b'{"content": "one", "uid": 7}\n{"content": "two", "uid": 7}\n')
    config = IngestConfig(text_field="content", id_field="uid")
    docs, bad = read(path, config)
    assert not bad and [d.text for d in docs] == ["one", "two"] and docs[0].meta["fields"] == {"uid": 7}
    assert docs[0].doc_id != docs[1].doc_id
    assert reasons(read(path)[1]) == [INPUT_MISSING_FIELD] * 2  # default "text" is not there
    bom = write(tmp_path / "bom.jsonl", b'\xef\xbb\xbf{"text": "after a BOM"}\n')
    assert [d.text for d in read(bom)[0]] == ["after a BOM"]


def _jsonl_records(n: int) -> bytes:
    return b"".join(b'{"text": "record number %d"}\n' % i for i in range(n))


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_compressed_jsonl_round_trip_and_truncation(tmp_path: Path, suffix: str) -> None:
    plain = _jsonl_records(20000)
    if suffix == ".jsonl.gz":  # two members, as pigz or `cat a.gz b.gz` make
        packed = gzip.compress(plain[:250000]) + gzip.compress(plain[250000:])
    else:
        packed = zstandard.ZstdCompressor().compress(plain)
    docs, bad = read(write(tmp_path / f"whole{suffix}", packed))
    assert not bad and len(docs) == 20000 and docs[0].meta["offset_in"] == "decompressed"
    last = docs[-1]
    assert plain[last.byte_offset : last.byte_offset + last.byte_length] == b'{"text": "record number 19999"}'
    docs, bad = read(write(tmp_path / f"cut{suffix}", packed[: len(packed) // 2]))
    assert 0 < len(docs) < 20000 and reasons(bad) == [INPUT_TRUNCATED]
    assert [d.text for d in docs] == [f"record number {i}" for i in range(len(docs))]
    cut_at = docs[-1].byte_offset + docs[-1].byte_length + 1  # the first line that is not whole
    assert bad[0].position == f"byte {cut_at} (decompressed)"
    assert plain[cut_at:].startswith(bad[0].raw)


def test_not_actually_compressed(tmp_path: Path) -> None:
    docs, bad = read(write(tmp_path / "fake.jsonl.gz", b'{"text": "plain, not gzip"}\n'))
    assert not docs and reasons(bad) == [INPUT_UNREADABLE] and "gzip" in bad[0].detail
    docs, bad = read(write(tmp_path / "empty.jsonl.gz", gzip.compress(b"")))
    assert not docs and reasons(bad) == [INPUT_EMPTY]


# ---------------------------------------------------------------- Parquet


def _parquet(path: Path, rows: dict[str, Any], row_group_size: int = 2) -> Path:
    pq.write_table(pa.table(rows), path, row_group_size=row_group_size)
    return path


def test_parquet_round_trip_null_rows_and_ids(tmp_path: Path) -> None:
    rows = {
        "text": ["alpha", None, "gamma", "alpha", ""],
        "id": ["r0", "r1", None, None, "r4"],
        "n": [1, 2, 3, 4, 5],
    }
    path = _parquet(tmp_path / "t.parquet", rows)
    docs, bad = read(path)
    assert [d.text for d in docs] == ["alpha", "gamma", "alpha"]
    assert [d.source.rsplit("#", 1)[1] for d in docs] == ["row=0", "row=2", "row=3"]
    assert docs[0].meta == {
        "format": "parquet", "encoding": "utf-8", "row_group": 0, "row": 0, "fields": {"id": "r0", "n": 1}
    }  # fmt: skip
    assert docs[1].meta["row_group"] == 1 and docs[0].doc_id != docs[2].doc_id
    assert reasons(bad) == [INPUT_MISSING_FIELD, INPUT_EMPTY]
    assert [m.position for m in bad] == ["row group 0, row 1", "row group 2, row 4"]
    assert [d.doc_id for d in read(path)[0]] == [d.doc_id for d in docs]


def test_parquet_custom_fields_and_missing_column(tmp_path: Path) -> None:
    path = _parquet(tmp_path / "t.parquet", {"body": ["one", "two"], "key": [10, 11]})
    docs, bad = read(path, IngestConfig(text_field="body", id_field="key"))
    assert not bad and [d.text for d in docs] == ["one", "two"]
    docs, bad = read(path)
    assert not docs and reasons(bad) == [INPUT_MISSING_FIELD] and "body, key" in bad[0].detail


def test_corrupt_parquet_files(tmp_path: Path) -> None:
    docs, bad = read(write(tmp_path / "junk.parquet", junk(2048)))
    assert not docs and reasons(bad) == [INPUT_BAD_PARQUET] and bad[0].position == "footer"
    whole = _parquet(tmp_path / "ok.parquet", {"text": ["a", "b", "c"]}).read_bytes()
    docs, bad = read(write(tmp_path / "cut.parquet", whole[:-20]))  # footer truncated
    assert not docs and reasons(bad) == [INPUT_BAD_PARQUET]


def test_parquet_bad_row_group_skipped(tmp_path: Path) -> None:
    texts = [f"row {i} " + "lorem ipsum " * 50 for i in range(4)]
    path = _parquet(tmp_path / "t.parquet", {"text": texts})
    meta = pq.ParquetFile(path).metadata
    chunk = meta.row_group(0).column(0)
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    data = bytearray(path.read_bytes())
    data[start : start + chunk.total_compressed_size] = junk(chunk.total_compressed_size)
    docs, bad = read(write(path, bytes(data)))
    assert [d.text for d in docs] == texts[2:]  # the second row group survives
    assert reasons(bad) == [INPUT_BAD_PARQUET] and bad[0].position == "row group 0"


# ---------------------------------------------------------------- WARC

HTML = '<html><head><meta charset="utf-8"></head><body><p>Crème brûlée for everyone.</p></body></html>'
PAGE_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("X-Robots-Tag", "noai, noimageai"),
    ("tdm-reservation", "1"),
    ("Set-Cookie", "a=1"),
    ("Set-Cookie", "b=2"),
]
PLAIN = [("Content-Type", "text/plain")]
LATIN = [("Content-Type", "text/plain; charset=iso-8859-1")]
Rec = tuple[str, str, str, list[tuple[str, str]], bytes]  # type, uri, status, headers, body


def _warc(records: list[Rec], gz: bool) -> tuple[bytes, list[int]]:
    """A WARC written by warcio, and the offset where each record starts."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    starts = []
    for rec_type, uri, status, headers, body in records:
        starts.append(out.tell())
        if rec_type == "warcinfo":
            record = writer.create_warcinfo_record("crawl.warc", {"software": "test"})
        else:
            if rec_type == "request":
                http = StatusAndHeaders("GET / HTTP/1.1", headers, is_http_request=True)
            else:
                http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(uri, rec_type, payload=io.BytesIO(body), http_headers=http)
        writer.write_record(record)
    return out.getvalue(), starts


def _page(n: int) -> Rec:
    return (
        "response",
        f"https://site.example/page{n}",
        "200 OK",
        [("Content-Type", "text/plain")],
        b"page %d" % n,
    )


CRAWL: list[Rec] = [
    ("warcinfo", "", "", [], b""),
    ("request", "https://site.example/", "", [("Host", "site.example")], b""),
    ("response", "https://site.example/", "200 OK", PAGE_HEADERS, HTML.encode()),
    ("response", "https://site.example/robots.txt", "200 OK", PLAIN, b"User-agent: GPTBot\nDisallow: /\n"),
    (
        "response",
        "https://site.example/logo.png",
        "200 OK",
        [("Content-Type", "image/png")],
        b"\x89PNG\r\n\0",
    ),
    ("response", "https://site.example/old", "301 Moved Permanently", [("Location", "/new")], b""),
    ("response", "https://other.example/robots.txt", "404 Not Found", [("Content-Type", "text/html")], b""),
    ("response", "https://other.example/fr", "200 OK", LATIN, FRENCH.encode("latin-1")),
]


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_warc_round_trip(tmp_path: Path, gz: bool) -> None:
    data, starts = _warc(CRAWL, gz)
    path = write(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), data)
    docs, bad = read(path)
    assert [(d.source, d.kind, d.mime) for d in docs] == [
        ("https://site.example/", "text", "text/html"),
        ("https://site.example/robots.txt", "robots", "text/plain"),
        ("https://other.example/robots.txt", "robots", "text/plain"),
        ("https://other.example/fr", "text", "text/plain"),
    ]
    page, robots, robots_404, french = docs
    assert page.text == HTML and french.text == FRENCH and robots.text.startswith("User-agent: GPTBot")
    assert page.meta["http_headers"] == [list(h) for h in PAGE_HEADERS]  # order and duplicates kept
    assert (page.meta["http_status"], robots_404.meta["http_status"], robots_404.text) == (200, 404, "")
    assert page.meta["target_uri"] == page.source and page.meta["warc_file"] == f"root/{path.name}"
    assert page.meta["warc_record_id"].startswith("<urn:uuid:") and page.meta["warc_date"]
    assert (page.byte_offset, french.meta["encoding"]) == (starts[2], "iso-8859-1")
    stored = data[page.byte_offset : page.byte_offset + page.byte_length]
    record = gzip.decompress(stored) if gz else stored
    assert record.startswith(b"WARC/1.") and HTML.encode() in record
    assert (
        reasons(bad) == [INPUT_UNSUPPORTED] and "logo.png" in bad[0].detail and "image/png" in bad[0].detail
    )
    assert bad[0].position == f"record at byte {starts[4]}" and bad[0].source.endswith("logo.png")
    assert [d.doc_id for d in read(path)[0]] == [d.doc_id for d in docs]


def _corrupt(data: bytes, start: int, end: int, how: str) -> bytes:
    if how == "gzip-garbage":
        return data[: start + 20] + b"\0" * (end - start - 40) + data[end - 20 :]
    if how == "bad-version":
        return data[:start] + b"GARBAGE!" + data[start + 8 :]
    # A wrong Content-Length of the same width: warcio reads past the block or stops inside it.
    assert how in ("short-length", "long-length")
    record = data[start:end]
    at = record.index(b"Content-Length: ") + len(b"Content-Length: ")
    width = record.index(b"\r\n", at) - at
    value = int(record[at : at + width]) + (-9 if how == "short-length" else 9)
    return data[: start + at] + str(value).encode().rjust(width, b"0") + data[start + at + width :]


@pytest.mark.parametrize("how", ["gzip-garbage", "bad-version", "short-length", "long-length"])
def test_warc_broken_middle_record_is_skipped(tmp_path: Path, how: str) -> None:
    gz = how == "gzip-garbage"
    data, starts = _warc([_page(1), _page(2), _page(3), _page(4)], gz)
    broken = _corrupt(data, starts[1], starts[2], how)
    docs, bad = read(write(tmp_path / ("c.warc.gz" if gz else "c.warc"), broken))
    assert [d.text for d in docs] == ["page 1", "page 3", "page 4"]  # before AND after the break
    assert reasons(bad) == [INPUT_BAD_WARC] and bad[0].position == f"record at byte {starts[1]}"
    assert (
        f"resumed at byte {starts[2]}" in bad[0].detail and bad[0].raw == broken[starts[1] : starts[2]][:4096]
    )
    assert docs[1].byte_offset == starts[2]


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_truncated_warc_keeps_earlier_records(tmp_path: Path, gz: bool) -> None:
    data, starts = _warc([_page(1), _page(2), _page(3)], gz)
    for cut in range(starts[2] + 5, len(data) - 1, 37):  # cut the last record anywhere
        docs, bad = read(write(tmp_path / ("t.warc.gz" if gz else "t.warc"), data[:cut]))
        assert [d.text for d in docs] == ["page 1", "page 2"], cut
        assert len(bad) == 1 and bad[0].reason in (INPUT_TRUNCATED, INPUT_BAD_WARC), cut
        assert bad[0].position == f"record at byte {starts[2]}", cut


def test_garbage_warc(tmp_path: Path) -> None:
    docs, bad = read(write(tmp_path / "junk.warc.gz", junk(5000)))
    assert not docs and reasons(bad) == [INPUT_BAD_WARC]
    docs, bad = read(write(tmp_path / "meta.warc", _warc([CRAWL[0], CRAWL[1]], gz=False)[0]))
    assert not docs and reasons(bad) == [INPUT_EMPTY]  # no content records: still leaves a trace


def test_whole_file_gzip_warc_is_reported_not_crashed(tmp_path: Path) -> None:
    # Not valid per the WARC spec (each record must be its own gzip member); warcio reads the first
    # record only and says to run `warcio recompress`, which the detail passes on.
    data, _ = _warc([_page(1), _page(2), _page(3)], gz=False)
    docs, bad = read(write(tmp_path / "solid.warc.gz", gzip.compress(data)))
    assert [d.text for d in docs] == ["page 1"]
    assert reasons(bad) == [INPUT_BAD_WARC] and "non-chunked gzip" in bad[0].detail
