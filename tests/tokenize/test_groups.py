"""Source groups: input root + first folder for files, host for the web, scheme otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearlm.tokenize.groups import source_group


@pytest.mark.parametrize(
    ("source", "group"),
    [
        ("file:///data/corpus/books/a/b.txt", "corpus/books"),
        ("file:///data/corpus/readme.txt", "corpus"),
        ("file:///data/corpus/nested/deeper/x.txt", "nested/deeper"),  # the longest root wins
        ("file:///data/single.jsonl", "single.jsonl"),  # a file given as an input is its own root
        ("file:///data/corpus/web%20pages/p.html", "corpus/web pages"),
        ("file:///elsewhere/stray/file.txt", "stray"),
        ("https://Example.ORG/page?q=1", "example.org"),
        ("http://blog.example.com:8080/x", "blog.example.com"),
        ("s3://bucket/key", "s3"),
        ("mem:1", "mem"),
    ],
)
def test_source_group(source: str, group: str) -> None:
    roots = ["/data/corpus", "/data/corpus/nested", "/data/single.jsonl"]
    assert source_group(source, roots) == group


def test_relative_roots_are_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "corpus" / "books").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    uri = (tmp_path / "corpus" / "books" / "a.txt").as_uri()
    assert source_group(uri, ["corpus"]) == "corpus/books"
