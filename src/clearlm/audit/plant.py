"""Audit canaries: random secrets planted in the training shards at tokenize time (secret sharer).

Carlini et al. 2019 ("The Secret Sharer") measure memorisation with canaries: a fixed template
followed by a random secret, inserted into the training data a known number of times. After
training, the audit ranks the secret against other members of the secret space (audit/canary.py):
a model that did not memorise it cannot tell it apart from a random candidate.

    canary {i}: my secret code is 3 1 4 1 5 9 2 6 5 3 5 8

The secret is `tokenize.canary_tokens` random digits (a space of 10**n), drawn from the run's
seed. Each canary is a training-split document with `repeats` copies, group "canary", licence "",
recorded in the ledger by the tokenize stage (step "canary", decision "allow", reason "canary",
evidence {repeats, canary_index}) through the step base class. The secrets themselves are kept
out of the ledger: they live in WS/audit/canaries.json, which is private to the audit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from tokenizers import Tokenizer

from clearlm.atomic import atomic_write_text, remove_stale_tmp
from clearlm.errors import ConfigError, WorkspaceError
from clearlm.ledger import Ledger
from clearlm.pipeline.document import Document, make_doc_id, sha256_hex
from clearlm.pipeline.recorder import TaskPaths, TaskRecorder
from clearlm.pipeline.step import Step, Verdict
from clearlm.tokenize.pack import CANARY_TASK
from clearlm.tokenize.sidecar import TokenSidecar
from clearlm.tokenize.split import TRAIN

CANARY_FILE = "canaries.json"  # WS/audit/canaries.json: the secrets, read only by the audit
CANARY_STEP = "canary"
CANARY_REASON = "canary"
CANARY_GROUP = "canary"
TEMPLATE = "canary {index}: my secret code is"
LEDGER_KEY = "tokenize-canary"
MAX_DIGITS = 64


@dataclass(frozen=True)
class Canary:
    """One planted secret. `text` = prefix + secret is the document training sees."""

    index: int
    repeats: int
    prefix: str
    secret: str  # " d d d …": a leading space, then the digits separated by spaces
    digits: int
    doc_id: str

    @property
    def text(self) -> str:
        return self.prefix + self.secret

    @property
    def source(self) -> str:
        return f"canary:{self.index}"


def secret_text(digits: Sequence[int]) -> str:
    """Digits as the canary spells them: each after a space, so each is its own pre-token."""
    return "".join(f" {int(d)}" for d in digits)


def draw_digits(seed: int, purpose: str, index: int, count: int) -> list[int]:
    """`count` digits fixed by (seed, purpose, index): the same on every machine and rerun."""
    digest = hashlib.sha256(f"{seed}:{purpose}:{index}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
    return [int(d) for d in rng.integers(0, 10, size=count)]


def make_canaries(seed: int, repeats: Sequence[int], digits: int) -> list[Canary]:
    """One canary per entry of `repeats`, its secret drawn from the run's seed."""
    if any(r < 1 for r in repeats):
        raise ConfigError(f"tokenize.canaries: repetition counts must be at least 1, got {list(repeats)}")
    if not 1 <= digits <= MAX_DIGITS:
        raise ConfigError(f"tokenize.canary_tokens must be in [1, {MAX_DIGITS}], got {digits}")
    found = []
    for index, count in enumerate(repeats):
        prefix = TEMPLATE.format(index=index)
        secret = secret_text(draw_digits(seed, "canary", index, digits))
        doc_id = make_doc_id(f"canary/{seed}/{index}", sha256_hex(prefix + secret))
        found.append(Canary(index, int(count), prefix, secret, digits, doc_id))
    return found


def write_canaries(path: Path, canaries: Sequence[Canary]) -> None:
    payload = {"private": "audit only: never publish this file", "canaries": [asdict(c) for c in canaries]}
    atomic_write_text(path, json.dumps(payload, indent=1, sort_keys=True) + "\n")


def read_canaries(path: Path) -> list[Canary]:
    """The canaries a workspace planted ([] when it planted none)."""
    if not path.is_file():
        return []
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return [Canary(**row) for row in data["canaries"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise WorkspaceError(f"unreadable canary file ({exc})", path) from None


class CanaryStep(Step):
    """Allows a planted canary, so the ledger names every document in the shards."""

    name = CANARY_STEP

    def process(self, doc: Document) -> Verdict:
        evidence = {"repeats": doc.meta["repeats"], "canary_index": doc.meta["canary_index"]}
        return Verdict("allow", (CANARY_REASON,), evidence)


class _CanaryPaths(TaskPaths):
    """Where the canary recording writes: stages/tokenize/canary/, apart from the executor's tasks."""

    def __init__(self, stage_dir: Path) -> None:
        folder = stage_dir / CANARY_TASK
        self.part = folder / "part.parquet"  # never written: canaries are not curated documents
        self.events = folder / "events.parquet"
        self.stats = folder / "stats.json"
        self.done = folder / "done"
        self.quarantine = folder / "quarantine.jsonl"
        self.quarantine_rel = f"stages/{stage_dir.name}/{CANARY_TASK}/quarantine.jsonl"


@dataclass(frozen=True)
class PlantSettings:
    seed: int
    repeats: tuple[int, ...]
    digits: int
    bos_id: int
    eos_id: int
    dtype: str


def plant_canaries(
    ws_root: Path, run_id: str, stage_dir: Path, tokenizer: Tokenizer, settings: PlantSettings
) -> list[Canary]:
    """Write the canaries' sidecar (packed with the tasks'), their ledger events and canaries.json.

    Deterministic: a rerun after a crash writes the same bytes, and the ledger segment's commit key
    makes a second append a no-op. Must run before the pack, which records the ledger head.
    """
    if not settings.repeats:
        return []
    canaries = make_canaries(settings.seed, settings.repeats, settings.digits)
    remove_stale_tmp(stage_dir / CANARY_TASK)
    write_canaries(ws_root / "audit" / CANARY_FILE, canaries)
    docs = []
    for canary in canaries:
        ids = tokenizer.encode(canary.text, add_special_tokens=False).ids
        doc = Document(canary.doc_id, canary.text, canary.source, sha256_hex(canary.text))
        doc.meta.update(
            split=TRAIN, repeats=canary.repeats, group=CANARY_GROUP, license="", canary_index=canary.index
        )
        doc.cache["token_ids"] = np.array([settings.bos_id, *ids, settings.eos_id], dtype=np.int64)
        docs.append(doc)
    paths = _CanaryPaths(stage_dir)
    recorder = TaskRecorder(run_id, stage_dir.name, paths)
    sidecar = TokenSidecar(stage_dir, CANARY_TASK, settings.dtype)
    try:
        sidecar.write(CanaryStep().apply(docs, recorder))
    except BaseException:
        sidecar.abort()
        recorder.abort()
        raise
    sidecar.publish()
    recorder.publish({"docs_out": len(docs)})
    Ledger(ws_root / "ledger").append(LEDGER_KEY, pq.read_table(paths.events))
    return canaries
