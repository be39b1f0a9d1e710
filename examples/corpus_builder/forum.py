"""jsonl/forum.jsonl: forum posts with an SPDX licence field, plus exact and near duplicates.

f-007 and f-008 carry no text in the table: their text is derived from f-001 and f-002 at build
time, so the duplicates stay duplicates if the originals are edited.
"""

from __future__ import annotations

from .primitives import Corpus, Expect, jsonl

FORUM = "https://forum.example/t"
FORUM_POSTS = [
    (
        "f-001",
        f"{FORUM}/412/replacing-a-leaking-radiator-valve",
        "CC-BY-4.0",
        "Replacing a leaking radiator valve is a job most people can do in an afternoon. Turn the heating "
        "off and let it cool, close the valves at both ends of the radiator and count the turns on the "
        "lockshield so you can set it back. Put a tray and old towels underneath, crack the union nut "
        "slowly and let the radiator drain. Wrap the new valve's thread in PTFE tape, five or six turns "
        "clockwise, and tighten it by hand before the last quarter turn with a spanner. Bleed the "
        "radiator when you refill and check the joint again the next morning.",
        "allow",
        ["license.cc-by"],
        "forum post, SPDX licence field CC-BY-4.0",
        "",
    ),
    (
        "f-002",
        f"{FORUM}/418/cast-iron-pan-rust",
        "CC-BY-SA-4.0",
        "If your cast iron pan has gone rusty, it is not ruined. Scrub the rust off with steel wool and a "
        "little washing-up liquid - this is the one time soap is fine - then rinse, dry it on the hob "
        "until every drop has gone, and rub a very thin layer of vegetable oil over every surface, "
        "handle included. Wipe off as much oil as you can, as if you had made a mistake, and bake it "
        "upside down at 230C for an hour. Repeat two or three times. Cook something fatty in it first.",
        "allow",
        ["license.cc-by-sa"],
        "forum post, CC-BY-SA-4.0",
        "",
    ),
    (
        "f-003",
        f"{FORUM}/421/sharing-my-lesson-plans",
        "CC-BY-NC-4.0",
        "I teach Year 5 and I am sharing the lesson plans for our rivers topic here: six lessons, from "
        "the water cycle to a field trip to the local brook, with worksheets and a marking rubric. Use "
        "them in your own classroom, adapt them as you like, but please do not sell them on teacher "
        "resource sites - that is why I have chosen a non-commercial licence.",
        "deny",
        ["license.non-commercial"],
        "forum post, CC-BY-NC-4.0",
        "",
    ),
    (
        "f-004",
        f"{FORUM}/425/which-tent-for-wild-camping",
        None,
        "Which tent for wild camping in the hills? I have a budget of about two hundred and fifty pounds "
        "and I am looking at a two-person tunnel tent or a one-person trekking pole shelter. I am six "
        "foot two, which rules out half the lightweight options before I start.",
        "deny",
        ["license.unknown"],
        "forum post with license: null",
        "",
    ),
    (
        "f-005",
        f"{FORUM}/430/public-domain-tide-tables",
        "CC0-1.0",
        "I have typed up the tide tables for the estuary from the 1936 almanac in the library and put "
        "them in a spreadsheet. I am releasing my transcription into the public domain: no rights "
        "reserved, do what you like with it.",
        "allow",
        ["license.cc0"],
        "forum post, CC0-1.0",
        "",
    ),
    (
        "f-006",
        f"{FORUM}/433/my-short-story-the-lock-keeper",
        "CC-BY-ND-4.0",
        "Here is a short piece I wrote for the writing group. The lock keeper had been at the top lock "
        "for thirty years and had never once been through it himself. He knew every boat by the sound "
        "of its engine and every skipper by the way they threw a rope. Share it if you like it, but "
        "please do not change it.",
        "deny",
        ["license.no-derivatives"],
        "forum post, CC-BY-ND-4.0",
        "",
    ),
    (
        "f-007",
        f"{FORUM}/440/radiator-valve-again",
        "CC-BY-4.0",
        None,  # exact copy of f-001's text
        "allow",
        ["license.cc-by"],
        "CC-BY-4.0 repost whose text is byte-identical to f-001",
        "curation: drop dedup.exact (dup_of the f-001 document)",
    ),
    (
        "f-008",
        f"{FORUM}/441/cast-iron-rust-repost",
        "CC-BY-SA-4.0",
        None,  # near copy of f-002's text
        "allow",
        ["license.cc-by-sa"],
        "CC-BY-SA-4.0 post that repeats f-002 with small edits",
        "curation: drop dedup.near (dup_of the f-002 document, high estimated Jaccard)",
    ),
    (
        "f-009",
        f"{FORUM}/447/looking-for-a-plumber",
        "CC-BY-4.0",
        "Looking for a plumber in the Brackwater area who will take on small jobs. Please email me at "
        "dana.whitlock@mail.example or call 01632 960 418 after six. I have a dripping bath tap and a "
        "toilet cistern that will not stop filling.",
        "allow",
        ["license.cc-by"],
        "CC-BY-4.0 post containing an e-mail address and a phone number (invented, reserved ranges)",
        "curation: flag pii.email and pii.phone (with counts)",
    ),
    (
        "f-010",
        f"{FORUM}/452/bird-feeder-squirrels",
        "CC BY 4.0",
        "The only squirrel-proof bird feeder I have found is the one with a spring-loaded cage that "
        "closes the ports when anything heavier than a woodpecker sits on the perch. Everything else, "
        "including the one greased with chilli oil, lasted about a week.",
        "allow",
        ["license.cc-by"],
        "licence field spelled 'CC BY 4.0' instead of the SPDX id",
        "normalisation: the licence should be recorded as the SPDX id CC-BY-4.0.",
    ),
]


def build_forum(c: Corpus) -> None:
    texts: dict[str, str] = {}
    records = []
    for pid, url, lic, text, decision, reasons, case, curate in FORUM_POSTS:
        if pid == "f-007":
            text = texts["f-001"]
        elif pid == "f-008":
            text = (
                texts["f-002"]
                .replace("Scrub the rust off", "Scrub off the rust")
                .replace("and bake it", "and then bake it")
                .replace("Repeat two or three times.", "Repeat this two or three times.")
            )
        assert text is not None
        texts[pid] = text
        records.append({"id": pid, "text": text, "url": url, "license": lic})
        c.add(
            Expect(
                "jsonl/forum.jsonl",
                case,
                decision,
                reasons,
                record=f"#{pid}",
                license=lic.replace(" ", "-") if lic else None,
                curate=curate,
            )
        )
    c.write("jsonl/forum.jsonl", jsonl(records))
