"""parquet/: a small CC BY-SA encyclopedia dump and a Parquet file with a corrupt footer."""

from __future__ import annotations

import random
import struct

import pyarrow as pa
import pyarrow.parquet as pq

from .primitives import Corpus, Expect

WIKI_ARTICLES = [
    (
        "w-001",
        "Fennick_Vale",
        "CC-BY-SA-4.0",
        "Fennick Vale is the valley of the River Fennick between the chalk downs and the estuary at "
        "Kestrelmouth. It is about twenty kilometres long and rarely more than four wide. The vale floor is "
        "mostly pasture on alluvial soils, with water meadows near Fennick St. Mary that were worked until "
        "the 1930s. Three villages, Fennick St. Mary, Hollins Cross and Brackwater, lie along the old road "
        "on the north bank. The vale has given its name to a breed of sheep, the Fennick Longwool, now rare.",
    ),
    (
        "w-002",
        "Kestrelmouth_Harbour_Railway",
        "CC-BY-SA-4.0",
        "The Kestrelmouth Harbour Railway was a short branch line linking the harbour at Kestrelmouth with "
        "the main line at Fennick Road station. It opened for goods in 1872 and for passengers in 1875. "
        "Passenger services ended in 1952 and the line closed completely in 1964, when the harbour siding "
        "was taken out of use. Part of the trackbed between Hollins Cross and the harbour is now a "
        "footpath and cycleway, crossing the river on the original iron bridge.",
    ),
    (
        "w-003",
        "Brackwater",
        "CC-BY-SA-4.0",
        "Brackwater is a village on the south shore of the Fennick estuary. Its name refers to the "
        "brackish water of the salt marsh that surrounds it on three sides. Salt was made here from at "
        "least the eleventh century until the 1820s. The parish church of St. Edda has a rare "
        "thirteenth-century wall painting of a ship. The village had a population of 1,240 at the 2021 "
        "census.",
    ),
    (
        "w-004",
        "Hollins_Cross_weir",
        "CC-BY-SA-4.0",
        "Hollins Cross weir is a stone weir on the River Fennick built to divert water into the leat of "
        "Hollins Cross mill. The present structure dates mainly from a rebuilding of 1788. A fish pass "
        "was added on the south side in 2009 to let salmon and sea trout reach the upper river. The "
        "weir pool is a popular bathing place in summer, despite warning signs.",
    ),
    (
        "w-005",
        "Fennick_Longwool",
        "CC-BY-SA-3.0",
        "The Fennick Longwool is a rare breed of domestic sheep from Fennick Vale. It is a large, "
        "polled breed with a long, lustrous fleece that hangs in ringlets, and was valued in the "
        "eighteenth century for worsted cloth. Numbers fell sharply in the twentieth century and fewer "
        "than five hundred registered ewes remain. The breed society holds its annual show at Fennick St. "
        "Mary in August.",
    ),
]


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data: bytes = sink.getvalue().to_pybytes()
    return data


def build_parquet(c: Corpus) -> None:
    table = pa.table(
        {
            "id": [a[0] for a in WIKI_ARTICLES],
            "text": [a[3] for a in WIKI_ARTICLES],
            "url": [f"https://wiki.example/wiki/{a[1]}" for a in WIKI_ARTICLES],
            "license": [a[2] for a in WIKI_ARTICLES],
        }
    )
    c.write("parquet/wiki.parquet", parquet_bytes(table))
    for wid, title, lic, _ in WIKI_ARTICLES:
        c.add(
            Expect(
                "parquet/wiki.parquet",
                f"encyclopedia article '{title}' with licence column {lic}",
                "allow",
                ["license.cc-by-sa"],
                record=f"#{wid}",
                license=lic,
                notes="obligations: attribution (Kestrelmouth Wiki contributors, URL) and share-alike.",
            )
        )

    # A real Parquet file with its footer metadata cut short: the magic bytes and the footer length
    # are intact, so it looks valid until a reader tries to decode the footer.
    news = pa.table(
        {
            "id": ["x-1", "x-2", "x-3"],
            "text": ["Ferry fares to rise in June.", "Quay repairs finish early.", "Regatta date set."],
            "url": [f"https://news.example/brief/{i}" for i in (1, 2, 3)],
            "license": ["CC-BY-4.0"] * 3,
        }
    )
    data = parquet_bytes(news)
    (footer_len,) = struct.unpack("<I", data[-8:-4])
    footer_start = len(data) - 8 - footer_len
    garbage = random.Random(404).randbytes(footer_len // 2)
    corrupt = data[:footer_start] + garbage + data[-8:]  # footer shorter than its declared length
    c.write("parquet/corrupt.parquet", corrupt)
    c.add(
        Expect(
            "parquet/corrupt.parquet",
            f"Parquet file whose {footer_len}-byte footer was replaced by {len(garbage)} random bytes "
            "(PAR1 magic and footer length intact)",
            "quarantine",
            ["input.bad-parquet"],
            notes="pyarrow refuses to open it; the whole file goes to quarantine, no rows are read.",
        )
    )
