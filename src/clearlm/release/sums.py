"""SHA256SUMS of a release folder, in the format `sha256sum` writes and `sha256sum -c` checks.

One line per file, `<64 hex>  <path>`, the path relative to the folder with `/` separators, sorted,
covering every file except SHA256SUMS itself and its signature. Parsing is shared with the server
(`clearlm.serve.release`), which checks the same file before it answers with the release's digest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from clearlm.atomic import atomic_write_bytes
from clearlm.errors import InputError
from clearlm.files import file_sha256
from clearlm.serve.release import read_sums as _read_sums_with_lines

SUMS_FILE = "SHA256SUMS"
SIGNATURE_FILE = "SHA256SUMS.sig"
# The two files the listing cannot cover: the listing itself and the signature made over it.
UNLISTED = frozenset({SUMS_FILE, SIGNATURE_FILE})


def folder_files(folder: Path) -> list[str]:
    """Every entry under `folder` that is not a folder, as sorted relative POSIX paths.

    Links and other non-regular entries are included so that a checker sees (and rejects) them.
    """
    folder = Path(folder)
    names = [
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_symlink() or not path.is_dir()
    ]
    return sorted(names)


def listed_files(folder: Path) -> list[str]:
    """The files SHA256SUMS must name: all of them but the listing and its signature."""
    return [name for name in folder_files(folder) if name not in UNLISTED]


def format_sums(entries: dict[str, str]) -> bytes:
    """`sha256sum` text-mode lines, sorted by path; refuses names `sha256sum` would escape."""
    for name in entries:
        if "\n" in name or "\\" in name or PurePosixPath(name).is_absolute() or ".." in name.split("/"):
            raise ValueError(f"{name!r} cannot be listed in {SUMS_FILE}")
    return "".join(f"{entries[name]}  {name}\n" for name in sorted(entries)).encode("utf-8")


def compute_sums(folder: Path, names: list[str]) -> dict[str, str]:
    return {name: file_sha256(Path(folder) / name) for name in names}


def write_sums(folder: Path) -> bytes:
    """Hash every file of `folder`, write SHA256SUMS there and return its bytes."""
    data = format_sums(compute_sums(folder, listed_files(folder)))
    atomic_write_bytes(Path(folder) / SUMS_FILE, data)
    return data


def read_sums(path: Path) -> dict[str, str]:
    """path → hex SHA-256 from a SHA256SUMS file; InputError naming the first malformed line."""
    return {name: digest for name, (digest, _line) in _read_sums_with_lines(Path(path)).items()}


def sums_digest(data: bytes) -> str:
    """The release's identity: SHA-256 (hex) of its SHA256SUMS bytes, as `clearlm serve` reports it."""
    return hashlib.sha256(data).hexdigest()


def safe_relative(name: str, folder: Path) -> Path:
    """`folder / name` for a listed name, refusing names that point outside the folder."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        raise InputError(f"{name!r} points outside the release folder", Path(folder) / SUMS_FILE)
    return Path(folder) / pure
