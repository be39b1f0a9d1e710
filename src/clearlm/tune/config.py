"""Settings of one LoRA fine-tuning run: `TuneConfig`, built from CLI flags and `--set key=value`.

No torch import here, so `clearlm tune --help` and a bad `--set` answer at once.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from clearlm.config import build_dataclass
from clearlm.errors import ConfigError

# Every linear layer of a Llama block: attention and MLP. Adapting all of them (QLoRA's finding)
# beats adapting only q/v at the same rank.
LLAMA_LINEAR_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

DEVICE_TYPES = ("cpu", "cuda", "mps")


@dataclass
class TuneConfig:
    """LoRA rank and scale, optimisation, data handling, evaluation and checkpoints."""

    r: int = 8
    # The adapters' output is scaled by alpha / r.
    alpha: int = 16
    dropout: float = 0.0
    target_modules: list[str] = field(default_factory=lambda: list(LLAMA_LINEAR_MODULES))
    lr: float = 1e-3
    # Cosine decay from lr to lr × min_lr_ratio after a linear warmup (clearlm.train.schedule).
    min_lr_ratio: float = 0.1
    warmup_steps: int = 5
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    steps: int = 100
    batch_size: int = 4
    # Tokens per example; longer conversations are cut (and counted). Capped at the model's context.
    max_len: int = 512
    # Share of examples held out for eval loss; 0 = no eval split.
    eval_fraction: float = 0.1
    # Eval loss every N steps (0 = only at the end) and a resumable checkpoint every N (0 = none).
    eval_every: int = 25
    checkpoint_every: int = 25
    keep_checkpoints: int = 2
    seed: int = 0
    # "auto" = the GPU when there is one, else the CPU; or a torch device name ("cpu", "cuda:1").
    device: str = "auto"
    # torch CPU threads; 0 = torch's default. 1 is fastest when other processes share the cores.
    threads: int = 0

    def validate(self) -> list[str]:
        """Problems with these settings, as readable sentences (empty when sound)."""
        checks = [
            (self.r >= 1, f"r must be at least 1, got {self.r}"),
            (self.alpha > 0, f"alpha must be positive, got {self.alpha}"),
            (0.0 <= self.dropout < 1.0, f"dropout must be in [0, 1), got {self.dropout}"),
            (bool(self.target_modules), "target_modules must name at least one module"),
            (self.lr > 0, f"lr must be positive, got {self.lr}"),
            (0.0 <= self.min_lr_ratio <= 1.0, f"min_lr_ratio must be in [0, 1], got {self.min_lr_ratio}"),
            (self.warmup_steps >= 0, f"warmup_steps must be ≥ 0, got {self.warmup_steps}"),
            (self.weight_decay >= 0, f"weight_decay must be ≥ 0, got {self.weight_decay}"),
            (self.grad_clip >= 0, f"grad_clip must be ≥ 0 (0 = off), got {self.grad_clip}"),
            (self.steps >= 1, f"steps must be at least 1, got {self.steps}"),
            (self.batch_size >= 1, f"batch_size must be at least 1, got {self.batch_size}"),
            (self.max_len >= 2, f"max_len must be at least 2, got {self.max_len}"),
            (0.0 <= self.eval_fraction < 1.0, f"eval_fraction must be in [0, 1), got {self.eval_fraction}"),
            (self.eval_every >= 0, f"eval_every must be ≥ 0, got {self.eval_every}"),
            (self.checkpoint_every >= 0, f"checkpoint_every must be ≥ 0, got {self.checkpoint_every}"),
            (self.keep_checkpoints >= 0, f"keep_checkpoints must be ≥ 0, got {self.keep_checkpoints}"),
            (self.threads >= 0, f"threads must be ≥ 0 (0 = torch's default), got {self.threads}"),
            (
                self.device == "auto" or self.device.split(":")[0] in DEVICE_TYPES,
                f"device must be auto, cpu, cuda[:N] or mps, got {self.device!r}",
            ),
        ]
        return [problem for ok, problem in checks if not ok]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def parse_assignments(assignments: Sequence[str]) -> dict[str, str]:
    """`key=value` strings as a dict; the values stay strings until checked against the field types."""
    parsed: dict[str, str] = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set '{assignment}': expected key=value, e.g. --set r=16")
        parsed[key.strip().removeprefix("tune.")] = value.strip()
    return parsed


def build_tune_config(flags: dict[str, Any] | None = None, overrides: Sequence[str] = ()) -> TuneConfig:
    """Defaults, then the CLI's own flags (None = not given), then `--set` (which wins); checked.

    Types come from the dataclass: `--set steps=abc` or an unknown key is a ConfigError.
    """
    data: dict[str, Any] = {k: v for k, v in (flags or {}).items() if v is not None}
    data.update(parse_assignments(overrides))
    config = typing.cast(TuneConfig, build_dataclass(TuneConfig, data, "tune."))
    problems = config.validate()
    if problems:
        raise ConfigError("tune settings: " + "; ".join(problems))
    return config
