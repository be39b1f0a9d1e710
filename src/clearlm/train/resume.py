"""What a run must agree on with the checkpoint it resumes from, and the state a checkpoint records."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import Any

from clearlm.errors import ConfigError, WorkspaceError
from clearlm.model.config import LlamaConfig
from clearlm.train.checkpoint import Checkpoint, rng_state
from clearlm.train.config import TrainConfig
from clearlm.train.token_dir import TokenDir

# Keys that change how a run is watched or how fast it goes, never the numbers it computes.
NEUTRAL_KEYS = frozenset({"log_every", "checkpoint_every", "keep_checkpoints", "threads", "compile"})
TOKEN_KEYS = ("index_sha256", "tokenizer_sha256", "ledger_head")


def resolve_model_config(cfg: TrainConfig, tokens: TokenDir) -> LlamaConfig:
    """cfg.model with the vocabulary taken from the tokenizer when unset, checked against the data."""
    model = cfg.model
    if model.vocab_size == 0:
        multiple = max(model.vocab_multiple, 1)
        vocab = -(-tokens.vocab_size // multiple) * multiple
        model = dataclasses.replace(model, vocab_size=vocab)
    elif model.vocab_size < tokens.vocab_size:
        raise ConfigError(
            f"train.model.vocab_size ({model.vocab_size}) is below the tokenizer's {tokens.vocab_size} ids"
        )
    problems = model.validate()
    if cfg.seq_len > model.max_seq_len:
        problems.append(
            f"train.seq_len ({cfg.seq_len}) exceeds train.model.max_seq_len ({model.max_seq_len})"
        )
    for name in ("seq_len", "micro_batch", "grad_accum", "steps", "log_every"):
        if getattr(cfg, name) <= 0:
            problems.append(f"train.{name} must be positive")
    if cfg.warmup_steps < 0 or cfg.eval_every < 0 or cfg.checkpoint_every < 0:
        problems.append("train.warmup_steps, eval_every and checkpoint_every must not be negative")
    if problems:
        raise ConfigError("; ".join(f"train.{p}" if p.startswith("model.") else p for p in problems))
    return model


def _flatten(obj: dict[str, Any], prefix: str) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def changed_keys(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Dotted train.* keys whose values differ (neutral keys ignored), as 'key (old → new)'."""
    old, new = _flatten(saved, "train."), _flatten(current, "train.")
    out = []
    for key in sorted(set(old) | set(new)):
        if key.removeprefix("train.") in NEUTRAL_KEYS:
            continue
        if old.get(key) != new.get(key):
            out.append(f"{key} ({old.get(key)!r} → {new.get(key)!r})")
    return out


def check_resumable(
    checkpoint: Checkpoint, cfg: TrainConfig, seed: int, tokens: TokenDir, global_batch: int
) -> None:
    """Refuse to continue a checkpoint under another config, seed, token data or global batch."""
    state = checkpoint.state
    problems = changed_keys(state.get("train_config", {}), dataclasses.asdict(cfg))
    if state.get("seed") != seed:
        problems.append(f"seed ({state.get('seed')!r} → {seed!r})")
    saved_tokens = state.get("tokens", {})
    for key in TOKEN_KEYS:
        if saved_tokens.get(key) != tokens.manifest.get(key):
            problems.append(f"tokens {key} (the token data changed)")
    if state.get("global_batch") != global_batch:
        problems.append(
            f"global batch ({state.get('global_batch')} → {global_batch} sequences; "
            f"world size was {state.get('world_size')})"
        )
    if problems:
        raise WorkspaceError(
            "cannot resume: this checkpoint was made with a different "
            + ", ".join(problems)
            + "; restore the settings or train in a new workspace",
            checkpoint.path,
        )


def trainer_state(
    *,
    step: int,
    cfg: TrainConfig,
    model: LlamaConfig,
    seed: int,
    tokens: TokenDir,
    tokens_seen: int,
    by_group: Counter[str],
    by_license: Counter[str],
    world_size: int,
    global_batch: int,
    loss: float | None,
    eval_loss: float | None,
) -> dict[str, Any]:
    """The trainer_state.json of a checkpoint after `step` optimizer steps."""
    return {
        "step": step,
        "tokens_seen": tokens_seen,
        "tokens_by_group": dict(sorted(by_group.items())),
        "tokens_by_license": dict(sorted(by_license.items())),
        "world_size": world_size,
        "parallel": cfg.parallel if world_size > 1 else "none",
        "global_batch": global_batch,
        "seed": seed,
        "loss": loss,
        "eval_loss": eval_loss,
        "train_config": dataclasses.asdict(cfg),
        "model_config": dataclasses.asdict(model),
        "tokens": {key: tokens.manifest.get(key) for key in TOKEN_KEYS},
        "rng": rng_state(),
    }


def basic_lineage(tokens: TokenDir) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A lineage_fn for callers that bring none: the model config, token data hashes and counts."""

    def lineage(state: dict[str, Any]) -> dict[str, Any]:
        return {
            "step": state["step"],
            "model_config": state["model_config"],
            "tokenizer_sha256": tokens.manifest.get("tokenizer_sha256"),
            "ledger_head": tokens.manifest.get("ledger_head"),
            "index_sha256": tokens.manifest.get("index_sha256"),
            "shards": [{"file": s["file"], "sha256": s.get("sha256")} for s in tokens.manifest["shards"]],
            "tokens_seen": state["tokens_seen"],
            "tokens_by_group": state["tokens_by_group"],
            "tokens_by_license": state["tokens_by_license"],
        }

    return lineage
