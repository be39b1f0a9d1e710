"""Conversations → token ids and labels with the base's own tokenizer and chat template; the eval split.

The labels are the ids where the template's `{% generation %}` block marks assistant text (content
and its closing `<|im_end|>`, see clearlm.tokenize.chat) and -100 elsewhere, so the loss is only on
what the model must learn to say; system and user turns are context. A conversation longer than
`max_len` is cut at the end and counted.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clearlm.errors import InputError
from clearlm.tune.data import Conversation

IGNORE = -100
TRAIN, EVAL = "train", "eval"


@dataclass
class Example:
    """One conversation ready to train on; `labels[t]` is `input_ids[t]` or IGNORE."""

    line: int
    example_id: str
    input_ids: list[int]
    labels: list[int]
    truncated: bool
    split: str = TRAIN

    @property
    def n_assistant_tokens(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE)


def load_tokenizer(base: Path) -> Any:
    """The base folder's transformers tokenizer (offline); it must have a chat template."""
    from transformers import AutoTokenizer

    if not (base / "tokenizer.json").is_file() and not (base / "tokenizer_config.json").is_file():
        raise InputError("no tokenizer.json or tokenizer_config.json: not a model folder", base)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(f"unreadable tokenizer ({str(err).splitlines()[0]})", base) from None
    if not getattr(tokenizer, "chat_template", None):
        raise InputError("the tokenizer has no chat_template", base / "tokenizer_config.json")
    # encode() cuts to max_len and counts what it cut; transformers' own warning about sequences
    # longer than model_max_length would only repeat that, once per long conversation.
    tokenizer.model_max_length = sys.maxsize
    return tokenizer


def pad_id(tokenizer: Any) -> int:
    """The id batches are padded with: the tokenizer's pad token, else its eos (masked out either way)."""
    for candidate in (tokenizer.pad_token_id, tokenizer.eos_token_id):
        if isinstance(candidate, int):
            return candidate
    return 0


def encode(conversation: Conversation, tokenizer: Any, max_len: int, template_path: Path) -> Example:
    """Token ids and assistant-only labels of one conversation, cut to `max_len` tokens."""
    out = tokenizer.apply_chat_template(
        conversation.messages,
        tokenize=True,
        return_dict=True,
        return_assistant_tokens_mask=True,
    )
    ids = [int(i) for i in out["input_ids"]]
    mask = [int(m) for m in out["assistant_masks"]]
    if not any(mask):
        # Every conversation has an assistant turn, so an empty mask means the template marks none.
        raise InputError(
            "the chat template marks no assistant tokens: wrap assistant turns in "
            "{% generation %}…{% endgeneration %} (clearlm.tokenize.chat.CHAT_TEMPLATE does)",
            template_path,
        )
    truncated = len(ids) > max_len
    ids, mask = ids[:max_len], mask[:max_len]
    labels = [token if keep else IGNORE for token, keep in zip(ids, mask, strict=True)]
    return Example(conversation.line, conversation.example_id, ids, labels, truncated)


def split_score(example_id: str, seed: int) -> float:
    """A number in [0, 1) fixed by the example's content and the seed: its place in the split order.

    Hashing the content (not the line number) keeps the order when lines are reordered, and puts
    duplicates side by side, so no conversation is in both splits.
    """
    digest = hashlib.sha256(f"clearlm-tune-split:{seed}:{example_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_splits(examples: list[Example], eval_fraction: float, seed: int) -> None:
    """Hold out the round(eval_fraction · n) lowest-scoring distinct conversations as `eval`.

    An exact count rather than a per-example coin flip: a small private set would otherwise get a
    held-out share that swings with the seed. With two or more distinct conversations and
    eval_fraction > 0, at least one is held out and at least one stays in train.
    """
    for example in examples:
        example.split = TRAIN
    distinct = sorted({e.example_id for e in examples}, key=lambda i: (split_score(i, seed), i))
    if eval_fraction <= 0 or len(distinct) < 2:
        return
    n_eval = min(max(round(eval_fraction * len(distinct)), 1), len(distinct) - 1)
    chosen = set(distinct[:n_eval])
    for example in examples:
        if example.example_id in chosen:
            example.split = EVAL


def encode_all(
    conversations: list[Conversation],
    tokenizer: Any,
    *,
    max_len: int,
    eval_fraction: float,
    seed: int,
    base: Path,
    data_path: Path,
) -> list[Example]:
    """Encode every conversation and assign the eval split; refuses data that leaves nothing to learn."""
    template_path = base / "tokenizer_config.json"
    examples = [encode(c, tokenizer, max_len, template_path) for c in conversations]
    assign_splits(examples, eval_fraction, seed)
    if not any(e.n_assistant_tokens for e in examples if e.split == TRAIN):
        raise InputError(
            f"no assistant token of the training split fits in max_len {max_len}; raise max_len",
            data_path,
        )
    return examples


def split_counts(examples: list[Example]) -> dict[str, dict[str, int]]:
    """Examples, tokens, assistant tokens and truncated examples per split."""
    counts: dict[str, dict[str, int]] = {}
    for split in (TRAIN, EVAL):
        chosen = [e for e in examples if e.split == split]
        counts[split] = {
            "examples": len(chosen),
            "tokens": sum(len(e.input_ids) for e in chosen),
            "assistant_tokens": sum(e.n_assistant_tokens for e in chosen),
            "truncated": sum(e.truncated for e in chosen),
        }
    return counts
