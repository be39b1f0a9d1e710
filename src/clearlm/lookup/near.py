"""Near-duplicate search: curation's MinHash signatures, re-banded for a lower threshold.

Signatures are exactly curation's (`clearlm.curate.minhash` with the run's `[curate.dedup]` ngram,
bands × rows permutations and seed), and a document's text is prepared by the same curate steps
that rewrite text (html → boilerplate → normalize), so a Jaccard estimate here is the number
curation's dedup would compute for the same pair.

The *banding* differs on purpose. Dedup's 14 bands of 8 rows find pairs at its 0.8 threshold
(a pair at Jaccard J shares a band with probability 1 − (1 − J^8)^14: 92 % at 0.8, but 5 % at
0.5). A rights holder's copy may be edited, excerpted or re-wrapped, so lookup re-cuts the same
112 values into bands of `LSH_ROWS` = 2: 56 bands, which finds a pair at J = 0.5 with probability
1 − (1 − 0.25)^56 ≈ 1 − 10^-7, at 0.3 with 99.5 %, at 0.2 with 90 %. Candidates are then kept only
when the estimate over all values reaches the threshold, so the looser banding costs a few more
candidate checks, never a wrong answer.

On disk (next to the other lookup files) the index is three arrays, memory-mapped when loaded:
`signatures.npy` (docs × permutations uint64, the row order of docs.parquet), and per band the
sorted bucket keys `band_keys.npy` (bands × n) with the row each key came from `band_rows.npy`.
A query is one binary search per band.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from clearlm.atomic import atomic_open
from clearlm.curate import minhash
from clearlm.curate.config import CurateConfig
from clearlm.curate.normalize import NormalizeText
from clearlm.curate.stage import STEP_BUILDERS
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Step

LSH_ROWS = 2
# The curate steps that rewrite a document's text before dedup sees it (pii only masks, language and
# quality only judge), applied in the order the run's `curate.steps` lists them.
TEXT_STEPS = ("html", "boilerplate", "normalize")
SIGNATURES, BAND_KEYS, BAND_ROWS = "signatures.npy", "band_keys.npy", "band_rows.npy"


@dataclass(frozen=True)
class NearSettings:
    """What makes two signatures comparable; part of the index key."""

    ngram: int
    permutations: int
    seed: int
    lsh_rows: int = LSH_ROWS

    @classmethod
    def from_curate(cls, config: CurateConfig) -> NearSettings:
        dedup = config.dedup
        return cls(ngram=dedup.ngram, permutations=dedup.bands * dedup.rows, seed=dedup.seed)

    @property
    def bands(self) -> int:
        return max(1, self.permutations // self.lsh_rows)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def text_steps(config: CurateConfig) -> list[str]:
    """The run's text-rewriting steps in its order, with html first when the run has none: a page is
    compared by the text a reader sees, whether or not this run's curation extracted it."""
    names = [name for name in config.steps if name in TEXT_STEPS]
    return names if "html" in names else ["html", *names]


class TextPreparer:
    """A text as curation's text-rewriting steps leave it (the text dedup compares)."""

    def __init__(self, config: CurateConfig) -> None:
        self.steps: list[Step] = [STEP_BUILDERS[name](config) for name in text_steps(config)]
        self.normalizer = NormalizeText(config.normalize)

    def normalize(self, text: str) -> str:
        """`text` as curation's normalize step alone leaves it (Unicode form, whitespace)."""
        return self.normalizer.normalize(text)

    def prepare(self, text: str, mime: str = "text/plain") -> str:
        """`text` after html extraction (when `mime` is HTML), boilerplate stripping and normalisation.

        A page trafilatura finds no main text in stays as it is (curation would drop it; lookup
        still compares what it can).
        """
        doc = Document(doc_id="lookup", text=text, source="", content_sha256="", mime=mime)
        for step in self.steps:
            before = doc.text
            if not step.process(doc).passes:
                doc.text = before
        return doc.text


class Sketcher:
    """MinHash signatures and shingle counts of batches of prepared texts."""

    def __init__(self, settings: NearSettings) -> None:
        self.settings = settings
        self.hasher = minhash.MinHasher(settings.permutations, settings.seed)

    def sketch(self, texts: list[str]) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
        """(texts × permutations) signatures and the distinct shingles of each text (0: no words)."""
        sketch = minhash.sketch(texts, self.settings.ngram, self.hasher)
        return sketch.signatures, sketch.sizes


class BandIndex:
    """Signatures of every document plus, per band, its sorted bucket keys (see the module doc)."""

    def __init__(
        self,
        settings: NearSettings,
        signatures: NDArray[np.uint64],
        keys: NDArray[np.uint64],
        rows: NDArray[np.int64],
    ) -> None:
        self.settings = settings
        self.signatures = signatures
        self.keys = keys
        self.rows = rows

    @classmethod
    def build(
        cls, settings: NearSettings, signatures: NDArray[np.uint64], sizes: NDArray[np.int64]
    ) -> BandIndex:
        """Band the signatures of documents with at least one word (an empty text matches nothing)."""
        used = settings.bands * settings.lsh_rows
        live = np.flatnonzero(sizes > 0)
        keys = minhash.band_keys(signatures[live, :used], settings.bands, settings.lsh_rows).T
        order = np.argsort(keys, axis=1, kind="stable")
        return cls(settings, signatures, np.take_along_axis(keys, order, axis=1), live[order])

    def save(self, folder: Path) -> None:
        for name, array in ((SIGNATURES, self.signatures), (BAND_KEYS, self.keys), (BAND_ROWS, self.rows)):
            with atomic_open(folder / name) as fh:
                np.save(fh, np.ascontiguousarray(array))

    @classmethod
    def load(cls, settings: NearSettings, folder: Path, *, mmap: bool = True) -> BandIndex:
        """The saved arrays, memory-mapped (`mmap` False for an empty index: empty maps are refused)."""
        names = (SIGNATURES, BAND_KEYS, BAND_ROWS)
        arrays = [np.load(folder / name, mmap_mode="r" if mmap else None) for name in names]
        return cls(settings, *arrays)

    def __len__(self) -> int:
        return int(self.signatures.shape[0])

    def query(
        self, signature: NDArray[np.uint64], threshold: float
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Rows whose estimated Jaccard with `signature` reaches `threshold`, best first, with estimates."""
        settings = self.settings
        used = settings.bands * settings.lsh_rows
        wanted = minhash.band_keys(signature[None, :used], settings.bands, settings.lsh_rows)[0]
        found = []
        for band in range(settings.bands):
            keys = self.keys[band]
            lo = int(np.searchsorted(keys, wanted[band], side="left"))
            hi = int(np.searchsorted(keys, wanted[band], side="right"))
            if hi > lo:
                found.append(np.asarray(self.rows[band, lo:hi]))
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        candidates = np.unique(np.concatenate(found))
        estimates = self.jaccard(candidates, signature)
        keep = np.flatnonzero(estimates >= threshold)
        order = keep[np.argsort(-estimates[keep], kind="stable")]
        return candidates[order], estimates[order]

    def jaccard(self, rows: NDArray[np.int64], signature: NDArray[np.uint64]) -> NDArray[np.float64]:
        """Estimated Jaccard of `signature` with the documents at `rows` (curation's estimate)."""
        return minhash.estimated_jaccard(np.asarray(self.signatures[rows]), signature[None, :])
