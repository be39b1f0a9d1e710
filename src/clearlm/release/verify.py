"""`clearlm verify-release DIR`: check a release folder offline, reporting every problem found.

Integrity first (SHA256SUMS names exactly the files present, each hash matches, the Ed25519
signature over SHA256SUMS verifies), then that the parts agree and load: release.json against
lineage.json, the model card's YAML front matter against LICENSE, the data summaries name this model
(those document checks live in `verify_documents`), config.json is a transformers LlamaConfig, the
GGUF file opens, and no canaries.json was shipped.

The folder's own release.pub proves the files were not changed after signing, not who signed them:
anyone can re-sign a changed folder with their own key and swap release.pub. Pass the publisher's
key with `--public-key` to pin it; the signature is then checked with that key alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from clearlm.errors import InputError
from clearlm.files import file_sha256
from clearlm.release import signing
from clearlm.release.sums import SIGNATURE_FILE, SUMS_FILE, UNLISTED, folder_files, read_sums, sums_digest
from clearlm.release.verify_documents import (
    PUBLIC_KEY_FILE,
    check_model_card,
    check_named_documents,
    check_release_json,
    front_matter,
    licence_named_in,
)

# front_matter and licence_named_in moved to verify_documents; they stay importable from here.
__all__ = ["VerifyReport", "front_matter", "licence_named_in", "verify_release"]

CANARIES_FILE = "canaries.json"


@dataclass
class VerifyReport:
    """The folder, its digest (SHA-256 of SHA256SUMS, when present), what was checked and what failed."""

    dir: Path
    digest: str | None = None
    name: str | None = None
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_release(folder: Path, *, public_key: Path | None = None) -> VerifyReport:
    """Run every check; InputError (exit 2) only when `folder` or `public_key` cannot be read at all."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("not a folder", folder)
    given_key = signing.load_public_key(public_key) if public_key is not None else None
    report = VerifyReport(folder)
    files = folder_files(folder)
    check_contents(folder, files, report)
    check_sums(folder, files, report)
    check_signature(folder, given_key, report)
    release = check_release_json(folder, report)
    name = release.get("name") if isinstance(release.get("name"), str) else None
    report.name = name
    check_model_card(folder, report)
    check_named_documents(folder, name, report)
    check_config(folder, report)
    check_gguf(folder, name, report)
    return report


def check_contents(folder: Path, files: list[str], report: VerifyReport) -> None:
    report.checked.append("no canaries.json, only regular files")
    for name in files:
        if Path(name).name == CANARIES_FILE:
            report.problems.append(f"{name}: the audit's private canary secrets must never be released")
        path = folder / name
        if path.is_symlink() or not path.is_file():
            report.problems.append(f"{name}: not a regular file (links and devices are not allowed)")


def check_sums(folder: Path, files: list[str], report: VerifyReport) -> None:
    report.checked.append(f"{SUMS_FILE} lists exactly the files present, every hash matches")
    sums_path = folder / SUMS_FILE
    if not sums_path.is_file():
        report.problems.append(f"{SUMS_FILE} is missing")
        return
    try:
        sums = read_sums(sums_path)
    except InputError as err:
        report.problems.append(f"{SUMS_FILE}: {err.message}")
        return
    report.digest = sums_digest(sums_path.read_bytes())
    present = {name for name in files if name not in UNLISTED}
    for name in sorted(set(sums) - present):
        report.problems.append(f"{name}: listed in {SUMS_FILE} but missing")
    for name in sorted(present - set(sums)):
        report.problems.append(f"{name}: present but not listed in {SUMS_FILE}")
    for name in sorted(set(sums) & present):
        path = folder / name
        if path.is_file() and not path.is_symlink() and file_sha256(path) != sums[name]:
            report.problems.append(f"{name}: SHA-256 differs from {SUMS_FILE} (changed after release)")


def check_signature(folder: Path, given: Ed25519PublicKey | None, report: VerifyReport) -> None:
    report.checked.append(f"{SIGNATURE_FILE} verifies (Ed25519)")
    own: Ed25519PublicKey | None = None
    try:
        own = signing.load_public_key(folder / PUBLIC_KEY_FILE)
    except InputError as err:
        report.problems.append(f"{PUBLIC_KEY_FILE}: {err.message}")
    if given is not None and own is not None and signing.public_key_pem(given) != signing.public_key_pem(own):
        report.problems.append(f"{PUBLIC_KEY_FILE} is not the key given with --public-key")
    key = given or own
    sums_path, sig_path = folder / SUMS_FILE, folder / SIGNATURE_FILE
    if key is None or not sums_path.is_file():
        return
    if not sig_path.is_file():
        report.problems.append(f"{SIGNATURE_FILE} is missing")
        return
    which = "the key given with --public-key" if given is not None else PUBLIC_KEY_FILE
    if not signing.signature_valid(key, sums_path.read_bytes(), sig_path.read_bytes()):
        report.problems.append(
            f"{SIGNATURE_FILE}: the signature over {SUMS_FILE} does not verify with {which}"
        )


def check_config(folder: Path, report: VerifyReport) -> None:
    report.checked.append("config.json loads as a transformers LlamaConfig")
    from transformers import LlamaConfig

    try:
        config = LlamaConfig.from_json_file(str(folder / "config.json"))
    except (OSError, ValueError, TypeError) as err:
        report.problems.append(f"config.json: not a transformers config ({err})")
        return
    if "LlamaForCausalLM" not in (getattr(config, "architectures", None) or []):
        report.problems.append("config.json: not a Llama model (architectures)")


def check_gguf(folder: Path, name: str | None, report: VerifyReport) -> None:
    report.checked.append("the GGUF file opens with gguf.GGUFReader")
    import gguf

    found = sorted(p for p in folder.glob("*.gguf") if p.is_file())
    expected = folder / f"{name}.gguf" if name else None
    if expected is not None and expected not in found:
        report.problems.append(f"{expected.name} is missing")
    for path in found:
        try:
            reader = gguf.GGUFReader(path)
        except (OSError, ValueError, KeyError, IndexError) as err:
            report.problems.append(f"{path.name}: not a readable GGUF file ({err})")
            continue
        if not reader.tensors:
            report.problems.append(f"{path.name}: holds no tensors")
