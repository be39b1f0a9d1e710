"""Vectorised 64-bit hashing shared by the registry fingerprints and MinHash dedup."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

U64 = np.uint64
# splitmix64's multipliers and the golden-ratio increment (Steele, Lea & Flood 2014).
M1, M2, GOLDEN = U64(0xBF58476D1CE4E5B9), U64(0x94D049BB133111EB), U64(0x9E3779B97F4A7C15)


def mix64(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64's finaliser: every input bit affects every output bit (wrapping uint64 maths)."""
    x = x ^ (x >> U64(30))
    x = x * M1
    x = x ^ (x >> U64(27))
    x = x * M2
    return x ^ (x >> U64(31))
