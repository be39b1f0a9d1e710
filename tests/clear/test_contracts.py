"""Licensed-data contracts: in scope and in date allows; out of date or out of scope denies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from clearlm.clear.contracts import RESEARCH_USES, Contract, check_contracts, load_contracts
from clearlm.errors import ConfigError
from clearlm.reasons import CONTRACT_EXPIRED, CONTRACT_OUT_OF_SCOPE

CONTRACTS = """
# Agreements signed by the data team; reviewed by legal on 2025-01-10.

[[contract]]
id = "acme-news-2025"
licensor = "Acme News Ltd"
scope = ["https://news.acme.example/*", "file://*/licensed/acme/*"]
uses = ["train", "commercial"]
start = 2025-01-01
end = 2026-12-31
attribution = "Contains articles licensed from Acme News Ltd."

[[contract]]
id = "uni-corpus-research"
licensor = "University of Northfield Library"
scope = ["https://library.northfield.example/corpus/*"]
uses = ["train", "research"]
start = "2024-06-01"
end = "2027-05-31"

[[contract]]
id = "old-forum-2020"
licensor = "Forum Holdings"
scope = ["https://forum.example.org/*"]
uses = ["train", "commercial", "redistribute"]
start = 2020-01-01
end = 2022-12-31
"""

TODAY = date(2025, 6, 15)


@pytest.fixture()
def contracts(tmp_path: Path) -> list[Contract]:
    path = tmp_path / "contracts.toml"
    path.write_text(CONTRACTS, encoding="utf-8")
    return load_contracts(path)


def test_loads_every_contract(contracts: list[Contract]) -> None:
    assert [c.id for c in contracts] == ["acme-news-2025", "uni-corpus-research", "old-forum-2020"]
    acme = contracts[0]
    assert acme.start == date(2025, 1, 1) and acme.end == date(2026, 12, 31)
    assert acme.uses == ("train", "commercial")
    assert contracts[1].start == date(2024, 6, 1)  # ISO strings are accepted too


def test_in_scope_and_in_date_allows_with_attribution(contracts: list[Contract]) -> None:
    [signal] = check_contracts("https://news.acme.example/2025/03/budget.html", contracts, TODAY)
    assert signal.code == "contract.acme-news-2025"
    assert signal.obligations == ("attribution",)
    ev = signal.evidence
    assert ev["licensor"] == "Acme News Ltd"
    assert ev["scope"] == "https://news.acme.example/*"
    assert (ev["start"], ev["end"]) == ("2025-01-01", "2026-12-31")
    assert ev["attribution"] == "Contains articles licensed from Acme News Ltd."
    [local] = check_contracts("file:///data/drop/licensed/acme/2025-03-01.txt", contracts, TODAY)
    assert local.code == "contract.acme-news-2025"
    assert local.evidence["scope"] == "file://*/licensed/acme/*"


def test_last_day_is_in_date(contracts: list[Contract]) -> None:
    [signal] = check_contracts("https://news.acme.example/a", contracts, date(2026, 12, 31))
    assert signal.code == "contract.acme-news-2025"


def test_expired_contract_denies(contracts: list[Contract]) -> None:
    [signal] = check_contracts("https://forum.example.org/t/123", contracts, TODAY)
    assert signal.code == CONTRACT_EXPIRED
    assert signal.evidence["end"] == "2022-12-31"
    assert signal.evidence["today"] == "2025-06-15"
    assert signal.evidence["status"] == "ended"
    assert signal.obligations == ()


def test_contract_not_yet_started_denies(contracts: list[Contract]) -> None:
    [signal] = check_contracts("https://news.acme.example/a", contracts, date(2024, 12, 31))
    assert signal.code == CONTRACT_EXPIRED
    assert signal.evidence["status"] == "not-started"
    assert signal.evidence["start"] == "2025-01-01"


def test_use_not_permitted_denies(contracts: list[Contract]) -> None:
    source = "https://library.northfield.example/corpus/vol1.txt"
    [signal] = check_contracts(source, contracts, TODAY)  # a commercial release
    assert signal.code == CONTRACT_OUT_OF_SCOPE
    assert signal.evidence["missing_uses"] == ["commercial"]
    # The same data is fine for a research release.
    [research] = check_contracts(source, contracts, TODAY, uses=RESEARCH_USES)
    assert research.code == "contract.uni-corpus-research"
    assert research.obligations == ()


def test_acme_data_for_research_is_out_of_scope(contracts: list[Contract]) -> None:
    [signal] = check_contracts("https://news.acme.example/a", contracts, TODAY, uses=("train", "research"))
    assert signal.code == CONTRACT_OUT_OF_SCOPE
    assert signal.evidence["missing_uses"] == ["research"]


def test_unrelated_source_gets_nothing(contracts: list[Contract]) -> None:
    assert check_contracts("https://blog.example.net/post", contracts, TODAY) == []
    assert check_contracts("https://evil.example/?u=https://news.acme.example/", contracts, TODAY) == []
    assert check_contracts("https://news.acme.example.evil.net/x", contracts, TODAY) == []


def test_renewed_contract_wins_over_lapsed_one(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        CONTRACTS.replace('"https://forum.example.org/*"', '"https://news.acme.example/*"'), encoding="utf-8"
    )
    [signal] = check_contracts("https://news.acme.example/a", load_contracts(path), TODAY)
    assert signal.code == "contract.acme-news-2025"


def bad(tmp_path: Path, text: str) -> ConfigError:
    path = tmp_path / "contracts.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_contracts(path)
    assert info.value.path == str(path)
    return info.value


GOOD = """[[contract]]
id = "x-1"
licensor = "X"
scope = ["https://x.example/*"]
uses = ["train"]
start = 2025-01-01
end = 2025-12-31
"""


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('id = "x-1"', 'id = "X 1"'), "contract 'X 1': 'id' must match"),
        (lambda t: t.replace('id = "x-1"', 'id = "expired"'), "reserved"),
        (lambda t: t.replace('licensor = "X"\n', ""), "contract 'x-1': missing field(s) licensor"),
        (lambda t: t.replace("end = 2025-12-31", "end = 2024-12-31"), "before 'start'"),
        (lambda t: t.replace("end = 2025-12-31", 'end = "next year"'), "'end' must be a date"),
        (lambda t: t.replace("end = 2025-12-31", "end = 2025-12-31T10:00:00"), "not a date and time"),
        (lambda t: t.replace('uses = ["train"]', 'uses = ["train", "resell"]'), "unknown use(s) resell"),
        (lambda t: t.replace('scope = ["https://x.example/*"]', "scope = []"), "'scope' must be a non-empty"),
        (
            lambda t: t.replace('uses = ["train"]', 'uses = ["train"]\nscopes = ["a"]'),
            "unknown field(s) scopes",
        ),
        (lambda t: t + "\n" + t, "contract 'x-1': duplicate id"),
        (lambda t: t.replace("[[contract]]", "[contract]"), "array of tables"),
        (lambda t: t.replace("[[contract]]", "[[contracts]]"), "unknown top-level key"),
        (lambda t: t.replace('licensor = "X"', "licensor = X"), "not valid TOML"),
    ],
)
def test_malformed_files_name_the_file_and_contract(
    tmp_path: Path, edit: Callable[[str], str], message: str
) -> None:
    error = bad(tmp_path, edit(GOOD))
    assert message in error.message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_contracts(tmp_path / "absent.toml")


def test_empty_file_has_no_contracts(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("# no agreements yet\n", encoding="utf-8")
    assert load_contracts(tmp_path / "c.toml") == []
