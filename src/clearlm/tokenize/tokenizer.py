"""The tokenizer: a byte-level BPE trained on the training split, or a file the user brings.

    tokens/tokenizer.json          HF tokenizers file (what transformers, vLLM and llama.cpp read)
    tokens/tokenizer_config.json   transformers' settings: special tokens, chat template, no auto-bos

Byte-level BPE (GPT-2 style) never meets an unknown character and decodes back to the exact text,
so every document's token range can be checked against the document. Training reads the training
split only (held-out text must stay unseen), picking documents in doc_id order (a hash: a fair
sample across sources) up to `train_max_bytes`, and is deterministic for the same input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

from clearlm.atomic import atomic_write_bytes, atomic_write_text
from clearlm.errors import ConfigError
from clearlm.tokenize.chat import CHAT_TEMPLATE, IM_END, IM_START
from clearlm.tokenize.config import TokenizeConfig
from clearlm.tokenize.split import TRAIN, CorpusIndex

TOKENIZER_FILE = "tokenizer.json"
TOKENIZER_CONFIG_FILE = "tokenizer_config.json"


def special_tokens(config: TokenizeConfig) -> list[str]:
    """bos, eos, pad, then the chat markers: ids 0–4 of a trained tokenizer, in this order."""
    return [config.bos_token, config.eos_token, config.pad_token, IM_START, IM_END]


def load_tokenizer(path: Path, config: TokenizeConfig) -> Tokenizer:
    """Read a user's tokenizer.json; it must already know the bos, eos and pad tokens."""
    if not path.is_file():
        raise ConfigError("tokenize.tokenizer: file not found", path)
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises plain Exceptions for unreadable files
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"tokenize.tokenizer: not a tokenizers JSON file ({detail})", path) from None
    needed = [config.bos_token, config.eos_token, config.pad_token]
    missing = [token for token in needed if tokenizer.token_to_id(token) is None]
    if missing:
        raise ConfigError(
            f"tokenize.tokenizer: lacks special token(s) {', '.join(missing)} "
            "(name them with tokenize.bos_token / eos_token / pad_token)",
            path,
        )
    # The chat template needs its markers; a tokenizer without them gets them as new special tokens.
    absent = [token for token in (IM_START, IM_END) if tokenizer.token_to_id(token) is None]
    if absent:
        tokenizer.add_special_tokens(absent)
    return tokenizer


def train_tokenizer(texts: Iterator[str], config: TokenizeConfig) -> Tokenizer:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    # Offsets stay exact (no whitespace trimming): transformers' assistant mask maps characters to
    # tokens through them.
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=config.vocab_size,
        min_frequency=config.min_frequency,
        special_tokens=special_tokens(config),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return tokenizer


def training_texts(corpus: CorpusIndex, split: pa.Table, budget: int) -> Iterator[str]:
    """Training-split texts, chosen in doc_id order until `budget` bytes (the last one cut to fit).

    The chosen documents are then read part by part, so no more than one row group of text is in
    memory; BPE counts words, so the order they arrive in does not change the result.
    """
    table = corpus.table.join(split, "doc_id").filter(pc.equal(pc.field("split"), TRAIN))
    table = table.sort_by("doc_id")
    sizes = table["text_bytes"].to_numpy()
    ends = sizes.cumsum() if len(sizes) else sizes
    chosen_n = int((ends < budget).sum()) + 1 if len(sizes) else 0
    chosen_n = min(chosen_n, len(sizes))
    if chosen_n == 0 or budget <= 0:
        return
    allowance: dict[str, int] = {}
    for doc_id, size, end in zip(
        table["doc_id"].to_pylist()[:chosen_n], sizes[:chosen_n], ends[:chosen_n], strict=True
    ):
        allowance[doc_id] = int(size - max(0, int(end) - budget))
    for path in corpus.parts:
        parquet = pq.ParquetFile(path)
        for group in range(parquet.num_row_groups):
            rows = parquet.read_row_group(group, columns=["doc_id", "text"])
            for doc_id, text in zip(rows["doc_id"].to_pylist(), rows["text"].to_pylist(), strict=True):
                keep = allowance.get(doc_id)
                if keep is None:
                    continue
                data = text.encode("utf-8")
                yield text if keep >= len(data) else data[:keep].decode("utf-8", "ignore")


def write_tokenizer(tokens_dir: Path, tokenizer: Tokenizer, original: Path | None) -> None:
    """tokens/tokenizer.json: the user's file byte for byte when reused unchanged, else serialised."""
    if original is not None and tokenizer.to_str() == Tokenizer.from_file(str(original)).to_str():
        atomic_write_bytes(tokens_dir / TOKENIZER_FILE, original.read_bytes())
    else:
        atomic_write_text(tokens_dir / TOKENIZER_FILE, tokenizer.to_str())


def write_tokenizer_config(tokens_dir: Path, config: TokenizeConfig, model_max_length: int) -> None:
    """transformers' side of the tokenizer; documents already carry bos/eos, so nothing is added."""
    settings = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": config.bos_token,
        "eos_token": config.eos_token,
        "pad_token": config.pad_token,
        "additional_special_tokens": [IM_START, IM_END],
        "add_bos_token": False,
        "add_eos_token": False,
        "clean_up_tokenization_spaces": False,
        "model_max_length": model_max_length,
        "chat_template": CHAT_TEMPLATE,
    }
    atomic_write_text(tokens_dir / TOKENIZER_CONFIG_FILE, json.dumps(settings, indent=2) + "\n")


def token_id(tokenizer: Tokenizer, token: str) -> int:
    found = tokenizer.token_to_id(token)
    if found is None:
        raise ConfigError(f"the tokenizer has no token {token!r}")
    return int(found)


def vocab_dtype(vocab_size: int) -> str:
    """The shard dtype: uint16 while every id fits, else uint32 (both little-endian)."""
    return "uint16" if vocab_size <= 1 << 16 else "uint32"
