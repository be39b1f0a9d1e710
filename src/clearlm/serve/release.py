"""Which model answered: one SHA-256 that names the exact files the server loaded.

A release folder carries `SHA256SUMS` (`<hex>  <name>` lines, what `sha256sum` prints). Its digest
is then the release's identity: `sha256:` + SHA-256 of that file. Before trusting it, every file the
server reads is checked against its line, so the header cannot name a release whose weights were
swapped afterwards. A plain HF export has no SHA256SUMS: the identity is then the SHA-256 of a
listing in the same format over the files the server reads, sorted by name. An adapter served on top
adds its own files (or its own SHA256SUMS) under `adapter/`, so base and base+adapter never share a
digest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from clearlm.errors import InputError
from clearlm.files import file_sha256

SUMS_FILE = "SHA256SUMS"
# What the server reads from a model folder; generation_config.json only when present.
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")
OPTIONAL_MODEL_FILES = ("generation_config.json",)
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
ADAPTER_PREFIX = "adapter/"


@dataclass(frozen=True)
class ReleaseIdentity:
    """`digest` ("sha256:<hex>") and the (name → SHA-256) entries it was computed from."""

    digest: str
    entries: dict[str, str] = field(default_factory=dict)


def read_sums(path: Path) -> dict[str, tuple[str, int]]:
    """name → (hex SHA-256, line number) from a `sha256sum`-style file; refuses malformed lines."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"unreadable checksum file ({err})", path) from None
    sums: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        digest, sep, name = line.partition(" ")
        # sha256sum writes "<hex>  <name>" in text mode and "<hex> *<name>" in binary mode.
        name = name.removeprefix(" ").removeprefix("*").removeprefix("./")
        if not sep or len(digest) != 64 or not _is_hex(digest) or not name:
            raise InputError(f"line {number}: expected '<sha256 hex>  <file name>', got {line[:80]!r}", path)
        sums[name] = (digest.lower(), number)
    return sums


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


def served_files(folder: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[str]:
    """The names the server will read from `folder`, in a fixed order."""
    return list(required) + [name for name in optional if (folder / name).is_file()]


def verify_against_sums(folder: Path, names: list[str]) -> str:
    """Check each named file against SHA256SUMS; return the hex SHA-256 of SHA256SUMS itself."""
    sums_path = folder / SUMS_FILE
    sums = read_sums(sums_path)
    for name in names:
        if name not in sums:
            raise InputError(f"{name} is served but not listed", sums_path)
        expected, line = sums[name]
        actual = file_sha256(folder / name)
        if actual != expected:
            raise InputError(
                f"line {line}: {name} has SHA-256 {actual}, the file lists {expected}", sums_path
            )
    return file_sha256(sums_path)


def folder_entries(folder: Path, names: list[str], prefix: str = "") -> dict[str, str]:
    """Entries naming `folder`: its SHA256SUMS (after checking it) when present, else each file."""
    if (folder / SUMS_FILE).is_file():
        return {prefix + SUMS_FILE: verify_against_sums(folder, names)}
    return {prefix + name: file_sha256(folder / name) for name in names}


def listing(entries: dict[str, str]) -> bytes:
    """The entries in SHA256SUMS format, sorted by name: the bytes the digest is taken over."""
    return "".join(f"{entries[name]}  {name}\n" for name in sorted(entries)).encode("utf-8")


def release_identity(model_dir: Path, adapter_dir: Path | None = None) -> ReleaseIdentity:
    """The digest naming `model_dir` (plus `adapter_dir` when an adapter is served on top)."""
    entries = folder_entries(model_dir, served_files(model_dir, MODEL_FILES, OPTIONAL_MODEL_FILES))
    if adapter_dir is not None:
        entries |= folder_entries(adapter_dir, list(ADAPTER_FILES), ADAPTER_PREFIX)
    if list(entries) == [SUMS_FILE]:
        # A release alone: its identity is exactly the checksum file `verify-release` checks.
        return ReleaseIdentity(f"sha256:{entries[SUMS_FILE]}", entries)
    return ReleaseIdentity(f"sha256:{hashlib.sha256(listing(entries)).hexdigest()}", entries)
