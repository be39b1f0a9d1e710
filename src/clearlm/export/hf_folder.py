"""A checkpoint plus the tokenizer, as a folder `transformers` and vLLM load as a Llama model.

    out/config.json              transformers LlamaConfig, token ids taken from the tokenizer
    out/model.safetensors        weights under HF keys (tied lm_head omitted)
    out/tokenizer.json           the tokenize stage's file, byte for byte
    out/tokenizer_config.json    with the ChatML chat template and the model's context length
    out/special_tokens_map.json  bos / eos / pad and the chat markers
    out/generation_config.json   stops on <|eos|> and, for chat, on <|im_end|>

The folder is assembled under a temporary name next to `out` and renamed into place, so a reader
sees the old folder or the complete new one; the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from tokenizers import Tokenizer

from clearlm.atomic import atomic_write_bytes, atomic_write_text, tmp_path_for
from clearlm.errors import InputError
from clearlm.files import read_json_object
from clearlm.model.hf_weights import CONFIG_FILE, load_hf_folder, write_hf_folder

TOKENIZER_FILE = "tokenizer.json"
TOKENIZER_CONFIG_FILE = "tokenizer_config.json"
CHAT_MARKERS = ("<|im_start|>", "<|im_end|>")


def token_name(value: Any) -> str | None:
    """A special token as tokenizer_config.json spells it: a string or {"content": ...}."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None


class SpecialTokens:
    """Names and ids of bos / eos / pad and the ChatML markers, checked against the vocabulary."""

    def __init__(self, tokens_dir: Path) -> None:
        self.tokenizer_path = tokens_dir / TOKENIZER_FILE
        self.config_path = tokens_dir / TOKENIZER_CONFIG_FILE
        self.tokenizer_config = read_json_object(self.config_path)
        try:
            self.tokenizer = Tokenizer.from_file(str(self.tokenizer_path))
        except Exception as err:  # the Rust side raises a bare Exception for any bad file
            raise InputError(f"unreadable tokenizer ({err})", self.tokenizer_path) from None
        self.vocab_size = self.tokenizer.get_vocab_size(with_added_tokens=True)
        self.bos, self.bos_id = self._required("bos_token")
        self.eos, self.eos_id = self._required("eos_token")
        self.pad, self.pad_id = self._optional("pad_token")
        self.chat_markers = [m for m in CHAT_MARKERS if self.tokenizer.token_to_id(m) is not None]
        im_end = self.tokenizer.token_to_id("<|im_end|>")
        self.stop_ids = [self.eos_id] + ([im_end] if im_end is not None and im_end != self.eos_id else [])

    def _optional(self, key: str) -> tuple[str | None, int | None]:
        name = token_name(self.tokenizer_config.get(key))
        if name is None:
            return None, None
        token_id = self.tokenizer.token_to_id(name)
        if token_id is None:
            vocab = self.tokenizer_path.name
            raise InputError(f"{key} {name!r} is not in the vocabulary of {vocab}", self.config_path)
        return name, token_id

    def _required(self, key: str) -> tuple[str, int]:
        name, token_id = self._optional(key)
        if name is None or token_id is None:
            raise InputError(f"{key} is not set", self.config_path)
        return name, token_id


def tokenizer_config_for_export(special: SpecialTokens, max_seq_len: int) -> dict[str, Any]:
    config = dict(special.tokenizer_config)
    if not config.get("chat_template"):
        raise InputError("chat_template is missing; the tokenize stage writes one", special.config_path)
    config["model_max_length"] = max_seq_len  # the model's context, not the tokenizer's guess
    config.setdefault("tokenizer_class", "PreTrainedTokenizerFast")
    return config


def special_tokens_map(special: SpecialTokens) -> dict[str, Any]:
    mapping: dict[str, Any] = {"bos_token": special.bos, "eos_token": special.eos}
    if special.pad is not None:
        mapping["pad_token"] = special.pad
    if special.chat_markers:
        mapping["additional_special_tokens"] = special.chat_markers
    return mapping


def generation_config(special: SpecialTokens) -> dict[str, Any]:
    # Several eos ids: generation ends on <|eos|> (documents) or <|im_end|> (chat turns).
    eos: int | list[int] = special.stop_ids if len(special.stop_ids) > 1 else special.eos_id
    config: dict[str, Any] = {"bos_token_id": special.bos_id, "eos_token_id": eos}
    if special.pad_id is not None:
        config["pad_token_id"] = special.pad_id
    return config


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def export_hf_folder(checkpoint_dir: Path, tokens_dir: Path, out_dir: Path) -> Path:
    """Write the HF folder for the checkpoint in `checkpoint_dir` and the tokenizer in `tokens_dir`."""
    checkpoint_dir, tokens_dir, out_dir = Path(checkpoint_dir), Path(tokens_dir), Path(out_dir)
    special = SpecialTokens(tokens_dir)
    # Loading through the model checks every key and shape against the config before anything is written.
    model, config = load_hf_folder(checkpoint_dir, keep_dtype=True)  # a bf16 checkpoint ships as bf16
    if special.vocab_size > config.vocab_size:
        raise InputError(
            f"the tokenizer has {special.vocab_size} tokens but the model only {config.vocab_size} rows",
            checkpoint_dir / CONFIG_FILE,
        )

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = tmp_path_for(out_dir)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        write_hf_folder(model, staging, special.bos_id, special.eos_id, special.pad_id)
        atomic_write_bytes(staging / TOKENIZER_FILE, special.tokenizer_path.read_bytes())
        tokenizer_config = tokenizer_config_for_export(special, config.max_seq_len)
        atomic_write_text(staging / TOKENIZER_CONFIG_FILE, dumps(tokenizer_config))
        atomic_write_text(staging / "special_tokens_map.json", dumps(special_tokens_map(special)))
        atomic_write_text(staging / "generation_config.json", dumps(generation_config(special)))
        replace_folder(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir


def replace_folder(new: Path, target: Path) -> None:
    """Rename `new` to `target`; an existing `target` is moved aside first and removed after."""
    old = target.with_name(f"{tmp_path_for(target).name}.old")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(new, target)
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    shutil.rmtree(old, ignore_errors=True)
