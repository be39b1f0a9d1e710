"""Quality filters: each rule trips on text made to fail it and passes ordinary prose; the shared word
split; the n-gram counts against a plain rewrite of datatrove's loops; a real novel."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from clearlm.curate.config import C4Config, FineWebConfig, GopherQualityConfig, GopherRepetitionConfig
from clearlm.curate.quality import QUALITY_REASONS, C4Quality, FineWebQuality, GopherQuality, GopherRepetition
from clearlm.curate.quality_repetition import _NGrams
from clearlm.curate.words import TextViews, invalidate, tokenize, tokens, views, words
from clearlm.errors import ConfigError
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Filter, Verdict

PROSE = (
    "The river had risen in the night, and by morning the lower fields were under a sheet of brown "
    "water. Farmers stood along the embankment with their hands in their pockets, talking quietly about "
    "the harvest that would not come.\n\nA boy rowed a small boat between the drowned fences, looking for "
    "a calf that had broken loose. Nobody expected him to find it, but he kept going until the light "
    "began to fade and his mother called him home from the bridge.\n\nThe next day the water went down as "
    "quickly as it had come, leaving a smell of mud and a line of straw on every wall."
)
NOVEL = Path("/work/shared/data/gutenberg/London, Jack/The Call of the Wild.txt")


def run(step: Filter, text: str) -> Verdict:
    verdict = step.process(Document.create(key="t", text=text, source="mem://t"))
    assert set(verdict.reasons) <= set(QUALITY_REASONS), "every reason written is described"
    return verdict


def reason(step: Filter, text: str) -> str | None:
    verdict = run(step, text)
    return verdict.reasons[0] if verdict.decision == "drop" else None


# --- the shared word split --------------------------------------------------------------------------


def test_split_approximates_spacy() -> None:
    text = "Mr. Smith didn't pay $3.50 for 1,000 eggs... did he?--No! See https://example.org/a. U.S. J. Doe"
    assert tokenize(text).strings(text) == [
        *("Mr.", "Smith", "didn", "'t", "pay", "$", "3.50", "for", "1,000", "eggs", "...", "did", "he"),
        *("?", "--", "No", "!", "See", "https://example.org/a", ".", "U.S.", "J.", "Doe"),
    ]
    text = "It was John's. Write to ann.lee@example.com (not me)."
    assert tokenize(text).strings(text) == [
        *("It", "was", "John", "'s", ".", "Write", "to", "ann.lee@example.com", "(", "not", "me", ")", "."),
    ]


def test_equal_words_hash_alike_across_texts() -> None:
    a, b = tokenize("the cat saw the dog"), tokenize("a dog, the end 😀 𠀋")
    assert a.hashes[0] == a.hashes[3] == b.hashes[3]  # "the"
    assert a.hashes[4] == b.hashes[1]  # "dog"
    assert len(set(a.hashes.tolist())) == 4
    assert tokenize("a dog, the end 😀 𠀋").strings("a dog, the end 😀 𠀋")[-2:] == ["😀", "𠀋"]


def test_views_are_cached_and_follow_text_changes() -> None:
    doc = Document.create(key="v", text="one two three", source="mem://v")
    assert views(doc) is views(doc)
    assert words(doc) == ["one", "two", "three"]
    doc.text = "four five"  # a step that forgets invalidate() still gets fresh views
    assert words(doc) == ["four", "five"]
    first = tokens(doc)
    invalidate(doc)
    assert tokens(doc) is not first and len(tokens(doc)) == 2


@pytest.mark.parametrize("text", ["", "\n", "\n\n", "a", "\na\n\n\nb\n", " \n a \n\n", "x\r\ny\n"])
def test_line_views_match_datatrove_splits(text: str) -> None:
    v = TextViews(text)
    assert v.newline_runs() == re.split(r"\n+", text)
    assert v.paragraphs() == re.split(r"\n{2,}", text.strip())
    assert v.nonblank_lines() == [line for line in text.split("\n") if line.strip() != ""]


# --- Gopher quality ----------------------------------------------------------------------------------

PRIMER = "I see a cat. It is on a mat. Is it my cat? No, it is not. Go to it, and pat it. " * 4
LONG_WORDS = "Internationalization notwithstanding, telecommunications interoperability requirements " * 12
HASHTAGS = PROSE + " #summer #beach #sunset #travel #happy #friends #family #weekend" * 3
HESITANT = "Well... I suppose the weather... might turn, and then... " * 8
SHOPPING = "\n".join(f"- two bags of {grain} flour" for grain in ("rye", "corn", "oat", "rice") * 3)
TRAILING = "\n".join(f"and then the {n} part of the story went on and on ..." for n in range(9))
TABLE = "Rainfall of the year and of the month with totals\n" + "\n".join(
    f"{1900 + y} {1000 + y * 123.5:.1f} {1000 + y * 7919 % 9000} {4000 + y}" for y in range(30)
)
NO_STOP = (
    "Cats sleep most hours while dogs guard houses. Birds sing loudly at dawn before resting again. "
    "Farmers plant seeds in spring and water rows daily under warm clouds. Children run across open "
    "fields chasing bright kites. Evening brings cool air from distant hills. Night falls slowly as "
    "lamps glow inside small cottages while owls hunt mice near old barns."
)


@pytest.mark.parametrize(
    ("text", "config", "expected"),
    [
        ("Too short to be a document.", GopherQualityConfig(), "min_doc_words"),
        (PROSE, GopherQualityConfig(max_doc_words=40), "max_doc_words"),
        (PRIMER, GopherQualityConfig(), "min_avg_word_length"),
        (LONG_WORDS, GopherQualityConfig(), "max_avg_word_length"),
        (HASHTAGS, GopherQualityConfig(), "max_hash_word_ratio"),
        (HESITANT, GopherQualityConfig(), "max_ellipsis_word_ratio"),
        (SHOPPING, GopherQualityConfig(), "max_bullet_lines_ratio"),
        (TRAILING, GopherQualityConfig(), "max_ellipsis_lines_ratio"),
        (TABLE, GopherQualityConfig(), "max_non_alpha_words_ratio"),
        (NO_STOP, GopherQualityConfig(), "min_stop_words"),
        (PROSE, GopherQualityConfig(), None),
    ],
)
def test_gopher_quality_rules(text: str, config: GopherQualityConfig, expected: str | None) -> None:
    assert reason(GopherQuality(config), text) == (expected and f"quality.gopher.{expected}")


def test_gopher_evidence_holds_value_and_threshold() -> None:
    verdict = run(GopherQuality(), "Too short to be a document.")
    assert verdict.evidence == {"value": 6, "threshold": 50}


# --- Gopher repetition -------------------------------------------------------------------------------

NEWSLETTER = "\n\n".join([PROSE, *["Sign up for our newsletter.", "Read more stories like this."] * 3])
LONG_PARA = PROSE.split("\n\n")[0]
ECHO = "\n\n".join([LONG_PARA, "Short note one.", "Short note two.", "Short note three.", LONG_PARA])
MENU = "Home\nAbout us\nHome\nContact\nHome\nShop\nHome\nBlog\nHome"
QUOTED = "\n".join([LONG_PARA, "a", "b", "c", "d", "e", "f", "g", "h", LONG_PARA])
SPAM = " ".join(f"buy now {thing}" for thing in ("shoes", "hats", "coats", "socks", "belts", "bags"))
PHRASE = " ".join(["the old mill by the quiet river turned all day"] * 4 + ["until the winter came"])


@pytest.mark.parametrize(
    ("text", "config", "expected"),
    [
        (NEWSLETTER, GopherRepetitionConfig(), "dup_para_frac"),
        (ECHO, GopherRepetitionConfig(), "dup_para_char_frac"),
        (MENU, GopherRepetitionConfig(), "dup_line_frac"),
        (QUOTED, GopherRepetitionConfig(), "dup_line_char_frac"),
        (SPAM, GopherRepetitionConfig(), "top_2_gram"),
        (SPAM.replace("now", "it now"), GopherRepetitionConfig(top_n_grams=[0, 0.18]), "top_3_gram"),
        (PHRASE, GopherRepetitionConfig(top_n_grams=[0, 0, 0.16]), "top_4_gram"),
        (PHRASE, GopherRepetitionConfig(top_n_grams=[]), "duplicated_5_n_grams"),
        (
            PHRASE,
            GopherRepetitionConfig(top_n_grams=[], dup_n_grams=[0] * 5 + [0.1]),
            "duplicated_10_n_grams",
        ),
        (PHRASE, GopherRepetitionConfig(top_n_grams=[], dup_n_grams=[]), None),
        (PROSE, GopherRepetitionConfig(), None),
    ],
)
def test_gopher_repetition_rules(text: str, config: GopherRepetitionConfig, expected: str | None) -> None:
    assert reason(GopherRepetition(config), text) == (expected and f"quality.gopher_repetition.{expected}")


def test_repetition_refuses_thresholds_for_n_it_has_no_reason_for() -> None:
    with pytest.raises(ConfigError, match="top_n_grams"):
        GopherRepetition(GopherRepetitionConfig(top_n_grams=[0.2, 0.18, 0.16, 0.14]))


def _reference(words: list[str], n: int) -> tuple[int, int]:
    """datatrove's top n-gram and duplicate n-gram character counts, written plainly."""
    grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    gram, count = Counter(grams).most_common(1)[0]
    seen, dup, i = set(), 0, 0
    while i < len(words) - n + 1:
        key = "".join(words[i : i + n])
        if key in seen:
            dup, i = dup + len(key), i + n
        else:
            seen.add(key)
            i += 1
    return len(gram) * count, dup


@pytest.mark.parametrize("seed", range(12))
def test_ngram_counts_match_the_plain_loops(seed: int) -> None:
    rng = random.Random(seed)
    # Few distinct words of one length: many repeats, and "".join is unambiguous.
    vocab = ["cat", "dog", "sun", "map", "owl", "elk", "fig"][: rng.randint(2, 7)]
    text = " ".join(rng.choice(vocab) for _ in range(rng.randint(10, 400)))
    split = tokenize(text)
    grams = _NGrams(split.hashes, split.lengths)
    for n in range(2, 11):
        grams.advance()
        assert (grams.top_chars(), grams.duplicate_chars()) == _reference(text.split(), n), n


# --- C4 ------------------------------------------------------------------------------------------------

PAGE = "\n".join(
    [
        "Home | About | Contact",
        "The tower was finished in 1889 after two years of work.[1]",
        "Thanks!",
        "Please enable JavaScript to view the comments below.",
        "We use cookies to improve your experience on this site.",
        "It was built for the fair, and many people hated it at first.",
        "Engineers later used it for radio experiments. It still stands today!",
        "x" * 1001 + " is not a word.",
        "Visitors climb the stairs in summer. Some take the lift instead.",
    ]
)


def test_c4_removes_lines_and_keeps_the_rest() -> None:
    doc = Document.create(key="c4", text=PAGE, source="mem://c4")
    before = tokens(doc)
    verdict = C4Quality().process(doc)
    assert verdict.decision == "keep" and verdict.reasons == ("quality.c4.lines_removed",)
    removed = {"no_terminal_punct": 1, "too_few_words": 1, "javascript": 1, "policy": 1, "too_long_word": 1}
    assert verdict.evidence["removed"] == removed and verdict.evidence["kept_lines"] == 4
    assert doc.text.splitlines() == [
        "The tower was finished in 1889 after two years of work.",
        "It was built for the fair, and many people hated it at first.",
        "Engineers later used it for radio experiments. It still stands today!",
        "Visitors climb the stairs in summer. Some take the lift instead.",
    ]
    assert tokens(doc) is not before and words(doc)[:2] == ["The", "tower"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PROSE + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit.", "lorem_ipsum"),
        (PROSE + "\nCall it with function() { return 1; } and wait.", "curly_bracket"),
        ("One sentence here is fine. Another one follows it.", "min_num_sentences"),
        (PROSE + "\nNo brace counts { on a line C4 already removed", None),
        (PROSE.replace("\n\n", "\n"), None),
    ],
)
def test_c4_document_rules(text: str, expected: str | None) -> None:
    assert reason(C4Quality(), text) == (expected and f"quality.c4.{expected}")


def test_c4_counts_sentences_like_the_sentencizer() -> None:
    # Abbreviations and initials do not end sentences; "!" and "?" do.
    text = "Mr. J. Smith met Dr. Brown. Did he? Yes! They left at noon."
    assert run(C4Quality(C4Config(min_num_sentences=5)), text).evidence["value"] == 4
    assert run(C4Quality(C4Config(min_num_sentences=4)), text).decision == "keep"


# --- FineWeb -------------------------------------------------------------------------------------------

NAV = "\n".join(["Products and services overview", "Customer support center", "Careers at our company"] * 2)
POEM = "\n".join(["The wind is cold.", "The sea is grey.", "The gulls are loud.", "I walk away."])
SHARED = (
    PROSE
    + "\n\nShare this article with friends.\n\n"
    + PROSE.replace("river", "creek")
    + ("\n\nShare this article with friends.")
)
GLOSSARY = "\n".join(f"{w.capitalize()}internationalizationification." for w in ["alpha", "beta", "gamma"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("   \n\n \t \n", "empty"),
        (NAV, "line_punct_ratio"),
        (POEM, "short_line_ratio"),
        (SHARED, "char_dup_ratio"),
        (GLOSSARY, "list_ratio"),
        (PROSE, None),
    ],
)
def test_fineweb_rules(text: str, expected: str | None) -> None:
    assert reason(FineWebQuality(FineWebConfig()), text) == (expected and f"quality.fineweb.{expected}")


# --- a real novel, and the reason vocabulary ------------------------------------------------------------


@pytest.mark.skipif(not NOVEL.is_file(), reason="the Gutenberg sample is not on this machine")
def test_a_novel_passes_gopher_and_fineweb_and_c4_cuts_its_wrapped_lines() -> None:
    doc = Document.create(key="novel", text=NOVEL.read_text(encoding="utf-8"), source=str(NOVEL))
    for step in (GopherQuality(), GopherRepetition(), FineWebQuality()):
        assert step.process(doc).decision == "keep", step.name
    split = tokens(doc)
    verdict = C4Quality().process(doc)  # C4 wants one paragraph per line, as on web pages
    assert verdict.decision == "keep"
    assert verdict.evidence["removed"]["no_terminal_punct"] > verdict.evidence["kept_lines"]
    assert tokens(doc) is not split


def test_reason_descriptions_are_one_line_under_the_filter_names() -> None:
    for code, text in QUALITY_REASONS.items():
        assert code.startswith(
            ("quality.gopher.", "quality.gopher_repetition.", "quality.c4.", "quality.fineweb.")
        )
        assert text and "\n" not in text
