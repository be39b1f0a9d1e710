"""Chat JSONL validation: every bad line is named with its number, and a bad file trains nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from clearlm.errors import ConfigError, InputError
from clearlm.tune.config import TuneConfig, build_tune_config
from clearlm.tune.data import ChatDataError, example_id, read_chat_jsonl
from clearlm.tune.run import run_tune

GOOD = json.dumps(
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
)


def problems_of(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(ChatDataError) as caught:
        read_chat_jsonl(path)
    return [(p.line, p.problem) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"messages": [', "not valid JSON"),
        ('{"conversation": []}', 'no "messages" key'),
        ("[1, 2]", "line is a list"),
        ('{"messages": "hello"}', '"messages" is a string'),
        ('{"messages": []}', '"messages" is empty'),
        (
            '{"messages": [{"role": "user", "content": "x"}, {"role": "bot", "content": "y"}]}',
            "message 2 has role 'bot' (expected system, user or assistant)",
        ),
        ('{"messages": [{"role": "assistant", "content": 42}]}', "message 1 content is a number"),
        ('{"messages": [{"role": "assistant", "content": null}]}', "message 1 content is null"),
        ('{"messages": [{"role": "assistant"}]}', "message 1 has no 'content'"),
        ('{"messages": ["hi"]}', "message 1 is a string"),
        ('{"messages": [{"role": "user", "content": "only a question"}]}', "no assistant message"),
        ('{"messages": [{"role": "assistant", "content": "x", "nmae": "a"}]}', "unknown key 'nmae'"),
    ],
)
def test_each_kind_of_bad_line_is_named_with_its_line_number(
    make_jsonl: Callable[[str], Path], line: str, expected: str
) -> None:
    path = make_jsonl(f"{GOOD}\n{GOOD}\n{line}\n{GOOD}\n")
    problems = problems_of(path)
    assert len(problems) == 1
    number, problem = problems[0]
    assert number == 3
    assert expected in problem


def test_the_message_names_the_file_and_the_first_bad_lines(make_jsonl: Callable[[str], Path]) -> None:
    bad_role = '{"messages": [{"role": "user", "content": "x"}, {"role": "bot", "content": "y"}]}'
    lines = [GOOD] * 6 + [bad_role, GOOD, "not json", "{}", "[]", "7"]
    path = make_jsonl("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        read_chat_jsonl(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:7: message 2 has role 'bot' (expected system, user or assistant)")
    assert f"{path}:9: not valid JSON" in message
    assert f"{path}:10: " in message
    assert "and 2 more bad lines" in message  # lines 11 and 12 are counted, not shown
    assert "(5 of 12 lines bad; nothing was trained)" in message
    assert "\n" not in message
    assert [p.line for p in caught.value.problems] == [7, 9, 10, 11, 12]  # type: ignore[attr-defined]


def test_empty_and_blank_files_are_refused(make_jsonl: Callable[[str], Path]) -> None:
    for text in ("", "\n\n  \n"):
        with pytest.raises(InputError, match="empty file"):
            read_chat_jsonl(make_jsonl(text))


def test_missing_file_and_non_utf8_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_chat_jsonl(tmp_path / "nope.jsonl")
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(GOOD.encode() + b"\n" + '{"messages": "caf\xe9"}'.encode("latin-1") + b"\n")
    assert problems_of(path) == [(2, "not UTF-8 text (byte 18)")]


def test_valid_file_keeps_line_numbers_and_skips_blank_lines(make_jsonl: Callable[[str], Path]) -> None:
    system = '{"role": "system", "content": "Be brief."}'
    multi = (
        '{"messages": [' + system + ', {"role": "user", "content": "a"}, '
        '{"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}, '
        '{"role": "assistant", "content": "d"}]}'
    )
    conversations = read_chat_jsonl(make_jsonl(f"\ufeff{GOOD}\n\n{multi}\r\n{GOOD}"))
    assert [c.line for c in conversations] == [1, 3, 4]
    assert [m["role"] for m in conversations[1].messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
    ]
    # Same conversation, same id (whatever the key order on the line); another one, another id.
    assert conversations[0].example_id == conversations[2].example_id
    assert conversations[0].example_id != conversations[1].example_id
    reordered = [{"content": "Hi", "role": "user"}, {"content": "Hello!", "role": "assistant"}]
    assert example_id(reordered) == conversations[0].example_id


def test_a_bad_file_writes_nothing(base_dir: Path, make_jsonl: Callable[[str], Path], tmp_path: Path) -> None:
    path = make_jsonl(f"{GOOD}\n" * 50 + '{"messages": [{"role": "bot", "content": "y"}]}\n')
    adapter, merged = tmp_path / "adapter", tmp_path / "merged"
    with pytest.raises(InputError, match=":51: message 1 has role 'bot'"):
        run_tune(base_dir, path, adapter, TuneConfig(steps=2, threads=1), merge=merged)
    assert not adapter.exists()
    assert not merged.exists()


def test_outputs_that_would_overwrite_other_things_are_refused(
    base_dir: Path, chat_file: Path, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="must not be inside the base folder"):
        run_tune(base_dir, chat_file, base_dir / "adapter", TuneConfig(steps=1))
    assert not (base_dir / "adapter").exists()
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("keep me")
    with pytest.raises(InputError, match="not empty and holds no adapter"):
        run_tune(base_dir, chat_file, documents, TuneConfig(steps=1))
    with pytest.raises(InputError, match="--merge names something that is not a model folder"):
        run_tune(base_dir, chat_file, tmp_path / "adapter", TuneConfig(steps=1), merge=documents)
    assert [p.name for p in documents.iterdir()] == ["letter.txt"]
    assert not (tmp_path / "adapter").exists()


def test_settings_from_flags_and_set() -> None:
    config = build_tune_config({"steps": 7, "lr": None}, ["alpha=32", "tune.target_modules=q_proj,v_proj"])
    assert (config.steps, config.lr, config.alpha) == (7, 1e-3, 32)
    assert config.target_modules == ["q_proj", "v_proj"]
    assert build_tune_config({"steps": 7}, ["steps=9"]).steps == 9  # --set wins
    with pytest.raises(ConfigError, match=r"unknown key 'tune\.rank'"):
        build_tune_config({}, ["rank=4"])
    with pytest.raises(ConfigError, match="expected an integer"):
        build_tune_config({}, ["steps=many"])
    with pytest.raises(ConfigError, match="eval_fraction must be in"):
        build_tune_config({}, ["eval_fraction=1.5"])
    with pytest.raises(ConfigError, match="expected key=value"):
        build_tune_config({}, ["steps"])
