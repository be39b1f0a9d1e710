"""The transparency documents of a release, from the audited workspace and from hand-built facts."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import matplotlib.image
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml
from markdown_it import MarkdownIt

from clearlm.errors import WorkspaceError
from clearlm.release.data_summary import build_summary, size_range
from clearlm.release.documents import LicenceConflict, ReleaseFacts, model_license, write_documents
from clearlm.release.gate import GateReport, run_gate
from clearlm.release.verify import front_matter, licence_named_in
from clearlm.workspace import Workspace
from tests.release.test_license_terms import doc, make_facts

DOCUMENTS = {
    "README.md", "data-mix.png", "training-data-summary.md", "training-data-summary.json", "ATTRIBUTION.md",
    "LICENSE", "croissant.json",
}  # fmt: skip
MARKDOWN = ("README.md", "training-data-summary.md", "ATTRIBUTION.md")


@pytest.fixture(scope="module")
def gate_report(audited_ws: Path) -> GateReport:
    report = run_gate(audited_ws)
    assert report.ok, [v.line() for v in report.violations]
    return report


@pytest.fixture(scope="module")
def released(audited_ws: Path, gate_report: GateReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documents of the audited workspace's latest checkpoint, written once for the module."""
    config = Workspace.open(audited_ws).load_config().release
    facts = ReleaseFacts.collect(audited_ws, gate_report, config, config.model_name)
    out = tmp_path_factory.mktemp("documents")
    written = write_documents(facts, out)
    assert {p.name for p in written} == DOCUMENTS and all(p.is_file() for p in written)
    return out


def facts_of(audited_ws: Path, gate_report: GateReport) -> ReleaseFacts:
    config = Workspace.open(audited_ws).load_config().release
    return ReleaseFacts.collect(audited_ws, gate_report, config, "tiny-clear")


def card_meta(card: str) -> dict[str, object]:
    text = front_matter(card)
    assert text is not None
    meta = yaml.safe_load(text)
    assert isinstance(meta, dict)
    return meta


def test_facts_join_the_trained_documents_with_the_ledger(audited_ws: Path, gate_report: GateReport) -> None:
    facts = facts_of(audited_ws, gate_report)
    index = pq.read_table(audited_ws / "tokens" / "index.parquet")
    train = index.filter(pc.equal(index["split"], "train"))
    assert sorted(d.doc_id for d in facts.docs) == sorted(set(train["doc_id"].to_pylist()))
    assert facts.total_tokens == pc.sum(train["length"]).as_py()
    by_id = {d.doc_id: d for d in facts.docs}
    for row in train.to_pylist():
        found = by_id[row["doc_id"]]
        assert (found.source, found.group) == (row["source"], row["group"])
        assert found.canary == (row["group"] == "canary")
    canaries = [d for d in facts.docs if d.canary]
    assert len(canaries) == 2 and {(d.basis, d.category) for d in canaries} == {("canary", "synthetic")}
    by_licence = {d.license: d for d in facts.docs if not d.canary}
    assert by_licence["CC-BY-SA-4.0"].obligations == ("attribution", "share-alike")
    assert by_licence["CC-BY-4.0"].basis == "license.cc-by"
    assert by_licence["CC0-1.0"].category == "public"
    assert not any("z-lib" in d.source for d in facts.docs)
    assert facts.stopped == {"piracy.shadow-library": 1}
    lineage = (audited_ws / facts.checkpoint / "lineage.json").read_bytes()
    assert facts.lineage_sha256 == hashlib.sha256(lineage).hexdigest()
    last = json.loads((audited_ws / "train" / "metrics.jsonl").read_text().splitlines()[-1])
    assert facts.training["final_eval_loss"] == pytest.approx(last["eval_loss"])
    assert facts.policy["crawler"] == "ClearLMBot"


def test_collect_names_a_missing_lineage(audited_ws: Path, gate_report: GateReport, tmp_path: Path) -> None:
    report = dataclasses.replace(gate_report, checkpoint=tmp_path)
    with pytest.raises(WorkspaceError, match=r"lineage\.json"):
        ReleaseFacts.collect(audited_ws, report, Workspace.open(audited_ws).load_config().release, "x")


def test_no_canary_secret_reaches_any_document(audited_ws: Path, released: Path) -> None:
    secrets = json.loads((audited_ws / "audit" / "canaries.json").read_text())["canaries"]
    assert secrets
    for name in DOCUMENTS:
        data = (released / name).read_bytes()
        for canary in secrets:
            assert canary["secret"].strip().encode() not in data, name


def test_model_card_metadata_and_sections(released: Path) -> None:
    card = (released / "README.md").read_text()
    meta = card_meta(card)
    assert meta["license"] == "cc-by-sa-4.0"  # the workspace trained on a CC BY-SA document
    assert meta["language"] == ["en"] and meta["library_name"] == "transformers"
    assert meta["pipeline_tag"] == "text-generation" and "clearlm" in meta["tags"]  # type: ignore[operator]
    assert "datasets" not in meta
    assert licence_named_in(meta, (released / "LICENSE").read_text())
    sections = ["## Model details", "## Training data", "## Training procedure", "## Audit results",
                "## Provenance", "## Intended use and limitations", "## Licence and obligations",
                "## Is your work in the training data?"]  # fmt: skip
    positions = [card.index(s) for s in sections]
    assert positions == sorted(positions)
    assert "![Trained tokens by source group and by licence](data-mix.png)" in card
    for group in ("corpus/books", "corpus/web", "corpus/wiki", "canary"):
        assert f"| {group} |" in card
    for check in ("extraction", "canaries", "membership\\_inference"):
        assert f"| {check} |" in card
    assert "clearlm verify-release DIR" in card


def test_model_card_numbers_come_from_the_workspace(audited_ws: Path, released: Path) -> None:
    card = (released / "README.md").read_text()
    audit = json.loads((audited_ws / "audit" / "report.json").read_text())
    meta = card_meta(card)
    eval_loss = json.loads((audited_ws / "train" / "metrics.jsonl").read_text().splitlines()[-1])["eval_loss"]
    metric = meta["model-index"][0]["results"][0]["metrics"][0]  # type: ignore[index]
    assert metric["value"] == round(eval_loss, 4)
    assert audit["lineage_sha256"] in card
    assert f"{audit['mia']['scores']['zlib']['auroc']:.4f}" in card


def test_data_mix_chart_and_determinism(released: Path, tmp_path: Path) -> None:
    image = matplotlib.image.imread(released / "data-mix.png")
    assert image.shape[0] > 100 and image.shape[1] > 500
    facts = make_facts([doc("d1", "CC0-1.0"), doc("d2", "CC-BY-4.0")])
    first, second = write_documents(facts, tmp_path / "a"), write_documents(facts, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_training_data_summary_follows_the_template(released: Path) -> None:
    summary = json.loads((released / "training-data-summary.json").read_text())
    general, sources = summary["general_information"], summary["data_sources"]
    assert general["model"]["name"] == "tiny-clear"
    assert general["modalities"][0]["size_range"] == "Less than 1 billion tokens"
    assert sources["synthetic"]["documents"] == 2 and "secret" not in json.dumps(sources["synthetic"])
    assert {c["name"] for c in sources["publicly_available_datasets"]["collections"]} >= {"corpus/books"}
    assert not sources["crawled"]["used"] and not sources["user_data"]["used"]
    rights = summary["data_processing"]["reservation_of_rights"]["opt_outs_honoured"]
    assert [r["code"] for r in rights] == [
        "optout.robots", "optout.tdmrep", "optout.noai", "optout.content-usage", "optout.content-signal",
        "optout.ai-clause", "revoked",
    ]  # fmt: skip
    removed = {r["code"]: r["documents"] for r in summary["data_processing"]["illegal_content"]["removed"]}
    assert removed == {"piracy.shadow-library": 1, "registry.match": 0}
    text = (released / "training-data-summary.md").read_text()
    headings = ["## 1. General information", "### 1.3", "## 2. List of data sources", "### 2.1", "### 2.2",
                "### 2.3", "### 2.4", "### 2.5", "### 2.6", "## 3. Data processing aspects", "### 3.1",
                "### 3.2"]  # fmt: skip
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "| `piracy.shadow-library` | 1 |" in text


def test_attribution_credits_every_by_and_by_sa_document(audited_ws: Path, released: Path) -> None:
    text = (released / "ATTRIBUTION.md").read_text()
    index = pq.read_table(audited_ws / "tokens" / "index.parquet").to_pylist()
    trained = {(r["doc_id"], r["source"], r["license"]) for r in index if r["split"] == "train"}
    for doc_id, source, licence in trained:
        expected = licence.startswith("CC-BY")
        assert (doc_id in text) == expected and (f"| {source} |" in text) == expected, (licence, source)
    by = sum(1 for *_, licence in trained if licence == "CC-BY-4.0")
    assert f"### [CC-BY-4.0](https://creativecommons.org/licenses/by/4.0/) (documents: {by})" in text
    assert text.index("### [CC-BY-4.0]") < text.index("### [CC-BY-SA-4.0]")


def test_croissant_describes_the_token_data(audited_ws: Path, released: Path) -> None:
    data = json.loads((released / "croissant.json").read_text())
    for key in ("@context", "@type", "conformsTo", "name", "description", "license", "url", "distribution",
                "recordSet"):  # fmt: skip
        assert key in data
    assert data["@type"] == "sc:Dataset" and data["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    context = data["@context"]
    assert context["@vocab"] == "https://schema.org/" and context["cr"] == "http://mlcommons.org/croissant/"
    assert context["dct"] == "http://purl.org/dc/terms/" and context["conformsTo"] == "dct:conformsTo"
    assert "tiny-clear" in data["name"]
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in data["license"]
    ids = set()
    for item in data["distribution"]:
        assert item["@type"] == "cr:FileObject" and not Path(item["contentUrl"]).is_absolute()
        path = audited_ws / item["contentUrl"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == item["sha256"], item["name"]
        ids.add(item["@id"])
    assert {"index.parquet", "tokenizer.json", "shard-00000.bin"} <= ids
    (record_set,) = data["recordSet"]
    columns = pq.read_schema(audited_ws / "tokens" / "index.parquet").names
    assert [f["source"]["extract"]["column"] for f in record_set["field"]] == columns
    assert {f["source"]["fileObject"]["@id"] for f in record_set["field"]} == {"index.parquet"}
    types = {f["source"]["extract"]["column"]: f["dataType"] for f in record_set["field"]}
    assert types["length"] == "sc:Integer" and types["doc_id"] == "sc:Text"


def test_text_from_documents_is_inert(tmp_path: Path) -> None:
    script = "<script>alert(1)</script>"
    evil = doc(
        "d1", "CC-BY-4.0", source=f"https://evil.example/{script}", group="<b>grp</b>",
        credits=(f"<img src=x onerror=alert(1)> [click](javascript:alert(1)) {script}",),
    )  # fmt: skip
    notice = doc("d2", "MIT", source="file:///x/`code`|pipe|*bold*.txt")
    write_documents(make_facts([evil, notice]), tmp_path)
    renderer = MarkdownIt("commonmark", {"html": True}).enable("table")
    for name in MARKDOWN:
        rendered = renderer.render((tmp_path / name).read_text()).replace('<img src="data-mix.png"', "")
        assert "<script" not in rendered and "<img" not in rendered and "<b>" not in rendered, name
        assert 'href="javascript' not in rendered, name
    attribution = renderer.render((tmp_path / "ATTRIBUTION.md").read_text())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in attribution  # shown as text, not dropped
    assert "<code>code</code>" not in attribution and "<strong>" not in attribution
    assert "file:///x/`code`|pipe|*bold*.txt" in attribution  # one cell, markup shown as typed


def test_summary_sources_by_category() -> None:
    crawled = [
        doc(f"w{i}", "CC-BY-4.0", category="crawled", domain=f"site{i:02d}.example", tokens=100 + i,
            fetched=f"2024-05-{10 + i:02d}")
        for i in range(12)
    ]  # fmt: skip
    licensed = doc("l1", "", basis="contract.acme", category="licensed", licensor="Acme Ltd", obligations=())
    own = doc("f1", "", basis="first-party", category="first-party", obligations=())
    summary = build_summary(make_facts([*crawled, licensed, own]))
    crawl = summary["data_sources"]["crawled"]
    assert crawl["used"] and crawl["crawlers"] == ["ClearLMBot"] and crawl["domains"] == 12
    assert crawl["period"] == {"from": "2024-05-10", "to": "2024-05-21"}
    assert [d["name"] for d in crawl["top_domains"]] == [f"site{i:02d}.example" for i in range(11, 1, -1)]
    (contract,) = summary["data_sources"]["private_third_party"]["licensed"]
    assert (contract["name"], contract["licensor"], contract["documents"]) == ("contract.acme", "Acme Ltd", 1)
    assert summary["data_sources"]["other"]["first_party"][0]["licences"] == ["first-party"]


def test_size_ranges() -> None:
    assert size_range(999_999_999) == "Less than 1 billion tokens"
    assert size_range(1_000_000_000) == "1 billion to 10 trillion tokens"
    assert size_range(10**13 + 1) == "More than 10 trillion tokens"


def test_no_derivatives_data_writes_nothing(tmp_path: Path) -> None:
    facts = make_facts([doc("d1", "CC0-1.0"), doc("d2", "CC-BY-ND-4.0")])
    with pytest.raises(LicenceConflict):
        write_documents(facts, tmp_path / "out")
    assert not list((tmp_path / "out").iterdir())
    with pytest.raises(LicenceConflict):
        model_license(facts)
