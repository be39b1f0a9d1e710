"""The byte-level BPE tokenizer of a HF folder, as GGUF `tokenizer.ggml.*` metadata.

llama.cpp's "gpt2" tokenizer model is a byte-level BPE: the token strings in the byte-to-unicode
spelling of tokenizer.json, the merges as "left right" strings, and a token type per id (control
for special tokens, so they never come out of plain text). It splits text before BPE with a regex
it picks by the `tokenizer.ggml.pre` name, so only the pre-tokenizers listed here can be exported:
another one would tokenize differently in llama.cpp without any error.

The embedding matrix may have more rows than the tokenizer has tokens (the vocabulary is rounded up
for fast matmuls): llama.cpp wants one token per row, so those rows get "[PAD<id>]" tokens marked
unused, as llama.cpp's own converter does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gguf

from clearlm.errors import InputError

# The split regex of Llama 3's tokenizer.json; llama.cpp calls that pre-tokenizer "llama-bpe".
LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
CHAT_END = "<|im_end|>"
# `{% generation %}` marks assistant text for transformers' training masks; it renders nothing, and
# llama.cpp's Jinja engine need not know the tag, so the GGUF copy of the template goes without it.
GENERATION_TAG = re.compile(r"\{%-?\s*(?:end)?generation\s*-?%\}")


@dataclass
class GGUFVocab:
    tokens: list[str]
    token_types: list[int]
    merges: list[str]
    pre: str
    bos_id: int
    eos_id: int
    pad_id: int | None
    eot_id: int | None
    add_bos: bool
    chat_template: str | None


def llama_cpp_pre_tokenizer(pre: dict[str, Any] | None, path: Path) -> str:
    """llama.cpp's name for the way tokenizer.json splits text before BPE."""
    byte_level = pre is not None and pre.get("type") == "ByteLevel"
    if (
        byte_level
        and pre is not None
        and pre.get("use_regex", True)
        and not pre.get("add_prefix_space", False)
    ):
        return "gpt-2"  # GPT-2's own regex, built into the ByteLevel pre-tokenizer
    if pre is not None and pre.get("type") == "Sequence":
        steps = pre.get("pretokenizers", [])
        if (
            len(steps) == 2
            and steps[0].get("type") == "Split"
            and steps[0].get("pattern", {}).get("Regex") == LLAMA3_SPLIT
            and steps[1].get("type") == "ByteLevel"
            and not steps[1].get("use_regex", True)
        ):
            return "llama-bpe"
    raise InputError(f"pre-tokenizer {json.dumps(pre)[:120]} has no llama.cpp equivalent", path)


def merge_strings(merges: list[Any]) -> list[str]:
    """Merges as llama.cpp wants them, "left right", from either tokenizer.json spelling."""
    return [merge if isinstance(merge, str) else f"{merge[0]} {merge[1]}" for merge in merges]


def token_table(tokenizer: dict[str, Any], vocab_size: int, path: Path) -> tuple[list[str], list[int]]:
    """One token and one gguf.TokenType per embedding row."""
    tokens: dict[int, str] = {int(i): t for t, i in tokenizer["model"]["vocab"].items()}
    types = dict.fromkeys(tokens, int(gguf.TokenType.NORMAL))
    for added in tokenizer.get("added_tokens", []):
        tokens[int(added["id"])] = added["content"]
        special = added.get("special", False)
        types[int(added["id"])] = int(gguf.TokenType.CONTROL if special else gguf.TokenType.USER_DEFINED)
    if max(tokens) >= vocab_size:
        raise InputError(f"token id {max(tokens)} is past the model's {vocab_size} embedding rows", path)
    table = [tokens.get(i, f"[PAD{i}]") for i in range(vocab_size)]
    kinds = [types.get(i, int(gguf.TokenType.UNUSED)) for i in range(vocab_size)]
    return table, kinds


def read_vocab(hf_dir: Path, vocab_size: int, hf_config: dict[str, Any]) -> GGUFVocab:
    """The tokenizer of an exported HF folder (tokenizer.json, tokenizer_config.json, config.json ids)."""
    path = hf_dir / "tokenizer.json"
    try:
        tokenizer = json.loads(path.read_text(encoding="utf-8"))
        tokenizer_config = json.loads((hf_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise InputError("missing file", err.filename) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"unreadable tokenizer files ({err})", hf_dir) from None
    model = tokenizer.get("model", {})
    if model.get("type") != "BPE" or (tokenizer.get("decoder") or {}).get("type") != "ByteLevel":
        raise InputError("only byte-level BPE tokenizers can be written to GGUF", path)
    tokens, token_types = token_table(tokenizer, vocab_size, path)
    bos_id, eos_id = hf_config.get("bos_token_id"), hf_config.get("eos_token_id")
    if not isinstance(bos_id, int) or not isinstance(eos_id, int):
        raise InputError("bos_token_id and eos_token_id must be single ids", hf_dir / "config.json")
    pad_id = hf_config.get("pad_token_id")
    eot_id = tokens.index(CHAT_END) if CHAT_END in tokens else None
    chat_template = GENERATION_TAG.sub("", tokenizer_config.get("chat_template") or "")
    # Every training document starts with BOS, so llama.cpp should put one before a prompt, unless
    # the chat template writes it itself (llama.cpp would then add a second one).
    bos_in_template = "bos_token" in chat_template or tokens[bos_id] in chat_template
    return GGUFVocab(
        tokens=tokens,
        token_types=token_types,
        merges=merge_strings(model.get("merges", [])),
        pre=llama_cpp_pre_tokenizer(tokenizer.get("pre_tokenizer"), path),
        bos_id=bos_id,
        eos_id=eos_id,
        pad_id=pad_id if isinstance(pad_id, int) else None,
        eot_id=eot_id,
        add_bos=not bos_in_template,
        chat_template=chat_template or None,
    )


def write_vocab(writer: gguf.GGUFWriter, vocab: GGUFVocab) -> None:
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(vocab.pre)
    writer.add_token_list(vocab.tokens)
    writer.add_token_types(vocab.token_types)
    writer.add_token_merges(vocab.merges)
    writer.add_bos_token_id(vocab.bos_id)
    writer.add_eos_token_id(vocab.eos_id)
    if vocab.pad_id is not None:
        writer.add_pad_token_id(vocab.pad_id)
    if vocab.eot_id is not None:
        writer.add_eot_token_id(vocab.eot_id)  # ends a chat turn in llama.cpp's chat mode
    writer.add_add_bos_token(vocab.add_bos)
    writer.add_add_eos_token(False)
    if vocab.chat_template:
        writer.add_chat_template(vocab.chat_template)
