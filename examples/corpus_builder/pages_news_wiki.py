"""web/ pages of news.example (robots.txt shuts out AI crawlers) and wiki.example (no robots.txt).

Pure data, in crawl order.
"""

from .web_pages import NEWS_COOP_BY, RESERVED_NEWS, WIKI_SA, Page

NEWS_WIKI_PAGES = [
    # ---- news.example: robots.txt disallows GPTBot, CCBot, ClaudeBot and Google-Extended for the site
    Page(
        "news.example",
        "/2024/05/20/harbour-bridge-reopens/",
        "Harbour swing bridge reopens after eight-month repair",
        """
        The Kestrelmouth harbour swing bridge reopened to traffic on Monday morning, eight months after
        it was closed when engineers found corrosion in the turning mechanism.

        The repair, which cost the harbour trust just over two million pounds, replaced the central
        pivot bearing and all four of the original Victorian drive gears. Pedestrians and cyclists had
        been using a temporary ferry since September.

        "It has been a long winter for the traders on the east quay," said the trust's chief executive.
        "We are grateful for their patience." The bridge will swing for shipping at high water, as
        before, with the first scheduled opening on Wednesday.
        """,
        NEWS_COOP_BY,
        "CC BY 4.0 news article on a host whose robots.txt disallows GPTBot, CCBot, ClaudeBot and "
        "Google-Extended",
        "deny",
        ["optout.robots"],
        license="CC-BY-4.0",
        byline="By Harbour reporter &middot; 20 May 2024",
        notes="deny beats allow. Expected when the policy's crawler is one of the AI agents the site names "
        "(or the policy honours AI-agent rules generally); a crawler name the file does not mention falls "
        "under 'User-agent: *' (allowed) and would leave only license.cc-by.",
    ),
    Page(
        "news.example",
        "/2024/05/19/council-approves-library-budget/",
        "Council approves library budget after late amendment",
        """
        Fennick District Council has approved next year's library budget after a late amendment restored
        Saturday opening hours at the two smallest branches.

        The original proposal would have closed the Brackwater and Hollins Cross libraries at weekends
        to save around forty thousand pounds. Councillors voted 23 to 17 to fund the hours from reserves
        for one year while a review of the service is carried out.

        Campaigners, who had delivered a petition with more than three thousand signatures, said the
        decision was a relief but not a solution.
        """,
        RESERVED_NEWS,
        "news article with 'All rights reserved' footer on the host that disallows AI crawlers",
        "deny",
        ["optout.robots", "copyright.all-rights-reserved"],
        byline="By Local democracy reporter &middot; 19 May 2024",
    ),
    # ---- wiki.example: no robots.txt (404)
    Page(
        "wiki.example",
        "/wiki/Tidal_mill",
        "Tidal mill",
        """
        A tidal mill is a water mill driven by the rise and fall of the tide. A dam with a sluice gate
        is built across a suitable inlet, creating a mill pond. As the tide comes in, water flows into
        the pond through the gate; at high water the gate is closed, and when the tide has fallen far
        enough the stored water is released through the water wheel.

        The Kestrelmouth tidal mill stood on the west bank of the Fennick from at least 1540 until 1911,
        when it was converted into a grain store. Its mill pond, now a nature reserve, covers about six
        hectares. The wheel pit and part of the sluice survive and were restored by volunteers in 2015.

        Because a tidal mill can only work for a few hours around each low tide, millers kept irregular
        hours that shifted by about fifty minutes a day.
        """,
        WIKI_SA,
        "community wiki article under CC BY-SA 4.0",
        "allow",
        ["license.cc-by-sa"],
        license="CC-BY-SA-4.0",
        notes="obligations: attribution (Kestrelmouth Wiki contributors, page URL) and share-alike. The "
        "host has no robots.txt (404): no rules.",
    ),
    Page(
        "wiki.example",
        "/wiki/Lantern_walk",
        "Lantern walk",
        """
        The Kestrelmouth lantern walk is a procession held on the first Saturday of December, in which
        residents carry paper lanterns from the market cross to the harbour. It was started in 1994 by
        the primary school and has grown to several thousand participants.

        Lanterns are made at workshops in the weeks before the walk, using willow withies and tissue
        paper. The route is lit only by the lanterns; street lights along the quay are switched off for
        the hour of the procession by arrangement with the council.
        """,
        WIKI_SA,
        "CC BY-SA 4.0 wiki page served with the HTTP header 'Content-Usage: train-ai=n' "
        "(IETF AI preferences)",
        "deny",
        ["optout.content-usage"],
        license="CC-BY-SA-4.0",
        headers=[("Content-Usage", "train-ai=n")],
        notes="deny beats allow.",
    ),
    Page(
        "wiki.example",
        "/wiki/Ferry_timetable_history",
        "History of the Kestrelmouth ferry timetable",
        """
        A passenger ferry has crossed the Fennick at Kestrelmouth since at least the fourteenth century.
        The first printed timetable, from 1862, lists eleven crossings a day in summer and seven in
        winter, each "weather and tide permitting".

        A steam launch replaced the rowing ferry in 1899 and was itself replaced by a diesel boat in
        1951. The present timetable, with crossings every twenty minutes, dates from 1988. During the
        closure of the harbour bridge in 2023 and 2024 a second boat ran a shuttle service.
        """,
        WIKI_SA,
        "CC BY-SA 4.0 wiki page served with the HTTP header 'Content-Signal: ai-train=no, search=yes'",
        "deny",
        ["optout.content-signal"],
        license="CC-BY-SA-4.0",
        headers=[("Content-Signal", "ai-train=no, search=yes")],
        notes="deny beats allow; search=yes does not permit training.",
    ),
]
