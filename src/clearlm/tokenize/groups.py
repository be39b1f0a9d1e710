"""Source groups: the unit mixture weights and token counts are reported by."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit


def source_group(source: str, input_roots: Sequence[str]) -> str:
    """The group a document's source URI belongs to.

    file:// sources: `<input root folder name>/<first folder under it>`, or the root's name alone
    for a file directly in it (the root is the longest of `input_roots` that contains the file, so
    nested roots work). A file in no root keeps its parent folder's name, so a group is never empty.
    http(s) sources: the host name. Anything else: the URI scheme.
    """
    parts = urlsplit(source)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return (parts.hostname or "").lower() or scheme
    if scheme != "file":
        return scheme or "unknown"
    path = PurePosixPath(unquote(parts.path))
    containing = [
        root_path
        for root_path in (PurePosixPath(Path(root).resolve().as_posix()) for root in input_roots)
        if path == root_path or root_path in path.parents
    ]
    if not containing:
        return path.parent.name or "file"
    root_path = max(containing, key=lambda p: len(p.parts))
    name = root_path.name
    under = path.relative_to(root_path).parts
    # A file given directly as an input is its own root: its group is the file's name.
    if len(under) <= 1:
        return name
    return f"{name}/{under[0]}"
