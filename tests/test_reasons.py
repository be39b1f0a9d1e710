"""docs/reasons.md documents every reason code the code can write."""

from __future__ import annotations

from pathlib import Path

from clearlm import reasons

DOC = Path(__file__).resolve().parents[1] / "docs" / "reasons.md"


def test_every_code_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    codes = [
        v
        for k, v in vars(reasons).items()
        if k.isupper() and not k.endswith("_PREFIX") and isinstance(v, str)
    ]
    assert codes, "reasons.py defines codes"
    missing = [c for c in codes if f"`{c}`" not in text]
    assert missing == []


def test_every_ingest_code_has_a_description() -> None:
    codes = {
        v for k, v in vars(reasons).items() if k.startswith(("INPUT_", "INGEST_")) and isinstance(v, str)
    }
    assert codes == set(reasons.INGEST_REASONS)


def test_every_curation_code_is_documented() -> None:
    from clearlm.curate.reasons import CURATE_REASONS

    text = DOC.read_text(encoding="utf-8")
    assert [c for c in CURATE_REASONS if f"`{c}`" not in text] == []


def test_every_tokenize_code_is_documented() -> None:
    from clearlm.tokenize.reasons import TOKENIZE_REASONS

    text = DOC.read_text(encoding="utf-8")
    assert [c for c in TOKENIZE_REASONS if f"`{c}`" not in text] == []
