"""A tiny base model folder (byte-level BPE + ChatML template + random 2-layer Llama) and chat data."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

from clearlm.model.config import LlamaConfig
from clearlm.model.hf_weights import write_hf_folder
from clearlm.model.llama import Llama
from clearlm.tokenize.chat import CHAT_TEMPLATE, IM_END, IM_START

SPECIAL_TOKENS = ["<|bos|>", "<|eos|>", "<|pad|>", IM_START, IM_END]
# Distinctive strings the tests look for in every output file: they must never be found there.
SECRET_SYSTEM = "You are the Quillfeather Bank helper."
SECRET_USER = "My account number is 7731-zebra-0042"
SECRET_ANSWER = "Quillfeather keeps your secrets safe"

REPLIES = [
    ("What are your opening hours?", "We open at nine and close at five."),
    ("Can I change my address?", "Yes, send us your new address and we update it."),
    ("How do I reset my password?", "Use the reset link on the sign in page."),
    ("Do you charge a fee?", "No, the basic account has no monthly fee."),
    ("Where is the nearest branch?", "The nearest branch is on Harbour Street."),
    ("Can I speak to a person?", "Yes, call us and a person will answer."),
]


def conversations(n: int = 24) -> list[dict[str, Any]]:
    """`n` short multi-turn conversations; every answer starts with the same distinctive sentence."""
    rows = []
    for i in range(n):
        question, answer = REPLIES[i % len(REPLIES)]
        messages = [
            {"role": "system", "content": SECRET_SYSTEM},
            {"role": "user", "content": f"{SECRET_USER}. {question}"},
            {"role": "assistant", "content": f"{SECRET_ANSWER}. {answer}"},
        ]
        if i % 3 == 0:  # some conversations have a second exchange
            messages += [
                {"role": "user", "content": "Thanks!"},
                {"role": "assistant", "content": f"{SECRET_ANSWER}. Have a nice day."},
            ]
        rows.append({"messages": messages})
    return rows


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def build_base(folder: Path, *, seed: int = 0, tied: bool = True) -> Path:
    """A HF model folder as `clearlm export` writes one, small enough to tune in a second."""
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=500,
        min_frequency=1,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    # Trained on public-looking text only: the secrets must not hide in the base's vocabulary, where
    # a search of the merged folder (which copies tokenizer.json) would find them.
    texts = [text for pair in REPLIES for text in pair] + ["system user assistant Thanks! Have a nice day."]
    tokenizer.train_from_iterator(texts * 5, trainer)
    tokenizer.save(str(folder / "tokenizer.json"))
    settings = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<|bos|>",
        "eos_token": "<|eos|>",
        "pad_token": "<|pad|>",
        "additional_special_tokens": [IM_START, IM_END],
        "add_bos_token": False,
        "add_eos_token": False,
        "clean_up_tokenization_spaces": False,
        "model_max_length": 256,
        "chat_template": CHAT_TEMPLATE,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(settings, indent=2))
    config = LlamaConfig(
        vocab_size=512, dim=64, n_layers=2, n_heads=4, n_kv_heads=2, max_seq_len=256, tie_embeddings=tied
    )
    model = Llama(config)
    model.init_weights(seed)
    write_hf_folder(model, folder, bos_id=0, eos_id=1, pad_id=2)
    return folder


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative name → SHA-256): equal digests mean untouched bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_base(tmp_path_factory.mktemp("base") / "base")


@pytest.fixture
def chat_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "chat.jsonl", conversations())


@pytest.fixture
def make_jsonl(tmp_path: Path) -> Callable[[str], Path]:
    """make_jsonl(text) -> a file holding exactly `text`."""

    def make(text: str) -> Path:
        path = tmp_path / "data.jsonl"
        path.write_text(text, encoding="utf-8")
        return path

    return make
