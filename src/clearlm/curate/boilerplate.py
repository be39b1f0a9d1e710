"""Strip known wrappers from a document; what is stripped is kept, bounded, as ledger evidence.

Project Gutenberg: the header (title block, "This eBook is for the use of anyone…", the START marker
or, in a 1990s file, the whole "Small Print!" licence), the footer (the "End of Project Gutenberg's …"
line, the END marker) and the licence after it. Where they are comes from `clear.gutenberg.layout`,
the same reading clearance used to allow the file, so the two stages cannot disagree about which
text is the book. A mention of Project Gutenberg in an essay is not an edition and is left alone.

The transcribers' credit paragraphs right after START ("Produced by …", "E-text prepared by …",
"Transcribed from the 1911 edition by …, email …", "Note: Project Gutenberg also has an HTML
version …") are stripped with the header: they are PG's text, not the book's, they name volunteers
and often carry their e-mail addresses (personal data we would otherwise train on and then
redact), and every PG book has one, which would teach a model the credit line itself.

Evidence: the first 2,000 characters of the stripped header and of the stripped footer, with
personal data replaced as `pii` would (volunteers' addresses stay out of the ledger), and the SHA-256
of all stripped text as it was (header then footer), so the cut can be proven against the file.

Left in the body: transcriber's notes that mention PG inside the book, and the World Library notice
repeated between the acts of 1990s Shakespeare files (clearance denies those files as copyrighted).
"""

from __future__ import annotations

import re
from typing import Any

from clearlm.clear.gutenberg import layout
from clearlm.curate.config import BoilerplateConfig
from clearlm.curate.pii import scrub
from clearlm.curate.words import invalidate
from clearlm.pipeline.document import Document, sha256_hex
from clearlm.pipeline.step import Annotator

BOILERPLATE_GUTENBERG = "boilerplate.gutenberg"
BOILERPLATE_REASONS = {
    BOILERPLATE_GUTENBERG: "flag: the Project Gutenberg header, credits, footer and licence were stripped; "
    "evidence: the first 2,000 characters of each (personal data redacted), SHA-256 of all stripped text",
}

EVIDENCE_CHARS = 2_000  # of the stripped header and footer each; the hash covers all of it
# A START marker wrapped onto following lines ("*** START OF THIS PROJECT GUTENBERG EBOOK STUDIES IN
# THE PSYCHOLOGY OF SEX, VOL. 6\nIN RELATION TO SEX***") ends at the first "***" this close after it.
_WRAP_CHARS = 300
# "End of Project Gutenberg's <title>, by <author>" sits just above the END marker, sometimes
# wrapped onto a second line; it is cut with the footer when no more than this lies between them.
_END_LINE_GAP = 300
_END_LINE = re.compile(r"^[ \t*]*end of (?:the |this )?project gutenberg[^\n]*", re.I | re.M)
# A credit paragraph after START: transcribers, scan sources, PG's notes about other formats, and the
# 1990s licence's version tag.
_CREDIT = re.compile(
    r"(?:produced\s+by|e-?text\s+(?:was\s+)?prepared\s+by|transcribed\s+(?:from|by)"
    r"|scanned\s+(?:and\s+proofed\s+)?by|this\s+e-?(?:book|text)\s+was\s+(?:produced|prepared|created)"
    r"|note:\s+(?:project\s+gutenberg\s+also\s+has|images\s+of\s+the\s+original\s+pages)"
    r"|\[?\"small\s+print\"\s+v)",
    re.I,
)
_MAX_CREDIT_CHARS = 1_500  # a paragraph longer than this is the book, not a credit
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")  # \r: boilerplate runs before normalize
_SPACE = re.compile(r"\s*")


class StripBoilerplate(Annotator):
    """Cut a Project Gutenberg edition down to its book; flag `boilerplate.gutenberg` with the cut text."""

    name = "boilerplate"

    def __init__(self, config: BoilerplateConfig) -> None:
        self.config = config

    def annotate(self, doc: Document) -> tuple[list[str], dict[str, Any]]:
        if not self.config.gutenberg:
            return [], {}
        span = gutenberg_body(doc.text)
        if span is None:
            return [], {}
        start, end = span
        text = doc.text
        head, tail = text[:start], text[end:]
        doc.text = text[start:end]
        invalidate(doc)  # the shared word split is of the old text
        evidence = {
            "removed_chars": len(head) + len(tail),
            "head": _evidence(head),
            "tail": _evidence(tail),
            # Of the header followed by the footer: anyone holding the original file can recompute it.
            "sha256": sha256_hex(head + tail),
        }
        return [BOILERPLATE_GUTENBERG], evidence


def _evidence(stripped: str) -> str:
    # The credits carry volunteers' e-mail addresses and the licence PG's own: the ledger keeps the
    # text without them (the hash still proves what was cut). Scrubbed before the cut, so an address
    # across the 2,000th character is not left half-visible.
    return scrub(stripped[: EVIDENCE_CHARS + 200])[:EVIDENCE_CHARS]


def gutenberg_body(text: str) -> tuple[int, int] | None:
    """The (start, end) of the book inside a PG edition, or None when `text` is not one."""
    found = layout(text)
    if found is None or not found.is_edition:
        return None
    start, end = found.body
    if found.start is not None:
        start = _after_wrapped_marker(text, found.start)
    start = _after_credits(text, start, end)
    if found.end is None and (late := _END_LINE.search(text, start)) is not None:
        end = late.start()  # layout reads only the last 32 KB; a longer licence hides END from it
    lo = max(start, end - _END_LINE_GAP - 200)
    for m in _END_LINE.finditer(text, lo, end):
        # The earliest "End of Project Gutenberg's …" line right above END (or the only end line).
        if len(text[m.end() : end].strip()) <= _END_LINE_GAP:
            end = m.start()
            break
    if start == 0 and end == len(text):
        return None
    return start, max(start, end)


def _after_wrapped_marker(text: str, marker: tuple[int, int]) -> int:
    """The end of the START marker, following it onto the next lines when its closing *** is there."""
    line = text[marker[0] : marker[1]].rstrip()
    if line.endswith("*") or not line.lstrip(" \t*").lower().startswith("start"):
        return marker[1]
    close = text.find("***", marker[1], marker[1] + _WRAP_CHARS)
    # Only on the very next line: a "***" after a blank line is the book's own section divider.
    if close < 0 or text.count("\n", marker[1], close) > 1:
        return marker[1]
    eol = text.find("\n", close)
    return len(text) if eol < 0 else eol


def _after_credits(text: str, start: int, end: int) -> int:
    """Past the credit paragraphs that open the body (none: `start` unchanged)."""
    while True:
        blank = _SPACE.match(text, start, end)
        at = blank.end() if blank else start
        if at >= end or not _CREDIT.match(text, at):
            return start
        brk = _PARAGRAPH_BREAK.search(text, at, min(end, at + _MAX_CREDIT_CHARS))
        if brk is None:
            return start
        start = brk.start()
