"""Membership inference: can a score tell training documents from held-out ones?

The tokenize stage holds documents out by a seeded hash of doc_id, so train and held-out split
are two samples of the same distribution, and the only systematic difference between them is that
the model trained on one. Each document gets four scores (all oriented: higher = "member"):

    loss      −(mean next-token loss)                                   (Yeom et al. 2018)
    zlib      −(loss / zlib-compressed bytes of the scored text)        (Carlini et al. 2021)
    min_k     Min-K%: mean of the lowest k = 20 % token log-probs        (Shi et al. 2024)
    min_k_pp  Min-K%++: the same over log-probs standardised by the mean and std of log p(z),
              z ~ the model's own next-token distribution               (Zhang et al. 2024)

Scored text: the document's first `max_windows` windows of at most `window` tokens (default: the
training seq_len, since that is the context the model learnt), each window on its own; a
document's token scores are pooled over its windows. Per score: AUROC, a 95 % bootstrap CI
(members and non-members resampled separately) and the TPR at 1 % FPR.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from clearlm.audit.data import AuditData, DocRow
from clearlm.audit.metrics import (
    FloatArray,
    auroc,
    bootstrap_auroc_ci,
    min_k,
    min_k_plus_plus,
    roc_curve,
    tpr_at_fpr,
)
from clearlm.audit.scoring import Scorer
from clearlm.tokenize.split import HELDOUT, TRAIN

SCORES = ("loss", "zlib", "min_k", "min_k_pp")


@dataclass(frozen=True)
class MiaSettings:
    docs: int = 500  # per side at most
    window: int = 128
    max_windows: int = 4
    k: float = 0.2
    resamples: int = 1000
    seed: int = 0


def windows(ids: np.ndarray, window: int, max_windows: int) -> list[list[int]]:
    """Consecutive non-overlapping windows from the start; a trailing piece under 2 tokens is dropped."""
    pieces = [ids[i : i + window].tolist() for i in range(0, len(ids), window)][:max_windows]
    return [p for p in pieces if len(p) >= 2]


def score_windows(
    scorer: Scorer, docs: list[list[list[int]]], texts: list[str], k: float
) -> dict[str, FloatArray]:
    """The four scores of each document, given its windows of token ids and its scored text."""
    spans: list[tuple[int, int]] = []  # each document's windows in `seqs`
    seqs: list[list[int]] = []
    for pieces in docs:
        spans.append((len(seqs), len(seqs) + len(pieces)))
        seqs.extend(pieces)
    scored = scorer.score(seqs, vocab_stats=True)
    out: dict[str, list[float]] = {name: [] for name in SCORES}
    for (begin, end), text in zip(spans, texts, strict=True):
        parts = scored[begin:end]
        lp = np.concatenate([p.logprobs for p in parts])
        mean = np.concatenate([p.vocab_mean for p in parts if p.vocab_mean is not None])
        std = np.concatenate([p.vocab_std for p in parts if p.vocab_std is not None])
        loss = -float(lp.mean())
        compressed = len(zlib.compress(text.encode("utf-8"), 9))
        out["loss"].append(-loss)
        out["zlib"].append(-loss / max(compressed, 1))
        out["min_k"].append(min_k(lp, k))
        out["min_k_pp"].append(min_k_plus_plus(lp, mean, std, k))
    return {name: np.array(values, dtype=np.float64) for name, values in out.items()}


def document_scores(
    scorer: Scorer, data: AuditData, rows: list[DocRow], settings: MiaSettings
) -> dict[str, FloatArray]:
    """The four scores of every document in `rows` (same order), over its first windows."""
    docs = [windows(data.tokens(row), settings.window, settings.max_windows) for row in rows]
    texts = ["".join(data.decode(piece) for piece in pieces) for pieces in docs]
    return score_windows(scorer, docs, texts, settings.k)


def compare(
    members: dict[str, FloatArray], nonmembers: dict[str, FloatArray], resamples: int, seed: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per score: AUROC, bootstrap 95 % CI, TPR at 1 % FPR, means; and the ROC points."""
    summary: dict[str, Any] = {}
    curves: dict[str, Any] = {}
    for name in SCORES:
        pos, neg = members[name], nonmembers[name]
        low, high = bootstrap_auroc_ci(pos, neg, resamples, seed)
        fpr, tpr = roc_curve(pos, neg)
        summary[name] = {
            "auroc": round(auroc(pos, neg), 4),
            "ci95": [round(low, 4), round(high, 4)],
            "tpr_at_1pct_fpr": round(tpr_at_fpr(pos, neg, 0.01), 4),
            "member_mean": round(float(pos.mean()), 6),
            "nonmember_mean": round(float(neg.mean()), 6),
        }
        curves[name] = {"fpr": fpr.round(5).tolist(), "tpr": tpr.round(5).tolist()}
    return summary, curves


def run_mia(scorer: Scorer, data: AuditData, settings: MiaSettings) -> dict[str, Any]:
    """Scores of sampled train vs held-out documents; per score AUROC, CI, TPR@1%FPR, ROC points."""
    members = data.sample(data.documents(TRAIN), settings.docs, settings.seed, "mia-train")
    nonmembers = data.sample(data.documents(HELDOUT), settings.docs, settings.seed, "mia-heldout")
    summary: dict[str, Any] = {
        "settings": {"window": settings.window, "max_windows": settings.max_windows, "k": settings.k,
                     "resamples": settings.resamples},
        "members": len(members),
        "nonmembers": len(nonmembers),
        "scores": {},
        "roc": {},
    }  # fmt: skip
    if not members or not nonmembers:
        summary["skipped"] = "needs training and held-out documents (tokenize.heldout_fraction)"
        return summary
    pos = document_scores(scorer, data, members, settings)
    neg = document_scores(scorer, data, nonmembers, settings)
    summary["scores"], summary["roc"] = compare(pos, neg, settings.resamples, settings.seed)
    return summary
