"""The tokenize steps on their own: encoding, the empty-text drop, and running in other processes."""

from __future__ import annotations

import pickle

import numpy as np

from clearlm.pipeline.document import Document
from clearlm.tokenize.config import TokenizeConfig
from clearlm.tokenize.reasons import TOKENIZE_EMPTY, TOKENIZE_REASONS
from clearlm.tokenize.steps import TokenizeStep
from clearlm.tokenize.tokenizer import train_tokenizer

TEXTS = [f"A sentence number {i}, with words that repeat and repeat." for i in range(200)]


def _step(dtype: str = "uint16") -> TokenizeStep:
    tokenizer = train_tokenizer(iter(TEXTS), TokenizeConfig(vocab_size=300))
    return TokenizeStep(tokenizer.to_str(), bos_id=0, eos_id=1, dtype=dtype)


def test_documents_are_wrapped_in_bos_and_eos() -> None:
    step = _step()
    docs = [Document.create("a", "A sentence number 7.", "mem:a"), Document.create("b", "", "mem:b")]
    verdicts = step.process_batch(docs)
    ids = docs[0].cache["token_ids"]
    assert ids.dtype == np.dtype("<u2") and ids[0] == 0 and ids[-1] == 1
    assert step.tokenizer.decode(ids[1:-1].tolist()) == "A sentence number 7."
    assert verdicts[0].decision == "keep" and verdicts[0].evidence == {"tokens": len(ids)}
    assert docs[0].meta["tokens"] == len(ids)
    assert verdicts[1].decision == "drop" and verdicts[1].reasons == (TOKENIZE_EMPTY,)
    assert "token_ids" not in docs[1].cache
    assert step.process(docs[0]).evidence == verdicts[0].evidence


def test_the_step_pickles_without_its_loaded_tokenizer() -> None:
    step = _step("uint32")
    step.process(Document.create("a", "words", "mem:a"))  # loads the tokenizer
    copy = pickle.loads(pickle.dumps(step))
    assert copy._tokenizer is None
    doc = Document.create("a", "words that repeat", "mem:a")
    copy.process(doc)
    assert doc.cache["token_ids"].dtype == np.dtype("<u4")


def test_every_reason_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "tokenize.md").read_text(encoding="utf-8")
    assert [code for code in TOKENIZE_REASONS if f"`{code}`" not in doc] == []
