"""Settings of the release stage: `[release]` in a recipe."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReleaseConfig:
    """What `clearlm release` publishes about the model, and how it signs it."""

    # The model's name in the card and the folder (empty = the run's `name`).
    model_name: str = ""
    # Who publishes the model: the "provider" of the EU AI Act summary, and a contact for complaints.
    provider: str = "the clearlm user"
    contact: str = ""
    # The licence the publisher wants for the weights (SPDX id or an HF licence name). Obligations of
    # the training data can narrow it: non-commercial data makes the model non-commercial, and so on.
    license: str = "apache-2.0"
    languages: list[str] = field(default_factory=lambda: ["en"])
    tags: list[str] = field(default_factory=list)
    intended_use: str = (
        "Research and product prototypes that need a language model whose every training document "
        "was cleared for this use."
    )
    # An Ed25519 private key (PEM) to sign with; empty = WS/keys/release-ed25519.pem, made on first use.
    signing_key: str = ""
    # GGUF tensor type for the release's .gguf file.
    gguf_dtype: str = "f32"
    # ISO date contracts are checked against for this release; empty = the day the gate runs.
    as_of: str = ""
