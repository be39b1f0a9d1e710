"""Copyright pages of modern editions, restrictive notices, and the claims that must stay clean.

The contract under test: a `copyright.*` signal only for a current, restrictive claim (the combiner
denies on any of them); old claims, open licences beside a © line and notices spoken by characters
produce nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from clearlm.clear.copyright import detect_copyright
from clearlm.clear.policy import Policy
from clearlm.pipeline.document import Document
from clearlm.reasons import COPYRIGHT_ALL_RIGHTS_RESERVED, COPYRIGHT_RECENT_EDITION

POLICY = Policy(public_domain_before_year=1931)

MODERN_EDITION = """THE WRECK OF THE GOLDEN MARY
and Other Christmas Stories

CHARLES DICKENS

Edited with an Introduction by Harriet Oyelaran-Finch

HALLORAN CLASSICS


Halloran Classics, an imprint of Halloran & Pike Ltd
14 Tenter Lane, Leeds LS99 9ZZ

First published in Halloran Classics 2021

Introduction and notes copyright © Harriet Oyelaran-Finch 2021
This edition © Halloran & Pike Ltd 2021. All rights reserved.

No part of this publication may be reproduced, stored in a retrieval system or transmitted in any
form or by any means without the prior permission in writing of the publisher.

The moral right of the editor has been asserted.

British Library Cataloguing in Publication Data
A catalogue record for this book is available from the British Library

ISBN 978-0-306-40615-7 (paperback)
eISBN 978-1-86197-876-9

1 3 5 7 9 10 8 6 4 2

Typeset by Wherry Lane Typesetting


THE WRECK

I was apprenticed to the Sea when I was twelve years old, and I have encountered a great deal of
rough weather, both literal and metaphorical.
"""


def scan(text: str, policy: Policy = POLICY, **fields: Any) -> list[tuple[str, str]]:
    doc = Document.create(key="k", text=text, source="file:///corpus/doc.txt", file_name="doc.txt", **fields)
    return sorted((s.code, s.evidence["kind"]) for s in detect_copyright(doc, policy))


def signals(text: str, policy: Policy = POLICY) -> list[Any]:
    doc = Document.create(key="k", text=text, source="file:///corpus/doc.txt", file_name="doc.txt")
    return detect_copyright(doc, policy)


def test_the_copyright_page_of_a_modern_edition_of_an_old_text() -> None:
    found = scan(MODERN_EDITION)
    assert (COPYRIGHT_ALL_RIGHTS_RESERVED, "copyright-notice") in found
    for kind in ("isbn", "cip", "no-part-reproduced", "printing-line", "first-published", "moral-rights"):
        assert (COPYRIGHT_RECENT_EDITION, kind) in found, kind


def test_a_uk_trade_copyright_page_without_all_rights_reserved() -> None:
    page = (
        "First published in Great Britain by Wherrow & Blane 2019\nPublished in Kestrel Paperbacks 2020\n"
        "001\n\nCopyright © Jane Doe, 2019\n\nThe moral right of the author has been asserted\n\n"
        "A CIP catalogue record for this book is available from the British Library\n\n"
        "ISBN: 978–0–241–98654–7\n"
    )
    kinds = ("cip", "copyright-notice", "first-published", "isbn", "moral-rights")
    assert scan(page) == [(COPYRIGHT_RECENT_EDITION, kind) for kind in kinds]
    assert scan("Published 2021 by Brackwater Press Ltd\n") == [(COPYRIGHT_RECENT_EDITION, "first-published")]


def test_evidence_names_the_span_offset_and_year() -> None:
    by_kind = {s.evidence["kind"]: s for s in signals(MODERN_EDITION)}
    notice = by_kind["copyright-notice"].evidence
    assert notice["year"] == 2021 and MODERN_EDITION[notice["offset"] :].startswith(notice["match"])
    assert by_kind["isbn"].evidence["isbn"] == "9780306406157"
    assert by_kind["first-published"].evidence["year"] == 2021


@pytest.mark.parametrize(
    ("isbn", "fires"),
    [
        ("ISBN 978-0-306-40615-7", True),
        ("ISBN 978-0-306-40615-8", False),  # wrong check digit
        ("ISBN-10: 0-8044-2957-X", True),
        ("ISBN: 0-8044-2957-5", False),
        ("ISBN 9781861978769", True),
    ],
)
def test_isbn_check_digits_are_validated(isbn: str, fires: bool) -> None:
    assert (scan(f"Printed in Wales\n{isbn}\n") == [(COPYRIGHT_RECENT_EDITION, "isbn")]) is fires


def test_a_web_page_with_a_company_notice() -> None:
    page = (
        "<html><body><article><p>Our spring list opens with three debut novels.</p></article>\n"
        '<footer><p class="legal">&copy; 2024 Example Ltd. All rights reserved.</p></footer></body></html>'
    )
    [signal] = signals(page)
    assert signal.code == COPYRIGHT_ALL_RIGHTS_RESERVED and signal.evidence["year"] == 2024
    undated = "<p>Our spring list opens with three debut novels.</p>\n<footer>All rights reserved.</footer>"
    assert scan(undated) == [(COPYRIGHT_ALL_RIGHTS_RESERVED, "all-rights-reserved")]
    assert scan("Texte et photos © 2022 Éditions du Port. Tous droits réservés.") == [
        (COPYRIGHT_ALL_RIGHTS_RESERVED, "copyright-notice")
    ]


def test_proprietary_and_confidential_notices() -> None:
    header = (
        "// SPDX-License-Identifier: LicenseRef-Acme-Proprietary\n"
        "// Proprietary and confidential. Unauthorized copying of this file, via any medium, is strictly\n"
        "// prohibited.\npackage ledger\n"
    )
    assert scan(header) == [(COPYRIGHT_ALL_RIGHTS_RESERVED, "proprietary-notice")]
    assert scan("CONFIDENTIAL\n\nQ3 board pack: revenue by region.\n") == [
        (COPYRIGHT_ALL_RIGHTS_RESERVED, "proprietary-notice")
    ]


def test_a_modern_claim_without_all_rights_reserved_is_a_recent_edition() -> None:
    assert scan("Field notes on the estuary.\n\nCopyright 2019 Ruth Abernathy-Kole\n") == [
        (COPYRIGHT_RECENT_EDITION, "copyright-notice")
    ]


@pytest.mark.parametrize(
    "text",
    [
        # An old book's own title page: the claim is older than the cutoff.
        "COUNTRY WALKS\n\nBOSTON\n1911\n\nCopyright, 1911,\nBY LOXLEY & DUNN.\n\nAll rights reserved.\n\n"
        "Published April, 1911\n\nPREFACE\n",
        "THE ORANGE BOOK\n\nLONGMANS, GREEN, AND CO.\nLONDON\n1906\n\n[_All rights reserved_]\n\nCONTENTS\n",
        "COPYRIGHT MCMVI BY OLIVER DITSON COMPANY\n",
        # Characters speaking, and the phrase in running prose.
        '"All rights reserved," said the lawyer, and smiled at the magistrate.\n',
        "He had stamped the words ALL RIGHTS RESERVED across every page of the ledger, even blank ones.\n",
        # Open licences beside a © line.
        "<footer>© 2024 Jane Doe. Some rights reserved.</footer>",
        "Photos and text © 2024 Jane Doe, licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).",
        "# SPDX-License-Identifier: MIT\n# Copyright (c) 2022 The Tidewater Tools contributors\nimport os\n",
        'Copyright 2023 Kestrel Labs\n\nLicensed under the Apache License, Version 2.0 (the "License");\n',
        # Not claims at all.
        "Chapter 3 covers (a) 2017 floods, (b) 2018 droughts, and (c) 2019 storms along the coast.\n",
        "Copyright law in 2024 is a mess, says the report; copyright holders sued in 2023.\n",
        # A citation's ISBN in running text is a reference, not this document's copyright page.
        "Mallender, R. T. (2014). Estuarine Hydraulics. Tidewater Press. ISBN 978-0-306-40615-7.\n",
        # A blog's date line is not an imprint.
        "Published March 3, 2024 by Tamsin\n\nThe sourdough starter finally behaved.\n",
        # Table of numbers, not a printer's key.
        "Score\n1 2 3 4 5 6 7 8 9 10\n",
    ],
)
def test_clean_cases_produce_no_signal(text: str) -> None:
    assert scan(text) == []


def test_an_open_licence_in_the_record_metadata_counts() -> None:
    post = "Tide tables for April, typed up from the harbour office board.\n\n© 2024 Priya V."
    assert scan(post) == [(COPYRIGHT_RECENT_EDITION, "copyright-notice")]
    assert scan(post, meta={"fields": {"license": "CC-BY-4.0"}}) == []
    assert scan(post, meta={"fields": {"license": "LicenseRef-Proprietary"}}) != []


def test_an_open_textbook_keeps_its_isbn_but_not_an_all_rights_reserved_line() -> None:
    textbook = (
        "Introductory Hydrology\n\n© 2021 Coastal Open Press. This textbook is licensed under a\n"
        "Creative Commons Attribution 4.0 International License.\n\nISBN 978-0-306-40615-7 (pdf)\n"
    )
    assert scan(textbook) == []
    assert scan(textbook + "\nCover photograph © 2021 Ada Brune. All rights reserved.\n") == [
        (COPYRIGHT_ALL_RIGHTS_RESERVED, "copyright-notice")
    ]


def test_the_cutoff_comes_from_the_policy() -> None:
    page = "THE HARBOUR\n\nCopyright 1935 by Marten & Hale\n"
    assert scan(page, Policy(public_domain_before_year=1931)) == [
        (COPYRIGHT_RECENT_EDITION, "copyright-notice")
    ]
    assert scan(page, Policy(public_domain_before_year=1940)) == []
