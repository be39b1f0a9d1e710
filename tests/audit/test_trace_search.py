"""The suffix-array search against brute force on small arrays with many repeats."""

from __future__ import annotations

import numpy as np
import pytest

from clearlm.audit.trace_search import TokenSuffixes, maximal_spans, suffix_array


def naive_longest(seq: list[int], pattern: list[int]) -> int:
    best = 0
    for start in range(len(seq)):
        k = 0
        while k < len(pattern) and start + k < len(seq) and seq[start + k] == pattern[k]:
            k += 1
        best = max(best, k)
    return best


def naive_positions(seq: list[int], pattern: list[int]) -> list[int]:
    return [i for i in range(len(seq) - len(pattern) + 1) if seq[i : i + len(pattern)] == pattern]


@pytest.mark.parametrize(
    ("dtype", "low", "high"), [("<u2", 0, 4), ("<u2", 300, 303), (">u2", 300, 303), ("<u4", 70_000, 70_003)]
)
def test_suffix_array_sorts_token_suffixes(dtype: str, low: int, high: int) -> None:
    # Ids above 255 / 65,535 take pydivsufsort's multi-byte path: it must still sort whole tokens.
    rng = np.random.default_rng(7)
    tokens = rng.integers(low, high, size=300).astype(dtype)
    seq = tokens.tolist()
    assert suffix_array(tokens).tolist() == sorted(range(len(seq)), key=lambda i: seq[i:])
    assert suffix_array(tokens[:1]).tolist() == [0]
    assert suffix_array(tokens[:0]).tolist() == []


@pytest.mark.parametrize("vocab_size", [0, 9])  # without and with first-token buckets
def test_longest_match_and_counts_agree_with_brute_force(vocab_size: int) -> None:
    rng = np.random.default_rng(11)
    tokens = rng.integers(5, 9, size=400).astype("<u2")  # 4 symbols: long repeated runs
    index = TokenSuffixes.from_tokens(tokens, vocab_size)
    seq = tokens.tolist()
    for _ in range(300):
        start = int(rng.integers(0, len(seq)))
        # Half the patterns are copied from the array (then extended), half are random; id 9 and
        # 4 never occur in the array.
        pattern = seq[start : start + int(rng.integers(1, 25))]
        if rng.random() < 0.5:
            pattern = [*pattern, *rng.integers(5, 10, size=int(rng.integers(0, 6))).tolist()]
        else:
            pattern = rng.integers(4, 10, size=int(rng.integers(1, 12))).tolist()
        query = index.encode(np.array(pattern))
        assert index.longest_match(query) == naive_longest(seq, pattern)
        lo, hi = index.match_range(query)
        assert index.positions(lo, hi).tolist() == naive_positions(seq, pattern)


def test_wide_ids_compare_as_tokens_not_bytes() -> None:
    # 256 = 0x0100 and 1 = 0x0001: little-endian bytes would sort 256 before 1.
    tokens = np.array([256, 1, 256, 1, 2, 300, 256], dtype="<u2")
    index = TokenSuffixes.from_tokens(tokens, 301)
    assert index.longest_match(index.encode(np.array([256, 1, 2, 7]))) == 3
    assert index.match_range(index.encode(np.array([256]))) == (3, 6)  # after 1, 1, 2
    assert index.positions(*index.match_range(index.encode(np.array([256, 1])))).tolist() == [0, 2]


def test_maximal_spans_respect_barriers_and_containment() -> None:
    tokens = np.array([1, 10, 11, 12, 13, 14, 2, 1, 20, 21, 22, 2], dtype="<u2")
    index = TokenSuffixes.from_tokens(tokens, 30)
    # 10..14 then a barrier (special id 1), then 21 22, then 12 13 (inside the first match).
    query = np.array([10, 11, 12, 13, 14, 1, 21, 22, 12, 13], dtype="<u2")
    lengths = index.longest_matches(query, np.array([5], dtype=np.int64))
    assert lengths.tolist() == [5, 4, 3, 2, 1, 0, 2, 1, 2, 1]
    assert maximal_spans(lengths, 2) == [(0, 5), (6, 2), (8, 2)]
    assert maximal_spans(lengths, 3) == [(0, 5)]


def test_maximal_spans_agree_with_brute_force() -> None:
    rng = np.random.default_rng(3)
    tokens = rng.integers(0, 3, size=200).astype("<u2")
    index = TokenSuffixes.from_tokens(tokens, 4)
    seq = tokens.tolist()
    for _ in range(30):
        query = rng.integers(0, 4, size=40).astype("<u2")
        lengths = index.longest_matches(query, np.zeros(0, dtype=np.int64))
        q = query.tolist()
        expected = [naive_longest(seq, q[i:]) for i in range(len(q))]
        assert lengths.tolist() == expected
        # Brute-force maximality: no other match [j, j + l_j) contains [i, i + l_i).
        naive = [
            (i, n)
            for i, n in enumerate(expected)
            if n >= 4 and not any(j < i and j + m >= i + n for j, m in enumerate(expected))
        ]
        assert maximal_spans(lengths, 4) == naive
