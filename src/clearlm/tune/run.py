"""`run_tune`: validate the data, train a LoRA adapter on BASE, write it with its private lineage.

Reads only BASE and DATA; writes only ADAPTER (and OUT with --merge). Nothing is written before the
whole data file, the tokenizer, the settings and the model have been checked, so a bad input leaves
no trace. The private examples never reach the base's folder or workspace: their ledger lives in
ADAPTER, and holds hashes and counts, not text.

    ADAPTER/adapter_config.json, adapter_model.safetensors   the adapter (peft format)
    ADAPTER/lineage.json, private-ledger.parquet            provenance (clearlm.tune.lineage)
    ADAPTER/metrics.jsonl                                   loss, eval loss, lr per step
    ADAPTER/checkpoints/step-NNNNNN/                        resume points (clearlm.tune.checkpoint)
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from rich.console import Console

from clearlm.atomic import TMP_PREFIX
from clearlm.errors import InputError
from clearlm.files import file_sha256
from clearlm.tune.checkpoint import ADAPTER_CONFIG, ADAPTER_WEIGHTS, CHECKPOINTS_DIR, save_adapter_files
from clearlm.tune.config import TuneConfig
from clearlm.tune.data import read_chat_jsonl
from clearlm.tune.encode import encode_all, load_tokenizer, pad_id, split_counts
from clearlm.tune.lineage import (
    PRIVATE_LEDGER_FILE,
    build_lineage,
    describe_base,
    write_lineage,
    write_private_ledger,
)
from clearlm.tune.merge import write_merged_folder
from clearlm.tune.trainer import StepCallback, load_lora_model, train_lora

# Settings that change what is trained; the others (how often to evaluate or save, where to run)
# may differ between a killed run and its resumption.
NOT_FINGERPRINTED = ("eval_every", "checkpoint_every", "keep_checkpoints", "device", "threads")


@dataclass
class TuneResult:
    adapter: Path
    merged: Path | None
    steps: int
    resumed_from: int
    loss: float | None
    eval_loss: float | None
    counts: dict[str, dict[str, int]]
    max_len: int


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve() == folder.resolve() or folder.resolve() in path.resolve().parents


def _replaceable_model_folder(path: Path) -> bool:
    return path.is_dir() and (not any(path.iterdir()) or (path / "config.json").is_file())


def check_paths(base: Path, data: Path, adapter: Path, merge: Path | None) -> None:
    """BASE is a model folder; the outputs are neither inside BASE nor each other, nor the data."""
    if not base.is_dir():
        raise InputError("base model folder not found", base)
    if not (base / "config.json").is_file():
        raise InputError("no config.json: not a model folder", base)
    for out, flag in ((adapter, "-o"), (merge, "--merge")):
        if out is None:
            continue
        if _inside(out, base):
            raise InputError(f"{flag} must not be inside the base folder (it stays untouched)", out)
        if _inside(data, out):
            raise InputError(f"{flag} must not be the data file or a folder holding it", out)
    if merge is not None and (_inside(merge, adapter) or _inside(adapter, merge)):
        raise InputError("--merge and -o must be separate folders", merge)
    if adapter.exists() and not adapter.is_dir():
        raise InputError("-o names a file; expected a folder for the adapter", adapter)
    ours = {ADAPTER_CONFIG, CHECKPOINTS_DIR, "metrics.jsonl"}
    if adapter.is_dir() and any(adapter.iterdir()) and not any((adapter / n).exists() for n in ours):
        raise InputError("-o names a folder that is not empty and holds no adapter; choose another", adapter)
    # --merge replaces its folder whole, so it may only replace a model folder (an earlier merge).
    if merge is not None and merge.exists() and not _replaceable_model_folder(merge):
        raise InputError("--merge names something that is not a model folder; choose another", merge)


def model_context(base: Path) -> int | None:
    try:
        config = json.loads((base / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"unreadable model config ({err})", base / "config.json") from None
    context = config.get("max_position_embeddings") if isinstance(config, dict) else None
    return int(context) if isinstance(context, int) else None


def remove_leftovers(adapter: Path) -> None:
    """Temporary files and folders a killed run left in ADAPTER (checkpoints/ clears its own)."""
    for entry in adapter.glob(f"{TMP_PREFIX}*"):
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def publish_adapter(model: Any, adapter: Path) -> str:
    """The final adapter files in ADAPTER (each renamed into place); returns the weights' SHA-256."""
    staging = adapter / f"{TMP_PREFIX}{os.getpid()}-adapter"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        save_adapter_files(model, staging)
        for name in (ADAPTER_WEIGHTS, ADAPTER_CONFIG):
            os.replace(staging / name, adapter / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return file_sha256(adapter / ADAPTER_WEIGHTS)


def run_tune(
    base: Path | str,
    data: Path | str,
    adapter: Path | str,
    config: TuneConfig | None = None,
    *,
    merge: Path | str | None = None,
    console: Console | None = None,
    on_step: StepCallback | None = None,
) -> TuneResult:
    """Tune a LoRA adapter of BASE on DATA into ADAPTER; rerun with the same inputs to resume."""
    base, data, adapter = Path(base), Path(data), Path(adapter)
    merge_out = Path(merge) if merge is not None else None
    config = config or TuneConfig()
    check_paths(base, data, adapter, merge_out)
    conversations = read_chat_jsonl(data)
    tokenizer = load_tokenizer(base)
    context = model_context(base)
    max_len = min(config.max_len, context) if context else config.max_len
    examples = encode_all(
        conversations,
        tokenizer,
        max_len=max_len,
        eval_fraction=config.eval_fraction,
        seed=config.seed,
        base=base,
        data_path=data,
    )
    base_info = describe_base(base)
    data_info = {"file": data.name, "sha256": file_sha256(data), "examples": len(examples)}
    settings = {k: v for k, v in config.to_dict().items() if k not in NOT_FINGERPRINTED}
    fingerprint = {"base": base_info["digest"], "data": data_info["sha256"], "config": settings}
    if config.threads:
        torch.set_num_threads(config.threads)
    model = load_lora_model(base, config)

    adapter.mkdir(parents=True, exist_ok=True)  # the first write, after every check has passed
    remove_leftovers(adapter)
    outcome = train_lora(
        model,
        examples,
        config,
        adapter=adapter,
        pad_id=pad_id(tokenizer),
        fingerprint=fingerprint,
        console=console,
        on_step=on_step,
    )
    adapter_sha = publish_adapter(model, adapter)
    ledger_sha = write_private_ledger(adapter / PRIVATE_LEDGER_FILE, examples)
    lineage = build_lineage(
        base=base_info,
        data=data_info,
        examples=examples,
        ledger_sha256=ledger_sha,
        config=config,
        max_len=max_len,
        steps=outcome.steps,
        adapter_sha256=adapter_sha,
    )
    write_lineage(adapter, lineage)  # last: its presence says the adapter is complete
    merged = write_merged_folder(model, base, adapter, merge_out) if merge_out is not None else None
    return TuneResult(
        adapter=adapter,
        merged=merged,
        steps=outcome.steps,
        resumed_from=outcome.resumed_from,
        loss=outcome.loss,
        eval_loss=outcome.eval_loss,
        counts=split_counts(examples),
        max_len=max_len,
    )
