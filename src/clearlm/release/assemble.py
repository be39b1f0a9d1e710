"""The files of one release, written into its staging folder once the gate has passed.

`assemble` exports the weights (transformers folder, then GGUF), writes the transparency documents,
copies lineage.json and the public part of the audit, writes release.json and the public key, refuses
to publish any file quoting a canary secret, and signs SHA256SUMS last, so the signature covers
everything else. `build` owns the staging folder and the rename into place.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.progress import Progress, TaskID

import clearlm
from clearlm.atomic import atomic_write_bytes, atomic_write_text
from clearlm.errors import CheckFailed
from clearlm.release import signing
from clearlm.release.sums import SIGNATURE_FILE, SUMS_FILE, folder_files, write_sums

if TYPE_CHECKING:
    from clearlm.release.config import ReleaseConfig
    from clearlm.release.documents import ReleaseFacts
    from clearlm.release.gate import GateReport

RELEASE_FORMAT = "clearlm-release-v1"
RELEASE_JSON = "release.json"
PUBLIC_KEY_FILE = "release.pub"
LINEAGE_FILE = "lineage.json"
# The audit's public part. canaries.json holds the planted secrets: publishing it would let anyone
# "extract" them and void the canary test, so it is never copied, whatever else audit/ gains.
AUDIT_PATTERNS = ("report.json", "report.md", "*.png")
CANARIES_FILE = "canaries.json"
WEIGHT_SUFFIXES = (".safetensors", ".gguf")


def canary_secrets(ws_root: Path) -> list[str]:
    path = Path(ws_root) / "audit" / CANARIES_FILE
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [str(c["secret"]).strip() for c in data.get("canaries", []) if str(c.get("secret", "")).strip()]


def refuse_leaked_secrets(folder: Path, secrets: list[str]) -> None:
    """Last line of defence: a document generator quoting a canary document must not publish it."""
    needles = [s.encode("utf-8") for s in secrets]
    # Weights are numbers (the GGUF's vocabulary is tokenizer.json's, which is scanned): skipping them
    # keeps a many-GB model out of memory.
    for name in (n for n in folder_files(folder) if not n.endswith(WEIGHT_SUFFIXES)):
        data = (folder / name).read_bytes()
        if any(needle in data for needle in needles):
            raise CheckFailed(f"{name} contains a canary secret; nothing was released", folder / name)


def copy_audit(ws_root: Path, staging: Path) -> None:
    source = Path(ws_root) / "audit"
    target = staging / "audit"
    target.mkdir()
    for pattern in AUDIT_PATTERNS:
        for path in sorted(source.glob(pattern)):
            if path.is_file() and path.name != CANARIES_FILE:
                shutil.copyfile(path, target / path.name)


def assemble(
    staging: Path,
    ws_root: Path,
    report: GateReport,
    settings: ReleaseConfig,
    name: str,
    lineage_bytes: bytes,
    key: Ed25519PrivateKey,
    progress: Progress,
    task: TaskID,
) -> tuple[str, str, bytes]:
    """Write every file of the release into `staging`; (HF licence id, created, SHA256SUMS bytes)."""
    from clearlm.export.gguf_file import export_gguf
    from clearlm.export.hf_folder import export_hf_folder
    from clearlm.release.documents import ReleaseFacts, model_license, write_documents

    progress.update(task, advance=1, description="transformers folder")
    export_hf_folder(Path(report.checkpoint), ws_root / "tokens", staging)
    progress.update(task, advance=1, description="documents: model card, data summary, licence")
    facts = ReleaseFacts.collect(ws_root, report, settings, name)
    write_documents(facts, staging)
    licence = model_license(facts)
    progress.update(task, advance=1, description=f"GGUF ({settings.gguf_dtype})")
    export_gguf(staging, staging / f"{name}.gguf", settings.gguf_dtype, name=name, license=licence.spdx)
    progress.update(task, advance=1, description="lineage, audit, release.json")
    atomic_write_bytes(staging / LINEAGE_FILE, lineage_bytes)
    copy_audit(ws_root, staging)
    public_pem = signing.public_key_pem(key)
    atomic_write_bytes(staging / PUBLIC_KEY_FILE, public_pem)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    meta = release_json(facts, licence.hf, report, created, public_pem, signing.public_key_sha256(key))
    atomic_write_text(staging / RELEASE_JSON, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    refuse_leaked_secrets(staging, canary_secrets(ws_root))
    progress.update(task, advance=1, description="SHA256SUMS and Ed25519 signature")
    sums = write_sums(staging)
    atomic_write_bytes(staging / SIGNATURE_FILE, signing.sign(key, sums))
    return licence.hf, created, sums


def release_json(
    facts: ReleaseFacts, licence: str, report: GateReport, created: str, public_pem: bytes, key_sha256: str
) -> dict[str, Any]:
    """The release's own facts: what it was made from (by hash), when, and the key that signed it."""
    tokens = facts.lineage.get("tokens", {})
    trained = report.trained_docs
    return {
        "format": RELEASE_FORMAT,
        "name": facts.name,
        "checkpoint": facts.checkpoint,
        "step": facts.step,
        "created": created,
        "license": licence,
        "clearlm": clearlm.__version__,
        "inputs": {
            "lineage_sha256": facts.lineage_sha256,
            "tokens_manifest_sha256": tokens.get("manifest_sha256"),
            "tokenizer_sha256": tokens.get("tokenizer_sha256"),
            "index_sha256": tokens.get("index_sha256"),
            "ledger_head": facts.lineage.get("ledger_head"),
            "audit_passed": bool(report.audit and report.audit.get("passed")),
        },
        "gate": {
            "as_of": report.as_of.isoformat(),
            "trained_documents": trained.num_rows,
            "trained_tokens": int(sum(trained["tokens"].to_pylist())),
        },
        "signature": {
            "algorithm": "Ed25519",
            "signs": SUMS_FILE,
            "file": SIGNATURE_FILE,
            "public_key": public_pem.decode("ascii"),
            "public_key_sha256": key_sha256,
        },
    }
