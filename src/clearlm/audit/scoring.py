"""What the audit asks of a model: token log-probs under teacher forcing, and greedy continuations.

Both run batched. Log-probs pad sequences on the right: attention is causal, so padding after a
sequence never changes the logits of its own tokens, and padded positions are simply not read.
Greedy decoding batches prompts of equal length through one KV cache (our Llama has no padding
mask, so only equal-length prompts may share a batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from clearlm.audit.metrics import FloatArray
from clearlm.errors import InputError
from clearlm.model.hf_weights import load_hf_folder
from clearlm.model.kv_cache import KVCache
from clearlm.model.llama import Llama


@dataclass
class TokenScores:
    """For a sequence x of n tokens: log p(x_t | x_<t) for t = 1 … n−1, and, when asked for, the
    mean and standard deviation of log p(z) over z ~ p(· | x_<t) at each of those positions."""

    logprobs: FloatArray
    vocab_mean: FloatArray | None = None
    vocab_std: FloatArray | None = None


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(name)
    except RuntimeError:
        raise InputError(f"unknown device {name!r} (auto, cpu, cuda, cuda:N)") from None


class Scorer:
    """A causal LM (ours, or anything whose forward(ids [B, T]) gives logits [B, T, V]) in fp32."""

    def __init__(self, model: torch.nn.Module, device: torch.device, batch_size: int = 16) -> None:
        self.model = model.to(device=device, dtype=torch.float32).eval()
        self.device = device
        self.batch_size = max(1, batch_size)

    @classmethod
    def from_checkpoint(cls, folder: Path, device: str = "auto", batch_size: int = 16) -> Scorer:
        model, _ = load_hf_folder(folder)
        return cls(model, pick_device(device), batch_size)

    @property
    def context(self) -> int:
        if isinstance(self.model, Llama):
            return int(self.model.config.max_seq_len)
        return int(getattr(getattr(self.model, "config", None), "max_position_embeddings", 1 << 30))

    def _logits(self, ids: torch.Tensor) -> torch.Tensor:
        out = self.model(ids)
        logits = out if isinstance(out, torch.Tensor) else out.logits  # transformers returns an object
        return logits.float()  # [B, T, V]

    @torch.inference_mode()
    def score(self, seqs: Sequence[Sequence[int]], vocab_stats: bool = False) -> list[TokenScores]:
        """TokenScores for every sequence (each at least 2 tokens, at most the model's context)."""
        results: list[TokenScores | None] = [None] * len(seqs)
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))  # similar lengths share a batch
        for begin in range(0, len(order), self.batch_size):
            chunk = order[begin : begin + self.batch_size]
            width = max(len(seqs[i]) for i in chunk)
            if width > self.context or min(len(seqs[i]) for i in chunk) < 2:
                raise ValueError(f"sequences must have 2 … {self.context} tokens")
            batch = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                batch[row, : len(seqs[i])] = seqs[i]
            ids = torch.from_numpy(batch).to(self.device)  # [B, T]
            logp = torch.log_softmax(self._logits(ids)[:, :-1], dim=-1)  # [B, T-1, V]
            picked = logp.gather(-1, ids[:, 1:, None])[..., 0]  # [B, T-1]
            mean = std = None
            if vocab_stats:
                p = logp.exp()  # [B, T-1, V]
                mean = (p * logp).sum(-1)  # [B, T-1]
                std = ((p * logp * logp).sum(-1) - mean * mean).clamp_min(0.0).sqrt()  # [B, T-1]
            for row, i in enumerate(chunk):
                n = len(seqs[i]) - 1
                results[i] = TokenScores(
                    picked[row, :n].double().cpu().numpy(),
                    None if mean is None else mean[row, :n].double().cpu().numpy(),
                    None if std is None else std[row, :n].double().cpu().numpy(),
                )
        return [r for r in results if r is not None]

    @torch.inference_mode()
    def greedy(self, prompts: Sequence[Sequence[int]], new_tokens: int) -> list[list[int]]:
        """The `new_tokens` most likely next tokens after each prompt (argmax at every step)."""
        out: list[list[int]] = [[] for _ in prompts]
        by_length: dict[int, list[int]] = {}
        for i, prompt in enumerate(prompts):
            by_length.setdefault(len(prompt), []).append(i)
        for length, members in sorted(by_length.items()):
            if length < 1 or length + new_tokens > self.context:
                raise ValueError(
                    f"prompt {length} + {new_tokens} new tokens exceed the context {self.context}"
                )
            for begin in range(0, len(members), self.batch_size):
                chunk = members[begin : begin + self.batch_size]
                made = self._greedy_batch([list(prompts[i]) for i in chunk], new_tokens)
                for i, tokens in zip(chunk, made, strict=True):
                    out[i] = tokens
        return out

    def _greedy_batch(self, prompts: list[list[int]], new_tokens: int) -> list[list[int]]:
        ids = torch.tensor(prompts, dtype=torch.long, device=self.device)  # [B, P]
        if not isinstance(self.model, Llama):  # no KV cache of ours: recompute the whole prefix
            for _ in range(new_tokens):
                nxt = self._logits(ids)[:, -1].argmax(-1, keepdim=True)  # [B, 1]
                ids = torch.cat([ids, nxt], dim=1)
            return [row[len(prompts[0]) :] for row in ids.tolist()]
        cache = KVCache.for_model(self.model, batch_size=len(prompts), max_len=ids.shape[1] + new_tokens)
        logits = self.model(ids, cache)[:, -1]  # [B, V] prefill
        made = []
        for step in range(new_tokens):
            nxt = logits.argmax(-1, keepdim=True)  # [B, 1]
            made.append(nxt)
            if step + 1 < new_tokens:
                logits = self.model(nxt, cache)[:, -1]  # [B, V] one token against the cache
        return torch.cat(made, dim=1).tolist() if made else [[] for _ in prompts]
