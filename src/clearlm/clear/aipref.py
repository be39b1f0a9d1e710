"""AI-usage preference statements: reading them, and deciding whether one refuses AI training.

The same statements arrive as HTTP headers, `<meta http-equiv>` copies and robots.txt lines
(`clear.optouts`, `clear.robots`): IETF AI preferences (`Content-Usage: train-ai=n`) and
Cloudflare's Content Signals (`Content-Signal: ai-train=no`).
"""

from __future__ import annotations

# IETF AI-preference labels that cover training a generative language model, most specific
# first. The current vocabulary has `train-ai`; earlier drafts nested `train-genai` (or
# `genai`) inside `train-ai` (or `ai`) inside automated processing / TDM (`bots`, `tdm`). An
# explicit y/n at a more specific level overrides the levels above it.
AIPREF_TRAINING_LEVELS = (("train-genai", "genai"), ("train-ai", "ai"), ("bots", "tdm"))
_NO = ("n", "no")
_YES = ("y", "yes")


def parse_preferences(value: str) -> dict[str, str]:
    """A structured-field dictionary (RFC 9651) as the AI-preference headers use it, leniently:
    keys lower-cased, parameters dropped, quotes removed, a bare key is `?1`; the last of a
    duplicated key wins, as RFC 9651 says."""
    prefs: dict[str, str] = {}
    for member in value.split(","):
        key, has_value, rest = member.partition("=")
        key = key.split(";")[0].strip().lower()
        if key:
            prefs[key] = rest.split(";")[0].strip().strip("\"'").lower() if has_value else "?1"
    return prefs


def refuses_training(prefs: dict[str, str]) -> str | None:
    """The `label=value` of an AI-preference statement that refuses AI training, else None."""
    for level in AIPREF_TRAINING_LEVELS:
        said = [(key, prefs[key]) for key in level if prefs.get(key) in _NO + _YES]
        refused = [f"{key}={value}" for key, value in said if value in _NO]
        if refused:
            return refused[0]
        if said:
            return None  # an explicit allow at a more specific level overrides broader ones
    return None


def refuses_ai_train_signal(prefs: dict[str, str]) -> str | None:
    """Cloudflare Content Signals: `ai-train=no` refuses training (`search`, `ai-input` do not)."""
    value = prefs.get("ai-train")
    return f"ai-train={value}" if value in _NO else None
