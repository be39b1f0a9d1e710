"""Written AI reservations: `find_ai_clause` finds a notice that this work may not be used to train AI.

"This book may not be used to train artificial intelligence", "No part of this publication may be
used for text and data mining", "We do not consent to our content being scraped for AI training".
A sentence counts when it names AI (or machine learning, TDM, LLMs…), restricts, speaks of training
or mining, and is said by the work's owner about this work (a self reference or a copyright page
nearby) rather than quoting or discussing such notices. Cheap on long texts: only the first and
last `SCAN_CHARS` are read, and the regular expressions run only around literal AI terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

SCAN_CHARS = 30_000  # notices sit on the copyright page or in a footer: scan head and tail only
# Words that put a sentence on the subject of AI, found with str.find (Python regexes over whole
# windows are ~20x slower): lower-case keywords, and acronyms whose case matters.
# Each is one pass over the window; a keyword with a `verify` tail/head only counts where it fits.
_KEYWORDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("artificial", (), ()),
    ("achine", (" learning", "-learning"), ()),  # machine learning
    ("mining", (), ("data ", "data-")),  # (text and) data mining
    ("language model", (), ()),
    ("generative", (), ()),
    ("neural net", (), ()),
    ("article 4", (), ()),
    ("chatbot", (), ()),
)
_ACRONYMS = ("AI", "A.I", "TDM", "LLM", "GPT")
_AI_TERM = re.compile(  # the same, for the rare window whose lower-casing changes its length
    r"(?i:artificial|machine[\s-]learning|language\smodel|generative|neural\snet|data[\s-]mining|article\s4"
    r"|chatbot)|\bA\.?I\b|\bGenAI\b|\bTDM\b|\bLLMs?\b|\bGPT"
)
# A restriction: "may not be used", "no part of", "prohibited", "do not consent", "reserve" …
_RESTRICT = re.compile(
    r"\b(?:may|must|shall)\s*(?:not|n[’']t)\s+(?:\w+\s+){0,3}?(?:be\s+)?(?:used?|reproduced?|cop(?:y|ied)|includ"
    r"|incorporat|ingest|scrap|fed|feed|min|exploit|utili[sz]|train|process|analy[sz]|employ|harvest|collect|licen[sc])"
    r"|\bno\s+(?:[\w-]+\s+){1,5}?may\s+be\s+(?:used|reproduced)|\bnot\s+(?:to\s+)?be\s+used\b|\bnot\s+for\s+(?:use"
    r"|training|reuse)\b|\bprohibit|\bforbid|\bnot\s+(?:permitted|allowed|authori[sz]ed|licen[sc]ed)\b"
    r"|\bdo(?:es)?\s+not\s+(?:consent|permit|authori[sz]e|allow|agree|licen[sc]e|grant|wish)"
    r"|\b(?:do\s+not|don[’']t|never)\s+(?:use|train|scrape|feed|include|mine|ingest)\b|\bwithout\s+(?:\w+\s+){0,4}?"
    r"(?:permission|consent|authori[sz]ation|licen[cs]e)|\breserv(?:e|es|ed|ing|ation)\b|\bopt(?:s|ed)?[\s-]+out"
    r"|\bexclud|\b(?:agree|undertake)s?\s+not\s+to\b",
    re.IGNORECASE,
)
# …of using the work to train or mine: "to train", "for training AI", "AI training", "for AI", "data mining" …
_TRAINING = re.compile(
    r"\b(?:to|for|in|of|from)\s+(?:the\s+)?(?:purposes?\s+of\s+)?[\"“‘']?(?:train|fine[\s-]?tun|develop|build|creat"
    r"|improv|teach)|\btrain(?:ing|ed)?\s+(?:of\s+)?(?:an?\s+|any\s+|the\s+)?(?:AI|A\.I|artificial|machine|generative"
    r"|large|language|LLM|neural|models?|algorithms?|systems?|chatbots?|GPT)|\b(?:AI|A\.I\.?|model|LLM|ML)\s+training"
    r"|\b(?:data|text)[\s-]+(?:and\s+data[\s-]+)?mining|\bTDM\b|\bscrap(?:e|ed|ing)\b|\bingest|\b(?:by|for|in|into"
    r"|with|to)\s+(?:any\s+)?(?:AI|A\.I\.|artificial\s+intelligence|generative|machine[\s-]+learning|LLMs?"
    r"|large\s+language|language\s+models?)\b|\b(?:in|into)\s+(?:any\s+)?(?:\w+\s+)?(?:training\s+)?(?:datasets?"
    r"|data\s+sets?|corpus|corpora)\b",
    re.IGNORECASE,
)
# …said about this work by its owner, not about notices in general.
_SELF = re.compile(
    r"\b(?:this|these)\s+(?:[\w-]+\s+)?(?:book|work|publication|title|text|content|(?:web)?site|web\s+site|page"
    r"|article|zine|issue|magazine|journal|newsletter|stor(?:y|ies)|post|blog|document|material|edition|volume"
    r"|novel|collection|e-?book|manuscript|paper|report|recording|podcast|anthology|poem|essay|chapter|image"
    r"|photograph|database|dataset|repository|code|software|file|domain)s?\b|\bno\s+part\s+of\b|\bhere(?:in|on)\b"
    r"|\b(?:our|my)\s+(?:[\w-]+\s+)?(?:content|works?|writing|(?:web)?sites?|articles?|books?|journalism|publications?"
    r"|materials?|posts?|texts?|data|pages?|stories|images?|photos?|art|music|code)\b|\b(?:the|its|our)\s+(?:authors?"
    r"|publishers?|contributors?|creators?|editors?|copyright\s+(?:owner|holder)s?|rights?\s*holders?)\s+(?:and\s+\w+"
    r"\s+)?(?:do(?:es)?\s+not|expressly|hereby|reserves?|prohibits?|forbids?|objects?|opts?)\b|^\s*(?:please\s+)?"
    r"(?:do\s+not|don[’']t)\b|\b(?:we|I)\s+(?:do\s+not|don[’']t|expressly|hereby|reserve|prohibit|object|opt)\b",
    re.IGNORECASE,
)
_COPYRIGHT_PAGE = re.compile(
    r"©|\(c\)\s*(?:19|20)\d\d|\bcopyright\s+(?:©\s*)?(?:19|20)\d\d|all\s+rights\s+reserved|\bISBN", re.I
)
# Talking about such notices: "clauses saying …", "notices such as …", "for example: …".
_DISCUSSION = re.compile(
    r"\b(?:saying|says|stating|reads?|reading|such\s+as|e\.g\.|for\s+(?:example|instance)|clauses?|wording"
    r"|boilerplate|notices?\s+(?:like|such|saying|reading|stating|that\s+say))\b",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"\n[ \t\r]*\n")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+")
_TAG = re.compile(r"<(/?)(p|br|div|li|h\d|tr|td|section|article|footer|header|blockquote)?\b[^>]*>", re.I)


def _mask_tags(segment: str) -> str:
    """HTML with tags blanked out (block tags become paragraph breaks), offsets unchanged."""

    def blank(m: re.Match[str]) -> str:
        return ("\n\n" + " " * (len(m[0]) - 2)) if m[2] else " " * len(m[0])

    return _TAG.sub(blank, segment).replace("&nbsp;", "      ")


def find_ai_clause(text: str, is_html: bool = False) -> tuple[tuple[int, int], str] | None:
    """The first sentence that is a notice reserving this work from AI training, as ((start, end)
    in `text`, a text of the same length to quote from — tags blanked for HTML), else None."""
    n = len(text)
    windows = [(0, n)] if n <= 2 * SCAN_CHARS else [(0, SCAN_CHARS), (n - SCAN_CHARS, n)]
    for lo, hi in windows:
        anchors = _anchors(text, lo, hi)
        if not anchors:
            continue
        clean = text[:lo] + _mask_tags(text[lo:hi]) + text[hi:] if is_html else text
        for start, end in _clause_sentences(clean, lo, hi, anchors):
            span = clean[start:end]
            start, end = start + len(span) - len(span.lstrip()), end - len(span) + len(span.rstrip())
            return (start, end), clean
    return None


def _anchors(text: str, lo: int, hi: int, limit: int = 200) -> list[int]:
    """Offsets of AI terms in text[lo:hi] (at most `limit` of them)."""
    window = text[lo:hi]
    low = window.lower()
    if len(low) != len(window):
        return [m.start() for m in _AI_TERM.finditer(text, lo, hi)][:limit]
    found: list[int] = []
    for word, tails, heads in _KEYWORDS:
        i = low.find(word)
        while i != -1 and len(found) < limit:
            j = i + len(word)
            if (not tails or low.startswith(tails, j)) and (
                not heads or low[max(0, i - 5) : i].endswith(heads)
            ):
                found.append(lo + i)
            i = low.find(word, j)
    for word in _ACRONYMS:
        i = window.find(word)
        while i != -1 and len(found) < limit:
            j = i + len(word)
            before = i == 0 or not window[i - 1].isalnum() or window[max(0, i - 3) : i] == "Gen"
            if before and (j == len(window) or not window[j].isalnum() or word in ("GPT", "LLM")):
                found.append(lo + i)
            i = window.find(word, j)
    return sorted(found)


def _clause_sentences(text: str, lo: int, hi: int, anchors: list[int]) -> Iterator[tuple[int, int]]:
    seen = -1
    for p in anchors:
        if p < seen:
            continue
        para_lo = max(lo, p - 800)
        breaks = [m.end() for m in _PARAGRAPH.finditer(text, para_lo, p)]
        para_start = breaks[-1] if breaks else para_lo
        para_end = next((m.start() for m in _PARAGRAPH.finditer(text, p, min(hi, p + 800))), min(hi, p + 800))
        ends = [m.end() for m in _SENTENCE_END.finditer(text, para_start, para_end)]
        before = [e for e in ends if e <= p]
        start = before[-1] if before else para_start
        end = next((e for e in ends if e > p), para_end)
        seen = end
        sentence, context = text[start:end], text[(before[-2] if len(before) > 1 else para_start) : end]
        if not (_RESTRICT.search(sentence) and _TRAINING.search(sentence)):
            continue
        lead = text[para_start:p]
        if lead.count('"') % 2 or lead.count("“") > lead.count("”") or _DISCUSSION.search(text, start, p):
            continue  # quoted, or talking about notices rather than making one
        intro = text[max(lo, para_start - 200) : para_start].rstrip()
        if intro.endswith(":") and _DISCUSSION.search(intro):
            continue
        if (
            _SELF.search(context)
            or _SELF.match(sentence)
            or _COPYRIGHT_PAGE.search(text, max(lo, start - 400), end)
        ):
            yield start, end
