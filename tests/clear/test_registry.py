"""The protected-works registry finds disguised excerpts of registered works, and nothing else."""

from __future__ import annotations

import random
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from clearlm.clear.fingerprint import normalise, tokenise
from clearlm.clear.registry import Registry, add_works
from clearlm.errors import InputError
from clearlm.reasons import REGISTRY_MATCH

GUTENBERG = Path(__file__).resolve().parents[3] / "shared" / "data" / "gutenberg"

# Three short works written for these tests, with the typography of a printed book.
LIGHTHOUSE = """The Keeper of Carrow Point

Nobody in the village could remember a time before Elspeth Morrow kept the light. She had come to
the point as a girl of nineteen, “to help her uncle for a season,” as she told the minister, and she
had stayed for forty-one winters. The lamp was her clock and her church. Every evening she climbed
the hundred and twelve steps with a can of paraffin in one hand and a rag in the other, and every
morning she came down them with her eyes red from the glass and her hands smelling of brass polish.

In the great storm of the autumn the schooner Margaret Ann came round the headland with her
foresail torn away. Elspeth saw her first as a darker patch in the dark — then as a scatter of lanterns
swinging wildly — and she knew at once that the vessel would never make the harbour mouth. She
did not run to the village; there was no time for that. She lit the second lamp, the one her uncle had
called the widow’s lamp, and set it in the seaward window so that the two lights stood one above the
other. Every fisherman on that coast knew what the pair of lights meant: keep south of the reef, and
trust the shingle.

The master of the Margaret Ann was a Norwegian who had never seen the point in his life. He
trusted the lights anyway. He told the magistrate afterwards that he had “no reason in the world to
believe them, except that somebody had gone to the trouble of lighting them.” The schooner struck
the shingle at a quarter past two, heeled over, and stayed there until the tide went out and left her
crew standing on dry stones, soaked and astonished and alive.

Elspeth would take no reward. When the shipping company sent a silver teapot with an inscription,
she gave it to the school, and the children used it for years to water the geraniums on the sill. What
she kept was the Norwegian’s letter, which arrived the following spring, written in careful English
and smelling faintly of tar. It said only that he had named his daughter after the lighthouse, and that
he hoped the keeper would not think the name too strange for a little girl.
"""

BAKERY = """On the Bread of Valmorel

The ovens of Valmorel are lit before the church bell rings for matins, and in winter that means
the bakers walk to work under the stars. There are four of them now, where once there were eleven,
and each keeps a leaven that is older than the baker. Signora Ferretti’s starter, she will tell you, came
up the mountain in her grandmother’s apron pocket in 1911, wrapped in a cabbage leaf and fed on the
way with a spoonful of flour at every inn. Whether this is true nobody can say, but the bread tastes as
though it might be.

The loaves are large, round and dark, with a crust that cracks like thin ice when you press it. They
are baked once a week in the communal oven, which belongs to nobody and to everybody, and which
the village repaired with its own hands after the earthquake of 1962. Families bring their dough on
wooden boards marked with their initials; the baker slides each loaf in with a long paddle, keeps the
order in her head, and never, in living memory, has handed the wrong bread to the wrong house.

A visitor who asks for the recipe is given it at once, because the recipe is nothing: flour, water,
salt, leaven, and time. What cannot be written down is the rest — the feel of the dough when it has
risen enough, the smell of the oven when the wood has burned down to the right ash, the patience to
let a loaf rest a full day before cutting it. “You can copy the words,” the old baker Anselmo used to
say, “but you cannot copy the hands.” He said it without pride, as a plain fact, the way he might have
told you that the river runs downhill.

When the young people went to the cities in the seventies, the bakers feared the ovens would go
cold. Instead the young people came back at Christmas and asked for bread to take with them, and
then they came back at Easter, and a few of them came back for good. The bakery on the square has a
waiting list now for apprentices. Signora Ferretti says the leaven chooses them, and she is only half
joking.
"""

RAILWAY = """The Clerk at Hollins Junction

Arthur Penhale sold tickets at Hollins Junction for thirty years without once taking the train
himself. He knew every connection on the line by heart: the 7.14 for the coast, the slow goods that
stopped at every halt on the moor, the night mail that did not stop at all but flung its leather bag
onto the platform with a sound like a dropped sack of apples. Passengers asked him the way to places
he had never seen, and he told them precisely, with the platform number, the change at Morton Cross,
and a warning about the refreshment room at Ebbsfield, which he had heard was very poor.

His wife thought him the least curious man in England. She was wrong. In the drawer under the
ticket window he kept a school atlas, and every evening, after the last train, he traced in pencil the
journey of one passenger he had served that day. A woman going to her sister’s wedding in Carlisle. A
boy with a cardboard suitcase bound for the shipyards. A very old man who wanted a single, not a
return, to the village where he had been born. By the time Arthur retired, the atlas was grey with
lines, a web of other people’s journeys spun across the whole of the country and out to sea.

On his last day the stationmaster presented him with a gold watch and a first-class ticket to
anywhere on the network. Arthur thanked him, put the ticket in his waistcoat pocket, and walked home
along the line as he always had. He never used it. After he died his daughter found it folded inside
the atlas, at the page that showed the coast, with a small pencilled cross beside a fishing town that
no passenger of his had ever asked for.
"""

UNRELATED = """Minutes of the Parish Council, March meeting. The council noted that the new recycling bins
have been delivered to every household on the east side of the parish and that collection will move
to alternate Thursdays from the first of next month. Residents are reminded that glass must be
rinsed and that lids should be removed. The clerk reported three complaints about potholes on Mill
Lane; the highways department has promised an inspection within six weeks. A proposal to install a
bench in memory of the late Mrs Dorothy Able was approved unanimously, subject to the family’s choice
of wording for the plaque. The treasurer presented the quarterly accounts, which show a small surplus
owing to the success of the summer fete. Councillor Briggs asked whether the surplus might fund new
goalposts for the recreation ground; the matter was deferred to the next meeting pending quotes. The
meeting closed at nine fifteen."""


def words_of(text: str) -> list[str]:
    return text.split()


def disguise(words: list[str], seed: int, width: int = 37) -> str:
    """Re-typeset an excerpt: straight quotes, ASCII dashes, shouted sentences, new line breaks, and
    long words hyphenated across lines, the way a scanned or re-keyed copy would look."""
    rnd = random.Random(seed)
    out_lines: list[str] = []
    line = ""
    for i, word in enumerate(words):
        word = word.replace("“", '"').replace("”", '"').replace("’", "'").replace("—", "--")
        if i % 40 < 8:
            word = word.upper()
        candidate = f"{line} {word}".strip()
        if len(candidate) <= width:
            line = candidate
            continue
        alpha = re.fullmatch(r"[A-Za-z]{8,}", word)
        if alpha and rnd.random() < 0.7:
            cut = len(word) // 2
            out_lines.append(f"{line} {word[:cut]}-".strip())
            line = word[cut:]
        else:
            out_lines.append(line)
            line = word
    out_lines.append(line)
    return "\n".join(out_lines)


@pytest.fixture()
def registry(tmp_path: Path) -> Registry:
    reg = Registry.open(tmp_path / "registry")
    for name, text, holder in [
        ("lighthouse.txt", LIGHTHOUSE, "Morrow Estate"),
        ("bakery.txt", BAKERY, "Valmorel Press"),
        ("railway.txt", RAILWAY, "Penhale & Daughters"),
    ]:
        (tmp_path / name).write_text(text, encoding="utf-8")
        reg.add(tmp_path / name, holder)
    return reg


def embed(excerpt: str) -> tuple[str, int]:
    """The excerpt in the middle of unrelated text, and its character offset."""
    head = UNRELATED + "\n\nThe following was read into the minutes at the request of a member:\n\n"
    return head + excerpt + "\n\n" + textwrap.fill(UNRELATED, 70), len(head)


def test_disguised_excerpt_inside_other_text_matches(registry: Registry) -> None:
    excerpt = words_of(LIGHTHOUSE)[60:290]  # 230 words, crossing paragraph breaks
    doc, at = embed(disguise(excerpt, seed=1))
    signals = registry.match(doc)
    assert [s.code for s in signals] == [REGISTRY_MATCH]
    ev = signals[0].evidence
    assert (ev["title"], ev["holder"]) == ("lighthouse.txt", "Morrow Estate")
    assert ev["work_id"] == registry.works()[0].work_id
    assert 200 <= ev["matched_words"] <= 230 + 30
    assert 0.4 < ev["coverage"] < 0.8
    assert at <= ev["offset"] < at + 120  # the first matched region starts within a few words
    assert doc[ev["offset"] : ev["offset"] + 20].lower() in disguise(excerpt, seed=1).lower()


def test_ligatures_and_full_width_forms_match_and_keep_offsets(registry: Registry) -> None:
    excerpt = " ".join(words_of(BAKERY)[100:330]).replace("fi", "ﬁ").replace("(", "（")
    doc, at = embed(excerpt)
    [signal] = registry.match(doc)
    assert signal.evidence["title"] == "bakery.txt"
    assert at <= signal.evidence["offset"] < at + 120


def test_short_excerpt_is_below_the_threshold(registry: Registry) -> None:
    doc, _ = embed(disguise(words_of(RAILWAY)[50:170], seed=2))  # 120 words
    assert registry.match(doc) == []
    [signal] = registry.match(doc, min_words=100)  # a stricter policy catches it
    assert signal.evidence["title"] == "railway.txt"


def test_unrelated_text_does_not_match(registry: Registry) -> None:
    assert registry.match(UNRELATED * 3) == []
    assert registry.match("") == []
    assert registry.match(UNRELATED, min_words=0) == []  # no overlap is never a match


def tokens(text: str) -> list[int]:
    return [int(h) for h in tokenise(normalise(text))[0]]


@pytest.mark.parametrize(
    ("printed", "retyped"),
    [
        ("“Don’t,” she said—quietly.", '"DON\'T," she said -- quietly.'),
        ("a well-known, remarkable fact", "A wellknown, remark-\n    able fact"),
        ("the ﬁrst ＡＢＣ café", "The first abc cafe\u0301"),
        ("東京タワー", "東 京 タ ワ ー"),
        ("_emphasis_ and *bold*", "emphasis and bold"),
    ],
)
def test_typography_does_not_change_tokens(printed: str, retyped: str) -> None:
    assert tokens(printed) == tokens(retyped)


def test_real_separators_stay_separators() -> None:
    assert len(tokens("word--word")) == 2
    assert len(tokens("end-\n\nStart")) == 2  # a dash before a paragraph break is not hyphenation
    assert tokens("dog") != tokens("god")


def test_document_quoting_two_works_gets_two_signals(registry: Registry) -> None:
    doc, _ = embed(
        disguise(words_of(BAKERY)[20:250], seed=3)
        + "\n\n"
        + UNRELATED
        + "\n\n"
        + " ".join(words_of(RAILWAY)[40:260])
    )
    signals = registry.match(doc)
    assert sorted(s.evidence["title"] for s in signals) == ["bakery.txt", "railway.txt"]
    assert {s.evidence["holder"] for s in signals} == {"Valmorel Press", "Penhale & Daughters"}
    assert all(s.evidence["matched_words"] >= 200 for s in signals)


def test_saved_registry_reopens_and_matches(registry: Registry, tmp_path: Path) -> None:
    registry.save()
    reopened = Registry.open(tmp_path / "registry")
    assert reopened.works() == registry.works()
    doc, _ = embed(disguise(words_of(RAILWAY)[10:250], seed=4))
    assert [s.evidence["title"] for s in reopened.match(doc)] == ["railway.txt"]
    # Adding to a reopened registry keeps the old works and replaces the index file.
    (tmp_path / "more.txt").write_text(" ".join(reversed(words_of(BAKERY))), encoding="utf-8")
    reopened.add(tmp_path / "more.txt", "Oulipo Press")
    reopened.save()
    again = Registry.open(tmp_path / "registry")
    assert len(again.works()) == 4
    assert [s.evidence["title"] for s in again.match(doc)] == ["railway.txt"]
    assert len(list((tmp_path / "registry").glob("index-*.npz"))) == 1


def test_adding_the_same_content_twice_is_a_no_op(registry: Registry, tmp_path: Path) -> None:
    before = registry.works()
    shutil.copy(tmp_path / "bakery.txt", tmp_path / "bakery-copy.txt")
    again = registry.add(tmp_path / "bakery-copy.txt", "Someone Else")
    assert again == before[1]
    assert registry.works() == before
    assert again.work_id == "w" + again.sha256[:16] and again.words > 300 and again.added


def test_missing_folder_is_an_empty_registry(tmp_path: Path) -> None:
    reg = Registry.open(tmp_path / "nowhere")
    assert reg.works() == [] and reg.match(LIGHTHOUSE) == []


def test_bad_files_are_input_errors(registry: Registry, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Café au lait, très bien.".encode("latin-1"))
    for path, message in [
        (latin1, "not UTF-8"),
        (tmp_path / "absent.txt", "not found"),
        (tmp_path, "folder"),
    ]:
        with pytest.raises(InputError, match=message) as info:
            registry.add(path, "Holder")
        assert info.value.path == str(path)
    (tmp_path / "tiny.txt").write_text("Too short.", encoding="utf-8")
    with pytest.raises(InputError, match="too short"):
        registry.add(tmp_path / "tiny.txt", "Holder")
    with pytest.raises(InputError, match="holder"):
        registry.add(tmp_path / "bakery.txt", "  ")


def test_add_works_registers_and_saves(tmp_path: Path) -> None:
    files = []
    for name, text in [("a.txt", LIGHTHOUSE), ("b.txt", BAKERY)]:
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    infos = add_works(tmp_path / "reg", files, "Collective")
    assert [i.title for i in infos] == ["a.txt", "b.txt"]
    assert {i.holder for i in Registry.open(tmp_path / "reg").works()} == {"Collective"}


def test_boilerplate_shared_by_many_works_is_not_evidence(tmp_path: Path) -> None:
    """A notice printed in every work (like a publisher's licence) does not tie a text to any one."""
    rnd = random.Random(7)
    vocab = sorted(set(re.findall(r"[a-z]+", (LIGHTHOUSE + BAKERY).lower())))
    reg = Registry.open(tmp_path / "reg")
    bodies = []
    for i in range(10):
        bodies.append(" ".join(rnd.choice(vocab) for _ in range(400)))
        (tmp_path / f"vol{i}.txt").write_text(RAILWAY + "\n\n" + bodies[-1], encoding="utf-8")
        reg.add(tmp_path / f"vol{i}.txt", "Series Publisher")
    assert reg.match(RAILWAY) == []
    [signal] = reg.match(UNRELATED + bodies[3])
    assert signal.evidence["title"] == "vol3.txt"


@pytest.mark.skipif(not GUTENBERG.is_dir(), reason="no Gutenberg corpus at ../shared/data/gutenberg")
def test_gutenberg_books(tmp_path: Path) -> None:
    books = sorted(GUTENBERG.rglob("*.txt"))
    registered, other = books[:12], books[12]
    reg = Registry.open(tmp_path / "reg")
    for book in registered:
        reg.add(book, "Test Holder")
    target = registered[5]
    words = target.read_text(encoding="utf-8").split()
    excerpt = disguise(words[len(words) // 2 : len(words) // 2 + 250], seed=5, width=61)
    host = other.read_text(encoding="utf-8")
    doc = host[: len(host) // 2] + "\n\n" + excerpt + "\n\n" + host[len(host) // 2 :]
    signals = reg.match(doc)
    assert [s.evidence["title"] for s in signals] == [target.name]
    # Every Gutenberg book carries the same licence: it is boilerplate, not a match.
    assert reg.match(host) == []
