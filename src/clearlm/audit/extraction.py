"""Extraction: does a k-token prefix of a training document make the model recite what follows?

Carlini et al. 2021/2023 call a string *extractable* when greedy decoding from a prefix that
precedes it in the training data reproduces it. For N sampled training documents (seeded, canaries
excluded) the audit takes `prefix` tokens at a seeded offset, greedy-decodes `suffix` tokens and
compares them with the true suffix:

    exact          every token equal
    near           token edit distance / suffix length ≤ 0.1 (Ippolito et al. 2023: near-verbatim)
    lcs            longest common substring, in tokens
    suffix_logprob log p(true suffix | prefix) under teacher forcing (natural log): how likely the
                   model is to produce the suffix at all, even when greedy decoding does not
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clearlm.audit.data import AuditData, DocRow, ledger_decisions, seeded_rng
from clearlm.audit.metrics import levenshtein
from clearlm.audit.scoring import Scorer
from clearlm.tokenize.split import TRAIN

NEAR_DISTANCE = 0.1
WORST_SHOWN = 10


@dataclass(frozen=True)
class ExtractionSettings:
    samples: int = 100
    prefix: int = 50
    suffix: int = 50
    seed: int = 0


def _compare(generated: list[int], truth: list[int]) -> dict[str, Any]:
    distance = levenshtein(generated, truth) / max(len(truth), 1)
    matcher = difflib.SequenceMatcher(None, generated, truth, autojunk=False)
    lcs = matcher.find_longest_match(0, len(generated), 0, len(truth)).size
    return {
        "exact": generated == truth,
        "near": distance <= NEAR_DISTANCE,
        "edit_distance": round(distance, 4),
        "lcs": int(lcs),
    }


def run_extraction(
    ws_root: Path, data: AuditData, scorer: Scorer, settings: ExtractionSettings
) -> dict[str, Any]:
    """Greedy-decode from sampled training prefixes; the rates, and the most memorised documents."""
    span = settings.prefix + settings.suffix
    if settings.prefix < 1 or settings.suffix < 1:
        raise ValueError("prefix and suffix must be at least one token")
    docs = data.documents(TRAIN)
    eligible = [d for d in docs if d.length >= span]
    picked = data.sample(eligible, settings.samples, settings.seed, "extraction")
    rng = seeded_rng(settings.seed, "extraction-offsets")
    prompts: list[list[int]] = []
    truths: list[list[int]] = []
    offsets: list[int] = []
    for row in picked:
        ids = data.tokens(row)
        offset = int(rng.integers(0, row.length - span + 1))
        offsets.append(offset)
        prompts.append(ids[offset : offset + settings.prefix].tolist())
        truths.append(ids[offset + settings.prefix : offset + span].tolist())
    generated = scorer.greedy(prompts, settings.suffix)
    forced = scorer.score([p + t for p, t in zip(prompts, truths, strict=True)])
    decisions = ledger_decisions(ws_root, [r.doc_id for r in picked])
    per_doc = []
    for row, offset, gen, truth, scores in zip(picked, offsets, generated, truths, forced, strict=True):
        suffix_logprob = float(scores.logprobs[-settings.suffix :].sum())
        per_doc.append(
            {**_describe(row, decisions), "offset": offset, **_compare(gen, truth),
             "suffix_logprob": round(suffix_logprob, 4)}
        )  # fmt: skip
    n = len(per_doc)
    worst = sorted(per_doc, key=lambda d: (-d["exact"], -d["lcs"], -d["suffix_logprob"], d["doc_id"]))
    return {
        "settings": {"samples": settings.samples, "prefix": settings.prefix, "suffix": settings.suffix},
        "train_documents": len(docs),
        "eligible_documents": len(eligible),
        "documents": n,
        "exact_matches": sum(d["exact"] for d in per_doc),
        "exact_rate": _mean([float(d["exact"]) for d in per_doc]),
        "near_rate": _mean([float(d["near"]) for d in per_doc]),
        "mean_lcs": _mean([float(d["lcs"]) for d in per_doc]),
        "mean_suffix_logprob": _mean([d["suffix_logprob"] for d in per_doc]),
        "worst": worst[:WORST_SHOWN],
    }


def _describe(row: DocRow, decisions: dict[str, str]) -> dict[str, Any]:
    return {
        "doc_id": row.doc_id,
        "source": row.source,
        "group": row.group,
        "license": row.license,
        "copies": row.copies,
        "decision": decisions.get(row.doc_id, "none"),
    }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 6) if values else None
