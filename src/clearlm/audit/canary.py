"""Canary exposure (Carlini et al. 2019): did the model memorise the secrets planted at tokenize time?

For each canary, the log-perplexity of its secret given its prefix,

    Px(s) = −Σ log2 p(s_t | prefix, s_<t)      (bits, over the secret's tokens)

is compared with that of R random candidates from the same space (the same number of random
digits, seeded). A model that learnt nothing of the secret ranks it like any candidate; one that
memorised it ranks it first. Exposure = log2|space| − log2 rank, estimated from the sample as
log2(R + 1) − log2(rank among the R + 1) (so at most log2(R + 1) ≈ 10 bits for R = 1000), and
extrapolated past the sample with a normal fit to the candidates (metrics.extrapolated_exposure).
Greedy decoding from the prefix says whether the secret can be *extracted* outright.

The report holds ranks and bits only, never a secret.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from clearlm.audit.data import AuditData, seeded_rng
from clearlm.audit.metrics import extrapolated_exposure, rank_of, sampled_exposure
from clearlm.audit.plant import Canary, secret_text
from clearlm.audit.scoring import Scorer

LOG2E = 1.0 / math.log(2.0)


@dataclass(frozen=True)
class CanarySettings:
    candidates: int = 1000
    seed: int = 0


def candidate_secrets(canary: Canary, count: int, seed: int) -> list[str]:
    """`count` distinct random secrets from the canary's space, never the secret itself."""
    rng = seeded_rng(seed, f"canary-candidates-{canary.index}")
    found: dict[str, None] = {}
    space = 10**canary.digits
    while len(found) < min(count, space - 1):
        for row in rng.integers(0, 10, size=(count, canary.digits)):
            text = secret_text(row.tolist())
            if text != canary.secret:
                found.setdefault(text, None)
            if len(found) == count:
                break
    return list(found)


def _split_ids(data: AuditData, prefix: str, secret: str) -> tuple[list[int], list[int]]:
    """([bos] + ids(prefix), the ids that follow) for the text prefix + secret, as training saw it."""
    full = data.tokenizer.encode(prefix + secret, add_special_tokens=False).ids
    head = data.tokenizer.encode(prefix, add_special_tokens=False).ids
    if full[: len(head)] != head:  # a merge across the boundary: keep the common part as prefix
        common = 0
        while common < min(len(full), len(head)) and full[common] == head[common]:
            common += 1
        head = full[:common]
    return [data.bos_id, *head], full[len(head) :]


def log_perplexities(scorer: Scorer, data: AuditData, prefix: str, secrets: list[str]) -> np.ndarray:
    """Px(secret | prefix) in bits for each secret, scored in batches."""
    pairs = [_split_ids(data, prefix, s) for s in secrets]
    scores = scorer.score([p + s for p, s in pairs])
    return np.array(
        [-float(sc.logprobs[-len(s) :].sum()) * LOG2E for (_, s), sc in zip(pairs, scores, strict=True)]
    )


def measure_canary(
    scorer: Scorer, data: AuditData, canary: Canary, settings: CanarySettings
) -> dict[str, Any]:
    candidates = candidate_secrets(canary, settings.candidates, settings.seed)
    values = log_perplexities(scorer, data, canary.prefix, [canary.secret, *candidates])
    secret, others = float(values[0]), values[1:]
    space_bits = canary.digits * math.log2(10)
    prompt, secret_ids = _split_ids(data, canary.prefix, canary.secret)
    (generated,) = scorer.greedy([prompt], len(secret_ids))
    return {
        "index": canary.index,
        "repeats": canary.repeats,
        "doc_id": canary.doc_id,
        "space_bits": round(space_bits, 3),
        "candidates": len(candidates),
        "log_perplexity": round(secret, 3),
        "candidate_median": round(float(np.median(others)), 3),
        "rank": rank_of(secret, others),
        "exposure": round(sampled_exposure(secret, others), 3),
        "exposure_max": round(math.log2(len(candidates) + 1), 3),
        "exposure_extrapolated": round(extrapolated_exposure(secret, others, space_bits), 3),
        "extracted": data.decode(generated) == canary.secret,
    }


def run_canaries(
    scorer: Scorer, data: AuditData, canaries: list[Canary], settings: CanarySettings
) -> list[dict[str, Any]]:
    return [measure_canary(scorer, data, c, settings) for c in canaries]
