"""Format readers: good files round-trip, every kind of bad input is quarantined, nothing raises.

All inputs are written here, in tmp_path, by the libraries that write them in real life (gzip,
zstandard, pyarrow, warcio), then damaged the way downloads and crawls damage them.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from pathlib import Path

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
    png = b"\x89PNG\r\n\x1a\n" + zlib.compress(os.urandom(2000))
    for junk in (os.urandom(3000), png, b"\x00" * 500 + b"ab"):
        with pytest.raises(DecodeError) as err:
            decode_bytes(junk)
        assert err.value.reason == INPUT_UNDECODABLE
    with pytest.raises(DecodeError) as err:
        decode_bytes(b" \r\n\t ")
    assert err.value.reason == INPUT_EMPTY


def test_text_files_round_trip(tmp_path: Path) -> None:
    md = write(tmp_path / "a.md", b"# Title\r\n\r\nBody text.\r\n")
    html = write(tmp_path / "p.HTML", '<meta charset="windows-1252"><p>“Quoted” café</p>'.encode("cp1252"))
    docs, bad = read(md)
    assert not bad and docs[0].text == "# Title\r\n\r\nBody text.\r\n"  # kept as in the file
    assert (docs[0].mime, docs[0].file_name, docs[0].byte_length) == ("text/markdown", "a.md", 24)
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
        (os.urandom(4000), INPUT_UNDECODABLE, None),
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
    # Same text on two lines: different ids; the id field gives the first its own key.
    assert len({d.doc_id for d in docs}) == 3
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


def _jsonl_records(n: int) -> bytes:
    return b"".join(b'{"text": "record number %d"}\n' % i for i in range(n))


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_compressed_jsonl_round_trip_and_truncation(tmp_path: Path, suffix: str) -> None:
    plain = _jsonl_records(5000)
    if suffix == ".jsonl.gz":  # two members, as pigz or `cat a.gz b.gz` make
        packed = gzip.compress(plain[:50000]) + gzip.compress(plain[50000:])
    else:
        packed = zstandard.ZstdCompressor().compress(plain)
    docs, bad = read(write(tmp_path / f"whole{suffix}", packed))
    assert not bad and len(docs) == 5000 and docs[0].meta["offset_in"] == "decompressed"
    last = docs[-1]
    assert plain[last.byte_offset : last.byte_offset + last.byte_length] == b'{"text": "record number 4999"}'
    docs, bad = read(write(tmp_path / f"cut{suffix}", packed[: len(packed) // 2]))
    assert 0 < len(docs) < 5000 and reasons(bad) == [INPUT_TRUNCATED]
    assert [d.text for d in docs] == [f"record number {i}" for i in range(len(docs))]
    assert bad[0].position == f"byte {len(docs) * len(b'{"text": "record number 0"}') + 0}" or bad[0].position.endswith(
        "(decompressed)"
    )
    assert plain[int(bad[0].position.split()[1]) :].startswith(bad[0].raw)


def test_not_actually_compressed(tmp_path: Path) -> None:
    docs, bad = read(write(tmp_path / "fake.jsonl.gz", b'{"text": "plain, not gzip"}\n'))
    assert not docs and reasons(bad) == [INPUT_UNREADABLE] and "gzip" in bad[0].detail
    docs, bad = read(write(tmp_path / "empty.jsonl.gz", gzip.compress(b"")))
    assert not docs and reasons(bad) == [INPUT_EMPTY]
