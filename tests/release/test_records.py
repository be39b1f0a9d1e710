"""Release records: appended under a lock, read back, and joined to documents."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from pathlib import Path

import pyarrow as pa
import pytest

from clearlm.errors import WorkspaceError
from clearlm.release.records import (
    RELEASES_FILE,
    ReleaseRecord,
    add_release,
    docs_path,
    read_release_docs,
    read_releases,
    releases_by_doc,
)


def record(name: str, step: int = 60) -> ReleaseRecord:
    return ReleaseRecord(
        digest=hashlib.sha256(name.encode()).hexdigest(),
        name=name,
        dir=f"/tmp/out/{name}",
        checkpoint=f"checkpoints/step-{step:06d}",
        step=step,
        created="2025-01-02T03:04:05+00:00",
    )


def docs(*pairs: tuple[str, int]) -> pa.Table:
    return pa.table({"doc_id": [d for d, _ in pairs], "tokens": [t for _, t in pairs]})


def test_no_releases_file_means_no_releases(tmp_path: Path) -> None:
    assert read_releases(tmp_path) == []
    assert releases_by_doc(tmp_path, ["a"]) == {"a": []}


def test_add_and_read_back_with_documents(tmp_path: Path) -> None:
    first, second = record("one", 30), record("two")
    add_release(tmp_path, first, docs(("a", 10), ("b", 5)))
    add_release(tmp_path, second, docs(("b", 7), ("c", 1)))
    assert read_releases(tmp_path) == [first, second]
    assert docs_path(tmp_path, first.digest).name == f"docs-{first.digest[:16]}.parquet"
    assert read_release_docs(tmp_path, second).to_pylist() == [
        {"doc_id": "b", "tokens": 7},
        {"doc_id": "c", "tokens": 1},
    ]
    found = releases_by_doc(tmp_path, ["a", "b", "c", "zzz"])
    assert found == {"a": [first], "b": [first, second], "c": [second], "zzz": []}


def test_same_record_twice_adds_one_line(tmp_path: Path) -> None:
    add_release(tmp_path, record("one"), docs(("a", 1)))
    add_release(tmp_path, record("one"), docs(("a", 1)))
    lines = (tmp_path / "release" / RELEASES_FILE).read_text().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["name"] == "one"


def test_malformed_line_is_named_by_number(tmp_path: Path) -> None:
    add_release(tmp_path, record("one"), docs(("a", 1)))
    path = tmp_path / "release" / RELEASES_FILE
    with open(path, "a") as fh:
        fh.write("\n{not json\n")
    with pytest.raises(WorkspaceError, match=r"line 3 is not a release record"):
        read_releases(tmp_path)
    path.write_text(json.dumps({"name": "x"}) + "\n")
    with pytest.raises(WorkspaceError, match=r"line 1 .*missing field 'digest'"):
        read_releases(tmp_path)


def test_bad_inputs_are_refused_before_writing(tmp_path: Path) -> None:
    bad = ReleaseRecord("abc", "n", "/d", "checkpoints/step-000001", 1, "2025-01-01T00:00:00+00:00")
    with pytest.raises(ValueError, match="SHA-256"):
        add_release(tmp_path, bad, docs(("a", 1)))
    with pytest.raises(ValueError, match="lacks column"):
        add_release(tmp_path, record("one"), pa.table({"doc_id": ["a"]}))
    assert read_releases(tmp_path) == []


def test_missing_documents_file_is_a_workspace_error(tmp_path: Path) -> None:
    one = record("one")
    add_release(tmp_path, one, docs(("a", 1)))
    docs_path(tmp_path, one.digest).unlink()
    with pytest.raises(WorkspaceError, match="documents of release one"):
        releases_by_doc(tmp_path, ["a"])


def _add_many(root: str, start: int) -> None:
    for i in range(start, start + 10):
        add_release(Path(root), record(f"r{i}"), docs((f"d{i}", i)))


def test_concurrent_writers_lose_no_line(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_add_many, args=(str(tmp_path), s)) for s in (0, 100)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert all(w.exitcode == 0 for w in workers)
    names = sorted(r.name for r in read_releases(tmp_path))
    assert names == sorted([f"r{i}" for i in range(10)] + [f"r{i}" for i in range(100, 110)])
