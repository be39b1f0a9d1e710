"""Licensed-data contracts: agreements that let a run train on data it would otherwise not have.

A contracts file (TOML, `policy.contracts_path`) lists agreements:

    [[contract]]
    id = "acme-news-2025"          # [a-z0-9-]+; the allow reason code becomes contract.acme-news-2025
    licensor = "Acme News Ltd"
    scope = ["https://news.acme.example/*", "file://*/licensed/acme/*"]   # fnmatch globs over sources
    uses = ["train", "commercial"] # permitted: train, commercial, redistribute, research
    start = 2025-01-01
    end = 2026-12-31               # inclusive
    attribution = "Contains articles licensed from Acme News Ltd."   # optional

`check_contracts` looks at one document's source URI. Globs are matched case-sensitively and `*`
also crosses `/`. For every contract whose scope matches:

* in date and every needed use permitted → `contract.<id>` (allow), with an "attribution" obligation
  when the contract sets attribution text (the text travels in the evidence to ATTRIBUTION.md);
* before `start` or after `end` → `contract.expired` (deny), evidence: the dates and today;
* a needed use not permitted → `contract.out-of-scope` (deny), evidence: the missing uses.

If any matching contract grants the use, only the allow signals are returned: a renewed agreement
covers data whose earlier agreement lapsed. Otherwise the deny signals are returned, so licensed
data whose contract lapsed never falls back to other evidence. A source no contract names gets [].

The uses a run needs follow the policy's release: a commercial release (the default) needs
("train", "commercial"); a research release passes uses=("train", "research").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, NoReturn

from clearlm.clear.signals import Signal
from clearlm.errors import ConfigError
from clearlm.reasons import CONTRACT_EXPIRED, CONTRACT_OUT_OF_SCOPE, CONTRACT_PREFIX

USES = ("train", "commercial", "redistribute", "research")
COMMERCIAL_USES = ("train", "commercial")
RESEARCH_USES = ("train", "research")

_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
# Ids whose reason code would collide with a deny code of the same prefix.
_RESERVED_IDS = {CONTRACT_EXPIRED, CONTRACT_OUT_OF_SCOPE}
_FIELDS = {"id", "licensor", "scope", "uses", "start", "end", "attribution"}


@dataclass(frozen=True)
class Contract:
    """One licensed-data agreement (see the module docstring for the file format)."""

    id: str
    licensor: str
    scope: tuple[str, ...]
    uses: tuple[str, ...]
    start: date
    end: date
    attribution: str = ""

    @property
    def code(self) -> str:
        return CONTRACT_PREFIX + self.id

    def matched_scope(self, source: str) -> str | None:
        """The first scope glob `source` matches, or None."""
        return next((pattern for pattern in self.scope if fnmatchcase(source, pattern)), None)


def _date(value: Any, what: str, fail: Callable[[str], NoReturn]) -> date:
    if isinstance(value, datetime):
        fail(f"'{what}' must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    fail(f"'{what}' must be a date (YYYY-MM-DD), not {value!r}")


def _strings(value: Any, what: str, fail: Callable[[str], NoReturn]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        fail(f"'{what}' must be a non-empty list of non-empty strings")
    return tuple(v.strip() for v in value)


def _contract(raw: Any, number: int, path: Path) -> Contract:
    label = f"contract #{number}"
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        label = f"contract {raw['id']!r}"

    def fail(message: str) -> NoReturn:
        raise ConfigError(f"{label}: {message}", path)

    if not isinstance(raw, dict):
        fail("must be a [[contract]] table")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        fail(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(_FIELDS))}")
    missing = sorted(f for f in _FIELDS - {"attribution"} if f not in raw)
    if missing:
        fail(f"missing field(s) {', '.join(missing)}")
    cid = raw["id"]
    if not isinstance(cid, str) or not _ID.fullmatch(cid):
        fail(f"'id' must match [a-z0-9-]+ (it becomes a reason code), not {cid!r}")
    if CONTRACT_PREFIX + cid in _RESERVED_IDS:
        fail(f"'id' {cid!r} is reserved: {CONTRACT_PREFIX}{cid} is a deny reason")
    licensor, attribution = raw["licensor"], raw.get("attribution", "")
    if not isinstance(licensor, str) or not licensor.strip():
        fail("'licensor' must be a non-empty string")
    if not isinstance(attribution, str):
        fail("'attribution' must be a string")
    uses = _strings(raw["uses"], "uses", fail)
    bad = [u for u in uses if u not in USES]
    if bad:
        fail(f"unknown use(s) {', '.join(bad)}; permitted: {', '.join(USES)}")
    start, end = _date(raw["start"], "start", fail), _date(raw["end"], "end", fail)
    if end < start:
        fail(f"'end' {end} is before 'start' {start}")
    scope = _strings(raw["scope"], "scope", fail)
    return Contract(cid, licensor.strip(), scope, uses, start, end, attribution.strip())


def load_contracts(path: Path) -> list[Contract]:
    """Every [[contract]] in the TOML file `path`; ConfigError naming the file and contract if bad."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("contracts file not found", path) from None
    except IsADirectoryError:
        raise ConfigError("contracts path is a folder, not a TOML file", path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", path) from None
    unknown = sorted(set(data) - {"contract"})
    if unknown:
        raise ConfigError(
            f"unknown top-level key(s) {', '.join(unknown)}; expected [[contract]] tables", path
        )
    tables = data.get("contract", [])
    if not isinstance(tables, list):
        raise ConfigError("'contract' must be an array of tables: write [[contract]]", path)
    contracts = [_contract(raw, number, path) for number, raw in enumerate(tables, 1)]
    seen: set[str] = set()
    for contract in contracts:
        if contract.id in seen:
            raise ConfigError(f"contract {contract.id!r}: duplicate id", path)
        seen.add(contract.id)
    return contracts


def check_contracts(
    source: str, contracts: list[Contract], today: date, uses: tuple[str, ...] = COMMERCIAL_USES
) -> list[Signal]:
    """Contract signals for a document from `source` on `today`, for a run needing `uses`."""
    unknown = [u for u in uses if u not in USES]
    if unknown:
        raise ValueError(f"unknown use(s) {unknown}; permitted: {USES}")
    grants: list[Signal] = []
    denials: list[Signal] = []
    for contract in contracts:
        pattern = contract.matched_scope(source)
        if pattern is None:
            continue
        evidence: dict[str, Any] = {
            "contract": contract.id,
            "licensor": contract.licensor,
            "scope": pattern,
            "start": contract.start.isoformat(),
            "end": contract.end.isoformat(),
        }
        missing = [u for u in uses if u not in contract.uses]
        if not contract.start <= today <= contract.end:
            status = "not-started" if today < contract.start else "ended"
            denials.append(
                Signal(CONTRACT_EXPIRED, {**evidence, "today": today.isoformat(), "status": status})
            )
        elif missing:
            extra = {
                "missing_uses": missing,
                "needed_uses": list(uses),
                "permitted_uses": list(contract.uses),
            }
            denials.append(Signal(CONTRACT_OUT_OF_SCOPE, {**evidence, **extra}))
        elif contract.attribution:
            evidence |= {"uses": list(contract.uses), "attribution": contract.attribution}
            grants.append(Signal(contract.code, evidence, obligations=("attribution",)))
        else:
            grants.append(Signal(contract.code, {**evidence, "uses": list(contract.uses)}))
    return grants or denials
