"""The tokenizer: deterministic training, reuse of a user's file, clear errors, and the chat template."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers

from clearlm.errors import ConfigError
from clearlm.tokenize.config import TokenizeConfig
from clearlm.tokenize.tokenizer import load_tokenizer, train_tokenizer
from tests.tokenize.corpus import TokenizeRun

TEXTS = [f"Line {i}: the quick brown fox jumps over the lazy dog, café n°{i % 7} 東京." for i in range(300)]


def test_training_twice_gives_the_same_file() -> None:
    config = TokenizeConfig(vocab_size=500)
    first = train_tokenizer(iter(TEXTS), config).to_str()
    second = train_tokenizer(iter(list(reversed(TEXTS))), config).to_str()
    assert first == second
    tokenizer = Tokenizer.from_str(first)
    assert [tokenizer.id_to_token(i) for i in range(5)] == [
        "<|bos|>",
        "<|eos|>",
        "<|pad|>",
        "<|im_start|>",
        "<|im_end|>",
    ]
    text = "Unseen words: zebra ½ 🙂\n\tindented"
    assert tokenizer.decode(tokenizer.encode(text).ids) == text, "byte-level BPE round-trips any text"


def test_a_file_that_is_not_a_tokenizer_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "tokenizer.json"
    bad.write_text('{"not": "a tokenizer"}')
    with pytest.raises(ConfigError, match="not a tokenizers JSON file") as caught:
        load_tokenizer(bad, TokenizeConfig())
    assert caught.value.path == str(bad) and caught.value.exit_code == 2
    with pytest.raises(ConfigError, match="file not found"):
        load_tokenizer(tmp_path / "missing.json", TokenizeConfig())


def test_missing_special_tokens_are_listed(tmp_path: Path) -> None:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel()
    tokenizer.add_special_tokens(["<s>", "</s>"])
    path = tmp_path / "other.json"
    tokenizer.save(str(path))
    with pytest.raises(ConfigError, match=r"lacks special token\(s\) <\|bos\|>, <\|eos\|>, <\|pad\|>"):
        load_tokenizer(path, TokenizeConfig())
    with pytest.raises(ConfigError, match=r"lacks special token\(s\) <pad> \("):
        load_tokenizer(path, TokenizeConfig(bos_token="<s>", eos_token="</s>", pad_token="<pad>"))
    tokenizer.add_special_tokens(["<pad>"])
    tokenizer.save(str(path))
    loaded = load_tokenizer(path, TokenizeConfig(bos_token="<s>", eos_token="</s>", pad_token="<pad>"))
    assert loaded.token_to_id("<|im_start|>") is not None, "chat markers are added when missing"


def test_an_existing_tokenizer_is_reused_byte_for_byte(tokenized: TokenizeRun, tmp_path: Path) -> None:
    first = tokenized(name="first")
    mine = tmp_path / "my-tokenizer.json"
    mine.write_bytes((first / "tokens/tokenizer.json").read_bytes())
    # Other training settings must not matter: nothing is trained when a file is given.
    second = tokenized(f"tokenize.tokenizer={mine}", "tokenize.vocab_size=300", name="second")
    assert (second / "tokens/tokenizer.json").read_bytes() == mine.read_bytes()
    for name in ("index.parquet", "shard-00000.bin"):
        assert (second / "tokens" / name).read_bytes() == (first / "tokens" / name).read_bytes()


def test_a_bad_tokenizer_file_stops_the_stage_and_a_fixed_one_runs(
    tokenized: TokenizeRun, tmp_path: Path
) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{ truncated")
    with pytest.raises(ConfigError, match=r"broken\.json: tokenize\.tokenizer: not a tokenizers JSON file"):
        tokenized(f"tokenize.tokenizer={bad}")
    with pytest.raises(ConfigError, match=r"missing\.json: tokenize\.tokenizer: file not found"):
        tokenized(f"tokenize.tokenizer={tmp_path / 'missing.json'}")
    # The failed runs recorded nothing, so correcting the setting is not refused as "other settings".
    assert (tokenized() / "tokens/manifest.json").is_file()


@pytest.mark.slow
def test_chat_template_marks_exactly_what_the_assistant_says(
    tokenized: TokenizeRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    tokens = tokenized() / "tokens"
    tokenizer: Any = AutoTokenizer.from_pretrained(str(tokens))
    fast: Any = PreTrainedTokenizerFast(tokenizer_file=str(tokens / "tokenizer.json"))  # type: ignore[no-untyped-call]
    assert fast.convert_tokens_to_ids("<|im_end|>") == tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert (tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id) == (0, 1, 2)
    messages = [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "What is a café?"},
        {"role": "assistant", "content": "A small restaurant. ☕"},
        {"role": "user", "content": "And 東京?"},
        {"role": "assistant", "content": " Tokyo, with a leading space."},
    ]
    out: Any = tokenizer.apply_chat_template(
        messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    ids, mask = out["input_ids"], out["assistant_masks"]
    assert tokenizer.decode(ids) == (
        "<|im_start|>system\nAnswer briefly.<|im_end|>\n<|im_start|>user\nWhat is a café?<|im_end|>\n"
        "<|im_start|>assistant\nA small restaurant. ☕<|im_end|>\n<|im_start|>user\nAnd 東京?<|im_end|>\n"
        "<|im_start|>assistant\n Tokyo, with a leading space.<|im_end|>\n"
    )
    marked = [i for i, m in zip(ids, mask, strict=True) if m]
    assert (
        tokenizer.decode(marked) == "A small restaurant. ☕<|im_end|> Tokyo, with a leading space.<|im_end|>"
    )
    # Two contiguous runs, one per assistant turn.
    runs = sum(1 for i in range(len(mask)) if mask[i] and (i == 0 or not mask[i - 1]))
    assert runs == 2
    prompt: Any = tokenizer.apply_chat_template(messages[:2], tokenize=False, add_generation_prompt=True)
    assert prompt.endswith("<|im_start|>user\nWhat is a café?<|im_end|>\n<|im_start|>assistant\n")
    config = json.loads((tokens / "tokenizer_config.json").read_text())
    assert "{% generation %}" in config["chat_template"].replace("-", "")


def test_a_vocabulary_past_65536_gives_uint32_shards(tokenized: TokenizeRun, tmp_path: Path) -> None:
    first = tokenized(name="first")
    big = Tokenizer.from_file(str(first / "tokens/tokenizer.json"))
    big.add_special_tokens([f"<|extra_{i}|>" for i in range(66_000)])
    path = tmp_path / "big.json"
    big.save(str(path))
    second = tokenized(f"tokenize.tokenizer={path}", name="second")
    manifest = json.loads((second / "tokens/manifest.json").read_text())
    assert manifest["dtype"] == "uint32" and manifest["vocab_size"] > 1 << 16
    # The same ids as the uint16 run, only wider.
    narrow = np.fromfile(first / "tokens/shard-00000.bin", dtype="<u2")
    wide = np.fromfile(second / "tokens/shard-00000.bin", dtype="<u4")
    assert np.array_equal(narrow.astype(np.uint32), wide)
