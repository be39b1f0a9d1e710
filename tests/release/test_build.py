"""build_release: the signed folder of DESIGN.md, nothing on refusal or crash, never a canary secret."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from clearlm.errors import CheckFailed, ConfigError, InputError, UserError
from clearlm.release import signing
from clearlm.release.build import ReleaseResult, build_release
from clearlm.release.gate import GateRefused
from clearlm.release.records import read_release_docs, read_releases
from clearlm.workspace import Workspace

DESIGN_FILES = {
    "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
    "generation_config.json", "tiny-clear.gguf", "README.md", "training-data-summary.md",
    "training-data-summary.json", "ATTRIBUTION.md", "LICENSE", "croissant.json", "lineage.json",
    "audit/report.json", "audit/report.md", "data-mix.png", "release.json", "SHA256SUMS",
    "SHA256SUMS.sig", "release.pub",
}  # fmt: skip
# The files a rerun rewrites: release.json carries the time it was made, the checksum and signature follow.
TIMESTAMPED = {"release.json", "SHA256SUMS", "SHA256SUMS.sig"}


@pytest.fixture(scope="module")
def released(audited_ws: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReleaseResult]:
    ws = tmp_path_factory.mktemp("build") / "ws"
    shutil.copytree(audited_ws, ws)
    return ws, build_release(ws, None, None)


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".tmp-")) if parent.is_dir() else []


def test_release_holds_the_design_files(released: tuple[Path, ReleaseResult]) -> None:
    ws, result = released
    assert result.dir == ws / "release" / "tiny-clear-step-000060"
    names = {name for name, _ in result.files}
    assert names >= DESIGN_FILES
    assert {n for n in names if n.startswith("audit/")} <= {"audit/report.json", "audit/report.md"} | {
        f"audit/{p.name}" for p in (ws / "audit").glob("*.png")
    }
    assert (result.dir / "lineage.json").read_bytes() == (
        ws / "checkpoints" / "step-000060" / "lineage.json"
    ).read_bytes()
    meta = json.loads((result.dir / "release.json").read_text())
    assert (meta["name"], meta["checkpoint"], meta["step"]) == ("tiny-clear", "checkpoints/step-000060", 60)
    assert meta["signature"]["public_key"] == (result.dir / "release.pub").read_text()
    assert result.license == meta["license"]
    assert leftovers(result.dir.parent) == []
    # Published files are readable by everyone (safetensors alone would make the weights owner-only).
    assert all(p.stat().st_mode & 0o044 == 0o044 for p in result.dir.rglob("*") if p.is_file())


def test_checksums_and_signature_check_with_standard_tools(released: tuple[Path, ReleaseResult]) -> None:
    _, result = released
    sums = (result.dir / "SHA256SUMS").read_bytes()
    assert result.digest == hashlib.sha256(sums).hexdigest()
    listed = [line.split("  ", 1)[1] for line in sums.decode().splitlines()]
    assert listed == sorted(set(digests(result.dir)) - {"SHA256SUMS", "SHA256SUMS.sig"})
    checked = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=result.dir, check=False)
    assert checked.returncode == 0
    public = signing.load_public_key(result.dir / "release.pub")
    assert signing.signature_valid(public, sums, (result.dir / "SHA256SUMS.sig").read_bytes())
    if shutil.which("openssl"):
        command = (
            "openssl pkeyutl -verify -pubin -inkey release.pub -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig"
        )
        assert subprocess.run(command.split(), cwd=result.dir, capture_output=True).returncode == 0


def test_no_canary_secret_in_any_file(released: tuple[Path, ReleaseResult]) -> None:
    ws, result = released
    canaries = json.loads((ws / "audit" / "canaries.json").read_text())["canaries"]
    assert len(canaries) == 2
    needles = []
    for canary in canaries:
        secret = canary["secret"].strip()
        needles += [secret.encode(), secret.replace(" ", "").encode(), canary["prefix"].encode()]
    for name, _ in result.files:
        data = (result.dir / name).read_bytes()
        assert not [n for n in needles if n in data], name
        assert Path(name).name != "canaries.json"


def test_key_is_private_and_release_is_recorded(released: tuple[Path, ReleaseResult]) -> None:
    ws, result = released
    key_path = ws / "keys" / "release-ed25519.pem"
    assert result.key_path == key_path
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_path.parent.stat().st_mode) == 0o700
    key, _ = signing.load_or_create_key(ws)
    assert signing.public_key_pem(key) == (result.dir / "release.pub").read_bytes()

    [record] = read_releases(ws)
    assert (record.digest, record.dir, record.step) == (result.digest, str(result.dir.resolve()), 60)
    docs = read_release_docs(ws, record)
    meta = json.loads((result.dir / "release.json").read_text())
    assert docs.num_rows == meta["gate"]["trained_documents"] > 0
    assert sum(docs["tokens"].to_pylist()) == meta["gate"]["trained_tokens"]


@pytest.mark.slow
def test_rerun_gives_the_same_files_except_timestamps(fresh_ws: Path) -> None:
    first = build_release(fresh_ws, None, fresh_ws / "out")
    before = digests(first.dir)
    again = build_release(fresh_ws, fresh_ws / "checkpoints" / "step-000060", fresh_ws / "out")
    after = digests(again.dir)
    assert before.keys() == after.keys()
    assert {n for n in before if before[n] != after[n]} <= TIMESTAMPED
    # Two builds within one second have the same `created` time, hence the same digest and one record.
    assert [r.digest for r in read_releases(fresh_ws)] == list(dict.fromkeys([first.digest, again.digest]))
    assert leftovers(fresh_ws) == []


def test_foreign_output_folders_are_refused(released: tuple[Path, ReleaseResult], tmp_path: Path) -> None:
    ws, result = released
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(UserError, match="exists and is not a clearlm release"):
        build_release(ws, None, other)
    assert [p.name for p in other.iterdir()] == ["notes.txt"]

    earlier = tmp_path / "earlier"
    shutil.copytree(result.dir, earlier)
    meta = json.loads((earlier / "release.json").read_text())
    meta["checkpoint"] = "checkpoints/step-000030"
    (earlier / "release.json").write_text(json.dumps(meta))
    with pytest.raises(UserError, match="holds a release of checkpoints/step-000030"):
        build_release(ws, None, earlier)
    assert len(read_releases(ws)) == 1


def test_refusal_writes_nothing(fresh_ws: Path) -> None:
    (fresh_ws / "audit" / "report.json").unlink()
    with pytest.raises(GateRefused) as refused:
        build_release(fresh_ws, None, None)
    assert "audit-missing" in str(refused.value)
    assert not (fresh_ws / "release").exists()
    assert not (fresh_ws / "keys").exists()


def test_a_crash_leaves_no_half_release(fresh_ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import clearlm.export.gguf_file

    def broken(*_args: object, **_kwargs: object) -> Path:
        raise RuntimeError("disk full")

    monkeypatch.setattr(clearlm.export.gguf_file, "export_gguf", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build_release(fresh_ws, None, fresh_ws / "release" / "out")
    assert sorted(p.name for p in (fresh_ws / "release").iterdir()) == []
    assert read_releases(fresh_ws) == []


def test_a_document_quoting_a_canary_is_not_published(
    fresh_ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import clearlm.release.documents as documents

    secret = json.loads((fresh_ws / "audit" / "canaries.json").read_text())["canaries"][0]["secret"]
    write = documents.write_documents

    def quoting(facts: documents.ReleaseFacts, out_dir: Path) -> list[Path]:
        written = write(facts, out_dir)
        with (out_dir / "ATTRIBUTION.md").open("a") as fh:
            fh.write(f"canary 0: my secret code is{secret}\n")
        return written

    monkeypatch.setattr(documents, "write_documents", quoting)
    with pytest.raises(CheckFailed, match=r"ATTRIBUTION\.md contains a canary secret"):
        build_release(fresh_ws, None, fresh_ws / "out")
    assert not (fresh_ws / "out").exists() and leftovers(fresh_ws) == []
    assert read_releases(fresh_ws) == []


def test_stale_staging_of_a_killed_release_is_removed(fresh_ws: Path) -> None:
    dead = subprocess.Popen(["true"])  # a process that has exited: its pid names no running release
    dead.wait()
    stale = fresh_ws / "release" / f".tmp-{dead.pid}-out"
    (stale / "audit").mkdir(parents=True)
    (stale / "model.safetensors").write_bytes(b"half")
    build_release(fresh_ws, None, fresh_ws / "release" / "out")
    assert leftovers(fresh_ws / "release") == []


def test_model_name_must_be_a_plain_file_name(fresh_ws: Path) -> None:
    workspace = Workspace.open(fresh_ws)
    config = workspace.load_config()
    config.release.model_name = "../escape"
    workspace.config_path.write_text(config.to_toml())
    with pytest.raises(ConfigError, match="must be letters, digits"):
        build_release(fresh_ws, None, None)
    assert not (fresh_ws / "release").exists()


def test_configured_signing_key_is_used(fresh_ws: Path, tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    key_file = tmp_path / "publisher.pem"
    key_file.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    workspace = Workspace.open(fresh_ws)
    config = workspace.load_config()
    config.release.signing_key = str(tmp_path / "missing.pem")
    workspace.config_path.write_text(config.to_toml())
    with pytest.raises(InputError, match="signing key not found"):
        build_release(fresh_ws, None, fresh_ws / "out")

    config.release.signing_key = str(key_file)
    workspace.config_path.write_text(config.to_toml())
    result = build_release(fresh_ws, None, fresh_ws / "out")
    assert (result.dir / "release.pub").read_bytes() == signing.public_key_pem(key)
    assert not (fresh_ws / "keys").exists()
