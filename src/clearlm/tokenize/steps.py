"""The tokenize stage's per-document steps: split, mixture, tokenize (each writes its ledger event).

split     annotates meta.split ("train" | "heldout") from stages/tokenize/split.parquet
mixture   meta.group and meta.repeats: how many copies of the document training sees
tokenize  [bos] + ids(text) + [eos] into doc.cache["token_ids"] (the task's sidecar stores them)
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from clearlm.errors import ConfigError
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Annotator, Drop, Filter, Keep, Step, Verdict
from clearlm.reasons import REVOKED
from clearlm.tokenize.groups import source_group
from clearlm.tokenize.reasons import TOKENIZE_EMPTY, TOKENIZE_MIXTURE_EXCLUDED
from clearlm.tokenize.split import HELDOUT, TRAIN, heldout_ids

SOURCE_KEY = "source:"
LICENSE_KEY = "license:"


@dataclass(frozen=True)
class Mixture:
    """`tokenize.mixture` parsed: weights by source group and by licence (matched case-insensitively)."""

    by_group: Mapping[str, float]
    by_license: Mapping[str, float]

    @classmethod
    def parse(cls, weights: Mapping[str, float]) -> Mixture:
        by_group: dict[str, float] = {}
        by_license: dict[str, float] = {}
        for key, weight in weights.items():
            if not math.isfinite(weight) or weight < 0:
                raise ConfigError(f"tokenize.mixture: '{key}' = {weight} (a weight is a number ≥ 0)")
            if key.startswith(SOURCE_KEY):
                by_group[key[len(SOURCE_KEY) :]] = weight
            elif key.startswith(LICENSE_KEY):
                by_license[key[len(LICENSE_KEY) :].casefold()] = weight
            else:
                raise ConfigError(
                    f"tokenize.mixture: unknown key '{key}' (keys are source:<group> or license:<SPDX id>)"
                )
        return cls(by_group, by_license)

    def weight(self, group: str, license: str) -> float:
        """The product of the weights that match (1.0 when none does)."""
        return self.by_group.get(group, 1.0) * self.by_license.get(license.casefold(), 1.0)

    def unmatched(self, groups: set[str], licenses: set[str]) -> list[str]:
        """Keys that match no document: almost always a typo, which would silently do nothing."""
        folded = {lic.casefold() for lic in licenses}
        return [SOURCE_KEY + g for g in self.by_group if g not in groups] + [
            LICENSE_KEY + lic for lic in self.by_license if lic not in folded
        ]


def seeded_uniform(seed: int, purpose: str, key: str) -> float:
    """A number in [0, 1) fixed by (seed, purpose, key): the same on every machine and every rerun."""
    digest = hashlib.sha256(f"{seed}:{purpose}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / float(1 << 64)


class SplitStep(Annotator):
    """Marks each document train or heldout, as the driver's pre-pass decided."""

    name = "split"

    def __init__(self, split_path: Path) -> None:
        self.split_path = split_path
        self._heldout: frozenset[str] | None = None

    def __getstate__(self) -> dict[str, Any]:
        # Tasks may run elsewhere: send the file's path, each process reads it once.
        return {"split_path": self.split_path, "_heldout": None}

    def annotate(self, doc: Document) -> tuple[list[str], dict[str, Any]]:
        if self._heldout is None:
            self._heldout = heldout_ids(self.split_path)
        split = HELDOUT if doc.doc_id in self._heldout else TRAIN
        doc.meta["split"] = split
        return [], {"split": split}


class MixtureStep(Filter):
    """How many times training sees a document: floor(w), plus one more with probability frac(w).

    The draw is seeded by the document id, so 0.5 keeps the same half on every rerun. Held-out
    documents are evaluation data, not part of the mixture: always one copy.
    """

    name = "mixture"

    def __init__(self, mixture: Mixture, seed: int, input_roots: Sequence[str]) -> None:
        self.mixture = mixture
        self.seed = seed
        self.input_roots = list(input_roots)

    def keep(self, doc: Document) -> Verdict:
        group = source_group(doc.source, self.input_roots)
        license = doc.meta.get("license") or ""
        weight = self.mixture.weight(group, license)
        doc.meta["group"] = group
        if doc.meta.get("split") == HELDOUT:
            repeats = 1
        else:
            whole = math.floor(weight)
            repeats = whole + int(seeded_uniform(self.seed, "mixture", doc.doc_id) < weight - whole)
        doc.meta["repeats"] = repeats
        if repeats == 0:
            return Drop(TOKENIZE_MIXTURE_EXCLUDED, {"weight": weight, "group": group, "license": license})
        return Keep(evidence={"weight": weight, "repeats": repeats, "group": group})


class RevokedFilter(Filter):
    """Drops documents a rights holder opted out of after clearance (`clearlm revoke`).

    The set is read from the ledger when the stage is built, so new token shards made after a
    revocation leave the documents out, with reason `revoked` in the ledger.
    """

    name = "revoked"

    def __init__(self, revoked: frozenset[str]) -> None:
        self.revoked = revoked

    def keep(self, doc: Document) -> Verdict:
        return Drop(REVOKED, {}) if doc.doc_id in self.revoked else Keep()


class TokenizeStep(Step):
    """Encodes `[bos] + ids(text) + [eos]`; a text with no tokens of its own is dropped."""

    name = "tokenize"

    def __init__(self, tokenizer_json: str, bos_id: int, eos_id: int, dtype: str) -> None:
        self.tokenizer_json = tokenizer_json
        self.bos_id = bos_id
        self.eos_id = eos_id
        self.dtype = np.dtype(dtype).newbyteorder("<")
        self._tokenizer: Tokenizer | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_tokenizer": None}

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            self._tokenizer = Tokenizer.from_str(self.tokenizer_json)
        return self._tokenizer

    def process_batch(self, batch: Sequence[Document]) -> list[Verdict]:
        encodings = self.tokenizer.encode_batch([doc.text for doc in batch], add_special_tokens=False)
        return [self._place(doc, encoding.ids) for doc, encoding in zip(batch, encodings, strict=True)]

    def process(self, doc: Document) -> Verdict:
        return self._place(doc, self.tokenizer.encode(doc.text, add_special_tokens=False).ids)

    def _place(self, doc: Document, ids: list[int]) -> Verdict:
        if not ids:
            return Drop(TOKENIZE_EMPTY, {"chars": len(doc.text)})
        tokens = np.empty(len(ids) + 2, dtype=self.dtype)
        tokens[0] = self.bos_id
        tokens[1:-1] = ids
        tokens[-1] = self.eos_id
        doc.cache["token_ids"] = tokens
        doc.meta["tokens"] = len(tokens)
        return Keep(evidence={"tokens": len(tokens)})
