"""A stage: a source that splits input into tasks, and the steps each task's documents go through."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clearlm.pipeline.document import Document, Malformed
from clearlm.pipeline.step import Step, Verdict

if TYPE_CHECKING:
    from clearlm.pipeline.recorder import TaskPaths


@dataclass(frozen=True)
class TaskSpec:
    """One unit of work. `inputs` is JSON-able so the plan can be saved and resumed."""

    index: int
    inputs: tuple[dict[str, Any], ...]
    size_bytes: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "inputs": list(self.inputs), "size_bytes": self.size_bytes}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaskSpec:
        return cls(int(data["index"]), tuple(data["inputs"]), int(data.get("size_bytes", 0)))


class Source(ABC):
    """Where a stage's documents come from: it plans tasks and reads one task's documents."""

    name = "read"

    @abstractmethod
    def plan(self) -> list[TaskSpec]:
        """Split the input into tasks, deterministically (same input, same tasks)."""

    @abstractmethod
    def read(self, task: TaskSpec) -> Iterator[Document | Malformed]:
        """Yield the task's documents in a deterministic order; bad input as Malformed, never raised."""

    def read_verdict(self, doc: Document) -> Verdict | None:
        """The ledger event for reading `doc`, or None when an earlier stage already recorded it."""
        return None

    def check_task(self, task: TaskSpec) -> None:
        """Raise a UserError if a saved task's input changed since the plan was made."""
        return None


class TaskSidecar(ABC):
    """A task's extra output beside its part (e.g. token ids), published with it, atomically.

    `run_task` makes one per task, feeds it every batch the steps let through (the documents the
    part gets, in the same order), publishes it before the done marker and aborts it on error, so
    a killed task leaves nothing a reader trusts and its rerun writes the same bytes.
    """

    @abstractmethod
    def write(self, docs: Sequence[Document]) -> None:
        """Take a batch of documents that passed every step (may be empty)."""

    @abstractmethod
    def publish(self) -> None:
        """Move everything written under its final name(s)."""

    @abstractmethod
    def abort(self) -> None:
        """Remove whatever was written; called when the task fails."""


@dataclass
class Stage:
    """A named source plus steps. `settings` is the config the stage ran with, frozen at plan time."""

    name: str
    source: Source
    steps: list[Step] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    batch_size: int = 512
    dry_run: bool = False
    # The stage name written in ledger rows, when it differs from the folder name (curation runs in
    # two passes, `curate_prep` and `curate`, and both record their events as stage "curate").
    ledger_stage: str = ""
    # Makes the per-task side output, if the stage has one. Tasks may run in other processes, so it
    # must pickle (a class or a top-level callable, not a lambda).
    sidecar: Callable[[TaskPaths], TaskSidecar] | None = None

    @property
    def ledger_name(self) -> str:
        return self.ledger_stage or self.name
