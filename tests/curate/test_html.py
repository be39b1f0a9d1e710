"""HTML pages become their main text; other documents pass untouched."""

from __future__ import annotations

from clearlm.curate.config import HtmlConfig
from clearlm.curate.html import ExtractHTML
from clearlm.pipeline.document import Document

PAGE = """<!doctype html><html><head><title>Sourdough hydration</title>
<meta name="robots" content="index"></head><body>
<nav><a href="/">Home</a> | <a href="/about/">About</a> | <a href="/feed.xml">RSS</a></nav>
<article><h1>Sourdough hydration</h1>
<p>Hydration is the weight of water divided by the weight of flour. A loaf at seventy per cent is easy
to shape; at eighty per cent the crumb opens up but the dough spreads unless it is folded often.</p>
<p>I keep my starter at one hundred per cent and feed it twice a day when the kitchen is warm.</p>
</article>
<footer><p>Juniper Row &middot;
<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a></p>
<script>var tracking = 1;</script></footer></body></html>"""


def _doc(text: str, mime: str) -> Document:
    return Document.create(key="k", text=text, source="https://blog.example/p/", mime=mime)


def test_html_page_becomes_main_text() -> None:
    doc = _doc(PAGE, "text/html")
    verdict = ExtractHTML(HtmlConfig()).process(doc)
    assert verdict.decision == "keep"
    assert "Hydration is the weight of water" in doc.text
    assert "<p>" not in doc.text and "tracking" not in doc.text and "About" not in doc.text
    assert doc.mime == "text/plain" and doc.meta["extracted_from"] == "text/html"
    assert verdict.evidence["html_chars"] == len(PAGE)


def test_page_without_text_is_dropped_and_plain_text_untouched() -> None:
    empty = _doc(
        "<html><head><title></title></head><body><script>var x = 1;</script></body></html>", "text/html"
    )
    assert ExtractHTML(HtmlConfig()).process(empty).reasons == ("html.no-text",)
    plain = _doc("Just words, <not> markup.", "text/plain")
    assert ExtractHTML(HtmlConfig()).process(plain).decision == "keep"
    assert plain.text == "Just words, <not> markup."
