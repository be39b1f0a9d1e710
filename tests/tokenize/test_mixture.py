"""Mixture weights: parsing, the seeded draw, and their effect on a real workspace's shards."""

from __future__ import annotations

import json
from collections import Counter

import pyarrow.parquet as pq
import pytest

from clearlm.errors import ConfigError
from clearlm.ledger.query import run_sql
from clearlm.pipeline.document import Document
from clearlm.tokenize.steps import Mixture, MixtureStep
from tests.tokenize.corpus import TokenizeRun


def test_weights_multiply_and_licences_match_case_insensitively() -> None:
    mixture = Mixture.parse({"source:corpus/web": 2.0, "license:cc-by-4.0": 1.5})
    assert mixture.weight("corpus/web", "CC-BY-4.0") == 3.0
    assert mixture.weight("corpus/books", "CC-BY-4.0") == 1.5
    assert mixture.weight("corpus/books", "") == 1.0


@pytest.mark.parametrize(
    ("weights", "message"),
    [({"domain:x": 1.0}, "unknown key 'domain:x'"), ({"source:x": -1.0}, "a weight is a number ≥ 0")],
)
def test_bad_mixture_keys_are_config_errors(weights: dict[str, float], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Mixture.parse(weights)


def test_a_fractional_weight_keeps_that_fraction_of_documents_by_seed() -> None:
    step = MixtureStep(Mixture.parse({"source:example.org": 0.3}), seed=7, input_roots=[])
    docs = [Document.create(f"k{i}", f"text {i}", "https://example.org/a") for i in range(2000)]
    for doc in docs:
        doc.meta["split"] = "train"
    kept = [step.keep(doc).passes for doc in docs]
    assert 0.26 < sum(kept) / len(kept) < 0.34
    # Same seed, same documents; another seed, another half.
    assert [step.keep(doc).passes for doc in docs] == kept
    other = MixtureStep(Mixture.parse({"source:example.org": 0.3}), seed=8, input_roots=[])
    assert [other.keep(doc).passes for doc in docs] != kept


def _copies(ws_index: list[dict[str, object]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for row in ws_index:
        out.setdefault(str(row["split"]), Counter())[str(row["group"])] += 1
    return out


def test_weight_two_doubles_a_group_and_zero_excludes_a_licence(tokenized: TokenizeRun) -> None:
    plain = tokenized(name="plain")
    mixed = tokenized(
        "tokenize.mixture.source:corpus/web=2", "tokenize.mixture.license:CC0-1.0=0", name="mixed"
    )
    before = pq.read_table(plain / "tokens/index.parquet").to_pylist()
    after = pq.read_table(mixed / "tokens/index.parquet").to_pylist()
    copies_before, copies_after = _copies(before), _copies(after)
    assert copies_after["train"]["corpus/web"] == 2 * copies_before["train"]["corpus/web"]
    assert copies_after["train"]["corpus/books"] == 0 and copies_after["train"]["corpus"] == 0
    assert copies_after["heldout"] == copies_before["heldout"], "held-out documents are outside the mixture"
    web = [r for r in after if r["group"] == "corpus/web" and r["split"] == "train"]
    assert Counter(r["doc_id"] for r in web) == Counter({r["doc_id"]: 2 for r in web})
    assert sorted(r["repeat"] for r in web) == sorted([0, 1] * (len(web) // 2))

    _, drops = run_sql(
        mixed,
        """SELECT reasons, evidence FROM ledger
           WHERE stage = 'tokenize' AND step = 'mixture' AND decision = 'drop'""",
    )
    cc0_train = copies_before["train"]["corpus/books"] + copies_before["train"]["corpus"]
    assert len(drops) == cc0_train
    for reasons, evidence in drops:
        assert reasons == ["tokenize.mixture_excluded"]
        assert json.loads(evidence)["weight"] == 0 and json.loads(evidence)["license"] == "CC0-1.0"
    manifest = json.loads((mixed / "tokens/manifest.json").read_text())
    assert set(manifest["tokens_by_license"]) == {"CC-BY-4.0"}


def test_a_weight_that_matches_nothing_is_a_config_error(tokenized: TokenizeRun) -> None:
    with pytest.raises(ConfigError, match=r"source:corpus/book match no curated document .*corpus/books"):
        tokenized("tokenize.mixture.source:corpus/book=2")
