"""web/: the page model of the invented crawl, its four .example sites and their HTML rendering.

Also the licence and copyright footers the page tables (pages_*.py) share, and `expect_page`,
which turns a page's own case description into its answer-key entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .primitives import Expect, paragraphs_html

CC = {
    "CC-BY-4.0": (
        "https://creativecommons.org/licenses/by/4.0/",
        "Creative Commons Attribution 4.0 International",
    ),
    "CC-BY-SA-4.0": (
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "Creative Commons Attribution-ShareAlike 4.0 International",
    ),
    "CC-BY-NC-4.0": (
        "https://creativecommons.org/licenses/by-nc/4.0/",
        "Creative Commons Attribution-NonCommercial 4.0 International",
    ),
    "CC-BY-ND-4.0": (
        "https://creativecommons.org/licenses/by-nd/4.0/",
        "Creative Commons Attribution-NoDerivatives 4.0 International",
    ),
    "CC0-1.0": ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0 Universal"),
}


def cc_footer(spdx: str, holder: str, what: str = "this post") -> str:
    url, name = CC[spdx]
    if spdx == "CC0-1.0":
        return (
            f'<p class="license">To the extent possible under law, {holder} has waived all copyright and '
            f'related or neighboring rights to {what}. <a rel="license" href="{url}">{name}</a>.</p>'
        )
    return (
        f'<p class="license">&copy; 2024 {holder}. Except where otherwise noted, {what} is licensed under a '
        f'<a rel="license" href="{url}">{name} License</a>.</p>'
    )


@dataclass
class Page:
    host: str
    path: str
    title: str
    body: str  # prose, blank-line separated paragraphs
    footer: str  # HTML for the site footer
    case: str
    decision: str
    reasons: list[str]
    license: str | None = None
    byline: str = ""
    head_extra: str = ""  # extra <head> elements (meta tags)
    headers: list[tuple[str, str]] = field(default_factory=list)  # extra HTTP response headers
    forbid: list[str] = field(default_factory=list)
    acceptable: list[str] = field(default_factory=list)
    notes: str = ""
    last_modified: str = "Mon, 13 May 2024 10:00:00 GMT"


SITES = {
    "blog.example": ("Juniper Row", "a notebook by Tamsin Vell", [("/", "Home"), ("/about/", "About")]),
    "press.example": (
        "Gullwing &amp; Brack",
        "independent publishers since 1987",
        [("/catalog/", "Catalogue"), ("/news/", "News"), ("/rights-and-permissions/", "Rights")],
    ),
    "news.example": (
        "The Kestrelmouth Gazette",
        "news for the estuary towns",
        [("/local/", "Local"), ("/sport/", "Sport"), ("/opinion/", "Opinion")],
    ),
    "wiki.example": (
        "Kestrelmouth Wiki",
        "the community encyclopedia of the Fennick estuary",
        [("/wiki/Main_Page", "Main page"), ("/wiki/Special:Random", "Random")],
    ),
}


def render_page(page: Page) -> bytes:
    site, tagline, nav = SITES[page.host]
    url = f"https://{page.host}{page.path}"
    nav_html = " ".join(f'<a href="{href}">{label}</a>' for href, label in nav)
    byline = f'\n      <p class="byline">{page.byline}</p>' if page.byline else ""
    head_extra = f"\n    {page.head_extra}" if page.head_extra else ""
    html = f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{page.title} | {site}</title>
    <link rel="canonical" href="{url}">{head_extra}
    <link rel="stylesheet" href="/assets/site.css">
  </head>
  <body>
    <header class="site-header">
      <a class="site-name" href="/">{site}</a> <span class="tagline">{tagline}</span>
      <nav>{nav_html}</nav>
    </header>
    <main>
      <article>
      <h1>{page.title}</h1>{byline}
{paragraphs_html(page.body)}
      </article>
    </main>
    <footer class="site-footer">
      {page.footer}
    </footer>
  </body>
</html>
"""
    return html.encode("utf-8")


BLOG_BY = "Tamsin Vell"
RESERVED_PRESS = "<p>&copy; 2024 Gullwing &amp; Brack Publishers Ltd. All rights reserved.</p>"
RESERVED_NEWS = (
    "<p>&copy; 2024 Kestrelmouth Gazette Ltd. All rights reserved. Reproduction without permission is "
    "prohibited.</p>"
)
NEWS_COOP_BY = cc_footer("CC-BY-4.0", "Kestrelmouth Gazette Co-operative", "this article")
WIKI_SA = (
    cc_footer("CC-BY-SA-4.0", "Kestrelmouth Wiki contributors", "text on this page")
    + '\n      <p><a href="/wiki/Kestrelmouth_Wiki:Privacy">Privacy</a></p>'
)


def expect_page(rel: str, page: Page) -> Expect:
    return Expect(
        rel,
        page.case,
        page.decision,
        page.reasons,
        record=f"https://{page.host}{page.path}",
        license=page.license,
        forbid=page.forbid,
        acceptable=page.acceptable,
        notes=page.notes,
    )
