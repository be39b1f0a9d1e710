"""The registry's fingerprint index: every (fingerprint, work, position), sorted for lookup by hash.

Three parallel numpy arrays sorted by (hash, work, position), plus per distinct hash where its run
of postings starts. A lookup is one `searchsorted` over the distinct hashes for all of a document's
fingerprints at once. Hashes shared by more than COMMON_WORKS works (boilerplate: a licence header,
a famous quotation) or repeated more than MAX_POSTINGS times (a refrain) are marked unusable, so
they never count as evidence of a quotation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

COMMON_WORKS = 8  # a fingerprint in more works than this is boilerplate, not evidence
MAX_POSTINGS = 64  # a fingerprint repeated more often (a refrain) is skipped


class PostingIndex:
    """Postings sorted by (hash, work, position) and, per distinct hash, where its run starts."""

    def __init__(self, hashes: NDArray[np.uint64], work: NDArray[np.uint32], pos: NDArray[np.uint32]):
        self.hashes, self.work, self.pos = hashes, work, pos
        new_key = np.ones(len(hashes), dtype=bool)
        new_key[1:] = hashes[1:] != hashes[:-1]
        first = np.flatnonzero(new_key)
        self.keys = hashes[first]
        self.starts = np.append(first, len(hashes)).astype(np.int64)
        new_pair = new_key.copy()
        new_pair[1:] |= work[1:] != work[:-1]
        n_works = np.add.reduceat(new_pair.astype(np.int64), first) if len(first) else first
        self.usable = (n_works <= COMMON_WORKS) & (np.diff(self.starts) <= MAX_POSTINGS)

    @classmethod
    def build(
        cls, hashes: NDArray[np.uint64], work: NDArray[np.uint32], pos: NDArray[np.uint32]
    ) -> PostingIndex:
        order = np.lexsort((pos, work, hashes))
        return cls(hashes[order], work[order], pos[order])

    def lookup(self, hashes: NDArray[np.uint64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """For each query hash found (and not boilerplate): (query index, posting index) pairs."""
        if len(self.keys) == 0 or len(hashes) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        order = np.argsort(hashes)  # sorted needles walk the keys in order: 2x faster
        slot = np.empty(len(hashes), dtype=np.int64)
        slot[order] = np.searchsorted(self.keys, hashes[order])
        slot = np.minimum(slot, len(self.keys) - 1)
        found = np.flatnonzero((self.keys[slot] == hashes) & self.usable[slot])
        lo, hi = self.starts[slot[found]], self.starts[slot[found] + 1]
        counts = hi - lo
        query = np.repeat(found, counts)
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        return query, np.repeat(lo, counts) + within
