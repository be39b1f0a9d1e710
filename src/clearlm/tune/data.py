"""Private chat data: JSONL in OpenAI's messages format, validated whole before anything trains.

One conversation per line:

    {"messages": [{"role": "system", "content": "You are ..."},
                  {"role": "user", "content": "Hi"},
                  {"role": "assistant", "content": "Hello!"}, ...]}

Roles are system, user or assistant; content is a string; every conversation has at least one
assistant turn (the only text the model learns to produce). Blank lines are skipped. Every bad line
is collected with its number and what is wrong, and the whole file is refused: a run never trains on
half of a file whose other half the user has yet to fix.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clearlm.errors import InputError

ROLES = ("system", "user", "assistant")
MESSAGE_KEYS = frozenset({"role", "content"})
# How many bad lines the one-line error shows; the rest are counted.
SHOWN_PROBLEMS = 3


@dataclass(frozen=True)
class Conversation:
    """One valid line: its 1-based line number, its messages and a content-derived id."""

    line: int
    messages: list[dict[str, str]]
    example_id: str


@dataclass(frozen=True)
class LineProblem:
    line: int
    problem: str


class ChatDataError(InputError):
    """The data file has bad lines; `problems` lists every one, the message the first few."""

    def __init__(self, path: Path, problems: list[LineProblem], total_lines: int) -> None:
        shown = "; ".join(f"{path}:{p.line}: {p.problem}" for p in problems[:SHOWN_PROBLEMS])
        rest = len(problems) - SHOWN_PROBLEMS
        more = f"; … and {rest} more bad line{'s' if rest > 1 else ''}" if rest > 0 else ""
        summary = f" ({len(problems)} of {total_lines} lines bad; nothing was trained)"
        # The message itself names the file at every line, as compilers do, so no path prefix.
        super().__init__(shown + more + summary)
        self.path = str(path)
        self.problems = problems


def example_id(messages: list[dict[str, str]]) -> str:
    """SHA-256 of the conversation's canonical JSON: the same conversation has the same id anywhere."""
    canonical = json.dumps({"messages": messages}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def check_message(index: int, message: Any) -> str | None:
    """What is wrong with the `index`-th (1-based) message, or None."""
    where = f"message {index}"
    if not isinstance(message, dict):
        return f"{where} is {_describe(message)} (expected an object with role and content)"
    for key in ("role", "content"):
        if key not in message:
            return f"{where} has no {key!r}"
    unknown = sorted(set(message) - MESSAGE_KEYS)
    if unknown:
        return f"{where} has unknown key {unknown[0]!r} (expected only role and content)"
    role, content = message["role"], message["content"]
    if role not in ROLES:
        shown = repr(role) if isinstance(role, str) else _describe(role)
        return f"{where} has role {shown} (expected system, user or assistant)"
    if not isinstance(content, str):
        return f"{where} content is {_describe(content)} (expected a string)"
    return None


def check_record(record: Any) -> str | None:
    """What is wrong with one parsed line, or None when it is a usable conversation."""
    if not isinstance(record, dict):
        return f'line is {_describe(record)} (expected an object with "messages")'
    if "messages" not in record:
        return 'no "messages" key'
    unknown = sorted(set(record) - {"messages"})
    if unknown:
        return f'unknown key {unknown[0]!r} (expected only "messages")'
    messages = record["messages"]
    if not isinstance(messages, list):
        return f'"messages" is {_describe(messages)} (expected a list of messages)'
    if not messages:
        return '"messages" is empty'
    for index, message in enumerate(messages, start=1):
        problem = check_message(index, message)
        if problem:
            return problem
    if not any(m["role"] == "assistant" for m in messages):
        return "no assistant message (nothing to learn from this conversation)"
    return None


def parse_line(raw: bytes) -> tuple[Any, str | None]:
    """The JSON value of one line, or the reason it is not JSON."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, f"not UTF-8 text (byte {err.start + 1})"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as err:
        return None, f"not valid JSON ({err.msg} at column {err.colno})"


def read_chat_jsonl(path: Path | str) -> list[Conversation]:
    """Every conversation of the file, or a ChatDataError listing every bad line (nothing half-read)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("chat data file not found", path) from None
    except IsADirectoryError:
        raise InputError("expected a JSONL file, got a folder", path) from None
    except OSError as err:
        raise InputError(f"unreadable ({err.strerror})", path) from None
    conversations: list[Conversation] = []
    problems: list[LineProblem] = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last line starts no line of its own
    for number, raw in enumerate(lines, start=1):
        raw = raw.removesuffix(b"\r").removeprefix(b"\xef\xbb\xbf" if number == 1 else b"")
        if not raw.strip():
            continue
        record, problem = parse_line(raw)
        problem = problem or check_record(record)
        if problem:
            problems.append(LineProblem(number, problem))
            continue
        messages = [{"role": m["role"], "content": m["content"]} for m in record["messages"]]
        conversations.append(Conversation(number, messages, example_id(messages)))
    if problems:
        raise ChatDataError(path, problems, len(lines))
    if not conversations:
        raise InputError("empty file: no chat examples (expected one JSON object per line)", path)
    return conversations
