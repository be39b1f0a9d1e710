"""`clearlm verify-release DIR`: check a release folder offline, reporting every problem found.

Integrity first (SHA256SUMS names exactly the files present, each hash matches, the Ed25519
signature over SHA256SUMS verifies), then that the parts agree and load: release.json against
lineage.json, the model card's YAML front matter against LICENSE, the data summaries name this model,
config.json is a transformers LlamaConfig, the GGUF file opens, and no canaries.json was shipped.

The folder's own release.pub proves the files were not changed after signing, not who signed them:
anyone can re-sign a changed folder with their own key and swap release.pub. Pass the publisher's
key with `--public-key` to pin it; the signature is then checked with that key alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs installed
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from clearlm.errors import InputError
from clearlm.files import file_sha256
from clearlm.release import signing
from clearlm.release.sums import SIGNATURE_FILE, SUMS_FILE, UNLISTED, folder_files, read_sums, sums_digest

PUBLIC_KEY_FILE = "release.pub"
RELEASE_JSON = "release.json"
LINEAGE_FILE = "lineage.json"
CANARIES_FILE = "canaries.json"
NAMED_DOCUMENTS = ("training-data-summary.json", "croissant.json")
# LICENSE states the terms in one sentence: "... are released under <SPDX id>."
LICENCE_STATEMENT = re.compile(r"released under (\S+?)\.?\s*$", re.MULTILINE)


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


def read_text(folder: Path, name: str, report: VerifyReport) -> str | None:
    try:
        return (folder / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        report.problems.append(f"{name}: unreadable ({err})")
        return None


def read_json_object(folder: Path, name: str, report: VerifyReport) -> dict[str, Any] | None:
    text = read_text(folder, name, report)
    try:
        data = json.loads(text) if text is not None else None
    except ValueError as err:
        report.problems.append(f"{name}: not readable JSON ({err})")
        return None
    if text is None:
        return None
    if not isinstance(data, dict):
        report.problems.append(f"{name}: expected a JSON object")
        return None
    return data


def section(data: dict[str, Any], key: str) -> dict[str, Any]:
    """data[key] when it is an object, else {} (a malformed field then fails the comparison)."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def check_release_json(folder: Path, report: VerifyReport) -> dict[str, Any]:
    """release.json names the lineage.json shipped beside it, and the key in release.pub."""
    report.checked.append(f"{RELEASE_JSON} agrees with {LINEAGE_FILE} and {PUBLIC_KEY_FILE}")
    release = read_json_object(folder, RELEASE_JSON, report)
    lineage = read_json_object(folder, LINEAGE_FILE, report)
    if release is None:
        return {}
    inputs = section(release, "inputs")
    if lineage is not None:
        if inputs.get("lineage_sha256") != file_sha256(folder / LINEAGE_FILE):
            report.problems.append(f"{RELEASE_JSON}: lineage_sha256 is not the SHA-256 of {LINEAGE_FILE}")
        tokens = section(lineage, "tokens")
        pairs = [
            ("step", release.get("step"), lineage.get("step")),
            ("ledger_head", inputs.get("ledger_head"), lineage.get("ledger_head")),
            ("tokens_manifest_sha256", inputs.get("tokens_manifest_sha256"), tokens.get("manifest_sha256")),
            ("tokenizer_sha256", inputs.get("tokenizer_sha256"), tokens.get("tokenizer_sha256")),
        ]
        for key, ours, theirs in pairs:
            if ours != theirs:
                report.problems.append(
                    f"{RELEASE_JSON}: {key} {ours!r} differs from {LINEAGE_FILE}'s {theirs!r}"
                )
    pub = folder / PUBLIC_KEY_FILE
    signature = section(release, "signature")
    if pub.is_file() and signature.get("public_key") != pub.read_text(encoding="utf-8", errors="replace"):
        report.problems.append(f"{RELEASE_JSON}: signature.public_key is not the key in {PUBLIC_KEY_FILE}")
    if not isinstance(release.get("name"), str) or not release.get("name"):
        report.problems.append(f"{RELEASE_JSON}: no model name")
    return release


def licence_named_in(meta: dict[str, Any], licence_text: str) -> bool:
    """LICENSE states the card's `license` (its `license_name` when that is "other"), spelt either way."""
    stated = LICENCE_STATEMENT.search(licence_text)
    declared = meta.get("license_name") if meta.get("license") == "other" else meta.get("license")

    def key(text: str) -> str:  # "CC-BY-SA-4.0" and "cc-by-sa-4.0" name the same licence
        return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")

    return stated is not None and key(stated.group(1)) == key(str(declared))


def front_matter(text: str) -> str | None:
    """The YAML between the leading `---` line and the next `---` line, as the Hub reads it."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:number])
    return None


def check_model_card(folder: Path, report: VerifyReport) -> None:
    report.checked.append("README.md front matter parses and names the licence in LICENSE")
    card = read_text(folder, "README.md", report)
    if card is None:
        return
    yaml_text = front_matter(card)
    if yaml_text is None:
        report.problems.append("README.md: no YAML front matter between '---' lines")
        return
    try:
        meta = yaml.safe_load(yaml_text)
    except yaml.YAMLError as err:
        report.problems.append(f"README.md: front matter is not valid YAML ({str(err).splitlines()[0]})")
        return
    if not isinstance(meta, dict) or not meta.get("license"):
        report.problems.append("README.md: front matter names no license")
        return
    licence_text = read_text(folder, "LICENSE", report)
    if licence_text is not None and not licence_named_in(meta, licence_text):
        report.problems.append(f"LICENSE does not state the licence README.md declares ({meta['license']})")


def mentions(value: Any, name: str) -> bool:
    """Some string in the JSON names `name` as a word ("tiny-clear", "tiny-clear-training-tokens")."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return any(mentions(v, name) for v in value)
    return isinstance(value, str) and re.search(rf"(?<![\w.-]){re.escape(name)}(?!\w)", value) is not None


def check_named_documents(folder: Path, name: str | None, report: VerifyReport) -> None:
    report.checked.append(f"{' and '.join(NAMED_DOCUMENTS)} parse and name this model")
    for document in NAMED_DOCUMENTS:
        data = read_json_object(folder, document, report)
        if data is not None and name and not mentions(data, name):
            report.problems.append(f"{document}: does not name the model {name!r}")


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
