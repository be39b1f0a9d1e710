"""C4's cleaning rules (Raffel et al. 2020), as datatrove 0.10's C4QualityFilter with its defaults.

C4 works line by line: a line is removed when it has a word over `max_word_length` characters, lacks
terminal punctuation (or ends with "..."), has fewer than `min_words_per_line` words, mentions
"javascript", or a cookie/terms-of-use phrase. Wikipedia-style citations ("[1]", "[edit]") are cut
from every line, as datatrove's default `remove_citations=True` does. The document is dropped only by
a document rule: "lorem ipsum" or a "{" on a line that got that far, or fewer than
`min_num_sentences` sentences in the kept lines. A kept document's text becomes its kept lines, and
the removed lines are counted, by rule, in the evidence.

Sentences are counted as spaCy's sentencizer splits them (what datatrove uses): one more sentence at
the first non-punctuation token after a sentence-final one ("." "!" "?" and the other Unicode
Sentence_Terminal characters), over our approximation of spaCy's tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from clearlm.curate.config import C4Config
from clearlm.curate.quality_gopher import measured_drop
from clearlm.curate.words import invalidate, tokenize, views
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Drop, Filter, Keep, Verdict

_P = "quality.c4."
LOREM_IPSUM = _P + "lorem_ipsum"
CURLY_BRACKET = _P + "curly_bracket"
MIN_NUM_SENTENCES = _P + "min_num_sentences"
LINES_REMOVED = _P + "lines_removed"

REASONS = {
    LOREM_IPSUM: "drop: a kept line contains 'lorem ipsum' (placeholder text)",
    CURLY_BRACKET: "drop: a kept line contains '{' (code or markup)",
    MIN_NUM_SENTENCES: "drop: fewer sentences than c4.min_num_sentences in the lines C4 keeps",
    LINES_REMOVED: "keep: C4 removed lines (counts per rule in the evidence) and the text is the rest",
}

_CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
_END_PUNCTUATION = (".", "?", "!", '"', "'")
_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")

# Unicode's Sentence_Terminal property (PropList.txt, Unicode 15.1): the characters datatrove's
# FineWeb rule takes as ending a line, and close to the list spaCy's sentencizer splits after.
_STERM_RANGES = (
    "0021 002E 003F 0589 061D-061F 06D4 0700-0702 07F9 0837 0839 083D-083E 0964-0965 104A-104B "
    "1362 1367-1368 166E 1735-1736 17D4-17D6 17D9-17DA 1803 1809 1944-1945 1AA8-1AAB 1B5A-1B5B "
    "1B5E-1B5F 1B7D-1B7E 1C3B-1C3C 1C7E-1C7F 203C-203D 2047-2049 2E2E 2E3C 2E53-2E54 3002 A4FF "
    "A60E-A60F A6F3 A6F7 A876-A877 A8CE-A8CF A92F A9C8-A9C9 AA5D-AA5F AAF0-AAF1 ABEB FE52 "
    "FE56-FE57 FF01 FF0E FF1F FF61 10A56-10A57 10F55-10F59 10F86-10F89 11047-11048 110BE-110C1 "
    "11141-11143 111C5-111C6 111CD 111DE-111DF 11238-11239 1123B-1123C 112A9 1144B-1144C "
    "115C2-115C3 115C9-115D7 11641-11642 1173C-1173E 11944 11946 11A42-11A43 11A9B-11A9C "
    "11C41-11C42 11EF7-11EF8 11F43-11F44 16A6E-16A6F 16AF5 16B37-16B38 16B44 16E98 1BC9F 1DA88"
)


def _code_points(ranges: str) -> frozenset[str]:
    out: set[str] = set()
    for part in ranges.split():
        lo, _, hi = part.partition("-")
        out.update(map(chr, range(int(lo, 16), int(hi or lo, 16) + 1)))
    return frozenset(out)


SENTENCE_TERMINALS = _code_points(_STERM_RANGES)


def count_sentences(line: str) -> int:
    """Sentences in `line` as spaCy's sentencizer splits them (at least one for non-empty text)."""
    tokens = tokenize(line)
    count, after_final = 1, False
    for first, start, end in zip(
        tokens.firsts.tolist(), tokens.starts.tolist(), tokens.ends.tolist(), strict=True
    ):
        final = end - start == 1 and chr(first) in SENTENCE_TERMINALS
        if after_final and not final and not _is_punct(line[start:end]):
            count, after_final = count + 1, False
        elif final:
            after_final = True
    return count


def _is_punct(token: str) -> bool:
    return all(unicodedata.category(ch).startswith("P") for ch in token)


class C4Quality(Filter):
    """Remove lines C4 would not keep; drop documents with placeholder text, code or too few sentences."""

    name = "quality.c4"

    def __init__(self, config: C4Config | None = None) -> None:
        self.config = config or C4Config()

    def keep(self, doc: Document) -> Verdict:
        c = self.config
        lines = views(doc).lines
        removed: Counter[str] = Counter()
        kept: list[str] = []
        sentences = 0
        for raw in lines:
            line = raw.strip()
            # A word can only be too long in a line that is; split only those.
            if 0 <= c.max_word_length < len(line) and any(len(w) > c.max_word_length for w in line.split()):
                removed["too_long_word"] += 1
                continue
            n_words = -1  # counted on the line before citations go, as datatrove does, when needed
            if "[" in line:
                n_words = len(line.split())
                line = _CITATION.sub("", line)
            if c.filter_no_terminal_punct and (not line.endswith(_END_PUNCTUATION) or line.endswith("...")):
                removed["no_terminal_punct"] += 1
                continue
            if (n_words if n_words >= 0 else len(line.split())) < c.min_words_per_line:
                removed["too_few_words"] += 1
                continue
            lower = line.lower()
            if c.filter_lorem_ipsum and "lorem ipsum" in lower:
                return Drop(LOREM_IPSUM, {"line": line[:200]})
            if c.filter_javascript and "javascript" in lower:
                removed["javascript"] += 1
                continue
            if c.filter_curly_bracket and "{" in line:
                return Drop(CURLY_BRACKET, {"line": line[:200]})
            if c.filter_policy and any(p in lower for p in _POLICY):
                removed["policy"] += 1
                continue
            # Only whether the minimum is reached matters, so stop counting there.
            if sentences < c.min_num_sentences:
                sentences += count_sentences(line)
            kept.append(line)

        evidence = {"lines": len(lines), "kept_lines": len(kept), "removed": dict(removed)}
        if sentences < c.min_num_sentences:
            return measured_drop(MIN_NUM_SENTENCES, sentences, c.min_num_sentences, **evidence)
        text = "\n".join(kept).strip()
        if text != doc.text:
            doc.text = text
            invalidate(doc)
        return Keep(LINES_REMOVED, evidence=evidence) if removed else Keep()
