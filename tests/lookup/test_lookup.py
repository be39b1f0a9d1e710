"""`LookupIndex`: exact, near and verbatim matches in a real trained workspace, and the index's life cycle."""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

import pyarrow as pa
import pytest

from clearlm.errors import InputError, UserError
from clearlm.ledger import Ledger
from clearlm.ledger.events import make_event
from clearlm.lookup import TRACE_MAX_CHARS, LookupIndex, decode_query
from clearlm.pipeline.document import sha256_hex
from clearlm.release.records import ReleaseRecord, add_release
from tests.lookup.conftest import edited, passage, shadow_library_doc, trained_doc

UNSEEN = (
    "It was a bright cold day in April, and the clocks were striking thirteen. Winston Smith, his chin "
    "nuzzled into his breast in an effort to escape the vile wind, slipped quickly through the glass doors."
)


def html_page(text: str) -> str:
    """`text` as a web page: navigation and a footer around one paragraph per line."""
    paragraphs = "".join(f"<p>{line}</p>\n" for line in text.splitlines() if line.strip())
    return (
        "<!DOCTYPE html>\n<html><head><title>Reposted</title></head><body>\n"
        "<nav><a href='/'>Home</a> | <a href='/about'>About</a></nav>\n"
        f"<article>\n{paragraphs}</article>\n<footer>Copyright the reposter</footer></body></html>\n"
    )


def test_training_document_pasted_back_is_exact_and_trained(lookup_ws: Path) -> None:
    doc_id, text = trained_doc(lookup_ws)
    result = LookupIndex.open(lookup_ws).lookup(text)
    assert [m.doc_id for m in result.matches] == [doc_id]
    match = result.matches[0]
    assert match.how == ["exact", "near", "verbatim"] and match.jaccard == 1.0
    assert match.trained and match.kept and match.decision == "allow" and match.license == "CC0-1.0"
    assert result.summary == "Found in training data: 1 document trained."


def test_a_copy_with_words_changed_is_near_not_exact(lookup_ws: Path) -> None:
    doc_id, text = trained_doc(lookup_ws, 1)
    copy = edited(text)
    assert copy != text
    match = LookupIndex.open(lookup_ws).lookup(copy).matches[0]
    assert match.doc_id == doc_id and "near" in match.how and "exact" not in match.how
    assert match.jaccard is not None and 0.5 <= match.jaccard < 1.0
    assert match.to_dict()["jaccard"] == round(match.jaccard, 4)


def test_a_passage_is_found_as_a_verbatim_span(lookup_ws: Path) -> None:
    doc_id, text = trained_doc(lookup_ws, 2)
    excerpt = passage(text, words=60)
    result = LookupIndex.open(lookup_ws).lookup(excerpt)
    match = next(m for m in result.matches if m.doc_id == doc_id)
    assert "verbatim" in match.how and "exact" not in match.how
    # Spans are of the query as curation prepares text (normalised: a tab or a run of spaces is one space).
    assert match.spans and match.spans[0].tokens >= 20
    assert " ".join(match.spans[0].text.split()) in " ".join(excerpt.split())
    assert match.trained and result.query.traced_chars > 300 and result.query.notes == []


def test_a_long_query_is_traced_on_its_first_characters_and_says_so(lookup_ws: Path) -> None:
    doc_id, text = trained_doc(lookup_ws, 2)
    long_text = passage(text, words=60) + "\n\n" + "\n".join([UNSEEN] * (TRACE_MAX_CHARS // len(UNSEEN)))
    result = LookupIndex.open(lookup_ws).lookup(long_text)
    assert result.query.traced_chars == TRACE_MAX_CHARS < result.query.chars
    (note,) = result.query.notes
    assert re.fullmatch(r"verbatim spans searched in the first 10,000 of 1[01],\d{3} characters", note)
    assert [m.doc_id for m in result.matches] == [doc_id]  # the passage lies within what was traced


def test_an_unseen_text_matches_nothing(lookup_ws: Path) -> None:
    result = LookupIndex.open(lookup_ws).lookup(UNSEEN)
    assert result.matches == []
    assert result.summary.startswith("Not found: no exact copy, near duplicate (estimated Jaccard ≥ 0.5)")
    assert f"among {result.documents} documents" in result.summary and result.documents > 10


def test_the_denied_shadow_library_copy_is_found_but_not_trained(lookup_ws: Path) -> None:
    doc_id, text = shadow_library_doc(lookup_ws)
    result = LookupIndex.open(lookup_ws).lookup(text, name="The Secret Garden.txt")
    match = next(m for m in result.matches if m.doc_id == doc_id)
    assert "exact" in match.how and match.decision == "deny"
    assert "piracy.shadow-library" in match.reasons
    assert not match.trained and match.kept is False and match.spans == []
    assert "z-lib" in match.source
    assert "1 denied (piracy.shadow-library)" in result.summary
    assert result.summary.startswith("Found in the collected data, not trained on")


def test_an_html_page_is_compared_by_its_main_text(lookup_ws: Path) -> None:
    doc_id, text = trained_doc(lookup_ws, 3)
    result = LookupIndex.open(lookup_ws).lookup(html_page(text), name="repost.html")
    assert result.query.html and result.query.normalized_sha256 != result.query.sha256
    match = result.matches[0]
    assert match.doc_id == doc_id and {"near", "verbatim"} <= set(match.how)
    assert match.jaccard is not None and match.jaccard >= 0.9


def test_to_dict_is_the_json_the_page_reads(lookup_ws: Path) -> None:
    doc_id, text = trained_doc(lookup_ws)
    data = json.loads(json.dumps(LookupIndex.open(lookup_ws).lookup(text).to_dict()))
    assert data["query"]["chars"] == len(text) and len(data["query"]["sha256"]) == 64
    match = data["matches"][0]
    assert match["doc_id"] == doc_id and match["spans"][0]["tokens"] > 0
    for key in ("source", "how", "jaccard", "decision", "reasons", "license", "kept", "trained", "releases"):
        assert key in match
    assert data["summary"] == "Found in training data: 1 document trained."


def test_threshold_must_be_a_fraction(lookup_ws: Path) -> None:
    with pytest.raises(UserError, match="threshold"):
        LookupIndex.open(lookup_ws).lookup("text", threshold=1.5)


def _append_event(
    ws: Path, key: str, doc_id: str, stage: str, decision: str, reasons: list[str], sha256: str = ""
) -> None:
    event = make_event(
        run_id="test", stage=stage, step="manual", doc_id=doc_id, source="test", content_sha256=sha256,
        decision=decision, reasons=reasons,
    )  # fmt: skip
    Ledger(ws / "ledger").append(key, pa.Table.from_pylist([event]))


def test_index_is_rebuilt_after_a_ledger_event_and_reused_otherwise(fresh_ws: Path) -> None:
    first = LookupIndex.open(fresh_ws)
    assert first.build_report.built and first.build_report.reason == "no index yet"
    signatures = fresh_ws / "lookup" / "signatures.npy"
    written = signatures.stat().st_mtime_ns
    assert LookupIndex.open(fresh_ws) is first  # same ledger head: the object in memory
    again = LookupIndex.open(fresh_ws, cache=False)  # and from disk, not rebuilt
    assert not again.build_report.built and signatures.stat().st_mtime_ns == written

    # A newly ingested document (its event names a content hash no document had): rebuilt, and found.
    new_text = "A letter from the archive, ingested after the index was built."
    _append_event(fresh_ws, "ingest-late", "d-late", "ingest", "keep", [], sha256_hex(new_text))
    rebuilt = LookupIndex.open(fresh_ws)
    report = rebuilt.build_report
    assert rebuilt is not first and report.built and report.reason is not None
    assert report.reason.startswith("ledger head moved: ingest events since seq")
    assert report.reused == report.documents == len(first)  # no text changed: none re-read
    assert signatures.stat().st_mtime_ns != written
    assert json.loads((fresh_ws / "lookup" / "meta.json").read_text())["ledger_head"] == rebuilt.head
    match = rebuilt.lookup(new_text).matches[0]
    assert match.doc_id == "d-late" and match.how == ["exact"]


def test_events_that_change_nothing_indexed_only_move_the_head(fresh_ws: Path) -> None:
    first = LookupIndex.open(fresh_ws)
    written = (fresh_ws / "lookup" / "signatures.npy").stat().st_mtime_ns
    doc_id, text = trained_doc(fresh_ws)
    _append_event(fresh_ws, "review-test", doc_id, "review", "review", ["complaint.opt-out"])
    moved = LookupIndex.open(fresh_ws)
    assert moved is not first and moved.head["seq"] == first.head["seq"] + 1
    assert not moved.build_report.built  # a review request changes no text: read live at query time
    assert (fresh_ws / "lookup" / "signatures.npy").stat().st_mtime_ns == written
    assert json.loads((fresh_ws / "lookup" / "meta.json").read_text())["ledger_head"] == moved.head
    assert moved.lookup(text).matches[0].doc_id == doc_id


def test_releases_and_revocation_show_on_the_match(fresh_ws: Path) -> None:
    doc_id, text = trained_doc(fresh_ws)
    record = ReleaseRecord(
        digest="ab" * 32, name="tiny-clear", dir=str(fresh_ws / "out"), checkpoint="checkpoints/step-000060",
        step=60, created="2025-01-01T00:00:00+00:00",
    )  # fmt: skip
    add_release(fresh_ws, record, pa.table({"doc_id": [doc_id], "tokens": [120]}))
    _append_event(fresh_ws, "revoke-test", doc_id, "revoke", "deny", ["revoked"])
    result = LookupIndex.open(fresh_ws).lookup(text)
    match = result.matches[0]
    assert match.revoked and match.trained
    assert match.to_dict()["releases"] == [{"digest": "ab" * 32, "name": "tiny-clear", "dir": record.dir}]
    assert result.summary == "Found in training data: 1 document trained, used by 1 release, 1 since revoked."


def test_decode_query_refuses_binary_and_oversized_data() -> None:
    with pytest.raises(InputError, match=r"photo\.png.*not readable as text"):
        decode_query(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "photo.png")
    with pytest.raises(InputError, match=r"big\.txt.*over the lookup limit of 10 bytes"):
        decode_query(b"twelve bytes", "big.txt", max_bytes=10)
    assert decode_query(codecs.BOM_UTF16_LE + "naïve café".encode("utf-16-le"), "u16.txt") == "naïve café"
