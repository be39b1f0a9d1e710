"""Gopher's repetition rules (Rae et al. 2021, table A1), as datatrove 0.10's GopherRepetitionFilter.

In datatrove's order, the first rule that fails drops the document: duplicate paragraphs and their
characters, duplicate lines and theirs, the most frequent 2/3/4-gram's characters, then the
characters in duplicate 5…10-grams; each as a fraction of the text's characters. Reasons are
datatrove's rule names under `quality.gopher_repetition.`; a threshold of 0 turns its rule off.

The n-gram rules are the expensive part of the Gopher rules, so they work on 64-bit token hashes
with numpy (see `_NGrams`); only the greedy scan over duplicate n-grams is a Python loop, over the
few positions whose n-gram repeats. Differences: n-grams are equal when their tokens' hashes are
(a 64-bit collision would merge two, about once in 10**8 books), and datatrove identifies a
duplicate n-gram by its words joined without a separator ("a" "bc" equals "ab" "c"), we by its tokens.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from numpy.typing import NDArray

from clearlm.curate.config import GopherRepetitionConfig
from clearlm.curate.quality_gopher import measured_drop
from clearlm.curate.words import views
from clearlm.errors import ConfigError
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Filter, Keep, Verdict

_P = "quality.gopher_repetition."
DUP_PARA_FRAC = _P + "dup_para_frac"
DUP_PARA_CHAR_FRAC = _P + "dup_para_char_frac"
DUP_LINE_FRAC = _P + "dup_line_frac"
DUP_LINE_CHAR_FRAC = _P + "dup_line_char_frac"
TOP_N = range(2, 5)  # n of the top n-gram thresholds, in config order
DUP_N = range(5, 11)  # n of the duplicate n-gram thresholds, in config order

REASONS = {
    DUP_PARA_FRAC: "drop: share of paragraphs that repeat an earlier one above the threshold",
    DUP_PARA_CHAR_FRAC: "drop: characters in repeated paragraphs, per character of text, above the threshold",
    DUP_LINE_FRAC: "drop: share of lines that repeat an earlier one above the threshold",
    DUP_LINE_CHAR_FRAC: "drop: characters in repeated lines, per character of text, above the threshold",
    **{
        f"{_P}top_{n}_gram": f"drop: the most frequent {n}-gram covers more of the text than the threshold"
        for n in TOP_N
    },
    **{
        f"{_P}duplicated_{n}_n_grams": f"drop: characters in repeated {n}-grams above the threshold"
        for n in DUP_N
    },
}

# Chains an n-gram's key with the next token's hash into the (n+1)-gram's key.
_MIX = np.uint64(0xD6E8FEB86659FD93)


def duplicates(items: list[str]) -> tuple[int, int]:
    """How many items repeat an earlier one, and their characters (datatrove's `find_duplicates`)."""
    counts = Counter(items)
    repeats = len(items) - len(counts)
    if not repeats:
        return 0, 0
    return repeats, sum(len(item) * (k - 1) for item, k in counts.items() if k > 1)


def _member(keys: NDArray[np.uint64], wanted: NDArray[np.uint64], exact: bool) -> NDArray[np.bool_]:
    """Which `keys` may be in `wanted` (sorted): a bit table indexed by their top bits says yes to all
    of them and to about 1 in 8 others; `exact` weeds those out with a binary search over the yeses.
    (A search for every key, or `np.isin`, would cost more than the sort that counted them.)"""
    bits = max(10, len(wanted).bit_length() + 3)
    shift = np.uint64(64 - bits)
    table = np.zeros(1 << bits, np.bool_)
    table[(wanted >> shift).astype(np.intp)] = True
    hit: NDArray[np.bool_] = table[(keys >> shift).astype(np.intp)]
    if exact and len(wanted):
        maybe = np.flatnonzero(hit)
        found = wanted[np.minimum(np.searchsorted(wanted, keys[maybe]), len(wanted) - 1)]
        hit[maybe] = found == keys[maybe]
    return hit


class _NGrams:
    """Counts of the n-grams of a token sequence, for n = 2, 3, ... in turn.

    An n-gram that occurs once starts only (n+1)-grams that occur once, so each level looks only at
    the positions where the last level's n-gram repeats: in prose, a tenth of them by n = 5. An
    n-gram's key chains its tokens' hashes (key * MIX + next token's hash); a level counts its keys
    by sorting them. Matching positions back to the repeated keys lets a few unique n-grams through,
    which changes no result: their longer n-grams stay unique, and the duplicate scan never counts
    a unique one.
    """

    def __init__(self, hashes: NDArray[np.uint64], lengths: NDArray[np.int32]) -> None:
        self.hashes = hashes
        self.chars = np.zeros(len(hashes) + 1, np.int64)
        np.cumsum(lengths, out=self.chars[1:])
        self.n = 1
        # Positions (ascending) whose n-gram may repeat, and that n-gram's key.
        self.pos: NDArray[np.intp] = np.arange(len(hashes))
        self.keys: NDArray[np.uint64] = hashes
        self.top_count, self.top_first = 1, 0

    def advance(self) -> None:
        """Count the (n+1)-grams at the positions where the n-gram repeats; keep those that repeat."""
        n = self.n = self.n + 1
        fits = int(np.searchsorted(self.pos, len(self.hashes) - n, side="right"))
        pos = self.pos[:fits]
        keys = self.keys[:fits] * _MIX + self.hashes[pos + n - 1]
        ordered = np.sort(keys)
        new = np.ones(len(ordered), np.bool_)
        new[1:] = ordered[1:] != ordered[:-1]
        starts = np.flatnonzero(new)
        counts = np.diff(np.append(starts, len(ordered)))
        # The most frequent n-gram, the first seen among equals as `Counter.most_common` picks it;
        # when every n-gram is unique, that is the first n-gram of the text.
        self.top_count = int(counts.max()) if len(counts) else 1
        self.top_first = 0
        if self.top_count > 1:
            tops = ordered[starts[counts == self.top_count]]
            self.top_first = int(pos[np.argmax(_member(keys, tops, exact=True))])
        repeated = _member(keys, ordered[starts[counts >= 2]], exact=False)
        self.pos, self.keys = pos[repeated], keys[repeated]

    def top_chars(self) -> int:
        """Characters of the most frequent n-gram joined by spaces, times its count."""
        first, n = self.top_first, self.n
        return int(self.chars[first + n] - self.chars[first] + n - 1) * self.top_count

    def duplicate_chars(self) -> int:
        """Characters in repeated n-grams by datatrove's greedy scan: left to right, an n-gram seen
        before counts and the scan jumps past it; only n-grams it does not jump over are "seen".
        The scan visits only the n-grams that may repeat: one that occurs once changes nothing."""
        n, seen, until, hits = self.n, set(), -1, []
        for p, key in zip(self.pos.tolist(), self.keys.tolist(), strict=True):
            if p < until:
                continue
            if key in seen:
                hits.append(p)
                until = p + n
            else:
                seen.add(key)
        at = np.array(hits, np.intp)
        return int((self.chars[at + n] - self.chars[at]).sum())


class GopherRepetition(Filter):
    """Drop documents that repeat lines, paragraphs or n-grams more than Gopher allows."""

    name = "quality.gopher_repetition"

    def __init__(self, config: GopherRepetitionConfig | None = None) -> None:
        self.config = config or GopherRepetitionConfig()
        if len(self.config.top_n_grams) > len(TOP_N) or len(self.config.dup_n_grams) > len(DUP_N):
            raise ConfigError(
                f"curate.gopher_repetition: top_n_grams takes at most {len(TOP_N)} thresholds "
                f"(n = 2..4) and dup_n_grams at most {len(DUP_N)} (n = 5..10)"
            )
        self.top = dict(zip(TOP_N, self.config.top_n_grams, strict=False))
        self.dup = dict(zip(DUP_N, self.config.dup_n_grams, strict=False))

    def keep(self, doc: Document) -> Verdict:
        c, view = self.config, views(doc)
        n_chars = len(doc.text)
        if not n_chars:
            return Keep()
        for parts, frac, char_frac, frac_code, char_code in (
            (view.paragraphs(), c.dup_para_frac, c.dup_para_char_frac, DUP_PARA_FRAC, DUP_PARA_CHAR_FRAC),
            (view.newline_runs(), c.dup_line_frac, c.dup_line_char_frac, DUP_LINE_FRAC, DUP_LINE_CHAR_FRAC),
        ):
            repeats, chars = duplicates(parts)
            if frac and repeats / len(parts) > frac:
                return measured_drop(frac_code, repeats / len(parts), frac)
            if char_frac and chars / n_chars > char_frac:
                return measured_drop(char_code, chars / n_chars, char_frac)
        return self._ngrams(view.tokens.hashes, view.tokens.lengths, n_chars)

    def _ngrams(self, hashes: NDArray[np.uint64], lengths: NDArray[np.int32], n_chars: int) -> Verdict:
        grams = _NGrams(hashes, lengths)
        last = max([n for n, t in self.top.items() if t] + [n for n, t in self.dup.items() if t], default=1)
        for n in range(2, min(last, len(hashes)) + 1):
            grams.advance()
            if self.top.get(n):
                ratio = grams.top_chars() / n_chars
                if ratio > self.top[n]:
                    return measured_drop(f"{_P}top_{n}_gram", ratio, self.top[n])
            if self.dup.get(n):
                ratio = grams.duplicate_chars() / n_chars
                if ratio > self.dup[n]:
                    return measured_drop(f"{_P}duplicated_{n}_n_grams", ratio, self.dup[n])
        return Keep()
