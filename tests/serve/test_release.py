"""The release digest: SHA256SUMS when present (checked against the files), else the served files."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import httpx
import pytest

from clearlm.errors import InputError
from clearlm.serve.release import release_identity
from tests.serve.conftest import ServeFactory

SERVED = [
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def folder(model_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(model_dir, tmp_path / "model"))


def write_sums(folder: Path) -> Path:
    lines = [f"{sha(p)}  {p.name}\n" for p in sorted(folder.iterdir()) if p.is_file()]
    (folder / "SHA256SUMS").write_text("".join(lines))
    return folder / "SHA256SUMS"


def test_export_digest_is_over_the_sorted_served_files(folder: Path) -> None:
    listing = "".join(f"{sha(folder / name)}  {name}\n" for name in sorted(SERVED))
    identity = release_identity(folder)
    assert identity.digest == "sha256:" + hashlib.sha256(listing.encode()).hexdigest()
    assert sorted(identity.entries) == SERVED
    (folder / "special_tokens_map.json").write_text("{}")  # not read by the server: no change
    assert release_identity(folder) == identity
    (folder / "tokenizer_config.json").write_text((folder / "tokenizer_config.json").read_text() + " ")
    assert release_identity(folder).digest != identity.digest  # the chat template is part of it


def test_release_digest_is_the_sha256_of_sha256sums(folder: Path) -> None:
    sums = write_sums(folder)
    assert release_identity(folder).digest == "sha256:" + sha(sums)


def test_a_file_that_does_not_match_sha256sums_is_refused(folder: Path) -> None:
    write_sums(folder)
    weights = folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1
    weights.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"SHA256SUMS: line \d+: model.safetensors has SHA-256"):
        release_identity(folder)


def test_a_served_file_missing_from_sha256sums_is_refused(folder: Path) -> None:
    sums = write_sums(folder)
    sums.write_text("".join(line for line in sums.read_text().splitlines(True) if "config.json" not in line))
    with pytest.raises(InputError, match=r"config\.json is served but not listed"):
        release_identity(folder)


def test_a_malformed_sha256sums_names_the_line(folder: Path) -> None:
    sums = write_sums(folder)
    sums.write_text(sums.read_text() + "not a checksum line\n")
    with pytest.raises(InputError, match=r"SHA256SUMS: line 7: expected"):
        release_identity(folder)


def test_binary_mode_and_dot_slash_names_are_read(folder: Path) -> None:
    sums = write_sums(folder)
    sums.write_text(sums.read_text().replace("  ", " *./"))
    assert release_identity(folder).digest == "sha256:" + sha(sums)


def test_every_response_carries_the_digest(serve_app: ServeFactory, folder: Path) -> None:
    sums = write_sums(folder)
    with serve_app(folder, api_key="k") as live:
        expected = "sha256:" + sha(sums)
        for response in (
            httpx.get(f"{live.root}/health"),
            httpx.get(f"{live.base_url}/models"),  # 401
            httpx.get(f"{live.base_url}/models", headers={"Authorization": "Bearer k"}),
            httpx.get(f"{live.root}/nowhere", headers={"Authorization": "Bearer k"}),  # 404
        ):
            assert response.headers["X-ClearLM-Release"] == expected
        card = httpx.get(f"{live.base_url}/models", headers={"Authorization": "Bearer k"}).json()["data"][0]
        assert card["id"] == "model" and card["release"] == expected
