"""The audit's arithmetic against hand computations: exposure, AUROC, bootstrap, TPR@FPR, Min-K%(++)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from clearlm.audit.metrics import (
    _log_normal_cdf,
    auroc,
    bootstrap_auroc_ci,
    exposure,
    extrapolated_exposure,
    levenshtein,
    min_k,
    min_k_plus_plus,
    rank_of,
    roc_curve,
    sampled_exposure,
    tpr_at_fpr,
    vocab_logprob_moments,
)
from clearlm.audit.scoring import Scorer
from clearlm.model.config import LlamaConfig
from clearlm.model.generate import generate
from clearlm.model.llama import Llama

LN2 = math.log(2.0)


def test_exposure_is_log_space_minus_log_rank() -> None:
    assert rank_of(5.0, [1.0, 6.0, 7.0, 3.0]) == 3
    assert exposure(40.0, 1024) == pytest.approx(30.0)
    # The secret beats all 1023 candidates: rank 1 of 1024, the most a sample this size can show.
    assert sampled_exposure(0.0, np.arange(1, 1024, dtype=float)) == pytest.approx(10.0)
    # Ranked in the middle of 1023 candidates: rank 512 of 1024, one bit.
    assert sampled_exposure(510.5, np.arange(1023, dtype=float)) == pytest.approx(1.0)


def test_extrapolated_exposure_follows_the_normal_fit() -> None:
    candidates = np.array([70.0, 90.0] * 500)  # mean 80, std 10
    assert extrapolated_exposure(80.0, candidates, 40.0) == pytest.approx(1.0)  # Φ(0) = 1/2
    assert extrapolated_exposure(60.0, candidates, 40.0) == pytest.approx(-math.log2(0.0227501), rel=1e-4)
    assert extrapolated_exposure(-1e6, candidates, 40.0) == 40.0  # capped at the space
    assert extrapolated_exposure(1e6, candidates, 40.0) == 0.0


def test_log_normal_cdf_is_continuous_into_the_far_tail() -> None:
    exact = math.log(0.5 * math.erfc(8.0 / math.sqrt(2.0)))
    assert _log_normal_cdf(-8.0 - 1e-9) == pytest.approx(exact, rel=1e-4)
    assert _log_normal_cdf(-40.0) < -800 and math.isfinite(_log_normal_cdf(-40.0))


def test_auroc_counts_pairs_and_half_ties() -> None:
    assert auroc([0.9, 0.4], [0.5, 0.1]) == pytest.approx(0.75)
    assert auroc([1.0, 1.0], [1.0, 1.0]) == pytest.approx(0.5)
    assert auroc([3.0, 4.0], [1.0, 2.0]) == 1.0 and auroc([1.0, 2.0], [3.0, 4.0]) == 0.0
    rng = np.random.default_rng(0)
    pos, neg = rng.integers(0, 5, 40).astype(float), rng.integers(0, 4, 30).astype(float)
    pairs = [(1.0 if p > n else 0.5 if p == n else 0.0) for p in pos for n in neg]
    assert auroc(pos, neg) == pytest.approx(sum(pairs) / len(pairs))


def test_bootstrap_ci_is_seeded_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(1)
    pos, neg = rng.normal(1.0, 1.0, 60), rng.normal(0.0, 1.0, 60)
    low, high = bootstrap_auroc_ci(pos, neg, resamples=400, seed=7)
    assert (low, high) == bootstrap_auroc_ci(pos, neg, resamples=400, seed=7)
    assert 0.0 <= low < auroc(pos, neg) < high <= 1.0
    assert bootstrap_auroc_ci([2.0, 3.0], [0.0, 1.0], resamples=50) == (1.0, 1.0)


def test_tpr_at_fpr_allows_floor_fpr_times_n_false_positives() -> None:
    neg = np.arange(100, dtype=float)
    assert tpr_at_fpr([99.5, 98.5, 50.0], neg, 0.01) == pytest.approx(2 / 3)  # threshold 98
    assert tpr_at_fpr([9.5, 9.0], np.arange(10, dtype=float), 0.01) == 0.5  # must beat the max
    fpr, tpr = roc_curve([2.0, 3.0], [1.0, 2.5])
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)


def test_min_k_takes_the_lowest_fraction() -> None:
    assert min_k([-1.0, -2.0, -3.0, -4.0, -5.0], 0.4) == pytest.approx(-4.5)
    assert min_k([-1.0, -2.0], 0.2) == pytest.approx(-2.0)  # at least one token
    assert levenshtein([ord(c) for c in "kitten"], [ord(c) for c in "sitting"]) == 3


class FixedDistribution(torch.nn.Module):
    """p(next) = (1/2, 1/4, 1/4) at every position, whatever came before."""

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        logits = torch.log(torch.tensor([0.5, 0.25, 0.25]))
        return logits.expand(ids.shape[0], ids.shape[1], 3)


def test_min_k_plus_plus_matches_a_hand_computation() -> None:
    # log p is −ln2 or −2·ln2, each with mass 1/2: mean −1.5·ln2, std ln2/2, so token 0 standardises
    # to +1 and tokens 1, 2 to −1.
    scorer = Scorer(FixedDistribution(), torch.device("cpu"))
    (scores,) = scorer.score([[0, 1, 0, 2]], vocab_stats=True)
    assert scores.logprobs == pytest.approx([-2 * LN2, -LN2, -2 * LN2])
    assert scores.vocab_mean == pytest.approx([-1.5 * LN2] * 3)
    assert scores.vocab_std == pytest.approx([LN2 / 2] * 3)
    mean, std = vocab_logprob_moments(np.log([[0.5, 0.25, 0.25]]))
    assert (mean[0], std[0]) == pytest.approx((-1.5 * LN2, LN2 / 2))
    assert min_k_plus_plus(scores.logprobs, scores.vocab_mean, scores.vocab_std, 0.2) == pytest.approx(-1.0)
    assert min_k_plus_plus(scores.logprobs, scores.vocab_mean, scores.vocab_std, 1.0) == pytest.approx(-1 / 3)
    lp, mu, sd = [-LN2, -2 * LN2, -LN2], [-1.5 * LN2] * 3, [LN2 / 2] * 3
    assert min_k_plus_plus(lp, mu, sd, 1.0) == pytest.approx(1 / 3)


def test_batched_scores_and_greedy_match_one_at_a_time() -> None:
    model = Llama(LlamaConfig(vocab_size=64, dim=32, n_layers=2, n_heads=4, n_kv_heads=2, max_seq_len=48))
    model.init_weights(seed=3)
    scorer = Scorer(model, torch.device("cpu"), batch_size=3)
    rng = np.random.default_rng(5)
    seqs = [rng.integers(0, 64, n).tolist() for n in (5, 17, 9, 30, 2)]
    batched = scorer.score(seqs)
    for seq, got in zip(seqs, batched, strict=True):
        with torch.no_grad():
            logp = torch.log_softmax(model(torch.tensor([seq]))[0, :-1].float(), -1)
        want = logp.gather(-1, torch.tensor(seq[1:])[:, None])[:, 0].double().numpy()
        np.testing.assert_allclose(got.logprobs, want, rtol=1e-5, atol=1e-5)
    prompts = [rng.integers(0, 64, 6).tolist() for _ in range(4)] + [[7, 8]]
    for prompt, made in zip(prompts, scorer.greedy(prompts, 10), strict=True):
        assert made == list(generate(model, prompt, 10))
