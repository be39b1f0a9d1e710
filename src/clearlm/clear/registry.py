"""The protected-works registry: rights holders register works; documents quoting them are denied.

A document is denied `registry.match` when it holds at least `policy.registry_min_words` (200) words
of a registered work — reformatted, re-wrapped, re-cased, with other quotes and dashes, hyphenated
across lines, or embedded in other text. How:

* Fingerprints (clear/fingerprint.py): normalised word tokens → hashed 8-word shingles → winnowing
  with a window of 10. Any run of ≥ 17 words shared with a work is guaranteed to share a fingerprint;
  about one shingle in 5.5 is kept, so 200 words carry some 35 fingerprints.
* Index (clear/registry_index.py): every (fingerprint, work, position) of every work, sorted by
  fingerprint, in three numpy arrays. On disk: `works.json` (the manifest: parameters, works, the
  index file's name) and `index-<digest>.npz`. The manifest is written last, atomically, so a
  reader sees the old registry or the new one, never a mix. Loaded once per process; a lookup is
  one `searchsorted` per document.
* Matching: the document's fingerprints are looked up; hits are grouped per work into regions
  (hits in document order no more than 2·(K+W) words apart). A region needs two distinct hits —
  a lone shared 8-gram is a coincidence ("in the middle of the night he"), a true excerpt yields a
  hit every ≤ W words. matched_words sums the regions' spans; coverage is the share of the work's
  fingerprints seen.
* Boilerplate: a fingerprint found in more than COMMON_WORKS works (a licence header such as
  Project Gutenberg's, a scripture passage, a famous quotation) is ignored: it does not tell which
  work is quoted, and would otherwise deny every document that carries the same boilerplate.

Work ids come from the SHA-256 of the file's bytes, so adding the same file twice is a no-op.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from clearlm.atomic import atomic_open, atomic_write_text, remove_stale_tmp
from clearlm.clear import fingerprint as fpr
from clearlm.clear.registry_index import PostingIndex
from clearlm.clear.signals import Signal, span_evidence
from clearlm.errors import ConfigError, InputError
from clearlm.reasons import REGISTRY_MATCH

FORMAT = "clearlm-registry-v1"
MANIFEST = "works.json"


@dataclass(frozen=True)
class WorkInfo:
    """One registered work. `added` is an ISO date; `fingerprints` the count kept by winnowing."""

    work_id: str
    title: str
    holder: str
    words: int
    sha256: str
    added: str
    fingerprints: int = 0


class Registry:
    """The works protected in one registry folder. `open` it, `add`, `save`, `match`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.k, self.w = fpr.K, fpr.W
        self._works: list[WorkInfo] = []
        self._flat = (np.zeros(0, np.uint64), np.zeros(0, np.uint32), np.zeros(0, np.uint32))
        self._pending: list[tuple[NDArray[np.uint64], NDArray[np.uint32], NDArray[np.uint32]]] = []
        self._index: PostingIndex | None = None

    @classmethod
    def open(cls, folder: Path) -> Registry:
        """The registry in `folder`; an empty one if the folder or its manifest does not exist yet."""
        reg = cls(folder)
        manifest = reg.folder / MANIFEST
        if reg.folder.exists() and not reg.folder.is_dir():
            raise InputError("registry path is a file, not a folder", reg.folder)
        if not manifest.exists():
            return reg
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT or meta.get("scheme") != fpr.SCHEME:
                raise ConfigError(f"not a {FORMAT} registry with {fpr.SCHEME} fingerprints", manifest)
            reg.k, reg.w = int(meta["k"]), int(meta["w"])
            reg._works = [WorkInfo(**work) for work in meta["works"]]
            index = reg.folder / str(meta["index"])
            with np.load(index) as arrays:
                hashes, work, pos = arrays["hashes"], arrays["work"], arrays["pos"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"unreadable registry: {exc}", manifest) from None
        if not (len(hashes) == len(work) == len(pos)) or (len(work) and work.max() >= len(reg._works)):
            raise ConfigError("registry index does not fit its manifest", manifest)
        reg._flat = (hashes.astype(np.uint64), work.astype(np.uint32), pos.astype(np.uint32))
        reg._index = PostingIndex(*reg._flat)  # stored sorted
        return reg

    def works(self) -> list[WorkInfo]:
        return list(self._works)

    def add(self, path: Path, holder: str, title: str | None = None) -> WorkInfo:
        """Fingerprint the UTF-8 text file `path` as a work of `holder`; the same bytes again is a no-op."""
        path = Path(path)
        if not holder.strip():
            raise InputError("a registered work needs a rights holder (--holder)", path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise InputError("file not found", path) from None
        except IsADirectoryError:
            raise InputError("is a folder; name the work's text files", path) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path) from None
        digest = hashlib.sha256(raw).hexdigest()
        for known in self._works:
            if known.sha256 == digest:
                return known
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 text (bad byte at offset {exc.start}); convert it first", path
            ) from None
        fp = fpr.fingerprint(text, self.k, self.w)
        if len(fp.hashes) == 0:
            raise InputError(f"too short to protect: {fp.words} words, at least {self.k} needed", path)
        info = WorkInfo(
            work_id="w" + digest[:16],
            title=title or path.name,
            holder=holder.strip(),
            words=fp.words,
            sha256=digest,
            added=date.today().isoformat(),
            fingerprints=len(fp.hashes),
        )
        work = np.full(len(fp.hashes), len(self._works), dtype=np.uint32)
        self._pending.append((fp.hashes, work, fp.positions.astype(np.uint32)))
        self._works.append(info)
        return info

    def _ready(self) -> PostingIndex:
        if self._pending or self._index is None:
            parts = [self._flat, *self._pending]
            flat = tuple(np.concatenate([p[i] for p in parts]) for i in range(3))
            self._index = PostingIndex.build(flat[0], flat[1], flat[2])
            self._flat = (self._index.hashes, self._index.work, self._index.pos)
            self._pending = []
        return self._index

    def save(self) -> None:
        """Write the index, then the manifest naming it (atomic: readers see old or new)."""
        index = self._ready()
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_stale_tmp(self.folder)
        name = "index-" + hashlib.sha256("\n".join(w.work_id for w in self._works).encode()).hexdigest()[:16]
        with atomic_open(self.folder / f"{name}.npz") as fh:
            np.savez(fh, hashes=index.hashes, work=index.work, pos=index.pos)
        meta: dict[str, Any] = {"format": FORMAT, "scheme": fpr.SCHEME, "k": self.k, "w": self.w}
        meta |= {"index": f"{name}.npz", "works": [asdict(w) for w in self._works]}
        atomic_write_text(self.folder / MANIFEST, json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
        for old in self.folder.glob("index-*.npz"):
            if old.name != f"{name}.npz":
                old.unlink(missing_ok=True)

    def match(self, text: str, min_words: int = 200) -> list[Signal]:
        """REGISTRY_MATCH signals, largest first, for every work `text` quotes ≥ `min_words` words of."""
        if not self._works or not text:
            return []
        index = self._ready()
        fp = fpr.fingerprint(text, self.k, self.w)
        query, post = index.lookup(fp.hashes)
        if len(query) == 0:
            return []
        work, doc_pos, work_pos = index.work[post].astype(np.int64), fp.positions[query], index.pos[post]
        order = np.lexsort((doc_pos, work))
        work, doc_pos, work_pos = work[order], doc_pos[order], work_pos[order]
        same_work = np.concatenate(([False], work[1:] == work[:-1]))
        step = np.diff(doc_pos, prepend=0)
        new_region = ~same_work | (step > 2 * (self.k + self.w))
        distinct = ~same_work | (step > 0)
        region = np.cumsum(new_region) - 1
        first_hit = np.flatnonzero(new_region)
        last_hit = np.append(first_hit[1:], len(work)) - 1
        hits = np.bincount(region, weights=distinct).astype(np.int64)
        solid = hits >= 2
        # A region covers its first to its last shingle. Winnowing keeps a shingle in every window
        # of W, so a shared run reaches at most W - 1 words past either end: adding both makes the
        # estimate an upper bound, and an excerpt of min_words words is never let through.
        span = doc_pos[last_hit] - doc_pos[first_hit] + self.k + 2 * (self.w - 1)
        region_work = work[first_hit]
        words = np.bincount(region_work[solid], weights=span[solid], minlength=len(self._works))
        signals = []
        for w_idx in np.flatnonzero(words >= max(min_words, 1)):
            info = self._works[int(w_idx)]
            regions = np.flatnonzero(solid & (region_work == w_idx))
            in_regions = np.isin(region, regions)
            seen = len(np.unique(work_pos[in_regions]))
            r0 = int(regions[0])
            start, end = fpr.char_span(
                text, fp, int(doc_pos[first_hit[r0]]), min(int(doc_pos[last_hit[r0]]) + self.k, fp.words) - 1
            )
            evidence = span_evidence(
                text,
                (start, end),
                work_id=info.work_id,
                title=info.title,
                holder=info.holder,
                matched_words=int(min(words[w_idx], info.words)),
                coverage=round(min(1.0, seen / max(info.fingerprints, 1)), 4),
                regions=len(regions),
            )
            signals.append(Signal(code=REGISTRY_MATCH, evidence=evidence))
        return sorted(signals, key=lambda s: -int(s.evidence["matched_words"]))


def add_works(folder: Path, files: list[Path], holder: str) -> list[WorkInfo]:
    """`clearlm registry add FILE... --holder NAME`: register every file, then save once."""
    registry = Registry.open(folder)
    added = [registry.add(Path(f), holder) for f in files]
    registry.save()
    return added
