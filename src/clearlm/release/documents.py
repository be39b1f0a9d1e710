"""The transparency documents of a release, written from one set of facts.

    facts = ReleaseFacts.collect(ws_root, gate_report, config.release, name)
    write_documents(facts, out_dir)   # README.md, data-mix.png, training-data-summary.md/.json,
                                      # ATTRIBUTION.md, LICENSE, croissant.json
    model_license(facts)              # the weights' licence after the data's obligations

The licence is decided first: a trained no-derivatives document raises `LicenceConflict` before any
file is written. Every writer is deterministic for the same facts, so a rerun gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from clearlm.atomic import atomic_write_text
from clearlm.release.attribution import write_attribution
from clearlm.release.croissant import write_croissant
from clearlm.release.data_summary import write_data_summary
from clearlm.release.facts import ReleaseFacts, TrainedDoc
from clearlm.release.license_terms import LicenceConflict, ModelLicense, license_text, model_license
from clearlm.release.model_card import write_model_card

LICENSE_FILE = "LICENSE"

__all__ = [
    "LicenceConflict",
    "ModelLicense",
    "ReleaseFacts",
    "TrainedDoc",
    "model_license",
    "write_documents",
]


def write_documents(facts: ReleaseFacts, out_dir: Path) -> list[Path]:
    """Write every transparency document into `out_dir` (created if needed); the paths, in order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    licence = model_license(facts)
    written = write_model_card(facts, licence, out_dir)
    written += write_data_summary(facts, out_dir)
    written += write_attribution(facts, out_dir)
    licence_path = out_dir / LICENSE_FILE
    atomic_write_text(licence_path, license_text(facts, licence))
    written.append(licence_path)
    written += write_croissant(facts, out_dir)
    return written
