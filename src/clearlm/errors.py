"""One error hierarchy for clearlm.

The CLI is the only place that turns these into exit codes: a `UserError` (bad usage or input)
exits 2 with one line naming the file and what is wrong; a `CheckFailed` (the gate refused,
verify found tampering) exits 1. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class ClearLMError(Exception):
    """Base of every error clearlm raises on purpose."""

    exit_code = 2

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.message = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class UserError(ClearLMError):
    """The user asked for something that cannot be done as asked (exit 2)."""


class InputError(UserError):
    """An input file or folder is missing, unreadable or of an unknown kind."""


class ConfigError(UserError):
    """A recipe or a `--set` override is malformed, mistyped or names an unknown key."""


class WorkspaceError(UserError):
    """The workspace is missing, locked by another run, or was made with another config."""


class CheckFailed(ClearLMError):
    """A check ran and said no: tampering found, gate refused (exit 1)."""

    exit_code = 1


class LedgerTampered(CheckFailed):
    """`ledger verify` found a row that was edited, removed, reordered or inserted."""
