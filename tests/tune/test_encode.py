"""Tokenisation with the base's chat template: loss only on assistant tokens, truncation, eval split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clearlm.errors import InputError
from clearlm.tune.data import Conversation, example_id, read_chat_jsonl
from clearlm.tune.encode import EVAL, IGNORE, TRAIN, assign_splits, encode_all, load_tokenizer, split_counts
from tests.tune.conftest import conversations, write_jsonl


def conversation(messages: list[dict[str, str]], line: int = 1) -> Conversation:
    return Conversation(line, messages, example_id(messages))


def test_labels_are_exactly_the_assistant_turns_and_their_im_end(base_dir: Path) -> None:
    tokenizer = load_tokenizer(base_dir)
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What are your opening hours?"},
        {"role": "assistant", "content": "We open at nine."},
        {"role": "user", "content": "Thanks!"},
        {"role": "assistant", "content": "Have a nice day."},
    ]
    (example,) = encode_all(
        [conversation(messages)],
        tokenizer,
        max_len=128,
        eval_fraction=0.0,
        seed=0,
        base=base_dir,
        data_path=Path("x.jsonl"),
    )
    assert (
        example.input_ids
        == tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
    )
    labelled = [t for t in example.labels if t != IGNORE]
    assert tokenizer.decode(labelled) == "We open at nine.<|im_end|>Have a nice day.<|im_end|>"
    # Every label is its own input token, and the rest (system, user, role headers) are ignored.
    assert all(lab in (IGNORE, tok) for lab, tok in zip(example.labels, example.input_ids, strict=True))
    unlabelled = [t for t, lab in zip(example.input_ids, example.labels, strict=True) if lab == IGNORE]
    assert "What are your opening hours?" in tokenizer.decode(unlabelled)
    assert not example.truncated


def test_long_conversations_are_cut_and_counted(base_dir: Path) -> None:
    tokenizer = load_tokenizer(base_dir)
    short = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    long = [{"role": "user", "content": "Hi " * 20}, {"role": "assistant", "content": "Hello " * 40}]
    examples = encode_all(
        [conversation(short, 1), conversation(long, 2)],
        tokenizer,
        max_len=32,
        eval_fraction=0.0,
        seed=0,
        base=base_dir,
        data_path=Path("x.jsonl"),
    )
    assert [e.truncated for e in examples] == [False, True]
    assert len(examples[1].input_ids) == len(examples[1].labels) == 32
    assert split_counts(examples)[TRAIN]["truncated"] == 1


def test_nothing_to_learn_within_max_len_is_refused(base_dir: Path) -> None:
    long = [{"role": "user", "content": "Hi " * 40}, {"role": "assistant", "content": "Hello"}]
    with pytest.raises(InputError, match=r"x\.jsonl: no assistant token .* fits in max_len 8"):
        encode_all(
            [conversation(long)],
            load_tokenizer(base_dir),
            max_len=8,
            eval_fraction=0.0,
            seed=0,
            base=base_dir,
            data_path=Path("x.jsonl"),
        )


def test_a_template_without_generation_markers_is_refused(base_dir: Path, tmp_path: Path) -> None:
    base = tmp_path / "plain-template"
    base.mkdir()
    (base / "tokenizer.json").write_bytes((base_dir / "tokenizer.json").read_bytes())
    settings = json.loads((base_dir / "tokenizer_config.json").read_text())
    settings["chat_template"] = (
        settings["chat_template"].replace("{%- generation -%}", "").replace("{%- endgeneration -%}", "")
    )
    (base / "tokenizer_config.json").write_text(json.dumps(settings))
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    with pytest.raises(InputError, match="marks no assistant tokens"):
        encode_all(
            [conversation(messages)],
            load_tokenizer(base),
            max_len=64,
            eval_fraction=0.0,
            seed=0,
            base=base,
            data_path=Path("x.jsonl"),
        )


def test_eval_split_is_deterministic_and_never_empty(base_dir: Path, tmp_path: Path) -> None:
    rows = [
        {"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]}
        for i in range(40)
    ]
    convs = read_chat_jsonl(write_jsonl(tmp_path / "d.jsonl", rows))
    tokenizer = load_tokenizer(base_dir)

    def split(fraction: float, seed: int, chosen: list[Conversation] = convs) -> dict[str, str]:
        examples = encode_all(
            chosen,
            tokenizer,
            max_len=64,
            eval_fraction=fraction,
            seed=seed,
            base=base_dir,
            data_path=Path("x.jsonl"),
        )
        return {e.example_id: e.split for e in examples}

    first = split(0.25, 0)
    assert first == split(0.25, 0)
    assert first != split(0.25, 1)
    assert list(first.values()).count(EVAL) == 10
    # Reordering lines moves no example between splits: the split follows the content.
    assert split(0.25, 0, list(reversed(convs))) == first
    # A tiny fraction still holds one example out; none at all only when asked for 0.
    assert list(split(0.001, 0, convs[:2]).values()).count(EVAL) == 1
    assert EVAL not in split(0.0, 0).values()
    assert list(split(0.99, 0).values()).count(TRAIN) == 1


def test_duplicates_share_a_split(base_dir: Path) -> None:
    tokenizer = load_tokenizer(base_dir)
    rows = conversations(12)
    convs = [conversation(r["messages"], i + 1) for i, r in enumerate(rows)]  # 6 distinct, each twice
    examples = encode_all(
        convs, tokenizer, max_len=128, eval_fraction=0.3, seed=0, base=base_dir, data_path=Path("x.jsonl")
    )
    by_id: dict[str, set[str]] = {}
    for e in examples:
        by_id.setdefault(e.example_id, set()).add(e.split)
    assert all(len(splits) == 1 for splits in by_id.values())
    assert [e.split for e in examples].count(EVAL) == 4  # round(0.3 × 6 distinct) = 2, each twice
    assign_splits(examples, 0.0, 0)
    assert {e.split for e in examples} == {TRAIN}
