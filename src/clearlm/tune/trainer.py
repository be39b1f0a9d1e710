"""The LoRA training loop: the base frozen in float32, low-rank adapters on its linear layers, AdamW.

transformers loads BASE (offline) and peft wraps it, so the adapter is in the format every peft,
transformers and vLLM user expects. Only the LoRA matrices train; the loss is on assistant tokens.
Learning rate: linear warmup then cosine decay (clearlm.train.schedule, the pretraining schedule).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from clearlm.errors import ConfigError, InputError
from clearlm.train.config import TrainConfig
from clearlm.train.metrics import METRICS_FILE, MetricsLog, read_metrics
from clearlm.train.schedule import lr_at, set_lr
from clearlm.tune.batches import batch_indices, collate, evaluate, loss_sum
from clearlm.tune.checkpoint import (
    CHECKPOINTS_DIR,
    check_fingerprint,
    latest_checkpoint,
    restore_checkpoint,
    save_checkpoint,
)
from clearlm.tune.config import TuneConfig
from clearlm.tune.encode import EVAL, TRAIN, Example

StepCallback = Callable[[int, float], None]


@dataclass
class TrainOutcome:
    steps: int
    resumed_from: int
    loss: float | None
    eval_loss: float | None


class TuneProgress:
    """A rich progress bar over optimizer steps; a no-op when `console` is None (tests, library use)."""

    def __init__(self, console: Console | None, total_steps: int, start_step: int) -> None:
        self._progress = Progress(
            TextColumn("[bold]tune"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TextColumn("loss [cyan]{task.fields[loss]}[/] eval [magenta]{task.fields[eval_loss]}[/]"),
            TimeRemainingColumn(),
            console=console,
            disable=console is None,
            transient=False,
        )
        self._task: TaskID = self._progress.add_task(
            "tune", total=total_steps, completed=start_step, loss="-", eval_loss="-"
        )

    def __enter__(self) -> TuneProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, step: int, loss: float, eval_loss: float | None = None) -> None:
        fields: dict[str, Any] = {"loss": f"{loss:.4f}"}
        if eval_loss is not None:  # shown until the next evaluation replaces it
            fields["eval_loss"] = f"{eval_loss:.4f}"
        self._progress.update(self._task, completed=step, **fields)


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def load_lora_model(base: Path, config: TuneConfig) -> Any:
    """BASE in float32 with fresh LoRA adapters (initialised from config.seed); only they train."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    bar_was_on = hf_logging.is_progress_bar_enabled()
    # transformers' loading bar would break our one-line output.
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        model = AutoModelForCausalLM.from_pretrained(str(base), local_files_only=True, dtype=torch.float32)
    except (OSError, ValueError, KeyError) as err:
        raise InputError(f"transformers cannot load this model ({str(err).splitlines()[0]})", base) from None
    finally:
        if bar_was_on:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]
    lora = LoraConfig(
        r=config.r,
        lora_alpha=config.alpha,
        lora_dropout=config.dropout,
        target_modules=list(config.target_modules),
        task_type="CAUSAL_LM",
    )
    torch.manual_seed(config.seed)  # LoRA's A matrices are drawn at random; B starts at zero
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # a deprecation inside peft, not ours to fix
        try:
            return get_peft_model(model, lora)
        except ValueError as err:
            raise ConfigError(f"tune.target_modules: {str(err).splitlines()[0]}") from None


def _schedule(config: TuneConfig) -> TrainConfig:
    # The pretraining schedule's fields, so both stages decay the learning rate the same way.
    return TrainConfig(
        steps=config.steps, lr=config.lr, warmup_steps=config.warmup_steps, min_lr_ratio=config.min_lr_ratio
    )


def train_lora(
    model: Any,
    examples: list[Example],
    config: TuneConfig,
    *,
    adapter: Path,
    pad_id: int,
    fingerprint: dict[str, Any],
    console: Console | None = None,
    on_step: StepCallback | None = None,
) -> TrainOutcome:
    """Train (or resume training) `model` for config.steps steps; checkpoints and metrics in `adapter`."""
    device = pick_device(config.device)
    model.to(device)
    train = [e for e in examples if e.split == TRAIN and e.n_assistant_tokens]
    held_out = [e for e in examples if e.split == EVAL]
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, betas=(0.9, 0.999), weight_decay=config.weight_decay)
    schedule = _schedule(config)
    root = adapter / CHECKPOINTS_DIR
    start, trained_tokens = 0, 0
    checkpoint = latest_checkpoint(root)
    if checkpoint is not None:
        check_fingerprint(checkpoint, fingerprint)
        restore_checkpoint(checkpoint, model, optimizer)
        start, trained_tokens = checkpoint.step, int(checkpoint.state.get("assistant_tokens", 0))
    model.train()
    loss_value: float | None = None
    eval_loss: float | None = None
    progress = TuneProgress(console, config.steps, start)
    with MetricsLog(adapter / METRICS_FILE, start) as metrics, progress:
        for step in range(start, config.steps):
            lr = lr_at(step, schedule)
            set_lr(optimizer, lr)
            picked = [train[i] for i in batch_indices(step, len(train), config.batch_size, config.seed)]
            batch = collate(picked, pad_id, device)
            total, count = loss_sum(model, batch)
            loss = total / max(count, 1)
            loss.backward()  # type: ignore[no-untyped-call]
            grad_norm = torch.nn.utils.clip_grad_norm_(params, config.grad_clip or float("inf"))
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            done, loss_value = step + 1, float(loss.detach())
            trained_tokens += count
            due = done == config.steps or (config.eval_every and done % config.eval_every == 0)
            eval_loss = evaluate(model, held_out, config.batch_size, pad_id) if due else None
            metrics.log(
                {
                    "step": done,
                    "loss": loss_value,
                    "lr": lr,
                    "grad_norm": float(grad_norm),
                    "assistant_tokens": trained_tokens,
                    "eval_loss": eval_loss,
                }
            )
            progress.update(done, loss_value, eval_loss)
            if on_step is not None:
                on_step(done, loss_value)
            if config.checkpoint_every and (done % config.checkpoint_every == 0 or done == config.steps):
                state = {"step": done, "assistant_tokens": trained_tokens, "fingerprint": fingerprint}
                save_checkpoint(root, model, optimizer, state, config.keep_checkpoints)
    if start >= config.steps:  # a rerun of a finished run: nothing to train, report the same numbers
        logged = read_metrics(adapter / METRICS_FILE)
        loss_value = logged[-1].get("loss") if logged else None
        eval_loss = evaluate(model, held_out, config.batch_size, pad_id)
    model.eval()
    return TrainOutcome(config.steps, start, loss_value, eval_loss)
