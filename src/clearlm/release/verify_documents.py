"""verify-release's document checks: the files that describe a release agree with each other.

release.json against the lineage.json shipped beside it and the key in release.pub, the model card's
YAML front matter against LICENSE, and the data summaries naming this model. Every check appends
what is wrong to the report and goes on, so one run lists every problem.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml  # type: ignore[import-untyped]  # no stubs installed

from clearlm.files import file_sha256

if TYPE_CHECKING:  # verify imports this module; the report type is only named here
    from clearlm.release.verify import VerifyReport

PUBLIC_KEY_FILE = "release.pub"
RELEASE_JSON = "release.json"
LINEAGE_FILE = "lineage.json"
NAMED_DOCUMENTS = ("training-data-summary.json", "croissant.json")
# LICENSE states the terms in one sentence: "... are released under <SPDX id>."
LICENCE_STATEMENT = re.compile(r"released under (\S+?)\.?\s*$", re.MULTILINE)


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
