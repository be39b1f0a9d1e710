"""The training loop: a Llama on WS/tokens, resumable from WS/checkpoints, logged to WS/train.

    train(cfg, seed=…, tokens_dir=WS/tokens, out_dir=WS)

runs in one process or in each process of `torchrun --nproc_per_node N` (DDP or FSDP2 per
cfg.parallel). Every step reads the batches `TrainData` assigns it, so a run killed at any moment and
started again continues from its newest checkpoint and logs the same losses the uninterrupted run
would have. Only rank 0 writes files or prints.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from clearlm.atomic import atomic_write_text
from clearlm.train import checkpoint as ckpt
from clearlm.train.config import TrainConfig
from clearlm.train.display import TrainProgress
from clearlm.train.distributed import DistInfo, barrier, destroy_distributed, init_distributed
from clearlm.train.metrics import METRICS_FILE, PLOT_FILE, MetricsLog, plot_loss
from clearlm.train.mfu import measure_matmul_peak, mfu
from clearlm.train.resume import basic_lineage, trainer_state
from clearlm.train.schedule import lr_at, set_lr
from clearlm.train.setup import TrainSetup, prepare
from clearlm.train.steps import evaluate, train_step

LineageFn = Callable[[dict[str, Any]], dict[str, Any]]
SUMMARY_FILE = "summary.json"
# Runs longer than this measure the matmul peak again at the end (2 s) for the summary's MFU.
REMEASURE_AFTER_S = 60.0


def _is_due(step: int, every: int, last: int) -> bool:
    """True on multiples of `every` (never when every is 0) and always at the last step."""
    return step == last or (every > 0 and step % every == 0)


class _Throughput:
    """Tokens per second over the steps since the last log line, and over the run.

    The run's figure leaves out its first step, which pays for torch.compile and warm-up.
    """

    def __init__(self) -> None:
        self.window_seconds, self.window_tokens = 0.0, 0
        self.run_seconds, self.run_tokens, self.steps = 0.0, 0, 0
        self.total_seconds = 0.0

    def add(self, seconds: float, tokens: int) -> None:
        self.total_seconds += seconds
        self.window_seconds += seconds
        self.window_tokens += tokens
        self.steps += 1
        if self.steps > 1:
            self.run_seconds += seconds
            self.run_tokens += tokens

    def take_window(self) -> float:
        rate = self.window_tokens / max(self.window_seconds, 1e-9)
        self.window_seconds, self.window_tokens = 0.0, 0
        return rate

    def run_rate(self, tokens_per_step: int) -> float:
        if self.steps == 1:  # a single step: nothing to leave out
            return tokens_per_step / max(self.total_seconds, 1e-9)
        return self.run_tokens / self.run_seconds if self.run_seconds else 0.0


def train(
    cfg: TrainConfig,
    *,
    seed: int,
    tokens_dir: Path,
    out_dir: Path,
    lineage_fn: LineageFn | None = None,
    console: Console | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Train (or finish training) a Llama; returns a summary of the run.

    out_dir is the workspace root: checkpoints go to out_dir/checkpoints; metrics.jsonl, loss.png
    and summary.json to out_dir/train.
    """
    info = init_distributed()
    try:
        console = console or Console(stderr=True)
        run = prepare(cfg, seed, Path(tokens_dir), Path(out_dir), info, console)
        return _Loop(run, lineage_fn or basic_lineage(run.tokens), console).run(progress)
    finally:
        destroy_distributed(info)


class _Loop:
    """Steps from the resumed step to cfg.steps, logging, evaluating and checkpointing on schedule."""

    def __init__(self, run: TrainSetup, lineage_fn: LineageFn, console: Console) -> None:
        self.setup = run
        self.lineage_fn = lineage_fn
        self.console = console
        self.info: DistInfo = run.info
        self.flops_per_token = run.model_config.flops_per_token(run.cfg.seq_len)
        self.eval_batches = run.data.eval_batches(run.cfg.eval_batches)
        self.hf_config = run.model_config.to_hf(*run.tokens.special_ids)
        self.clock = _Throughput()
        self.mfu = 0.0

    def save(self, step: int) -> None:
        r = self.setup
        model_state = ckpt.gather_model_state(r.wrapped)  # a collective under FSDP2: every rank joins
        optim_state = ckpt.gather_optimizer_state(r.wrapped, r.optimizer)
        if self.info.is_main:
            state = trainer_state(
                step=step, cfg=r.cfg, model=r.model_config, seed=r.seed, tokens=r.tokens,
                tokens_seen=step * r.data.tokens_per_step, by_group=r.done.by_group,
                by_license=r.done.by_license, world_size=self.info.world_size,
                global_batch=r.data.layout.global_batch, loss=r.done.loss, eval_loss=r.done.eval_loss,
            )  # fmt: skip
            ckpt.save_checkpoint(
                r.checkpoint_dir, model_state=model_state, optimizer_state=optim_state, trainer_state=state,
                hf_config=self.hf_config, lineage_fn=self.lineage_fn, keep=r.cfg.keep_checkpoints,
            )  # fmt: skip
        barrier(self.info)

    def step(self, step: int, metrics: MetricsLog | None, bar: TrainProgress) -> None:
        r, cfg = self.setup, self.setup.cfg
        lr = lr_at(step, cfg)
        set_lr(r.optimizer, lr)
        started = time.perf_counter()
        loss, grad_norm = train_step(
            runner=r.runner, wrapped=r.wrapped, optimizer=r.optimizer, data=r.data, step=step,
            grad_clip=cfg.grad_clip, autocast=r.autocast, info=self.info,
        )  # fmt: skip
        self.clock.add(time.perf_counter() - started, r.data.tokens_per_step)
        done = r.done
        done.step, done.loss = step + 1, loss
        if self.info.is_main:
            by_group, by_license = r.data.step_tokens(step)
            done.by_group.update(by_group)
            done.by_license.update(by_license)
        eval_loss = None
        if _is_due(done.step, cfg.eval_every, cfg.steps):
            # Eager, not compiled: eval is rare, and a no_grad graph would be a second compilation.
            eval_loss = evaluate(r.wrapped, self.eval_batches, r.autocast, self.info)
            done.eval_loss = eval_loss if eval_loss is not None else done.eval_loss
        if _is_due(done.step, cfg.log_every, cfg.steps) or eval_loss is not None:
            tokens_per_s = self.clock.take_window()
            self.mfu = mfu(self.flops_per_token, tokens_per_s, r.peak_flops)
            if metrics is not None:
                metrics.log({
                    "step": done.step, "loss": loss, "lr": lr, "grad_norm": grad_norm,
                    "tokens": done.step * r.data.tokens_per_step, "tokens_per_s": round(tokens_per_s, 1),
                    "mfu": round(self.mfu, 5), "eval_loss": eval_loss,
                })  # fmt: skip
            bar.update(done.step, loss, tokens_per_s, self.mfu, eval_loss)
        if _is_due(done.step, cfg.checkpoint_every, cfg.steps):
            self.save(done.step)

    def run(self, show_progress: bool) -> dict[str, Any]:
        r = self.setup
        start = r.done.step
        metrics = MetricsLog(r.train_dir / METRICS_FILE, start) if self.info.is_main else None
        bar = TrainProgress(self.console, r.cfg.steps, start, show_progress and self.info.is_main)
        try:
            with bar:
                for step in range(start, r.cfg.steps):
                    self.step(step, metrics, bar)
        finally:
            if metrics is not None:
                metrics.close()
        summary = self.summary(start)
        if self.info.is_main:
            plot_loss(r.train_dir / METRICS_FILE, r.train_dir / PLOT_FILE)
            atomic_write_text(
                r.train_dir / SUMMARY_FILE, json.dumps(summary, indent=2, sort_keys=True) + "\n"
            )
        return summary

    def summary(self, start: int) -> dict[str, Any]:
        r = self.setup
        tokens_per_s = self.clock.run_rate(r.data.tokens_per_step)
        if self.clock.total_seconds > REMEASURE_AFTER_S:
            # The peak measured at start is low when other work shared the machine then, which
            # inflates MFU (even past 100 %); the summary divides by the best of two measurements.
            again = measure_matmul_peak(r.dtype, self.info.device, seconds=2.0, trials=5, cached=False)
            r.peak_flops = max(r.peak_flops, again * self.info.world_size)
        return {
            "steps": r.done.step,
            "resumed_from": start or None,
            "final_loss": r.done.loss,
            "final_eval_loss": r.done.eval_loss,
            "tokens": r.done.step * r.data.tokens_per_step,
            "tokens_this_run": (r.done.step - start) * r.data.tokens_per_step,
            "train_seconds": round(self.clock.total_seconds, 3),
            "tokens_per_s": round(tokens_per_s, 1),
            "mfu": round(mfu(self.flops_per_token, tokens_per_s, r.peak_flops), 5),
            "peak_flops": r.peak_flops,
            "params": r.model_config.num_params(),
            "dtype": str(r.dtype).removeprefix("torch."),
            "world_size": self.info.world_size,
            "parallel": r.cfg.parallel if self.info.distributed else "none",
            "checkpoint": str(r.checkpoint_dir / ckpt.step_dir_name(r.done.step)),
        }
