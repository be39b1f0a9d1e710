"""Exact and near deduplication: normalisation, exact MinHash arithmetic, dup_of = first in order,
chains that must not drop, determinism across workers, the filter's evidence, and a small
recall/precision check on known near-duplicate pairs."""

from __future__ import annotations

from pathlib import Path

import datasketch
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clearlm.curate import minhash
from clearlm.curate.config import DedupConfig
from clearlm.curate.dedup import DEDUP_REASONS, DedupFilter, find_duplicates
from clearlm.errors import ConfigError
from clearlm.pipeline.document import DOC_SCHEMA, Document

from . import near_dup_set

PASSAGES = [
    "The mill stood where the river bent twice before the weir, and every spring the miller climbed down "
    "to clear the branches that the floods had pushed against the wheel. He knew each board of the race by "
    "its sound. When the water ran high the whole building hummed, a low note that the children of the "
    "village said they could hear in their beds, and when it ran low the stones ground slowly and the "
    "flour came out coarse and grey. His daughter kept the ledger in a round careful hand, noting the "
    "sacks that came in from the farms on the hill and the sacks that went out to the bakers in town.",
    "Nobody remembered who had first painted the lighthouse red and white, but the keeper repainted it "
    "every third summer from a cradle of ropes that swung in the wind off the sound. He trimmed the wick "
    "at dusk and again at midnight, wrote the weather in a book with a cracked leather spine, and walked "
    "the gallery with a brass telescope, counting the fishing boats as they came round the point. In the "
    "long winter storms the glass shook in its frame and spray reached the lamp room, yet the light never "
    "failed, and the captains who passed the headland raised their caps to it as to an old friend.",
    "Bread begins the evening before, when the baker mixes a little flour and water with a spoon of the "
    "old dough and leaves the bowl covered by the warm side of the oven. By morning the sponge has risen "
    "and fallen, full of bubbles and smelling sharp like apples. Then comes the rest of the flour, the salt, "
    "and the long kneading on a scrubbed table until the dough is smooth and springs back under a thumb. "
    "Shaped loaves rest in baskets lined with linen while the fire burns down, and when the bricks are hot "
    "enough to brown a pinch of flour in a count of ten, the loaves go in on a long wooden peel.",
    "The ferry crossed the estuary four times a day when the tide allowed, a flat broad boat pulled along "
    "an iron chain that rose dripping from the mud at one bank and sank again at the other. Farmers brought "
    "their carts across on market days, the horses standing calm in the middle while geese complained in "
    "crates along the rails. The ferryman charged a penny for a walker and sixpence for a wheel, and he "
    "would not start until the last passenger had stopped arguing about the price. On foggy mornings he "
    "rang a bell at every twentieth pull so the fishermen upstream knew where he was.",
    "In the coldest week of the year the market moved from the square onto the frozen lake, and the town "
    "followed it. Stalls of roasted chestnuts and hot spiced wine stood on sledges, a blacksmith sharpened "
    "skates over a brazier, and a fiddler played beside a barrel of herrings for anyone who would dance. "
    "Children pulled each other on boards tied to ropes while their parents bargained for wool, candles "
    "and salted pork. The council sent men each dawn to cut holes near the shore and measure the ice, and "
    "a flag on a tall pole showed red on the morning they judged it too thin to trust.",
    "My dear sister, we have been three weeks at anchor in this harbour waiting for a cargo of timber that "
    "the merchants promise every morning and never deliver. The crew grow restless. Some have found work "
    "mending nets on the beach, others spend their wages in the taverns along the quay, and the cook has "
    "quarrelled with every seller of fish in the town. I walk each evening to the old fort on the hill and "
    "watch the sun go down behind the islands. Tell mother that I am well, that my cough is gone, and that "
    "I keep the scarf she knitted folded in my chest for the cold passage home.",
    "The clockmaker worked at a bench under the window where the light was steady from noon until four. "
    "He laid out the parts of each movement on a square of green cloth in the order he had taken them "
    "apart, wheels to the left, springs and screws to the right, and he never let anyone touch the cloth. "
    "A grandfather clock from the manor house had stopped after ninety years of faithful service, and he "
    "found a single tooth worn away on the escape wheel. He cut a new wheel from brass by hand, and on the "
    "day it went back the whole household gathered in the hall to hear it strike the hour again.",
    "By the end of April the garden behind the school was turned and raked, and each class had a strip "
    "marked out with string and pegs. The youngest planted radishes because they come up quickly and reward "
    "impatience. The older pupils tried onions, beans climbing on hazel poles, and a row of sunflowers "
    "along the wall that everyone agreed would be taller than the headmaster by August. The caretaker "
    "lent his barrow and his opinions freely. Rain was scarce that spring, so the children carried water "
    "in cans from the pump at playtime, arguing about whose turn it was and spilling half on the way.",
]


def write_part(path: Path, docs: list[tuple[str, str]]) -> list[str]:
    """(key, text) documents as one Parquet part with the stage schema; returns their doc ids."""
    rows = [Document.create(key, text, source="test").to_row() for key, text in docs]
    pq.write_table(pa.Table.from_pylist(rows, schema=DOC_SCHEMA), path, row_group_size=2)
    return [row["doc_id"] for row in rows]


def by_doc(table: pa.Table) -> dict[str, dict[str, object]]:
    return {row["doc_id"]: row for row in table.to_pylist()}


def words(text: str) -> np.ndarray:
    return minhash.word_hashes([text])[0]


def test_normalisation_ignores_case_punctuation_spacing_and_digits() -> None:
    same = [
        "Don't stop: chapter 12 -- the café's “door”!",
        'DON’T   stop\nChapter 7 — the café’s\t"door"',
        "don t stop chapter 0 the café s door",
    ]
    hashes = [words(t) for t in same]
    assert len(hashes[0]) == 9  # don t stop chapter 0 the café s door
    assert all(np.array_equal(hashes[0], h) for h in hashes[1:])
    assert not np.array_equal(hashes[0], words("Don't stop: chapter 12 -- the cafe's door!"))
    assert len(words("")) == 0 and len(words(" -- … !! \x01")) == 0


def test_a_batch_of_texts_and_long_texts_hash_like_single_texts() -> None:
    pieces = [*PASSAGES, "", "One two.", "\x01\x01", "a 1 2", *PASSAGES[:2]] * 350  # ~2.4 MB: 3 segments
    hashes, counts = minhash.word_hashes(pieces)
    assert counts.tolist() == [len(words(p)) for p in pieces]
    assert np.array_equal(hashes, np.concatenate([words(p) for p in pieces]))
    assert np.array_equal(hashes, words(" ".join(pieces)))
    hasher = minhash.MinHasher(112, seed=1)
    batch = minhash.sketch(pieces[:14], 5, hasher)
    for i, text in enumerate(pieces[:14]):
        one = minhash.sketch([text], 5, hasher)
        assert batch.keys[i].tobytes() == one.keys[0].tobytes() and batch.sizes[i] == one.sizes[0]
        assert np.array_equal(batch.signatures[i], one.signatures[0])
        assert np.array_equal(one.signatures[0], hasher.signature(minhash.shingle_set(text)))
    assert batch.sizes[9] == 1  # "One two.": fewer words than a shingle, so one shingle of both


def test_signature_is_exact_universal_hashing_mod_mersenne_prime() -> None:
    hasher = minhash.MinHasher(16, seed=3)
    shingles = np.array([0, 1, 2**61 - 1, 2**61, 2**64 - 1, 12345678901234567890], dtype=np.uint64)
    p = minhash.MERSENNE
    want = [
        min((int(a) * (int(x) % p) + int(b)) % p for x in shingles)
        for a, b in zip(hasher.a, hasher.b, strict=True)
    ]
    assert hasher.signature(shingles).tolist() == want
    hasher.chunk = 4  # the chunked loop gives the same minima
    assert hasher.signature(shingles).tolist() == want


def test_estimated_jaccard_tracks_exact_jaccard_like_datasketch() -> None:
    words = " ".join(PASSAGES).split()
    hasher, ours, theirs = minhash.MinHasher(112, seed=1), [], []
    for cut in (0, 20, 60, 120, 200, 300):
        a, b = " ".join(words[:400]), " ".join(words[cut : 400 + cut // 2])
        sa, sb = minhash.shingle_set(a), minhash.shingle_set(b)
        exact = near_dup_set.exact_jaccard(a, b)
        ours.append(abs(minhash.estimated_jaccard(hasher.signature(sa), hasher.signature(sb)) - exact))
        ma, mb = datasketch.MinHash(num_perm=112, seed=1), datasketch.MinHash(num_perm=112, seed=1)
        ma.update_batch([x.tobytes() for x in sa])
        mb.update_batch([x.tobytes() for x in sb])
        theirs.append(abs(ma.jaccard(mb) - exact))
    # Standard error of a 112-value estimate is at most 0.047; both stay within about 3 of them.
    assert max(ours) < 0.15 and max(theirs) < 0.15
    assert np.mean(ours) < 0.06 and np.mean(theirs) < 0.06


def test_exact_and_near_duplicates_point_at_the_first_document(tmp_path: Path) -> None:
    mill, ferry, bread = PASSAGES[0], PASSAGES[3], PASSAGES[2]
    ids1 = write_part(tmp_path / "part-00000.parquet", [("a", mill), ("b", ferry), ("empty", " -- ")])
    edited = mill.replace("coarse and grey", "coarse and brown")  # one word: J ≈ 0.95
    shouted = mill.upper().replace(",", "").replace("\n", " ")  # exact after normalisation
    ids2 = write_part(
        tmp_path / "part-00001.parquet",
        [
            ("c", shouted),
            ("d", bread),
            ("e", edited),
            ("f", ferry + " The end came quietly at last."),
            ("g", "... ?"),
        ],
    )
    out = by_doc(
        find_duplicates([tmp_path / "part-00000.parquet", tmp_path / "part-00001.parquet"], DedupConfig())
    )
    assert set(out) == {ids2[0], ids2[2], ids2[3]}
    assert out[ids2[0]]["reason"] == "dedup.exact" and out[ids2[0]]["dup_of"] == ids1[0]
    assert out[ids2[0]]["jaccard"] == 1.0
    for doc, first in ((ids2[2], ids1[0]), (ids2[3], ids1[1])):
        assert out[doc]["reason"] == "dedup.near" and out[doc]["dup_of"] == first
        assert 0.8 <= out[doc]["jaccard"] < 1.0  # an estimate: some MinHash values differ


def test_copies_of_a_dropped_document_follow_it_to_the_kept_one(tmp_path: Path) -> None:
    lamp = PASSAGES[1]
    near = lamp.replace("red and white", "blue and white")
    ids = write_part(tmp_path / "part-00000.parquet", [("a", lamp), ("b", near), ("c", near.lower())])
    out = by_doc(find_duplicates([tmp_path / "part-00000.parquet"], DedupConfig()))
    assert out[ids[1]]["dup_of"] == ids[0] and out[ids[2]]["dup_of"] == ids[0]
    assert out[ids[2]]["reason"] == "dedup.near" and out[ids[2]]["jaccard"] == out[ids[1]]["jaccard"]
    only_exact = by_doc(find_duplicates([tmp_path / "part-00000.parquet"], DedupConfig(near=False)))
    assert set(only_exact) == {ids[2]} and only_exact[ids[2]]["dup_of"] == ids[1]


def test_a_chain_does_not_drop_what_is_far_from_every_kept_document(tmp_path: Path) -> None:
    words = " ".join(PASSAGES).split()
    a, b, c = (" ".join(words[:n]) for n in (200, 210, 250))  # J(a,b) .95, J(b,c) .84, J(a,c) < .80
    hasher = minhash.MinHasher(112, seed=1)
    sig = {k: hasher.signature(minhash.shingle_set(t)) for k, t in (("b", b), ("c", c))}
    assert minhash.estimated_jaccard(sig["b"], sig["c"]) >= 0.8  # so b and c are in one cluster
    ids = write_part(tmp_path / "part-00000.parquet", [("a", a), ("b", b), ("c", c)])
    out = by_doc(find_duplicates([tmp_path / "part-00000.parquet"], DedupConfig()))
    assert set(out) == {ids[1]} and out[ids[1]]["dup_of"] == ids[0]


def test_result_does_not_depend_on_workers(tmp_path: Path) -> None:
    data = near_dup_set.build(
        PASSAGES, [], seed=5, kinds=["rewrap", "edit-1.0%", "truncate-10%", "edit-10.0%"]
    )
    parts = []
    for k in range(4):
        parts.append(tmp_path / f"part-{k:05d}.parquet")
        write_part(parts[-1], [(f"{k}/{i}", t) for i, t in enumerate(data.texts[k::4])])
    one, two = (
        find_duplicates(parts, DedupConfig(), workers=1),
        find_duplicates(parts, DedupConfig(), workers=2),
    )
    assert one.num_rows > 10 and one.equals(two)


def test_small_near_duplicate_set_recall_and_precision(tmp_path: Path) -> None:
    negatives = [" ".join(reversed(p.split())) for p in PASSAGES]  # the same words, no shared 5-gram
    data = near_dup_set.build(PASSAGES, negatives, seed=1)
    ids = write_part(tmp_path / "part-00000.parquet", [(str(i), t) for i, t in enumerate(data.texts)])
    table = find_duplicates([tmp_path / "part-00000.parquet"], DedupConfig())
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    dup_of = {
        index[d]: index[k]
        for d, k in zip(table["doc_id"].to_pylist(), table["dup_of"].to_pylist(), strict=True)
    }
    score = near_dup_set.score(data, dup_of)
    assert score.relevant >= 40
    assert score.recall >= 0.9 and score.precision >= 0.95
    assert score.by_kind["negative"][2] == 0.0 and score.by_kind["edit-20.0%"][2] == 0.0


def test_filter_drops_listed_documents_with_evidence() -> None:
    table = pa.table(
        {
            "doc_id": ["d2", "d3"],
            "reason": ["dedup.exact", "dedup.near"],
            "dup_of": ["d1", "d1"],
            "jaccard": [1.0, 0.875],
        }
    )
    step = DedupFilter(table)
    doc = Document(doc_id="d3", text="x", source="s", content_sha256="0")
    verdict = step.process(doc)
    assert verdict.decision == "drop" and verdict.reasons == ("dedup.near",)
    assert verdict.evidence == {"dup_of": "d1", "jaccard": 0.875}
    assert step.process(Document(doc_id="d1", text="x", source="s", content_sha256="0")).decision == "keep"
    assert step.name == "dedup" and set(DEDUP_REASONS) == {"dedup.exact", "dedup.near"}


def test_no_parts_no_duplicates_and_bad_config(tmp_path: Path) -> None:
    assert find_duplicates([], DedupConfig()).num_rows == 0
    with pytest.raises(ConfigError):
        find_duplicates([], DedupConfig(threshold=1.5))
    with pytest.raises(ConfigError):
        find_duplicates([], DedupConfig(rows=0))
