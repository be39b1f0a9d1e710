"""The step contract: small steps over document batches whose provenance the base class writes.

A step says what it decided about each document (a Verdict); it never touches the ledger. The base
class's `apply` is the only way a step is run, and it records one ledger event and the step's stats
for every document it sees, so a new filter gets provenance for free and cannot forget it.

    class MinChars(Filter):
        name = "min_chars"
        def keep(self, doc):
            return Keep() if len(doc.text) >= 200 else Drop("quality.min_chars", {"chars": len(doc.text)})
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from clearlm.pipeline.document import Document, sha256_hex
from clearlm.reasons import DECISIONS

if TYPE_CHECKING:
    from clearlm.pipeline.recorder import TaskRecorder

# Decisions after which a document flows on to the next step and into the stage's output.
PASSING = frozenset({"keep", "flag", "allow"})


@dataclass(frozen=True)
class Verdict:
    """What a step decided about one document, why, and the evidence for it."""

    decision: str
    reasons: tuple[str, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.decision not in DECISIONS:
            raise ValueError(f"unknown decision {self.decision!r} (known: {', '.join(DECISIONS)})")

    @property
    def passes(self) -> bool:
        return self.decision in PASSING


def Keep(*reasons: str, evidence: dict[str, Any] | None = None) -> Verdict:
    return Verdict("keep", reasons, evidence or {})


def Drop(reason: str, evidence: dict[str, Any] | None = None) -> Verdict:
    return Verdict("drop", (reason,), evidence or {})


def Flag(*reasons: str, evidence: dict[str, Any] | None = None) -> Verdict:
    return Verdict("flag", reasons, evidence or {})


class Step(ABC):
    """One step of a stage. Subclasses implement `process` (or `process_batch` to vectorise)."""

    name: ClassVar[str] = "step"

    def process_batch(self, batch: Sequence[Document]) -> list[Verdict]:
        """Decide about a batch; override to vectorise. Must return one verdict per document."""
        return [self.process(doc) for doc in batch]

    @abstractmethod
    def process(self, doc: Document) -> Verdict:
        """Decide about one document. May update `doc.text` or `doc.meta` (annotators do)."""

    def apply(self, batch: Sequence[Document], recorder: TaskRecorder) -> list[Document]:
        """Run the step on a batch, record every verdict, return the documents that pass.

        In dry-run mode a blocking verdict is recorded as it is but the document still flows on,
        so a user can see what every later step would do too.
        """
        texts_before = [doc.text for doc in batch]
        verdicts = self.process_batch(batch)
        if len(verdicts) != len(batch):
            raise RuntimeError(
                f"step {self.name} returned {len(verdicts)} verdicts for {len(batch)} documents"
            )
        passed = []
        for doc, before, verdict in zip(batch, texts_before, verdicts, strict=True):
            if doc.text is not before:
                # A step that rewrote the text (boilerplate, redaction …): the hash follows the text,
                # so the ledger row and the output part name what this step produced; doc_id stays.
                doc.content_sha256 = sha256_hex(doc.text)
            recorder.record(self.name, doc, verdict)
            if verdict.passes or recorder.dry_run:
                passed.append(doc)
        return passed


class Filter(Step):
    """A step that only keeps or drops: implement `keep(doc) -> Keep() | Drop(reason, evidence)`."""

    @abstractmethod
    def keep(self, doc: Document) -> Verdict: ...

    def process(self, doc: Document) -> Verdict:
        verdict = self.keep(doc)
        if verdict.decision not in ("keep", "drop"):
            raise RuntimeError(f"filter {self.name} returned {verdict.decision!r}; filters keep or drop")
        return verdict


class Annotator(Step):
    """A step that adds fields to `doc.meta` and may raise flags; it never drops.

    Implement `annotate(doc)` returning the flags raised (reason codes) and their evidence.
    """

    @abstractmethod
    def annotate(self, doc: Document) -> tuple[list[str], dict[str, Any]]: ...

    def process(self, doc: Document) -> Verdict:
        flags, evidence = self.annotate(doc)
        return Verdict("flag" if flags else "keep", tuple(flags), evidence)
