"""jsonl/: first-party notes (zstd), a file of broken lines, and a gzip stream cut short.

The broken files are for ingest: each bad line or lost tail must be quarantined with a reason while
the good records around it are still read.
"""

from __future__ import annotations

import json
import zlib

import zstandard

from .forum import FORUM
from .primitives import Corpus, Expect, gzip_bytes, jsonl

NOTES = [
    (
        "n-001",
        "Demo team stand-up, 4 March: the ingest stage now keeps HTTP headers from WARC records in order, "
        "including duplicates. Next: clearance reads tdm-reservation from headers and meta tags.",
    ),
    (
        "n-002",
        "Idea for the demo: show the funnel report before and after adding a publisher's books to the "
        "registry, so people see exactly which documents drop out and why.",
    ),
    (
        "n-003",
        "Reminder: every example host in the demo corpus uses the .example TLD and 192.0.2.x addresses. "
        "Never point the demo crawler at a real site.",
    ),
    (
        "n-004",
        "Notes from the licensing call: the contract with the estuary archive covers transcripts from "
        "2015 to 2020 only; anything outside those years is out of scope and must be denied.",
    ),
]

HARBOUR_THREAD = [
    "The east quay was rebuilt in stone in 1823 after the old timber wharf collapsed under a cargo of "
    "slate. The new quay was long enough for three coasters to lie alongside at once.",
    "My grandfather worked the steam crane on the west quay until 1961. He said the worst cargo was "
    "china clay, which got into everything, and the best was timber from Riga, which smelled of resin.",
    "Does anyone know when the railway siding along the harbour was lifted? The rails are still visible "
    "in the cobbles outside the chandlery, but the maps I have stop showing the line after 1966.",
    "The siding closed in 1964 and the track was lifted in 1967, according to the minute books of the "
    "harbour trust, which are in the county record office and well worth an afternoon.",
    "There is a photograph in the museum of the 1953 flood, with water over the top of the quay and a "
    "rowing boat tied to the lamp post outside the Anchor. The lamp post is still there.",
    "The pilot station on the point was built in 1888 and manned until the pilots moved to the new "
    "harbour office in 1972. It is a holiday cottage now, with the signal mast kept as a flagpole.",
    "For anyone researching ships: the harbour dues ledgers from 1840 to 1915 list every vessel by name, "
    "master, tonnage and cargo. The library has them on microfilm and a volunteer index is under way.",
    "Last one from me: the fish market moved from the quay to the industrial estate in 1994, and the old "
    "market hall became the lifeboat shop. The weather vane shaped like a herring went with it.",
]
TRUNCATED_RECORDS = [
    (f"t-{i:03d}", f"https://forum.example/t/{500 + i}", text) for i, text in enumerate(HARBOUR_THREAD, 1)
]


def build_notes(c: Corpus) -> None:
    records = [
        {"id": nid, "text": text, "owner": "clearlm-demo", "created": f"2024-03-{4 + i:02d}"}
        for i, (nid, text) in enumerate(NOTES)
    ]
    c.write("jsonl/notes.jsonl.zst", zstandard.ZstdCompressor(level=10).compress(jsonl(records)))
    for nid, _ in NOTES:
        c.add(
            Expect(
                "jsonl/notes.jsonl.zst",
                "first-party note written by the demo team (owner: clearlm-demo)",
                "allow",
                ["first-party"],
                record=f"#{nid}",
                acceptable=["deny"],
                notes="allow only when the recipe/policy declares this source first-party; without that "
                "declaration nothing in the record proves a right, and deny license.unknown is correct.",
            )
        )


def build_broken_lines(c: Corpus) -> None:
    good = {"text": "Tide tables for the week are pinned at the harbour office.", "license": "CC-BY-4.0"}
    lines = [
        json.dumps({"id": "b-001", **good, "url": f"{FORUM}/600"}),
        '{"id": "b-002", "text": "This line was cut off by a bad export, "license": "CC-BY-4.0"',
        json.dumps({"id": "b-003", "url": f"{FORUM}/602", "license": "CC-BY-4.0"}),
        "",
        json.dumps({"id": "b-004", "text": 42, "license": "CC0-1.0"}),
        json.dumps(
            {"id": "b-005", "text": "The ferry runs every twenty minutes until dusk.", "license": "CC0-1.0"}
        ),
    ]
    c.write("jsonl/broken-lines.jsonl", ("\n".join(lines) + "\n").encode())
    c.add(
        Expect(
            "jsonl/broken-lines.jsonl",
            "good line (1 of 2)",
            "allow",
            ["license.cc-by"],
            "#b-001",
            "CC-BY-4.0",
        ),
        Expect(
            "jsonl/broken-lines.jsonl",
            "line 2: malformed JSON (unescaped quote, unterminated object)",
            "quarantine",
            ["input.bad-json"],
            "L2",
        ),
        Expect(
            "jsonl/broken-lines.jsonl",
            'line 3: valid JSON without a "text" field',
            "quarantine",
            ["input.missing-field"],
            "L3",
        ),
        Expect(
            "jsonl/broken-lines.jsonl",
            "line 4: blank line",
            "skip",
            record="L4",
            notes="a blank separator line is not a record; skipping it silently is fine.",
        ),
        Expect(
            "jsonl/broken-lines.jsonl",
            'line 5: "text" is a number, not a string',
            "quarantine",
            ["input.missing-field"],
            "L5",
        ),
        Expect(
            "jsonl/broken-lines.jsonl", "good line (2 of 2)", "allow", ["license.cc0"], "#b-005", "CC0-1.0"
        ),
    )


def build_truncated(c: Corpus) -> None:
    data = jsonl(
        [
            {"id": tid, "text": text, "url": url, "license": "CC-BY-4.0"}
            for tid, url, text in TRUNCATED_RECORDS
        ]
    )
    packed = gzip_bytes(data)
    cut = len(packed) * 55 // 100
    c.write("jsonl/truncated.jsonl.gz", packed[:cut])
    recovered = zlib.decompressobj(wbits=31).decompress(packed[:cut])
    complete = recovered.count(b"\n")
    cut_line_at = recovered.rfind(b"\n") + 1
    for tid, _, _ in TRUNCATED_RECORDS[:complete]:
        c.add(
            Expect(
                "jsonl/truncated.jsonl.gz",
                "complete line before the cut",
                "allow",
                ["license.cc-by"],
                record=f"#{tid}",
                license="CC-BY-4.0",
            )
        )
    c.add(
        Expect(
            "jsonl/truncated.jsonl.gz",
            f"gzip stream cut at byte {cut} of {len(packed)}: the first {complete} lines decompress "
            f"completely, line {complete + 1} is cut mid-record, "
            f"lines {complete + 2}-{len(TRUNCATED_RECORDS)} are lost",
            "quarantine",
            ["input.truncated"],
            record=f"line {complete + 1} (decompressed byte {cut_line_at})",
            notes=f"keep the {complete} complete records before the cut, quarantine the rest with one entry.",
        )
    )
    c.facts["truncated_complete_lines"] = complete
