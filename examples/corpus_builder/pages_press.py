"""web/ pages of press.example (robots.txt disallows /drafts/; a TDMRep file reserves /catalog/*).

Pure data, in crawl order.
"""

from .web_pages import RESERVED_PRESS, Page, cc_footer

PRESS_PAGES = [
    # ---- press.example: robots.txt disallows /drafts/ for every agent; /.well-known/tdmrep.json
    Page(
        "press.example",
        "/catalog/the-salt-road/",
        "The Salt Road by Morwenna Pascoe",
        """
        From the salt pans of Brackwater to the market towns of the interior, a single track once carried
        the wealth of a coast. Morwenna Pascoe walked all ninety miles of it in the winter of 2022, with
        a pack, a notebook and a very old map, and this is the book she brought back.

        Part history, part travelogue and part quarrel with the people who paved it over, The Salt Road
        is a portrait of a landscape that remembers more than it lets on. Hardback, 312 pages, with
        twenty-four colour plates and endpaper maps by the author.

        Publication date: 6 June 2024. Available to order from all good bookshops.
        """,
        RESERVED_PRESS,
        "publisher catalogue page under /catalog/, which /.well-known/tdmrep.json reserves (tdm-reservation "
        "1); page footer says 'All rights reserved'",
        "deny",
        ["optout.tdmrep"],
        notes="the TDM opt-out comes only from the host's tdmrep.json (location /catalog/*); "
        "copyright.all-rights-reserved is expected too.",
    ),
    Page(
        "press.example",
        "/news/spring-list-2024/",
        "Our spring list for 2024",
        """
        Spring is the season we look forward to most, and this year's list is the strongest we have
        published in a decade: two debut novels, a new collection from a poet we have championed since
        her first pamphlet, and the long-awaited second volume of our history of the estuary mills.

        We are also delighted to welcome three new members to the editorial team, and to announce that
        our submissions window for unsolicited manuscripts will reopen in September.

        Review copies are available to booksellers and press on request.
        """,
        '<p>Gullwing &amp; Brack Publishers Ltd &middot; <a href="/contact/">Contact</a></p>',
        'publisher news page with <meta name="tdm-reservation" content="1"> (and a tdm-policy meta)',
        "deny",
        ["optout.tdmrep"],
        head_extra='<meta name="tdm-reservation" content="1">\n    '
        '<meta name="tdm-policy" content="https://press.example/policies/tdm-policy.json">',
        notes="outside the tdmrep.json locations; the opt-out is the page's own meta tag. No licence either "
        "(license.unknown may appear).",
    ),
    Page(
        "press.example",
        "/rights-and-permissions/",
        "Rights and permissions",
        """
        We welcome requests to quote from our books in reviews, articles and teaching materials. Short
        quotations for review do not need permission. For anything longer, or for anthology, translation,
        audio or film rights, please write to our rights team with the title, the passage and the use
        you have in mind.

        Text and data mining of our publications is reserved. Licences for research and commercial
        mining are available: see our TDM policy for terms and contact details.
        """,
        '<p>Gullwing &amp; Brack Publishers Ltd &middot; <a href="/contact/">Contact</a></p>',
        "publisher page served with the HTTP header 'tdm-reservation: 1' (and 'tdm-policy')",
        "deny",
        ["optout.tdmrep"],
        headers=[("tdm-reservation", "1"), ("tdm-policy", "https://press.example/policies/tdm-policy.json")],
        notes="the opt-out is only in the HTTP headers.",
    ),
    Page(
        "press.example",
        "/open/house-style-guide/",
        "House style guide",
        """
        This guide sets out the conventions our editors follow. We publish it so that authors can prepare
        manuscripts that need fewer corrections, and so that other small presses can use it as a starting
        point for their own.

        Use single quotation marks, with double marks for quotations within quotations. Spell out numbers
        from one to ninety-nine, except in measurements and dates. Use the serial comma only where it
        prevents ambiguity. Dates take the form 6 June 2024, without ordinals. Book titles are set in
        italics; chapter and article titles in roman within quotation marks.

        Please share the guide as it is. If you want to adapt it for your own press, write to us and we
        will almost certainly say yes.
        """,
        cc_footer("CC-BY-ND-4.0", "Gullwing &amp; Brack Publishers Ltd", "this guide"),
        "style guide under CC BY-ND 4.0, in /open/ where tdmrep.json says tdm-reservation 0",
        "deny",
        ["license.no-derivatives"],
        license="CC-BY-ND-4.0",
        forbid=["optout.tdmrep"],
        notes="training makes a derivative; the default policy denies ND. tdmrep.json explicitly does not "
        "reserve /open/*.",
    ),
    Page(
        "press.example",
        "/drafts/autumn-catalogue-draft/",
        "DRAFT - autumn catalogue copy (do not publish)",
        """
        Working copy for the autumn catalogue. Blurbs still to be approved by authors; prices provisional.

        Title one: a family saga set in the oyster fisheries, 1890 to 1920. Title two: a memoir of forty
        years as a lock keeper. Title three: poems, untitled as yet, author asks that we do not announce
        before the prize shortlist.
        """,
        RESERVED_PRESS,
        "page under /drafts/, a path robots.txt disallows for every user agent (fetched anyway)",
        "deny",
        ["optout.robots"],
        notes="robots.txt 'User-agent: * / Disallow: /drafts/' covers any crawler; "
        "copyright.all-rights-reserved is expected too.",
    ),
    Page(
        "press.example",
        "/about/",
        "About Gullwing &amp; Brack",
        """
        Gullwing &amp; Brack was founded in 1987 by two booksellers who thought the estuary towns deserved
        a publisher of their own. We publish around twenty books a year: fiction, poetry, local history
        and natural history, most of it by writers who live within a day's walk of the sea.

        We are a small team of nine, working from the upper floor of a former sail loft on Quay Street.
        """,
        RESERVED_PRESS,
        "publisher 'about' page with an 'All rights reserved' footer and no licence; not covered by any TDM "
        "reservation or robots rule",
        "deny",
        ["copyright.all-rights-reserved"],
        notes="license.unknown may appear too.",
    ),
]
