"""The clear stage: one rights decision per ingested document, recorded in the ledger.

Detectors look for evidence (licences, Project Gutenberg editions, opt-outs, piracy stamps,
copyright pages, registry matches, contracts); `decide` turns it into allow or deny under the
policy. Only allowed documents flow on to curation; every decision, with its evidence, is in the
ledger. robots.txt and tdmrep.json bodies are context for the opt-out detector, never training text.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from clearlm.clear.contracts import Contract, check_contracts, load_contracts
from clearlm.clear.copyright import detect_copyright
from clearlm.clear.decide import decide
from clearlm.clear.gutenberg import detect_gutenberg
from clearlm.clear.licenses import detect_licenses
from clearlm.clear.optouts import OptoutContext, detect_optouts
from clearlm.clear.piracy import detect_piracy
from clearlm.clear.policy import Policy, load_policy
from clearlm.clear.public_domain import detect_expired_copyright
from clearlm.clear.registry import Registry
from clearlm.clear.signals import Signal
from clearlm.config import ClearConfig
from clearlm.errors import ConfigError
from clearlm.pipeline.document import Document
from clearlm.pipeline.parts_source import PartsSource
from clearlm.pipeline.stage import Stage
from clearlm.pipeline.step import Step, Verdict
from clearlm.reasons import CLEAR_EVIDENCE_ONLY, FIRST_PARTY

TDMREP_PATH = "/.well-known/tdmrep.json"


def is_evidence_only(doc: Document) -> bool:
    return doc.kind == "robots" or doc.source.split("?")[0].endswith(TDMREP_PATH)


class ClearContext:
    """Everything a decision needs besides the document; built once per worker process."""

    def __init__(self, policy: Policy, as_of: date, robots_dirs: Iterable[str] = ()) -> None:
        self.policy = policy
        self.as_of = as_of
        self.optouts = OptoutContext(policy)
        self.registry = Registry.open(Path(policy.registry_path)) if policy.registry_path else None
        self.contracts: list[Contract] = (
            load_contracts(Path(policy.contracts_path)) if policy.contracts_path else []
        )
        self.uses = ("train", "commercial") if policy.release == "commercial" else ("train", "research")
        for folder in robots_dirs:
            self.add_robots_folder(Path(folder))

    def add_robots_folder(self, folder: Path) -> None:
        """robots.txt files a user supplies: `<host>.txt` or `<host>/robots.txt` (https assumed)."""
        for path in sorted(folder.rglob("*.txt")):
            host = path.parent.name if path.name == "robots.txt" else path.stem
            self.optouts.add_robots(
                f"https://{host}/robots.txt", path.read_text(encoding="utf-8", errors="replace")
            )

    def add_evidence(self, docs: Iterable[Document]) -> None:
        for doc in docs:
            if is_evidence_only(doc):
                self.optouts.add_document(doc)

    def signals(self, doc: Document) -> list[Signal]:
        found = [
            *detect_gutenberg(doc),
            *detect_licenses(doc),
            *detect_copyright(doc, self.policy),
            *detect_expired_copyright(doc, self.policy),
            *detect_piracy(doc),
            *detect_optouts(doc, self.optouts),
            *check_contracts(doc.source, self.contracts, self.as_of, self.uses),
        ]
        if self.registry is not None:
            found.extend(self.registry.match(doc.text, self.policy.registry_min_words))
        for pattern in self.policy.first_party_sources:
            if fnmatch.fnmatchcase(doc.source, pattern):
                found.append(Signal(FIRST_PARTY, {"source": doc.source, "pattern": pattern}))
                break
        return found

    def clear(self, doc: Document) -> Verdict:
        if is_evidence_only(doc):
            return Verdict("deny", (CLEAR_EVIDENCE_ONLY,), {"kind": doc.kind, "source": doc.source})
        return decide(self.signals(doc), self.policy)


def build_clear_stage(config: ClearConfig, ws_root: Path) -> Stage:
    """The clear stage over the workspace's ingest output.

    The policy and the as-of date (for contracts) are frozen in the stage's plan, so resuming
    tomorrow gives the same decisions as finishing today.
    """
    policy = load_policy(Path(config.policy) if config.policy else None)
    as_of = config.as_of or _planned_as_of(ws_root) or date.today().isoformat()
    try:
        as_of_date = date.fromisoformat(as_of)
    except ValueError:
        raise ConfigError(f"clear.as_of must be an ISO date (YYYY-MM-DD), not {as_of!r}") from None
    # Audit thresholds live in the policy file but do not change a clearance decision: leave them out,
    # so tightening an audit bound does not force the corpus to be cleared again.
    rules = {k: v for k, v in dataclasses.asdict(policy).items() if k != "audit"}
    settings = {"policy": rules, "as_of": as_of, "robots_dirs": list(config.robots_dirs)}
    step = RightsStep(policy, as_of_date, ws_root, list(config.robots_dirs))
    return Stage("clear", PartsSource(ws_root, "ingest"), [step], settings=settings)


def _planned_as_of(ws_root: Path) -> str | None:
    plan = ws_root / "stages" / "clear" / "plan.json"
    if plan.is_file():
        return str(json.loads(plan.read_text(encoding="utf-8"))["settings"].get("as_of") or "") or None
    return None


class RightsStep(Step):
    """The clearance step: decide, and annotate allowed documents with licence and obligations."""

    name = "rights"

    def __init__(self, policy: Policy, as_of: date, ws_root: Path, robots_dirs: list[str]) -> None:
        self.policy = policy
        self.as_of = as_of
        self.ws_root = ws_root
        self.robots_dirs = robots_dirs
        self._context: ClearContext | None = None

    def context(self) -> ClearContext:
        # Built lazily, in the worker process: registry and robots load once per process.
        if self._context is None:
            self._context = ClearContext(self.policy, self.as_of, self.robots_dirs)
            self._context.add_evidence(evidence_documents(self.ws_root))
        return self._context

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_context": None}

    def process(self, doc: Document) -> Verdict:
        verdict = self.context().clear(doc)
        if verdict.decision == "allow":
            doc.meta["license"] = verdict.evidence.get("license")
            doc.meta["obligations"] = verdict.evidence.get("obligations", [])
            doc.meta["clear_reasons"] = list(verdict.reasons)
        return verdict


def evidence_documents(ws_root: Path) -> list[Document]:
    """robots.txt and tdmrep.json documents from every ingest part of the workspace."""
    docs: list[Document] = []
    for part in sorted((ws_root / "stages" / "ingest").glob("part-*.parquet")):
        # Look at two small columns first; read the texts only of parts that hold evidence.
        keys = pq.read_table(part, columns=["kind", "source"])
        mask = pc.or_(pc.equal(keys["kind"], "robots"), pc.ends_with(keys["source"], TDMREP_PATH))
        if pc.any(mask).as_py():
            docs.extend(Document.from_row(row) for row in pq.read_table(part).filter(mask).to_pylist())
    return docs
