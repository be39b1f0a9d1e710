"""Suffix-array search over a flat token sequence: longest matches, occurrence ranges, maximal spans.

The suffix array `sa` lists every position of the sequence in the lexicographic order of the
suffixes starting there, so the suffixes that begin with a pattern form one contiguous run
`sa[lo:hi]`, found by two binary searches of O(log n) probes.

Tokens are kept as fixed-width *big-endian* bytes. Comparing two such byte strings (Python's bytes
comparison, done in C) orders them exactly as their token sequences, shorter prefix first, so a probe
is one slice of a memory map and one bytes comparison: well under a microsecond, and it reads only
the pages it touches however large the corpus. The same property lets pydivsufsort, which sorts
bytes, build the array (see `suffix_array`).

The longest prefix of a pattern that occurs anywhere is found with one binary search: the suffix that
shares the most leading tokens with the pattern sits right next to the pattern's insertion point (if
two sorted strings share k leading tokens with the pattern, so does every string between them).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydivsufsort import divsufsort

Tokens = NDArray[np.integer[Any]]
Positions = NDArray[np.int64]


def suffix_array(tokens: Tokens) -> Positions:
    """The suffix array of a token sequence, by pydivsufsort.

    Given a uint16/uint32 array, pydivsufsort subtracts the smallest id, writes the ids as big-endian
    bytes of the narrowest width that holds them (one byte when they fit), sorts every byte suffix
    and keeps those that start on a token boundary. With fixed-width big-endian codes byte order is
    token order, so that is exactly the token sequence's suffix array. Peak memory is about 30 bytes
    per token (the byte copy, a 32-bit entry per byte offset, the filtered result).
    """
    if len(tokens) <= 1:  # pydivsufsort's width choice needs max > min
        return np.zeros(len(tokens), dtype=np.int64)
    # pydivsufsort accepts native-order integer arrays only (the index keeps big-endian copies).
    native = np.ascontiguousarray(tokens, dtype=tokens.dtype.newbyteorder("="))
    return np.asarray(divsufsort(native), dtype=np.int64)


def first_token_ranges(tokens: Tokens, vocab_size: int) -> Positions:
    """buckets[v]:buckets[v + 1] are the ranks of the suffixes that start with token v.

    The suffix array is sorted by first token, so these are running counts of each token. Starting
    every search inside its first token's bucket saves log2(vocabulary) probes, about half of them.
    """
    size = max(vocab_size, int(tokens.max()) + 1 if len(tokens) else 0)
    counts = np.bincount(tokens, minlength=size).astype(np.int64)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


class TokenSuffixes:
    """A token sequence as big-endian bytes (`data`, `width` bytes a token) with its suffix array."""

    def __init__(self, data: Any, width: int, sa: Positions, buckets: Positions | None = None) -> None:
        self.data = data  # bytes or an mmap: anything that slices to bytes
        self.width = width
        self.sa = sa
        self.buckets = buckets

    @classmethod
    def from_tokens(cls, tokens: Tokens, vocab_size: int = 0) -> TokenSuffixes:
        """An in-memory index of a small array (tests, examples)."""
        data = np.asarray(tokens).astype(tokens.dtype.newbyteorder(">")).tobytes()
        buckets = first_token_ranges(tokens, vocab_size) if vocab_size else None
        return cls(data, tokens.dtype.itemsize, suffix_array(tokens), buckets)

    def __len__(self) -> int:
        return len(self.sa)

    def encode(self, tokens: Tokens) -> bytes:
        """A pattern in this index's byte format."""
        return np.asarray(tokens).astype(f">u{self.width}").tobytes()

    def _bucket(self, pattern: bytes) -> tuple[int, int]:
        if self.buckets is None or not pattern:
            return 0, len(self.sa)
        token = int.from_bytes(pattern[: self.width], "big")
        if token + 1 >= len(self.buckets):
            return 0, 0
        return int(self.buckets[token]), int(self.buckets[token + 1])

    def _suffix(self, rank: int, size: int) -> bytes:
        start = int(self.sa[rank]) * self.width
        return self.data[start : start + size]  # type: ignore[no-any-return]

    def _lower_bound(self, pattern: bytes, lo: int, hi: int) -> int:
        """First rank in [lo, hi) whose suffix, cut to the pattern's length, is not below it."""
        while lo < hi:
            mid = (lo + hi) // 2
            if self._suffix(mid, len(pattern)) < pattern:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _upper_bound(self, pattern: bytes, lo: int, hi: int) -> int:
        """First rank in [lo, hi) whose suffix, cut to the pattern's length, sorts after it."""
        while lo < hi:
            mid = (lo + hi) // 2
            if self._suffix(mid, len(pattern)) <= pattern:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def match_range(self, pattern: bytes) -> tuple[int, int]:
        """The ranks [lo, hi) of every occurrence; hi - lo is the number of occurrences."""
        lo, hi = self._bucket(pattern)
        lo = self._lower_bound(pattern, lo, hi)
        return lo, self._upper_bound(pattern, lo, hi)

    def positions(self, lo: int, hi: int) -> Positions:
        """Token offsets of the occurrences at ranks [lo, hi), in sequence order."""
        return np.sort(np.asarray(self.sa[lo:hi], dtype=np.int64))

    def _shared_tokens(self, rank: int, pattern: bytes) -> int:
        suffix, w = self._suffix(rank, len(pattern)), self.width
        # Binary search on the shared length: each step is one C-speed bytes comparison, cheaper
        # than building numpy arrays for a single pair of short strings.
        lo, hi = 0, len(suffix) // w
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if suffix[: mid * w] == pattern[: mid * w]:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def longest_match(self, pattern: bytes) -> int:
        """Length in tokens of the longest prefix of `pattern` that occurs in the sequence."""
        lo, hi = self._bucket(pattern)
        if lo == hi or not pattern:
            return 0
        rank = self._lower_bound(pattern, lo, hi)
        # Outside the bucket a suffix starts with another token: it shares nothing with the pattern.
        return max((self._shared_tokens(r, pattern) for r in (rank - 1, rank) if lo <= r < hi), default=0)

    def longest_matches(self, query: Tokens, barriers: Positions) -> Positions:
        """For every position i of `query`, the longest match of query[i:], never crossing a barrier.

        Barriers are the query's special tokens (bos, eos, chat markers): the shards hold them only at
        document edges, so a span through one would join two documents, not quote one.
        """
        data, w = self.encode(query), self.width
        lengths = np.zeros(len(query), dtype=np.int64)
        edges = [-1, *sorted(int(b) for b in barriers), len(query)]
        for left, right in itertools.pairwise(edges):
            for i in range(left + 1, right):
                lengths[i] = self.longest_match(data[i * w : right * w])
        return lengths


def maximal_spans(lengths: Positions, min_tokens: int) -> list[tuple[int, int]]:
    """(start, length) of the matches no other match contains, at least `min_tokens` long.

    A match at i can only be contained in one that starts earlier and ends no sooner, so a single
    left-to-right pass keeping the furthest end seen so far decides it.
    """
    spans: list[tuple[int, int]] = []
    furthest = 0
    for i, length in enumerate(lengths.tolist()):
        end = i + length
        if end > furthest:
            if length >= min_tokens:
                spans.append((i, length))
            furthest = end
    return spans
