"""Gopher's repetition rules (Rae et al. 2021, table A1), as datatrove 0.10's GopherRepetitionFilter.

In datatrove's order, the first rule that fails drops the document: duplicate paragraphs and their
characters, duplicate lines and theirs, the most frequent 2/3/4-gram's characters, then the
characters in duplicate 5…10-grams; each as a fraction of the text's characters. Reasons are
datatrove's rule names under `quality.gopher_repetition.`; a threshold of 0 turns its rule off.

The n-gram rules are the expensive part of the Gopher rules, so they work on token hashes with numpy
(see `_NGrams`), and only the greedy scan over duplicate n-grams is a Python loop, over the few
positions whose n-gram repeats. One difference: datatrove identifies a duplicate n-gram by its words
joined without a separator ("a" "bc" equals "ab" "c"); here n-grams are equal when their tokens are.
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

# Mixes a group id into the key of the next n-gram (odd, so distinct ids stay distinct).
_MIX = np.uint64(0xD6E8FEB86659FD93)


def duplicates(items: list[str]) -> tuple[int, int]:
    """How many items repeat an earlier one, and their characters (datatrove's `find_duplicates`)."""
    counts = Counter(items)
    repeats = len(items) - len(counts)
    if not repeats:
        return 0, 0
    return repeats, sum(len(item) * (k - 1) for item, k in counts.items() if k > 1)


class _NGrams:
    """Counts of the n-grams of a token sequence, for n = 2, 3, ... in turn.

    An n-gram that occurs once is the start of (n+1)-grams that occur once, so each level looks only
    at the positions where the previous level's n-gram repeats; in prose that is a small share by
    n = 5. `group` numbers equal n-grams densely; an (n+1)-gram's key mixes its n-gram's group with
    the hash of its last token.
    """

    def __init__(self, hashes: NDArray[np.uint64], lengths: NDArray[np.intp]) -> None:
        self.hashes = hashes
        self.chars = np.zeros(len(hashes) + 1, np.int64)
        np.cumsum(lengths, out=self.chars[1:])
        self.n = 1
        # Positions (ascending) whose n-gram may repeat, that n-gram's group, and whether it does.
        self.pos: NDArray[np.intp] = np.arange(len(hashes))
        self.group: NDArray[np.uint64] = hashes
        self.repeated: NDArray[np.bool_] = np.ones(len(hashes), np.bool_)
        self.top_count, self.top_first = 1, 0

    def advance(self) -> None:
        """Count the (n+1)-grams at the positions where the n-gram repeats."""
        n = self.n = self.n + 1
        pos, group = self.pos[self.repeated], self.group[self.repeated]
        fits = int(np.searchsorted(pos, len(self.hashes) - n, side="right"))
        pos, group = pos[:fits], group[:fits]
        keys = group * _MIX + self.hashes[pos + n - 1]
        order = np.argsort(keys)
        ordered = keys[order]
        new = np.ones(len(ordered), np.bool_)
        new[1:] = ordered[1:] != ordered[:-1]
        starts = np.flatnonzero(new)
        counts = np.diff(np.append(starts, len(ordered)))
        self.group = np.empty(len(ordered), np.uint64)
        self.group[order] = np.cumsum(new) - 1
        self.repeated = np.empty(len(ordered), np.bool_)
        self.repeated[order] = np.repeat(counts >= 2, counts)
        self.pos = pos
        # The most frequent n-gram, the first seen among equals as `Counter.most_common` picks it;
        # when every n-gram is unique, that is the first n-gram of the text.
        self.top_count, self.top_first = (int(counts.max()), 0) if len(counts) else (1, 0)
        if self.top_count > 1:
            tops = starts[counts == self.top_count]
            self.top_first = min(int(pos[order[g : g + self.top_count]].min()) for g in tops.tolist())

    def top_chars(self) -> int:
        """Characters of the most frequent n-gram joined by spaces, times its count."""
        first, n = self.top_first, self.n
        return int(self.chars[first + n] - self.chars[first] + n - 1) * self.top_count

    def duplicate_chars(self) -> int:
        """Characters in repeated n-grams by datatrove's greedy scan: left to right, an n-gram seen
        before counts and the scan jumps past it; only n-grams it does not jump over are "seen".
        The scan visits only repeated n-grams: one that occurs once changes nothing."""
        n, seen, until, hits = self.n, set(), -1, []
        pos, group = self.pos[self.repeated], self.group[self.repeated]
        for p, g in zip(pos.tolist(), group.tolist(), strict=True):
            if p < until:
                continue
            if g in seen:
                hits.append(p)
                until = p + n
            else:
                seen.add(g)
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
            (view.paragraphs, c.dup_para_frac, c.dup_para_char_frac, DUP_PARA_FRAC, DUP_PARA_CHAR_FRAC),
            (view.newline_runs, c.dup_line_frac, c.dup_line_char_frac, DUP_LINE_FRAC, DUP_LINE_CHAR_FRAC),
        ):
            repeats, chars = duplicates(parts)
            if frac and repeats / len(parts) > frac:
                return measured_drop(frac_code, repeats / len(parts), frac)
            if char_frac and chars / n_chars > char_frac:
                return measured_drop(char_code, chars / n_chars, char_frac)
        return self._ngrams(view.tokens.hashes, view.tokens.lengths, n_chars)

    def _ngrams(self, hashes: NDArray[np.uint64], lengths: NDArray[np.intp], n_chars: int) -> Verdict:
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
