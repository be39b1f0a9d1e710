"""A tiny tokens folder (byte-level BPE trained here, ChatML template) and tiny checkpoints."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from clearlm.model.config import LlamaConfig
from clearlm.model.hf_weights import write_hf_folder
from clearlm.model.llama import Llama

SPECIAL_TOKENS = ["<|bos|>", "<|eos|>", "<|pad|>", "<|im_start|>", "<|im_end|>"]
# The contract's ChatML template, assistant turns wrapped for return_assistant_tokens_mask.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' }}"
    "{% if message['role'] == 'assistant' %}"
    "{% generation %}{{ message['content'] + '<|im_end|>' }}{% endgeneration %}"
    "{% else %}{{ message['content'] + '<|im_end|>' }}{% endif %}"
    "{{ '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Open models trained on data you may use, with every token traced to its document.",
    "Hello world! Numbers like 12345 and symbols like $%& also appear here.",
]


def train_tokenizer(folder: Path) -> Tokenizer:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        min_frequency=1,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(TEXTS * 20, trainer)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    tokenizer_config = {
        "bos_token": "<|bos|>",
        "eos_token": "<|eos|>",
        "pad_token": "<|pad|>",
        "chat_template": CHAT_TEMPLATE,
        "model_max_length": 1024,
        "tokenizer_class": "PreTrainedTokenizerFast",
        "add_bos_token": False,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2))
    return tokenizer


@pytest.fixture(scope="module")
def tokens_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tokens")
    train_tokenizer(folder)
    return folder


@pytest.fixture
def make_checkpoint(tmp_path: Path) -> Callable[..., tuple[Path, Llama]]:
    """make_checkpoint(tied=...) -> (checkpoint folder, the model in it); vocabulary padded to 448 rows."""

    def make(*, tied: bool = True, seed: int = 0, vocab_size: int = 448) -> tuple[Path, Llama]:
        config = LlamaConfig(
            vocab_size=vocab_size,
            dim=64,
            n_layers=2,
            n_heads=4,
            n_kv_heads=2,
            max_seq_len=64,
            tie_embeddings=tied,
        )
        model = Llama(config)
        model.init_weights(seed)
        folder = tmp_path / f"step-{seed:06d}"
        write_hf_folder(model, folder, bos_id=0, eos_id=1, pad_id=2)
        return folder, model.eval()

    return make
