"""Language identification: py3langid's model, its answers, a sample from the middle."""

from __future__ import annotations

from typing import Any

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from clearlm.curate.config import LanguageConfig
from clearlm.curate.language import (
    DEPTH,
    LANGUAGE_LOW_SCORE,
    LANGUAGE_REASONS,
    LanguageFilter,
    automaton_depth,
    identify,
    middle_sample,
    model,
)
from clearlm.errors import ConfigError
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Verdict

ENGLISH = (
    "The fair came to Dunmore on the first Saturday of October, as it had every year since the old "
    "mill burned, and the whole valley came down to see it. Old Mrs. Pettigrew said that she had been "
    "to forty of them, and that this one would be the last; she had said the same at the thirty-ninth. "
)
FRENCH = (
    "La foire arriva à Dunmore le premier samedi d'octobre, comme chaque année depuis l'incendie du "
    "vieux moulin, et toute la vallée descendit la voir. La vieille madame Pettigrew disait qu'elle en "
    "avait vu quarante, et que celle-ci serait la dernière ; elle avait dit la même chose à la "
    "trente-neuvième. "
)
GERMAN = (
    "Der Jahrmarkt kam am ersten Samstag im Oktober nach Dunmore, wie jedes Jahr, seit die alte Mühle "
    "abgebrannt war, und das ganze Tal kam herunter, um ihn zu sehen. Die alte Frau Pettigrew sagte, "
    "sie sei auf vierzig davon gewesen und dies werde der letzte sein. "
)


def check(text: str, **config: Any) -> tuple[Verdict, Document]:
    doc = Document.create("t/a.txt", text, "test")
    return LanguageFilter(LanguageConfig(**config)).process(doc), doc


def test_english_is_kept_and_annotated() -> None:
    verdict, doc = check(ENGLISH * 3)
    assert verdict.decision == "keep"
    assert doc.meta["language"] == "en" and doc.meta["language_score"] > 0.99
    assert verdict.evidence == {"language": "en", "score": doc.meta["language_score"]}


def test_another_language_is_dropped_with_its_code() -> None:
    verdict, doc = check(FRENCH * 3)
    assert (verdict.decision, verdict.reasons) == ("drop", ("language.fr",))
    assert verdict.evidence["language"] == "fr" and doc.meta["language"] == "fr"


def test_keep_lists_more_than_one_language() -> None:
    verdict, _ = check(GERMAN * 3, keep=["en", "de"])
    assert verdict.decision == "keep"


def test_low_confidence_is_its_own_reason() -> None:
    # Two words: the model guesses, with a probability far below min_score.
    verdict, _ = check("Hello world")
    assert (verdict.decision, verdict.reasons) == ("drop", (LANGUAGE_LOW_SCORE,))
    assert verdict.evidence["score"] < 0.65
    # A guess in `keep` is still dropped when it is not confident enough.
    verdict, _ = check(ENGLISH[:60], min_score=0.999)
    assert verdict.reasons == (LANGUAGE_LOW_SCORE,) and verdict.evidence["language"] == "en"


def test_no_letters_is_undetermined() -> None:
    assert identify("") == ("und", 0.0)
    verdict, _ = check("")
    assert verdict.reasons == (LANGUAGE_LOW_SCORE,)


def test_the_sample_comes_from_the_middle() -> None:
    # An English front and back matter around a French book: the book decides.
    text = ENGLISH * 20 + FRENCH * 60 + ENGLISH * 20
    verdict, _ = check(text, sample_chars=5_000)
    assert verdict.reasons == ("language.fr",)
    sample = middle_sample(text, 5_000)
    assert 4_800 < len(sample) <= 5_000 and sample in FRENCH * 60
    assert not sample[0].isspace() and not sample[-1].isspace()
    assert middle_sample("short text", 5_000) == "short text"


def test_all_capitals_are_read_as_lower_case() -> None:
    assert identify(ENGLISH.upper())[0] == "en"


@pytest.fixture(scope="module")
def reference() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@pytest.mark.parametrize(
    "text",
    [ENGLISH, FRENCH, GERMAN, ENGLISH.upper(), "Привет, как дела? Всё хорошо.", "日本語のテキストです。",
     "Ein kurzer Satz.", "Hello world", "12345 67890", "Ceci n'est pas une pipe.",
     "Καλημέρα σας, φίλοι μου."],
)  # fmt: skip
def test_the_same_answer_as_py3langid(reference: LanguageIdentifier, text: str) -> None:
    code, score = reference.classify(text)
    assert identify(text) == (code, pytest.approx(score, abs=1e-4))


def test_without_features_py3langid_guesses_and_we_say_undetermined(reference: LanguageIdentifier) -> None:
    # py3langid gives every label the same probability and names the first of them.
    assert reference.classify("ok")[1] < 0.02
    assert identify("ok") == ("und", 0.0)


def test_the_walk_is_deep_enough_for_the_installed_model() -> None:
    m = model()
    assert automaton_depth(m.nextmove, m.rowbase) == DEPTH


def test_bad_settings_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown language"):
        LanguageFilter(LanguageConfig(keep=["english"]))
    with pytest.raises(ConfigError, match="empty"):
        LanguageFilter(LanguageConfig(keep=[]))
    with pytest.raises(ConfigError, match="min_score"):
        LanguageFilter(LanguageConfig(min_score=1.5))


def test_every_reason_is_described() -> None:
    assert set(LANGUAGE_REASONS) == {"language.<code>", LANGUAGE_LOW_SCORE}
