"""The clearance policy: what a run may train on. TOML; the default targets a commercial release.

The default is the case in the news: an open-weights model a company will use commercially. It
denies non-commercial and no-derivatives licences, honours every opt-out signal, and allows only
positive evidence (public domain, CC0/BY/BY-SA, OSI-approved licences, Project Gutenberg public-domain
editions, contracts in scope and in date, the user's own data).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w

# The same typed builder as the run config: unknown keys are errors, not silent defaults.
from clearlm.config import build_dataclass, read_toml
from clearlm.errors import ConfigError

# AI crawlers whose robots.txt groups a site uses to refuse AI training (robots.txt user agents).
AI_AGENTS = [
    "GPTBot",
    "ChatGPT-User",
    "CCBot",
    "ClaudeBot",
    "anthropic-ai",
    "Claude-Web",
    "Google-Extended",
    "meta-externalagent",
    "FacebookBot",
    "Applebot-Extended",
    "PerplexityBot",
    "Bytespider",
    "cohere-ai",
    "Amazonbot",
    "Diffbot",
    "omgili",
    "Timpibot",
    "ImagesiftBot",
]


@dataclass
class AuditPolicy:
    """`[policy.audit]`: the memorisation a release may show (`clearlm audit`, docs/audit.md)."""

    # Share of sampled training documents whose suffix greedy decoding reproduces exactly.
    max_extraction_rate: float = 0.01
    # No canary planted this many times or more may be extractable by greedy decoding.
    canary_max_repeats_extractable: int = 5
    # Highest membership-inference AUROC allowed; 1.0 = report only.
    max_mia_auroc: float = 1.0


@dataclass
class Policy:
    """Every knob of clearance. `clearlm policy show` prints the effective one."""

    name: str = "commercial-open-weights"
    # "commercial" denies NC; "research" may allow NC (then the release carries the NC restriction).
    release: str = "commercial"
    # SPDX ids allowed as positive evidence; shell-style globs; "@osi" = any OSI-approved licence.
    allow_licenses: list[str] = field(
        default_factory=lambda: [
            "CC0-1.0",
            "CC-PDDC",
            "PDDL-1.0",
            "CC-BY-*",
            "CC-BY-SA-*",
            "ODC-By-1.0",
            "@osi",
        ]
    )
    allow_non_commercial: bool = False
    allow_no_derivatives: bool = False
    allow_gutenberg: bool = True
    # Our crawler's user agent; robots.txt rules for it, for "*", and for every agent in
    # respect_agents are honoured (a site refusing GPTBot refuses AI training, whoever crawls).
    crawler_user_agent: str = "ClearLMBot"
    respect_agents: list[str] = field(default_factory=lambda: list(AI_AGENTS))
    # Works first published this year or earlier are public domain in the US (95-year term).
    public_domain_before_year: int = field(default_factory=lambda: date.today().year - 95)
    # A registry match needs at least this many words of a registered work.
    registry_min_words: int = 200
    registry_path: str = ""
    contracts_path: str = ""
    # Sources (fnmatch globs over the document's source URI) that are the user's own data.
    first_party_sources: list[str] = field(default_factory=list)
    audit: AuditPolicy = field(default_factory=AuditPolicy)

    def to_toml(self) -> str:
        return tomli_w.dumps({"policy": dataclasses.asdict(self)})


def load_policy(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Policy:
    """The default policy, or the one in `path` (a `[policy]` table), with overrides applied."""
    data: dict[str, Any] = {}
    if path is not None:
        raw = read_toml(path, "policy file")
        data = raw.get("policy", raw)
    data = {**data, **(overrides or {})}
    try:
        policy: Policy = build_dataclass(Policy, data, "policy.")
    except ConfigError as exc:
        raise ConfigError(exc.message, path) from None
    if policy.release not in ("commercial", "research"):
        raise ConfigError(f"policy.release must be 'commercial' or 'research', not {policy.release!r}", path)
    if policy.release == "commercial" and policy.allow_non_commercial:
        raise ConfigError("a commercial release cannot allow non-commercial licences", path)
    base = Path(path).resolve().parent if path is not None else Path.cwd()
    for attr in ("registry_path", "contracts_path"):
        value = getattr(policy, attr)
        if value:
            setattr(policy, attr, str((base / value).resolve()))
    return policy
