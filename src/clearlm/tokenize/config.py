"""Settings of the tokenize stage: `[tokenize]` in a recipe."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TokenizeConfig:
    """Tokenizer training (or reuse), the held-out split, mixture weights and token shards."""

    # An existing tokenizer.json to reuse; empty = train a byte-level BPE on the kept documents.
    tokenizer: str = ""
    vocab_size: int = 8192
    min_frequency: int = 2
    # The BPE is trained on at most this many bytes of training-split text (documents in id order).
    train_max_bytes: int = 256 * 1024 * 1024
    bos_token: str = "<|bos|>"
    eos_token: str = "<|eos|>"
    pad_token: str = "<|pad|>"
    # Documents held out of training (never in a training shard): for eval loss and, later, audit.
    heldout_fraction: float = 0.05
    heldout_min_docs: int = 1
    # Weights per "source:<group>" or "license:<SPDX>" (product of the matching ones, default 1).
    # 2.0 repeats a document twice, 0.5 keeps half the documents (chosen by seed), 0 excludes.
    mixture: dict[str, float] = field(default_factory=dict)
    # Tokens per shard file; a document is never split across shards.
    shard_tokens: int = 1 << 26
    # Audit canaries (docs/audit.md): one random secret per entry, planted that many times in the
    # training shards (e.g. [1, 20]), so `clearlm audit` measures memorisation at a known dose.
    canaries: list[int] = field(default_factory=list)
    # Random digits in each canary's secret: the secret space has 10**canary_tokens members.
    canary_tokens: int = 12
