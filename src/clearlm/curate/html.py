"""Main text out of HTML pages, with trafilatura (the extractor FineWeb and datatrove use).

Ingest keeps web pages as HTML because their markup is clearance evidence (rel="license", robots
meta, tdm-reservation). Curation needs the text a reader sees: this step replaces an HTML document's
text with trafilatura's extraction (navigation, headers, footers and scripts removed) and marks it
text/plain. The HTML itself stays in the ingest output, so nothing is lost. A page with no
extractable text is dropped as `html.no-text`.
"""

from __future__ import annotations

import trafilatura

from clearlm.curate.config import HtmlConfig
from clearlm.curate.words import invalidate
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Drop, Keep, Step, Verdict

HTML_MIMES = frozenset({"text/html", "application/xhtml+xml"})
HTML_NO_TEXT = "html.no-text"
HTML_REASONS = {HTML_NO_TEXT: "an HTML page from which no main text could be extracted"}


class ExtractHTML(Step):
    """Replace an HTML document's text with its extracted main text; other documents pass as they are."""

    name = "html"

    def __init__(self, config: HtmlConfig) -> None:
        self.config = config

    def process(self, doc: Document) -> Verdict:
        if doc.mime not in HTML_MIMES:
            return Keep()
        before = len(doc.text)
        text = trafilatura.extract(
            doc.text,
            favor_recall=self.config.favor_recall,
            include_tables=self.config.include_tables,
            include_comments=False,
        )
        if not text or not text.strip():
            return Drop(HTML_NO_TEXT, {"html_chars": before})
        doc.text = text
        doc.mime = "text/plain"
        doc.meta["extracted_from"] = "text/html"
        invalidate(doc)
        return Keep(evidence={"html_chars": before, "text_chars": len(text)})
