"""How the licences of the training data narrow the licence of the weights (hand-built facts)."""

from __future__ import annotations

from typing import Any

import pytest

from clearlm.errors import CheckFailed
from clearlm.release.config import ReleaseConfig
from clearlm.release.facts import ReleaseFacts, TrainedDoc
from clearlm.release.license_terms import LicenceConflict, deed_url, license_text, model_license

OBLIGATIONS = {
    "CC0-1.0": (),
    "CC-BY-4.0": ("attribution",),
    "CC-BY-SA-3.0": ("attribution", "share-alike"),
    "CC-BY-SA-4.0": ("attribution", "share-alike"),
    "CC-BY-NC-4.0": ("attribution", "non-commercial"),
    "CC-BY-NC-SA-4.0": ("attribution", "non-commercial", "share-alike"),
    "CC-BY-ND-4.0": ("attribution", "no-derivatives"),
    "MIT": ("license-notice",),
    "GPL-3.0-only": ("license-notice",),
}


def doc(doc_id: str, licence: str, **fields: Any) -> TrainedDoc:
    """A trained document as clearance would record it under `licence`."""
    values: dict[str, Any] = {
        "source": f"file:///corpus/{doc_id}.txt",
        "group": "corpus",
        "basis": "license.cc-by" if licence.startswith("CC-BY") else "license.cc0",
        "tokens": 100,
        "canary": False,
        "obligations": OBLIGATIONS.get(licence, ()),
    }
    return TrainedDoc(doc_id=doc_id, license=licence, **{**values, **fields})


TRAINING = {
    "config": {"seq_len": 64}, "model": {"dim": 64, "n_layers": 2}, "params": 1000, "seed": 0,
    "tokens_seen": 640, "world_size": 1, "parallel": None, "final_loss": 4.5, "final_eval_loss": 4.75,
    "measured": {}, "code": {},
}  # fmt: skip


def make_facts(docs: list[TrainedDoc], licence: str = "apache-2.0", **fields: Any) -> ReleaseFacts:
    """Release facts with only what the documents need, for edge cases no workspace shows."""
    values: dict[str, Any] = {
        "name": "tiny-test",
        "release": ReleaseConfig(license=licence, provider="Example Lab", contact="lab@example.org"),
        "checkpoint": "checkpoints/step-000010",
        "step": 10,
        "as_of": "2026-01-02",
        "lineage": {"ledger_head": {"seq": 5, "row_hash": "ab" * 32}, "tokens": {"index_sha256": "cd" * 32}},
        "lineage_sha256": "ef" * 32,
        "manifest": {"dtype": "uint16", "shards": [], "splits": {"heldout": {"docs": 1}}},
        "audit": None,
        "docs": tuple(docs),
        "training": dict(TRAINING),
        "stopped": {},
        "flagged": {},
        "funnel_steps": (),
        "policy": {"name": "research", "crawler": "ClearLMBot", "respected_agents": ["GPTBot"]},
        "index_fields": (("doc_id", "string"),),
    }
    return ReleaseFacts(**{**values, **fields})


def test_permissive_data_keeps_the_requested_licence() -> None:
    canary = doc("dcanary", "", basis="canary", canary=True, obligations=())
    facts = make_facts([doc("d1", "CC0-1.0"), doc("d2", "CC-BY-4.0"), doc("d3", "MIT"), canary])
    licence = model_license(facts)
    assert (licence.spdx, licence.hf, licence.commercial_use) == ("Apache-2.0", "apache-2.0", True)
    assert licence.front_matter() == {"license": "apache-2.0"}
    assert licence.non_commercial == () and licence.share_alike == ()
    restrictions = " ".join(licence.restrictions)
    assert "Attribution" in restrictions and "Notices" in restrictions
    assert "released under Apache-2.0." in license_text(facts, licence)


def test_share_alike_data_makes_the_weights_cc_by_sa() -> None:
    facts = make_facts([doc("d1", "CC0-1.0"), doc("d2", "CC-BY-SA-3.0"), doc("d3", "CC-BY-SA-4.0")])
    licence = model_license(facts)
    assert (licence.spdx, licence.hf) == ("CC-BY-SA-4.0", "cc-by-sa-4.0")
    assert licence.commercial_use
    assert [d.doc_id for d in licence.share_alike] == ["d2", "d3"]
    reasoning = " ".join(licence.reasoning)
    assert "apache-2.0" in reasoning and "adaptation" in reasoning and "CC-BY-SA-3.0" in reasoning
    text = license_text(facts, licence)
    assert "released under CC-BY-SA-4.0." in text
    assert "file:///corpus/d2.txt" in text and "file:///corpus/d1.txt" not in text


def test_non_commercial_data_makes_the_weights_non_commercial() -> None:
    facts = make_facts([doc("d1", "CC-BY-4.0"), doc("d2", "CC-BY-NC-4.0")])
    licence = model_license(facts)
    assert (licence.spdx, licence.hf, licence.commercial_use) == ("CC-BY-NC-4.0", "cc-by-nc-4.0", False)
    assert [d.doc_id for d in licence.non_commercial] == ["d2"]
    assert licence.restrictions[0].startswith("Non-commercial use only")
    text = license_text(facts, licence)
    assert "Non-commercial training documents (1):" in text and "d2  CC-BY-NC-4.0" in text
    assert "'research'" in " ".join(licence.reasoning)  # the policy that admitted them


def test_non_commercial_share_alike_data_alone_is_no_conflict() -> None:
    licence = model_license(make_facts([doc("d1", "CC-BY-NC-SA-4.0")]))
    assert licence.spdx == "CC-BY-NC-SA-4.0"
    assert not any(r.startswith("Conflict") for r in licence.reasoning)


def test_by_sa_and_non_commercial_data_together_state_the_conflict() -> None:
    licence = model_license(make_facts([doc("d1", "CC-BY-SA-4.0"), doc("d2", "CC-BY-NC-4.0")]))
    assert (licence.spdx, licence.commercial_use) == ("CC-BY-NC-SA-4.0", False)
    assert any(r.startswith("Conflict") for r in licence.reasoning)


def test_a_requested_non_commercial_licence_is_kept() -> None:
    licence = model_license(make_facts([doc("d1", "CC-BY-NC-4.0")], licence="cc-by-nc-4.0"))
    assert licence.spdx == "CC-BY-NC-4.0"


@pytest.mark.parametrize(
    "nd", [doc("dnd", "CC-BY-ND-4.0"), doc("dnd", "", basis="license.cc-by", obligations=("no-derivatives",))]
)
def test_no_derivatives_data_raises(nd: TrainedDoc) -> None:
    with pytest.raises(LicenceConflict, match="dnd") as caught:
        model_license(make_facts([doc("d1", "CC0-1.0"), nd]))
    assert isinstance(caught.value, CheckFailed) and caught.value.exit_code == 1


def test_a_licence_outside_the_hub_list_is_other_with_a_link() -> None:
    facts = make_facts([doc("d1", "CC0-1.0")], licence="LicenseRef-Acme-Model-1.0")
    licence = model_license(facts)
    assert licence.hf == "other"
    meta = licence.front_matter()
    assert meta == {
        "license": "other",
        "license_name": "licenseref-acme-model-1.0",
        "license_link": "LICENSE",
    }
    text = license_text(facts, licence)
    assert "released under LicenseRef-Acme-Model-1.0." in text
    assert "as Example Lab publishes it" in text  # no public URL for a LicenseRef


def test_copyleft_code_is_named_without_changing_the_licence() -> None:
    licence = model_license(make_facts([doc("d1", "GPL-3.0-only"), doc("d2", "MIT")]))
    assert licence.spdx == "Apache-2.0"
    assert any("GPL-3.0-only" in r for r in licence.reasoning)


def test_licence_links() -> None:
    assert deed_url("CC-BY-SA-3.0") == "https://creativecommons.org/licenses/by-sa/3.0/"
    assert deed_url("CC-BY-NC-SA-4.0") == "https://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert deed_url("CC-BY-3.0-DE") == "https://creativecommons.org/licenses/by/3.0/de/"
    assert deed_url("CC0-1.0") == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert deed_url("MIT") == "https://spdx.org/licenses/MIT.html"
    assert deed_url("apache-2.0") == "https://spdx.org/licenses/Apache-2.0.html"
    for not_a_licence in ("LicenseRef-PD-US-Gutenberg", "contract.acme-2025", "first-party", "canary", ""):
        assert deed_url(not_a_licence) == ""
