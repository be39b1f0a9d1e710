"""Everything a training run needs before its first step: data, model, optimizer, resumed state.

Order matters: the full model is built and (on resume) loaded *before* it is wrapped, so FSDP2
shards weights that are already right; the optimizer is built on the wrapped parameters and then
given its saved state, which under FSDP2 each rank cuts to its own shard.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from rich.console import Console
from torch import nn

from clearlm.model.config import LlamaConfig
from clearlm.model.llama import Llama
from clearlm.train import checkpoint as ckpt
from clearlm.train.config import TrainConfig
from clearlm.train.data import BatchLayout, TrainData
from clearlm.train.distributed import DistInfo, broadcast_object, wrap_model
from clearlm.train.mfu import measure_matmul_peak, resolve_dtype
from clearlm.train.resume import check_resumable, resolve_model_config
from clearlm.train.schedule import make_optimizer
from clearlm.train.steps import NextTokenLoss, autocast_for
from clearlm.train.token_dir import TokenDir, open_token_dir


@dataclass
class Done:
    """What the run has done so far; restored from a checkpoint on resume."""

    step: int = 0
    by_group: Counter[str] = field(default_factory=Counter)
    by_license: Counter[str] = field(default_factory=Counter)
    loss: float | None = None
    eval_loss: float | None = None

    @classmethod
    def from_checkpoint(cls, checkpoint: ckpt.Checkpoint | None) -> Done:
        if checkpoint is None:
            return cls()
        s = checkpoint.state
        return cls(
            step=checkpoint.step,
            by_group=Counter(s["tokens_by_group"]),
            by_license=Counter(s["tokens_by_license"]),
            loss=s.get("loss"),
            eval_loss=s.get("eval_loss"),
        )


@dataclass
class TrainSetup:
    cfg: TrainConfig
    seed: int
    info: DistInfo
    tokens: TokenDir
    data: TrainData
    model_config: LlamaConfig
    model: Llama
    wrapped: nn.Module  # what gradients sync through: the model, DDP(model), or the FSDP2-sharded model
    runner: nn.Module  # what training calls: NextTokenLoss(wrapped), maybe torch.compile'd
    optimizer: torch.optim.Optimizer
    dtype: torch.dtype
    autocast: Callable[[], contextlib.AbstractContextManager[None]]
    peak_flops: float  # matmul FLOP/s of all ranks together, the MFU denominator
    done: Done
    checkpoint_dir: Path
    train_dir: Path


def _pick_checkpoint(root: Path, info: DistInfo) -> ckpt.Checkpoint | None:
    if info.is_main:
        ckpt.remove_stale(root)
    # Rank 0 chooses, so every rank resumes from the same checkpoint.
    chosen = broadcast_object(ckpt.load_latest(root) if info.is_main else None, info)
    return chosen if isinstance(chosen, ckpt.Checkpoint) else None


def prepare(
    cfg: TrainConfig, seed: int, tokens_dir: Path, out_dir: Path, info: DistInfo, console: Console
) -> TrainSetup:
    """Open the data, resume or start the model and optimizer, and measure the MFU baseline."""
    if cfg.threads > 0:
        torch.set_num_threads(cfg.threads)
    tokens = open_token_dir(tokens_dir)
    model_config = resolve_model_config(cfg, tokens)
    layout = BatchLayout(cfg.micro_batch, cfg.grad_accum, info.world_size, info.rank)
    data = TrainData(tokens, cfg.seq_len, seed, layout)
    checkpoint_dir = out_dir / "checkpoints"
    checkpoint = _pick_checkpoint(checkpoint_dir, info)
    if checkpoint is not None:
        check_resumable(checkpoint, cfg, seed, tokens, layout.global_batch)
        if info.is_main:
            ckpt.mark_latest(checkpoint_dir, checkpoint)
            console.print(f"train: resuming from {checkpoint.path} (step {checkpoint.step} of {cfg.steps})")

    torch.manual_seed(seed)
    model = Llama(model_config).to(info.device)
    model.init_weights(seed)
    if checkpoint is not None:
        model.load_state_dict(checkpoint.model_state())
    wrapped = wrap_model(model, list(model.layers), info, cfg.parallel)
    optimizer = make_optimizer(wrapped, cfg)
    if checkpoint is not None:
        ckpt.restore_optimizer(wrapped, optimizer, checkpoint.optimizer_state())
        ckpt.set_rng_state(checkpoint.state["rng"])
    loss = NextTokenLoss(wrapped)
    runner: nn.Module = torch.compile(loss) if cfg.compile else loss  # type: ignore[assignment]
    dtype = resolve_dtype(cfg.dtype, info.device)
    return TrainSetup(
        cfg=cfg,
        seed=seed,
        info=info,
        tokens=tokens,
        data=data,
        model_config=model_config,
        model=model,
        wrapped=wrapped,
        runner=runner,
        optimizer=optimizer,
        dtype=dtype,
        autocast=autocast_for(info.device, dtype),
        peak_flops=measure_matmul_peak(dtype, info.device, seconds=2.0, trials=5) * info.world_size,
        done=Done.from_checkpoint(checkpoint),
        checkpoint_dir=checkpoint_dir,
        train_dir=out_dir / "train",
    )
