"""web/crawl.warc.gz: the invented crawl of four .example hosts, with robots.txt and TDMRep.

Each host's robots.txt comes first (press.example's tdmrep.json right after it), then its pages in
table order; the records are clearance evidence for the pages, never training candidates.
"""

from __future__ import annotations

import io
import json

from .pages_blog import BLOG_PAGES
from .pages_news_wiki import NEWS_WIKI_PAGES
from .pages_press import PRESS_PAGES
from .primitives import Corpus, Expect
from .warc_writer import CRAWL_START, Crawl, tiny_png
from .web_pages import expect_page

PAGES = [*BLOG_PAGES, *PRESS_PAGES, *NEWS_WIKI_PAGES]

ROBOTS = {
    "blog.example": """\
# Juniper Row - everyone welcome
User-agent: *
Allow: /

Sitemap: https://blog.example/sitemap.xml
""",
    "press.example": """\
# Gullwing & Brack
User-agent: *
Disallow: /drafts/
Disallow: /search
Allow: /

Sitemap: https://press.example/sitemap.xml
""",
    "news.example": """\
# The Kestrelmouth Gazette does not allow its journalism to be used to train AI models.
User-agent: GPTBot
Disallow: /

User-agent: CCBot
Disallow: /

User-agent: ClaudeBot
Disallow: /

User-agent: Google-Extended
Disallow: /

User-agent: *
Disallow: /search
Disallow: /account/
Allow: /
""",
}

TDMREP_JSON = [
    {
        "location": "/catalog/*",
        "tdm-reservation": 1,
        "tdm-policy": "https://press.example/policies/tdm-policy.json",
    },
    {"location": "/open/*", "tdm-reservation": 0},
]


NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n"


def build_crawl(c: Corpus) -> None:
    rel = "web/crawl.warc.gz"
    buf = io.BytesIO()
    crawl = Crawl(buf, "crawl.warc.gz", CRAWL_START)
    # A redirect first: not content, readers skip it.
    crawl.fetch(
        "http://blog.example/",
        "301 Moved Permanently",
        "text/html",
        b'<html><body><a href="https://blog.example/">Moved</a></body></html>\n',
        [("Location", "https://blog.example/")],
    )
    c.add(
        Expect(
            rel,
            "301 redirect http -> https (and every request/warcinfo record): not content",
            "skip",
            record="http://blog.example/",
            notes="no document; redirects, request and warcinfo records are not ingested.",
        )
    )
    for host in ("blog.example", "press.example", "news.example", "wiki.example"):
        url = f"https://{host}/robots.txt"
        if host in ROBOTS:
            crawl.fetch(url, "200 OK", "text/plain; charset=utf-8", ROBOTS[host].encode())
        else:
            crawl.fetch(url, "404 Not Found", "text/html", NOT_FOUND)
        robots_case = {
            "blog.example": "robots.txt allowing every agent everywhere",
            "press.example": "robots.txt disallowing only /drafts/ (and /search) for every agent",
            "news.example": "robots.txt disallowing GPTBot, CCBot, ClaudeBot and Google-Extended from the "
            "whole site",
            "wiki.example": "robots.txt answered 404: no rules at all (RFC 9309: crawl freely)",
        }[host]
        c.add(
            Expect(
                rel,
                robots_case,
                "evidence",
                ["ingest.robots-txt"],
                record=url,
                notes="kept as clearance evidence for the host's other records, never a training candidate.",
            )
        )
        if host == "press.example":
            tdm = (json.dumps(TDMREP_JSON, indent=2) + "\n").encode()
            url = "https://press.example/.well-known/tdmrep.json"
            crawl.fetch(url, "200 OK", "application/json", tdm)
            c.add(
                Expect(
                    rel,
                    "TDMRep well-known file: /catalog/* reserved (tdm-reservation 1), "
                    "/open/* not reserved (0)",
                    "deny",
                    [],
                    reasons_any=["clear.evidence-only", "license.unknown"],
                    record=url,
                    acceptable=["evidence"],
                    notes="clearance evidence for press.example pages, never training text: deny "
                    "clear.evidence-only (or, kept as an ordinary JSON document, license.unknown).",
                )
            )
        for page in PAGES:
            if page.host != host:
                continue
            crawl.page(page)
            c.add(expect_page(rel, page))
            if page.path == "/2024/06/kestrel-on-the-gasholder/":
                url = "https://blog.example/media/kestrel-sketch.png"
                crawl.fetch(url, "200 OK", "image/png", tiny_png())
                c.add(
                    Expect(
                        rel,
                        "image/png response (16x16 PNG): not text",
                        "quarantine",
                        ["input.unsupported-type"],
                        record=url,
                    )
                )
    c.write(rel, buf.getvalue())
    c.facts["crawl_offsets"] = dict(crawl.offsets)
