"""Settings of the train stage: `[train]` and `[train.model]` in a recipe."""

from __future__ import annotations

from dataclasses import dataclass, field

from clearlm.model.config import LlamaConfig


@dataclass
class TrainConfig:
    """Optimisation, schedule, evaluation, checkpoints and parallelism of one training run."""

    model: LlamaConfig = field(default_factory=LlamaConfig)
    seq_len: int = 256
    # Sequences per process per micro-step; the global batch is micro_batch × grad_accum × world size.
    micro_batch: int = 8
    grad_accum: int = 1
    steps: int = 1000
    lr: float = 1e-3
    # Cosine decay ends at lr × min_lr_ratio after a linear warmup.
    min_lr_ratio: float = 0.1
    warmup_steps: int = 50
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float = 1.0
    # "auto" (bf16 autocast where the hardware has bf16 matmuls, else fp32), "bf16" or "fp32".
    dtype: str = "auto"
    compile: bool = False
    eval_every: int = 100
    eval_batches: int = 8
    checkpoint_every: int = 100
    keep_checkpoints: int = 3
    log_every: int = 10
    # Under torchrun: "ddp" (replicated weights) or "fsdp" (FSDP2 fully_shard). Ignored in one process.
    parallel: str = "ddp"
    # torch threads per process; 0 = torch's default.
    threads: int = 0
