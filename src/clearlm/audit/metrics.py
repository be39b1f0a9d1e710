"""The numbers of the audit, in plain numpy: exposure, Min-K% / Min-K%++, AUROC with bootstrap CIs.

Every score here is oriented so that *higher means "more likely a training member"*, which is
what an AUROC above 0.5 then says.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


# -- canaries (Carlini et al. 2019, "The Secret Sharer") ---------------------------------------------


def rank_of(secret: float, candidates: ArrayLike) -> int:
    """1 + how many candidates have a strictly lower log-perplexity than the secret (1 = best)."""
    return 1 + int(np.count_nonzero(np.asarray(candidates, dtype=np.float64) < secret))


def exposure(space_bits: float, rank: int) -> float:
    """Carlini's exposure, log2|R| − log2 rank(secret), for a rank within the whole space R."""
    return space_bits - math.log2(rank)


def sampled_exposure(secret: float, candidates: ArrayLike) -> float:
    """Exposure estimated from n random candidates: the secret's rank among them stands for a
    rank of rank · |R| / (n + 1) in the whole space, so exposure = log2(n + 1) − log2 rank.
    At most log2(n + 1) (the secret beat every candidate): more needs more candidates."""
    values = np.asarray(candidates, dtype=np.float64)
    return exposure(math.log2(len(values) + 1), rank_of(secret, values))


def _log_normal_cdf(z: float) -> float:
    """log Φ(z), accurate far into the lower tail (where Φ underflows)."""
    if z > -8.0:
        return math.log(0.5 * math.erfc(-z / math.sqrt(2.0)))
    # Mills-ratio asymptotic series: Φ(z) ≈ φ(z)/|z| · (1 − 1/z² + 3/z⁴ − 15/z⁶).
    z2 = z * z
    series = 1.0 - 1.0 / z2 + 3.0 / z2**2 - 15.0 / z2**3
    return -0.5 * z2 - math.log(-z) - 0.5 * math.log(2.0 * math.pi) + math.log(series)


def extrapolated_exposure(secret: float, candidates: ArrayLike, space_bits: float) -> float:
    """Exposure from a normal fit to the candidates' log-perplexities: −log2 P(X ≤ secret).

    Carlini et al. (§4.3) extrapolate with a fitted distribution because a sampled rank cannot
    exceed the sample; a normal fit is their simplest choice. Capped at log2|R|, at least 0.
    """
    values = np.asarray(candidates, dtype=np.float64)
    sigma = float(values.std())
    if sigma == 0.0:
        return space_bits if secret < float(values.mean()) else 0.0
    bits = -_log_normal_cdf((secret - float(values.mean())) / sigma) / math.log(2.0)
    return float(min(space_bits, max(0.0, bits)))


# -- per-document membership scores ------------------------------------------------------------------


def min_k(logprobs: ArrayLike, k: float) -> float:
    """Min-K% (Shi et al. 2024): the mean of the lowest k fraction of the token log-probs."""
    values = np.sort(np.asarray(logprobs, dtype=np.float64))
    if len(values) == 0:
        raise ValueError("no tokens to score")
    count = max(1, int(len(values) * k))
    return float(values[:count].mean())


def min_k_plus_plus(logprobs: ArrayLike, mean: ArrayLike, std: ArrayLike, k: float) -> float:
    """Min-K%++ (Zhang et al. 2024): each token's log-prob standardised by the mean and standard
    deviation of log p(z) for z drawn from the model's own next-token distribution there,
    then Min-K% over those standardised scores."""
    lp = np.asarray(logprobs, dtype=np.float64)
    sd = np.maximum(np.asarray(std, dtype=np.float64), 1e-12)
    return min_k((lp - np.asarray(mean, dtype=np.float64)) / sd, k)


def vocab_logprob_moments(logprobs_over_vocab: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """(E_z[log p(z)], std_z[log p(z)]) with z ~ p, per position, from log p over the vocabulary [T, V]."""
    lp = np.asarray(logprobs_over_vocab, dtype=np.float64)
    p = np.exp(lp)
    mean = (p * lp).sum(axis=-1)
    var = np.maximum((p * lp * lp).sum(axis=-1) - mean * mean, 0.0)
    return mean, np.sqrt(var)


# -- detection metrics ---------------------------------------------------------------------------------


def auroc(members: ArrayLike, nonmembers: ArrayLike) -> float:
    """P(score of a member > score of a non-member), ties counting one half (Mann–Whitney U)."""
    pos = np.asarray(members, dtype=np.float64)
    neg = np.asarray(nonmembers, dtype=np.float64)
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("AUROC needs at least one member and one non-member")
    both = np.concatenate([pos, neg])
    order = np.argsort(both, kind="stable")
    ranks = np.empty(len(both), dtype=np.float64)
    ranks[order] = np.arange(1, len(both) + 1)
    # Tied scores share the average of their ranks.
    values, inverse, counts = np.unique(both, return_inverse=True, return_counts=True)
    sums = np.zeros(len(values))
    np.add.at(sums, inverse, ranks)
    ranks = (sums / counts)[inverse]
    u = ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2.0
    return float(u / (len(pos) * len(neg)))


def bootstrap_auroc_ci(
    members: ArrayLike, nonmembers: ArrayLike, resamples: int = 1000, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap CI of the AUROC; members and non-members resampled separately."""
    pos = np.asarray(members, dtype=np.float64)
    neg = np.asarray(nonmembers, dtype=np.float64)
    rng = np.random.default_rng([abs(seed), 0xA0C])
    stats = np.empty(resamples)
    for i in range(resamples):
        stats[i] = auroc(rng.choice(pos, len(pos)), rng.choice(neg, len(neg)))
    tail = (1.0 - level) / 2.0
    return float(np.quantile(stats, tail)), float(np.quantile(stats, 1.0 - tail))


def tpr_at_fpr(members: ArrayLike, nonmembers: ArrayLike, fpr: float = 0.01) -> float:
    """True-positive rate at the strictest threshold whose false-positive rate is at most `fpr`.

    The threshold is the smallest score that at most ⌊fpr · n⌋ non-members exceed; with fewer than
    1/fpr non-members that is the highest non-member score (no false positive allowed).
    """
    pos = np.asarray(members, dtype=np.float64)
    neg = np.sort(np.asarray(nonmembers, dtype=np.float64))[::-1]
    allowed = math.floor(fpr * len(neg))
    threshold = neg[allowed] if allowed < len(neg) else -np.inf
    return float(np.mean(pos > threshold))


def roc_curve(members: ArrayLike, nonmembers: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """(false-positive rates, true-positive rates) as the threshold sweeps down every score."""
    pos = np.asarray(members, dtype=np.float64)
    neg = np.asarray(nonmembers, dtype=np.float64)
    thresholds = np.unique(np.concatenate([pos, neg]))[::-1]
    fpr = np.array([0.0] + [float(np.mean(neg >= t)) for t in thresholds])
    tpr = np.array([0.0] + [float(np.mean(pos >= t)) for t in thresholds])
    return fpr, tpr


def levenshtein(a: Sequence[int], b: Sequence[int]) -> int:
    """Edit distance (insert, delete, substitute) between two token sequences."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]
