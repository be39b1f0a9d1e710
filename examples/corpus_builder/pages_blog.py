"""web/ pages of blog.example (robots.txt allows everything), one licence case per page.

Pure data, in crawl order.
"""

from .web_pages import BLOG_BY, Page, cc_footer

BLOG_PAGES = [
    # ---- blog.example: robots.txt allows everything
    Page(
        "blog.example",
        "/2024/03/sourdough-hydration/",
        "What I got wrong about sourdough hydration",
        """
        For two years I treated hydration like a personality trait. High-hydration loaves were for
        serious bakers; anything under seventy-five percent was bread for people who had given up. My
        loaves were flat, sticky and sour, and I blamed the flour, the weather and at one low point the
        oven.

        What fixed it was boring. I dropped to sixty-eight percent water, weighed the salt instead of
        guessing, and gave the dough a proper bulk ferment by watching it rather than the clock: it is
        ready when it has grown by about half and the surface is domed and a little jiggly, not when a
        recipe says four hours. In my cold kitchen that can take seven.

        Once the dough could hold its shape I crept back up, two percent at a time. I now bake at
        seventy-two with a wholemeal blend and it behaves. The lesson is the same one every hobby
        teaches eventually: get the simple version right before you make it hard.
        """,
        cc_footer("CC-BY-4.0", BLOG_BY),
        'blog post under CC BY 4.0: rel="license" link and licence footer (with a (c) line, as CC '
        "footers usually have)",
        "allow",
        ["license.cc-by"],
        license="CC-BY-4.0",
        byline="By Tamsin Vell &middot; 12 March 2024",
        forbid=["copyright.all-rights-reserved"],
        notes="obligation: attribution to Tamsin Vell / Juniper Row. The '(c) 2024' line sits beside a CC "
        "licence and is not 'all rights reserved'.",
    ),
    Page(
        "blog.example",
        "/2024/04/winter-bike-commuting/",
        "A winter of commuting by bike, in numbers",
        """
        I promised myself I would ride to work every day from November to February, and I mostly did.
        Ninety-one days, fourteen hundred kilometres, three punctures, one chain snapped on the worst
        hill in town and exactly one morning when I turned round at the end of the road because the
        sleet was coming in sideways.

        The gear that mattered was not the expensive gear. Mudguards with long flaps did more for my
        mood than any jacket. Lights that take USB charging got charged; lights that took batteries did
        not. Overshoes were worth it. Studded tyres were not, on our roads, though I know riders further
        north who would disagree.

        If you want to try it, start in October while it is still light and let the habit form before
        the weather turns. Feel free to copy the spreadsheet linked below and adapt it; if you share
        your version, share it under the same licence.
        """,
        cc_footer("CC-BY-SA-4.0", BLOG_BY),
        'blog post under CC BY-SA 4.0 (rel="license" link)',
        "allow",
        ["license.cc-by-sa"],
        license="CC-BY-SA-4.0",
        byline="By Tamsin Vell &middot; 2 April 2024",
        notes="obligations: attribution and share-alike.",
    ),
    Page(
        "blog.example",
        "/2024/04/allotment-soil-notes/",
        "Allotment notes: fixing heavy clay, year three",
        """
        Plot 14 came with a shed, a rhubarb crown of enormous age and about thirty centimetres of yellow
        clay that set like brick in July. Three years on it is something I would call soil, and this is
        the log of what I did, in case it saves anyone else a season.

        Year one was cardboard and manure: I covered half the plot in flattened boxes, piled horse
        manure from the stables down the lane on top and left the worms to it. Year two was green
        manure, field beans over winter, chopped and dug in at flowering. Year three I stopped digging
        altogether and started mulching every bed with an inch of compost each autumn.

        The difference shows in the spring. The mulched beds drain after rain and can be planted a
        fortnight earlier than the neighbouring plots. The rhubarb, as ever, did not notice anything.
        """,
        cc_footer("CC-BY-NC-4.0", BLOG_BY),
        "blog post under CC BY-NC 4.0",
        "deny",
        ["license.non-commercial"],
        license="CC-BY-NC-4.0",
        byline="By Tamsin Vell &middot; 21 April 2024",
        notes="the default policy targets a commercial release and denies NC; a research policy that "
        "allows NC would allow it and carry the NC restriction into the release.",
    ),
    Page(
        "blog.example",
        "/2024/05/rust-lifetimes-field-notes/",
        "Field notes on Rust lifetimes for people who write Python all day",
        """
        The borrow checker stopped feeling hostile the week I started reading its errors as questions
        rather than accusations. "This value does not live long enough" is asking: who owns this, and
        when do they let go? In Python the answer is always "the garbage collector, eventually", so I had
        never had to think about it.

        Three habits helped. First, return owned values from functions until profiling says otherwise;
        a few clones are cheaper than an afternoon of annotations. Second, when a struct wants to hold a
        reference, ask whether it could hold an index or an id instead. Third, read the elision rules
        once, properly, because most of the lifetimes you think you need are already implied.

        I am putting these notes in the public domain. Copy them into your team wiki, your slides, your
        own blog; no credit needed.
        """,
        cc_footer("CC0-1.0", BLOG_BY),
        'blog post dedicated to the public domain with CC0 1.0 (rel="license" link)',
        "allow",
        ["license.cc0"],
        license="CC0-1.0",
        byline="By Tamsin Vell &middot; 8 May 2024",
    ),
    Page(
        "blog.example",
        "/2024/05/travel-sketchbook-lisbon/",
        "A travel sketchbook: five days in Lisbon",
        """
        I take one small sketchbook, one pen and a water brush, and I draw whatever I am waiting in front
        of. In Lisbon that meant trams, mostly, and the queue for custard tarts, and a great many roof
        lines seen from the top of steep streets while I got my breath back.

        Drawing in public gets easier. On the first day I hid in doorways; by the third an old man on a
        bench at the Miradouro was offering corrections and a boy from a school group asked if he could
        draw in my book too. His tram is better than mine.

        The scans of all forty pages are below. I am happy for people to reuse them with credit, but I do
        not want them or this text used to train image or text generators.
        """,
        cc_footer("CC-BY-4.0", BLOG_BY),
        "CC BY 4.0 post served with the HTTP response header 'X-Robots-Tag: noai, noimageai'",
        "deny",
        ["optout.noai"],
        license="CC-BY-4.0",
        byline="By Tamsin Vell &middot; 16 May 2024",
        headers=[("X-Robots-Tag", "noai, noimageai")],
        notes="deny beats allow: the CC BY licence is there, the noai opt-out wins.",
    ),
    Page(
        "blog.example",
        "/about/",
        "About Juniper Row",
        """
        Juniper Row is where I write about bread, bikes, the allotment and whatever I happen to be
        learning. I am a hydrologist by training and work for a water company, which explains the
        occasional post about rivers.

        Unless a post says otherwise, the writing here is licensed CC BY 4.0. Please do not use it to
        train AI models: I have added the noai directive to every page for that reason.
        """,
        cc_footer("CC-BY-4.0", BLOG_BY, "this site"),
        'CC BY 4.0 page with <meta name="robots" content="noai, noimageai">',
        "deny",
        ["optout.noai"],
        license="CC-BY-4.0",
        head_extra='<meta name="robots" content="noai, noimageai">',
        notes="the opt-out is in HTML, not in a header.",
    ),
    Page(
        "blog.example",
        "/2024/02/hello-again/",
        "Hello again",
        """
        It has been a year since I last posted anything here. Some of that was the new job, some of it
        was the allotment, and some of it was simply that I stopped wanting to write for an audience and
        started keeping a paper notebook instead.

        The notebook is full now, and I miss the small discipline of tidying a thought up enough for
        someone else to read it. So: more posts, shorter ones, and no promises about schedule.
        """,
        '<p>Juniper Row &middot; <a href="/feed.xml">RSS</a></p>',
        "blog post with no licence, no notice, no opt-out: silence",
        "deny",
        ["license.unknown"],
        notes="deny by default: no positive evidence of a right.",
    ),
    Page(
        "blog.example",
        "/2024/06/kestrel-on-the-gasholder/",
        "The kestrel on the gasholder",
        """
        For three weeks a kestrel has been hunting from the top of the old gasholder frame by the
        canal. It hangs in the wind above the towpath, drops, misses, climbs back up and tries again,
        apparently unbothered by the cyclists and the dog walkers underneath.

        Header photo: "Kestrel hovering", by Olu Adeyemi-Rhys, licensed under CC BY 2.0. The photo is
        the only thing on this page with a licence; I have not decided what to do about my own writing
        yet.

        The image below is a quick sketch of the frame, for scale.
        """,
        '<p>Juniper Row &middot; <a href="/feed.xml">RSS</a></p>\n      <img src="/media/kestrel-sketch.png" '
        'alt="sketch of the gasholder frame" width="16" height="16">',
        "post whose only licence statement is for an embedded photo by someone else (CC BY 2.0), not for "
        "the text",
        "deny",
        ["license.unknown"],
        forbid=["license.cc-by"],
        acceptable=["review"],
        notes="hard case: a CC mention about a third-party image is not a licence for the page text.",
    ),
]
