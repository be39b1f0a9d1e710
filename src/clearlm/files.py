"""Reading files every stage reads: a file's SHA-256, and a JSON object with a one-line error."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from clearlm.errors import InputError


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks (weights and shards can be many GB)."""
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    except FileNotFoundError:
        raise InputError("missing file", path) from None
    except OSError as err:
        raise InputError(f"unreadable file ({err})", path) from None
    return digest.hexdigest()


def read_json_object(path: Path, what: str = "file", *, missing_hint: str = "") -> dict[str, Any]:
    """The JSON object in `path`; an InputError naming the file if missing, unreadable or not an object."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"missing {what}{missing_hint}", path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"unreadable {what} ({err})", path) from None
    if not isinstance(data, dict):
        raise InputError(f"{what} is not a JSON object", path)
    return data
