"""Opt-out detection on realistic web responses, robots.txt files and publisher notices."""

from __future__ import annotations

from typing import Any

import pytest

from clearlm.clear.optouts import OptoutContext, detect_optouts, find_ai_clause
from clearlm.clear.policy import Policy
from clearlm.clear.signals import Signal
from clearlm.pipeline.document import Document
from clearlm.reasons import (
    OPTOUT_AI_CLAUSE,
    OPTOUT_CONTENT_SIGNAL,
    OPTOUT_CONTENT_USAGE,
    OPTOUT_NOAI,
    OPTOUT_ROBOTS,
    OPTOUT_TDMREP,
)

BASE_HEADERS = [
    ["Date", "Tue, 14 May 2024 09:12:44 GMT"],
    ["Server", "nginx/1.24.0"],
    ["Content-Type", "text/html; charset=utf-8"],
    ["Cache-Control", "max-age=600"],
]


def page(
    url: str, head: str = "", body: str = "<p>Notes from the allotment.</p>", headers: Any = ()
) -> Document:
    text = (
        '<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <meta charset="utf-8">\n'
        f"    <title>A page</title>\n{head}\n  </head>\n  <body>\n    <main>{body}</main>\n"
        "    <footer><p>&copy; 2024 Harbour Press</p></footer>\n  </body>\n</html>\n"
    )
    meta = {"http_headers": [*BASE_HEADERS, *map(list, headers)], "http_status": 200, "target_uri": url}
    return Document.create(key=url, text=text, source=url, mime="text/html", kind="text", meta=meta)


def robots_doc(url: str, body: str, status: int = 200) -> Document:
    meta = {"http_headers": [["Content-Type", "text/plain"]], "http_status": status, "target_uri": url}
    return Document.create(key=url, text=body, source=url, mime="text/plain", kind="robots", meta=meta)


def context(*robots: tuple[str, str, int], policy: Policy | None = None) -> OptoutContext:
    ctx = OptoutContext(policy or Policy())
    for url, body, status in robots:
        ctx.add_document(robots_doc(url, body, status))
    return ctx


def codes(signals: list[Signal]) -> list[str]:
    return [s.code for s in signals]


def only(signals: list[Signal], code: str) -> Signal:
    found = [s for s in signals if s.code == code]
    assert len(found) == 1, codes(signals)
    return found[0]


# --- robots.txt -----------------------------------------------------------------------------------

NEWS_ROBOTS = """# The Harbour Gazette: no AI training on our journalism.
User-agent: GPTBot
Disallow: /

User-agent: CCBot
User-agent: ClaudeBot
Disallow: /

User-agent: Google-Extended
Disallow: /

User-agent: *
Disallow: /search
Disallow: /account/
Allow: /

Sitemap: https://gazette.example/sitemap.xml
"""


def test_site_blocking_ai_agents_but_not_star_is_an_optout() -> None:
    ctx = context(("https://gazette.example/robots.txt", NEWS_ROBOTS, 200))
    signal = only(detect_optouts(page("https://gazette.example/2024/05/harbour/"), ctx), OPTOUT_ROBOTS)
    assert signal.evidence["robots_url"] == "https://gazette.example/robots.txt"
    assert signal.evidence["agent"] == "GPTBot"
    assert signal.evidence["rule"] == "Disallow: /"
    assert signal.evidence["url"] == "https://gazette.example/2024/05/harbour/"
    assert {"CCBot", "ClaudeBot", "Google-Extended"} <= set(signal.evidence["agents"])


def test_star_rule_only_denies_its_own_paths() -> None:
    body = "# Gullwing\nUser-agent: *\nDisallow: /drafts/\nDisallow: /search\nAllow: /\n"
    ctx = context(("https://press.example/robots.txt", body, 200))
    assert detect_optouts(page("https://press.example/blog/spring-list/"), ctx) == []
    signal = only(detect_optouts(page("https://press.example/drafts/autumn/"), ctx), OPTOUT_ROBOTS)
    assert signal.evidence["agent"] == "ClearLMBot"
    assert signal.evidence["rule"] == "Disallow: /drafts/"
    assert codes(detect_optouts(page("https://press.example/search?q=salt"), ctx)) == [OPTOUT_ROBOTS]


def test_robots_of_another_host_or_port_says_nothing() -> None:
    ctx = context(("https://gazette.example/robots.txt", NEWS_ROBOTS, 200))
    assert detect_optouts(page("https://blog.example/2024/05/harbour/"), ctx) == []
    assert detect_optouts(page("https://gazette.example:8443/2024/05/harbour/"), ctx) == []
    # Same host under the other scheme: the site's robots.txt is still the best evidence.
    assert codes(detect_optouts(page("http://gazette.example/2024/05/harbour/"), ctx)) == [OPTOUT_ROBOTS]


def test_wildcards_dollar_and_agent_name_case() -> None:
    body = """USER-AGENT: gptbot
disallow: /*.pdf$
Disallow: /members*/
Allow: /members-free/

user-agent: *
disallow:
"""
    ctx = context(("https://docs.example/robots.txt", body, 200))
    assert codes(detect_optouts(page("https://docs.example/papers/tide.pdf"), ctx)) == [OPTOUT_ROBOTS]
    assert (
        only(detect_optouts(page("https://docs.example/papers/tide.pdf"), ctx), OPTOUT_ROBOTS).evidence[
            "rule"
        ]
        == "Disallow: /*.pdf$"
    )
    assert detect_optouts(page("https://docs.example/papers/tide.pdf?download=1"), ctx) == []
    assert codes(detect_optouts(page("https://docs.example/members-area/x"), ctx)) == [OPTOUT_ROBOTS]
    assert detect_optouts(page("https://docs.example/members-free/x"), ctx) == []
    assert detect_optouts(page("https://docs.example/papers/tide.html"), ctx) == []


def test_our_crawler_named_explicitly() -> None:
    policy = Policy(crawler_user_agent="AcmeResearchBot", respect_agents=[])
    welcome = "User-agent: AcmeResearchBot\nAllow: /\n\nUser-agent: *\nDisallow: /\n"
    ctx = context(("https://a.example/robots.txt", welcome, 200), policy=policy)
    assert detect_optouts(page("https://a.example/post"), ctx) == []
    refuse = "User-agent: *\nAllow: /\n\nUser-agent: acmeresearchbot\nDisallow: /\n"
    ctx = context(("https://b.example/robots.txt", refuse, 200), policy=policy)
    assert only(detect_optouts(page("https://b.example/post"), ctx), OPTOUT_ROBOTS).evidence["agent"] == (
        "AcmeResearchBot"
    )


def test_respected_agent_allowed_subpath() -> None:
    body = "User-agent: ClaudeBot\nDisallow: /\nAllow: /press-releases/\n"
    ctx = context(("https://corp.example/robots.txt", body, 200))
    assert detect_optouts(page("https://corp.example/press-releases/q1"), ctx) == []
    assert codes(detect_optouts(page("https://corp.example/blog/q1"), ctx)) == [OPTOUT_ROBOTS]


@pytest.mark.parametrize(
    ("status", "denied"), [(200, False), (404, False), (410, False), (500, True), (503, True), (301, False)]
)
def test_robots_status_rules_rfc9309(status: int, denied: bool) -> None:
    body = "User-agent: *\nAllow: /\n" if status == 200 else "<html><body>error</body></html>"
    ctx = context(("https://wiki.example/robots.txt", body, status))
    signals = detect_optouts(page("https://wiki.example/wiki/Tidal_mill"), ctx)
    assert codes(signals) == ([OPTOUT_ROBOTS] if denied else [])
    if denied:
        assert str(status) in signals[0].evidence["rule"]


def test_user_supplied_robots_unreachable_and_redirect_does_not_overwrite() -> None:
    ctx = OptoutContext(Policy())
    ctx.add_robots("https://down.example/robots.txt", "", status=None)
    assert codes(detect_optouts(page("https://down.example/x"), ctx)) == [OPTOUT_ROBOTS]
    ctx.add_robots("https://ok.example/robots.txt", "User-agent: GPTBot\nDisallow: /private/\n")
    ctx.add_robots("https://ok.example/robots.txt", "", status=301)
    assert codes(detect_optouts(page("https://ok.example/private/x"), ctx)) == [OPTOUT_ROBOTS]


def test_no_robots_for_the_host_and_robots_docs_not_checked() -> None:
    ctx = context(("https://gazette.example/robots.txt", NEWS_ROBOTS, 200))
    assert detect_optouts(robots_doc("https://gazette.example/robots.txt", NEWS_ROBOTS), ctx) == []
    plain = Document.create(key="b/notes.txt", text="Field notes.", source="books/notes.txt")
    assert detect_optouts(plain, ctx) == []


def test_robots_with_bom_and_crlf_and_a_record_url_field() -> None:
    ctx = context(("https://forum.example/robots.txt", "\ufeffUser-agent: CCBot\r\nDisallow: /\r\n", 200))
    record = Document.create(
        key="dump.jsonl#L3",
        text="Has anyone tried overwintering chillies indoors?",
        source="dumps/forum.jsonl#L3",
        meta={"format": "jsonl", "fields": {"url": "https://forum.example/t/chillies/812", "lang": "en"}},
    )
    signal = only(detect_optouts(record, ctx), OPTOUT_ROBOTS)
    assert (
        signal.evidence["agent"] == "CCBot"
        and signal.evidence["url"] == "https://forum.example/t/chillies/812"
    )


def test_content_usage_and_content_signal_lines_in_robots() -> None:
    aipref = """User-Agent: *
Allow: /
Disallow: /never/
Content-Usage: / train-ai=n
Content-Usage: /ai-ok/ train-ai=y
"""
    ctx = context(("https://museum.example/robots.txt", aipref, 200))
    signal = only(detect_optouts(page("https://museum.example/collection/vase"), ctx), OPTOUT_CONTENT_USAGE)
    assert signal.evidence["rule"] == "Content-Usage: train-ai=n"
    assert detect_optouts(page("https://museum.example/ai-ok/vase"), ctx) == []

    cloudflare = """# As a condition of accessing this website, you agree to abide by these content signals:
User-Agent: *
Content-Signal: search=yes, ai-train=no
Allow: /
"""
    ctx = context(("https://shop.example/robots.txt", cloudflare, 200))
    signal = only(detect_optouts(page("https://shop.example/guides/knots"), ctx), OPTOUT_CONTENT_SIGNAL)
    assert signal.evidence["preference"] == "ai-train=no"
    allowing = "User-Agent: *\nContent-Signal: search=yes, ai-train=yes\nAllow: /\n"
    ctx = context(("https://shop.example/robots.txt", allowing, 200))
    assert detect_optouts(page("https://shop.example/guides/knots"), ctx) == []


# --- HTTP headers and HTML meta tags ---------------------------------------------------------------


def test_tdm_reservation_header_with_policy() -> None:
    doc = page(
        "https://press.example/rights/",
        headers=[("TDM-Reservation", "1"), ("tdm-policy", "https://press.example/policies/tdm.json")],
    )
    signal = only(detect_optouts(doc, OptoutContext(Policy())), OPTOUT_TDMREP)
    assert signal.evidence["header"] == "TDM-Reservation: 1"
    assert signal.evidence["tdm_policy"] == "https://press.example/policies/tdm.json"


def test_tdm_reservation_zero_is_not_an_optout() -> None:
    ctx = OptoutContext(Policy())
    assert detect_optouts(page("https://p.example/a", headers=[("tdm-reservation", "0")]), ctx) == []
    assert (
        detect_optouts(page("https://p.example/b", head='<meta name="tdm-reservation" content="0">'), ctx)
        == []
    )


def test_tdm_reservation_meta_tag() -> None:
    head = (
        '    <meta content="1" name="tdm-reservation">\n'
        '    <meta name="tdm-policy" content="https://press.example/policies/tdm-policy.json">'
    )
    doc = page("https://press.example/news/spring/", head=head)
    signal = only(detect_optouts(doc, OptoutContext(Policy())), OPTOUT_TDMREP)
    assert signal.evidence["match"] == '<meta content="1" name="tdm-reservation">'
    assert doc.text[signal.evidence["offset"] :].startswith("<meta content")
    assert signal.evidence["tdm_policy"] == "https://press.example/policies/tdm-policy.json"


@pytest.mark.parametrize(
    "value",
    [
        "noai",
        "noai, noimageai",
        "noindex, noai",
        "GPTBot: noai",
        "googlebot: noindex, ccbot: noai, noimageai",
    ],
)
def test_x_robots_tag_noai(value: str) -> None:
    signal = only(
        detect_optouts(page("https://b.example/p", headers=[("X-Robots-Tag", value)]), _ctx()), OPTOUT_NOAI
    )
    assert signal.evidence == {"header": f"X-Robots-Tag: {value}"}


@pytest.mark.parametrize(
    "value",
    ["noimageai", "noindex, nofollow", "otherbot: noai", "unavailable_after: 25 Jun 2030 15:00:00 PST", ""],
)
def test_x_robots_tag_without_text_noai(value: str) -> None:
    assert detect_optouts(page("https://b.example/p", headers=[("x-robots-tag", value)]), _ctx()) == []


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ('<meta name="robots" content="noai, noimageai">', [OPTOUT_NOAI]),
        ("<META NAME='ROBOTS' CONTENT='index,follow,NOAI'>", [OPTOUT_NOAI]),
        ('<meta name="CCBot" content="noai">', [OPTOUT_NOAI]),
        ('<meta name="robots" content="noimageai">', []),
        ('<meta name="somebot" content="noai">', []),
        ('<meta name="description" content="Why I add noai to my pages">', []),
        ('<meta http-equiv="Content-Usage" content="train-ai=n">', [OPTOUT_CONTENT_USAGE]),
    ],
)
def test_meta_tags(meta: str, expected: list[str]) -> None:
    assert codes(detect_optouts(page("https://b.example/about/", head=f"    {meta}"), _ctx())) == expected


def test_meta_tag_quoted_in_body_is_not_an_optout() -> None:
    body = '<p>To opt out, add <code>&lt;meta name="robots" content="noai"&gt;</code> to your head.</p>'
    assert detect_optouts(page("https://b.example/how-to/", body=body), _ctx()) == []


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("train-ai=n", "train-ai=n"),
        ("search=y, train-ai=n", "train-ai=n"),
        ('train-ai=n;reason="licensing", ai-use=y', "train-ai=n"),
        ("train-genai=n", "train-genai=n"),
        ("bots=n", "bots=n"),
        ("train-ai=y", None),
        ("train-ai=y, search=n", None),
        ("bots=n, train-ai=y", None),  # the more specific category's explicit allow wins
        ("ai-use=n", None),
        ("train-ai", None),
    ],
)
def test_content_usage_header(value: str, refused: str | None) -> None:
    signals = detect_optouts(page("https://wiki.example/wiki/x", headers=[("Content-Usage", value)]), _ctx())
    if refused is None:
        assert signals == []
    else:
        signal = only(signals, OPTOUT_CONTENT_USAGE)
        assert signal.evidence == {"header": f"Content-Usage: {value}", "preference": refused}


@pytest.mark.parametrize(
    ("value", "denied"),
    [
        ("ai-train=no, search=yes", True),
        ("search=yes,ai-train=no", True),
        ("ai-train=yes", False),
        ("ai-input=no", False),
    ],
)
def test_content_signal_header(value: str, denied: bool) -> None:
    signals = detect_optouts(page("https://wiki.example/wiki/y", headers=[("Content-Signal", value)]), _ctx())
    assert codes(signals) == ([OPTOUT_CONTENT_SIGNAL] if denied else [])


def _ctx() -> OptoutContext:
    return OptoutContext(Policy())


# --- /.well-known/tdmrep.json ----------------------------------------------------------------------

TDMREP_JSON = """[
  {"location": "/catalog/*", "tdm-reservation": 1, "tdm-policy": "https://press.example/policies/tdm-policy.json"},
  {"location": "/open/*", "tdm-reservation": 0},
  {"location": "/reports/annual.html$", "tdm-reservation": 1}
]"""


def tdmrep_doc(url: str, body: str, status: int = 200) -> Document:
    meta = {"http_headers": [["Content-Type", "application/json"]], "http_status": status, "target_uri": url}
    return Document.create(key=url, text=body, source=url, mime="application/json", meta=meta)


def test_tdmrep_json_locations() -> None:
    ctx = _ctx()
    ctx.add_document(tdmrep_doc("https://press.example/.well-known/tdmrep.json", TDMREP_JSON))
    signal = only(detect_optouts(page("https://press.example/catalog/the-salt-road/"), ctx), OPTOUT_TDMREP)
    assert signal.evidence["location"] == "/catalog/*"
    assert signal.evidence["tdm_policy"] == "https://press.example/policies/tdm-policy.json"
    assert signal.evidence["tdmrep_url"] == "https://press.example/.well-known/tdmrep.json"
    assert detect_optouts(page("https://press.example/open/style-guide/"), ctx) == []
    assert detect_optouts(page("https://press.example/about/"), ctx) == []
    assert codes(detect_optouts(page("https://press.example/reports/annual.html"), ctx)) == [OPTOUT_TDMREP]
    assert detect_optouts(page("https://press.example/reports/annual.html.bak"), ctx) == []
    assert detect_optouts(page("https://other.example/catalog/x/"), ctx) == []


def test_tdmrep_first_matching_location_wins() -> None:
    ctx = _ctx()
    body = '[{"location": "/free/*", "tdm-reservation": 0}, {"location": "/", "tdm-reservation": 1}]'
    ctx.add_document(tdmrep_doc("https://journal.example/.well-known/tdmrep.json", body))
    assert detect_optouts(page("https://journal.example/free/issue-1"), ctx) == []
    assert codes(detect_optouts(page("https://journal.example/issue-2"), ctx)) == [OPTOUT_TDMREP]


@pytest.mark.parametrize(
    "body", ['[{"location": "/", "tdm-reservation": 1,}', "<html>Not found</html>", "{}", "42"]
)
def test_malformed_tdmrep_json_is_noted_not_fatal(body: str) -> None:
    ctx = _ctx()
    ctx.add_document(tdmrep_doc("https://broken.example/.well-known/tdmrep.json", body))
    assert ctx.notes and ctx.notes[0]["url"] == "https://broken.example/.well-known/tdmrep.json"
    assert detect_optouts(page("https://broken.example/any"), ctx) == []


def test_tdmrep_json_not_found_is_ignored() -> None:
    ctx = _ctx()
    ctx.add_document(tdmrep_doc("https://press.example/.well-known/tdmrep.json", "<h1>404</h1>", status=404))
    assert ctx.notes == [] and detect_optouts(page("https://press.example/catalog/x"), ctx) == []


# --- written AI clauses ---------------------------------------------------------------------------

NOVEL = """THE LONG ESTUARY

A Novel

Copyright (c) 2024 by Idris Penhale
All rights reserved.

No part of this book may be reproduced in any form without written permission from the publisher.

Without in any way limiting the author's and publisher's exclusive rights under copyright, any use
of this publication to "train" generative artificial intelligence (AI) technologies to generate text
is expressly prohibited. The author reserves all rights to license uses of this work for generative
AI training and development of machine learning language models.

ISBN 978-1-0000-0000-0

ONE

The tide was out when Mara came back to the village.
"""

CLAUSES = [
    "No part of this book may be used or reproduced in any manner for the purpose of training artificial\n"
    "intelligence technologies or systems.",
    "The publisher and author expressly reserve this work from the text and data mining exception in\n"
    "accordance with Article 4(3) of Directive (EU) 2019/790.",
    "The contributors do not consent to the use of this zine, in whole or in part, to train artificial\n"
    "intelligence or machine-learning models.",
    "This work may not be used for AI training.",
    "Content on this site must not be used to train machine learning models, including large\n"
    "language models.",
    "All content on this website is protected. We do not consent to the use of our content for\n"
    "training AI models.",
    "NO PART OF THIS PUBLICATION MAY BE USED TO TRAIN ARTIFICIAL INTELLIGENCE SYSTEMS.",
    "The publisher prohibits the use of this work for machine learning or AI training of any kind.",
    "Please don't use my drawings or writing to train AI.",
    "© 2024 Jane Doe. All rights reserved.\nNot for use in AI training or text and data mining.",
]

NOT_CLAUSES = [
    'Publishers have started adding clauses saying "no part of this book may be used to train artificial\n'
    'intelligence" to their copyright pages, and authors have followed.',
    "Many publishers now print a notice such as: No part of this book may be used to train AI.",
    "A typical notice reads:\n\nNo part of this book may be used to train artificial intelligence.",
    "Whether AI companies may use copyrighted books to train their models is being decided in court.",
    "Authors say their work should not be used to train AI without their consent.",
    "In this book, we show that machine learning models may not be trained effectively when data is scarce.",
    "Machine learning models cannot be trained on this dataset without labels.",
    "The artificial light may not be used in the nursery, said the doctor; the train had gone.",
]


def test_ai_clause_on_a_copyright_page() -> None:
    doc = Document.create(key="books/long-estuary.txt", text=NOVEL, source="books/long-estuary.txt")
    signal = only(detect_optouts(doc, _ctx()), OPTOUT_AI_CLAUSE)
    assert signal.evidence["match"].startswith("Without in any way limiting")
    assert NOVEL[signal.evidence["offset"] :].startswith("Without in any way limiting")


@pytest.mark.parametrize("clause", CLAUSES)
def test_ai_clause_wordings(clause: str) -> None:
    text = f"Tidewater Notes, issue 7\n\n{clause}\n\nThe eel man of Brackwater kept his traps by the weir.\n"
    found = find_ai_clause(text)
    assert found is not None, clause
    (start, end), _ = found
    assert clause.endswith(text[start:end])  # the sentence that makes the reservation


@pytest.mark.parametrize("text", NOT_CLAUSES)
def test_talk_about_ai_clauses_is_not_a_clause(text: str) -> None:
    assert find_ai_clause(text) is None


ESSAY = """The new small print

In the last two years, publishers have started adding clauses saying "no part of this book may be
used to train artificial intelligence" to their copyright pages. Some go further, with wording such
as: the publisher expressly reserves this work from the text and data mining exception.

Whether these notices bind anyone is an open question. Authors say their work should not be used to
train AI without consent; AI companies answer that training is fair use.

This essay is licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).
"""


def test_essay_about_ai_clauses_is_not_an_optout() -> None:
    doc = Document.create(key="essays/small-print.txt", text=ESSAY, source="essays/small-print.txt")
    assert detect_optouts(doc, _ctx()) == []


def test_ai_clause_in_html_footer_and_only_near_the_ends_of_long_texts() -> None:
    body = "<p>Tide tables for April.</p>"
    footer = "<p>Our articles may not be used to <em>train</em> AI systems without a licence.</p>"
    doc = page("https://gazette.example/tides/", body=body + footer)
    signal = only(detect_optouts(doc, _ctx()), OPTOUT_AI_CLAUSE)
    assert (
        signal.evidence["match"]
        == "Our articles may not be used to     train      AI systems without a licence."
    )
    assert doc.text[signal.evidence["offset"] :].startswith("Our articles")
    filler = "The river ran on past the mill. " * 3000  # ~96 KB of ordinary prose
    middle = filler + "\n\nThis book may not be used to train AI.\n\n" + filler
    assert find_ai_clause(middle) is None
    assert find_ai_clause(middle + "\n\nThis book may not be used to train AI.\n") is not None
