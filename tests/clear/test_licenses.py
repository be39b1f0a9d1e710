"""Licence detection on realistic documents: every form and family, and the traps around them."""

from __future__ import annotations

from typing import Any

import pytest

from clearlm import reasons
from clearlm.clear.licenses import detect_licenses
from clearlm.clear.signals import Signal
from clearlm.pipeline.document import Document


def doc(text: str, mime: str = "text/plain", file_name: str = "doc.txt", **meta: Any) -> Document:
    return Document.create(
        key=file_name,
        text=text,
        source=f"file:///corpus/{file_name}",
        mime=mime,
        file_name=file_name,
        meta=meta,
    )


def found(d: Document) -> dict[str | None, Signal]:
    return {s.license: s for s in detect_licenses(d)}


def only(d: Document) -> Signal:
    signals = detect_licenses(d)
    assert len(signals) == 1, [(s.code, s.license) for s in signals]
    return signals[0]


def assert_span(d: Document, s: Signal) -> None:
    """Evidence points at the statement: its offset holds the matched text."""
    offset, match = s.evidence["offset"], s.evidence["match"]
    assert d.text[offset : offset + len(match)] == match
    assert match in s.evidence["context"]


# ------------------------------------------------------------------ SPDX-License-Identifier

PY_HEADER = '''# SPDX-License-Identifier: Apache-2.0 OR MIT
# Copyright 2024 The Tokenizer Authors
"""Byte-pair encoding helpers."""

def merge(pairs):
    return sorted(pairs)
'''

JAVA_HEADER = """/*
 * Copyright (c) 2019 Example Corp.
 * SPDX-License-Identifier: GPL-2.0-or-later WITH Classpath-exception-2.0
 */
package org.example.io;

public final class Buffers {}
"""


def test_spdx_header_or_expression_in_python() -> None:
    d = doc(PY_HEADER, "text/x-python", "bpe.py")
    s = only(d)
    assert s.license == "Apache-2.0 OR MIT"
    assert s.code == reasons.LICENSE_OPEN_SOURCE
    assert s.obligations == ("license-notice",)
    assert s.evidence["kind"] == "spdx-header"
    assert_span(d, s)


def test_spdx_header_with_exception_in_java() -> None:
    s = only(doc(JAVA_HEADER, "text/x-java", "Buffers.java"))
    assert s.license == "GPL-2.0-or-later WITH Classpath-exception-2.0"
    assert s.code == reasons.LICENSE_OPEN_SOURCE


def test_spdx_header_in_markdown_and_deprecated_id() -> None:
    s = only(
        doc("<!-- SPDX-License-Identifier: GPL-2.0+ -->\n# Notes\n\nSome notes.\n", "text/markdown", "n.md")
    )
    assert s.license == "GPL-2.0-or-later"


# ------------------------------------------------------------------ HTML: rel=license, badges, deeds

BLOG_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sourdough at altitude</title>
<meta name="author" content="Jane Doe"></head>
<body><article><h1>Sourdough at altitude</h1><p>Bake at 230 °C for forty minutes, lid on.</p></article>
<footer>
  <a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">
    <img alt="Creative Commons License" src="https://i.creativecommons.org/l/by-sa/4.0/88x31.png"></a><br>
  <span property="dct:title">Sourdough at altitude</span> by
  <a property="cc:attributionName" href="https://jane.example">Jane Doe</a> is licensed under a
  <a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">Creative Commons
  Attribution-ShareAlike 4.0 International License</a>.
</footer></body></html>
"""


def test_html_rel_license_cc_by_sa_with_attribution() -> None:
    d = doc(BLOG_PAGE, "text/html", "sourdough.html")
    s = only(d)
    assert s.license == "CC-BY-SA-4.0"
    assert s.code == reasons.LICENSE_CC_BY_SA
    assert s.obligations == ("attribution", "share-alike")
    assert s.evidence["kind"] == "rel-license"
    assert s.evidence["url"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert s.evidence["attribution"] == "Jane Doe"
    assert_span(d, s)


def test_html_badge_with_ported_version() -> None:
    page = (
        '<html><body><p>Fotos: Max Mustermann</p><footer><img src="https://i.creativecommons.org/l/by/3.0/de/88x31.png"'
        ' alt="CC"> Dieses Werk steht unter einer Lizenz.</footer></body></html>'
    )
    s = only(doc(page, "text/html", "fotos.html"))
    assert s.license == "CC-BY-3.0-DE"
    assert s.code == reasons.LICENSE_CC_BY
    assert s.obligations == ("attribution",)
    assert s.evidence["kind"] == "cc-url"


def test_link_rel_license_cc0_and_public_domain_mark() -> None:
    head = '<html><head><link rel="license" href="https://creativecommons.org/publicdomain/zero/1.0/"></head>'
    s = only(doc(head + "<body><p>Data tables.</p></body></html>", "text/html", "t.html"))
    assert (s.license, s.code, s.obligations) == ("CC0-1.0", reasons.LICENSE_CC0, ())
    mark = "https://creativecommons.org/publicdomain/mark/1.0/"
    footer = f'<p>Scan of a 1890 map. <a href="{mark}">Public Domain Mark</a></p>'
    s = only(doc(footer, "text/html", "map.html"))
    assert (s.license, s.code) == ("CC-PDM-1.0", reasons.LICENSE_PUBLIC_DOMAIN)


def test_cc_url_in_a_footer_and_ported_share_alike() -> None:
    text = (
        "Wiki article body.\n\nText available under https://creativecommons.org/licenses/by-sa/3.0/at/ terms."
    )
    s = only(doc(text))
    assert s.license == "CC-BY-SA-3.0-AT"
    assert s.evidence["url"].endswith("/by-sa/3.0/at")


def test_link_http_header() -> None:
    d = doc(
        "<html><body>Essay.</body></html>",
        "text/html",
        "essay.html",
        http_headers=[
            ["Content-Type", "text/html"],
            ["Link", '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'],
        ],
    )
    s = only(d)
    assert (s.license, s.code, s.evidence["kind"]) == ("CC-BY-4.0", reasons.LICENSE_CC_BY, "rel-license")


# ------------------------------------------------------------------ plain-text notices


@pytest.mark.parametrize(
    ("sentence", "license", "code", "obligations"),
    [
        (
            "This work is licensed under a Creative Commons Attribution-ShareAlike 4.0 International"
            " License.",
            "CC-BY-SA-4.0",
            reasons.LICENSE_CC_BY_SA,
            ("attribution", "share-alike"),
        ),
        (
            "Photos and text © 2023 Ana Lima, licensed CC BY-NC 4.0.",
            "CC-BY-NC-4.0",
            reasons.LICENSE_NON_COMMERCIAL,
            ("attribution", "non-commercial"),
        ),
        (
            "This recording is available under the Creative Commons Attribution-NoDerivatives 4.0"
            " International licence.",
            "CC-BY-ND-4.0",
            reasons.LICENSE_NO_DERIVATIVES,
            ("attribution", "no-derivatives"),
        ),
        ("Released under the MIT License.", "MIT", reasons.LICENSE_OPEN_SOURCE, ("license-notice",)),
        (
            "Copyright 2021 Ada. Distributed under the Boost Software License, Version 1.0.",
            "BSL-1.0",
            reasons.LICENSE_OPEN_SOURCE,
            ("license-notice",),
        ),
        (
            "This library is distributed under the terms of the BSD 2-Clause License.",
            "BSD-2-Clause",
            reasons.LICENSE_OPEN_SOURCE,
            ("license-notice",),
        ),
        ("This work is dedicated to the public domain (CC0).", "CC0-1.0", reasons.LICENSE_CC0, ()),
    ],
)
def test_plain_text_notices(sentence: str, license: str, code: str, obligations: tuple[str, ...]) -> None:
    d = doc(f"Field notes, spring edition.\n\n{sentence}\n")
    s = only(d)
    assert (s.license, s.code, s.obligations) == (license, code, obligations)
    assert s.evidence["kind"] == "notice"
    assert_span(d, s)


README = """# fastcsv

Fast CSV parsing for Python.

## Install

    pip install fastcsv

## License

This project is released under the MIT License. See [LICENSE](LICENSE) for details.
"""


def test_markdown_readme_license_section() -> None:
    s = only(doc(README, "text/markdown", "README.md"))
    assert (s.license, s.code) == ("MIT", reasons.LICENSE_OPEN_SOURCE)


APACHE_HEADER = """/*
 * Copyright 2020 The Example Authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS.
 */
package com.example;
"""

GPL3_HEADER = """# backup.sh - rotate nightly snapshots
# Copyright (C) 2015 Free Software Fan
#
# This program is free software: you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation, either version 3 of the License, or
# (at your option) any later version.
#
# This program is distributed in the hope that it will be useful,
# but WITHOUT ANY WARRANTY; without even the implied warranty of
# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
# GNU General Public License for more details.
#
# You should have received a copy of the GNU General Public License
# along with this program.  If not, see <https://www.gnu.org/licenses/>.
"""


def test_apache_header_is_one_signal() -> None:
    s = only(doc(APACHE_HEADER, "text/x-java", "Main.java"))
    assert (s.license, s.code) == ("Apache-2.0", reasons.LICENSE_OPEN_SOURCE)


def test_gpl_notice_or_later_and_no_echo_from_boilerplate() -> None:
    s = only(doc(GPL3_HEADER, "text/x-sh", "backup.sh"))
    assert s.license == "GPL-3.0-or-later"


def test_gpl_version_only_and_kernel_module_string() -> None:
    text = "/* This file is licensed under the terms of the GNU General Public License version 2. */\n"
    assert only(doc(text)).license == "GPL-2.0-only"
    assert (
        only(doc('#include <linux/module.h>\nMODULE_LICENSE("GPL v2");\n', file_name="m.c")).license
        == "GPL-2.0-only"
    )


def test_mpl_notice_and_gfdl_is_recognised_but_not_allowed() -> None:
    mpl = "/* This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0. */\n"
    assert only(doc(mpl, file_name="a.js")).license == "MPL-2.0"
    gfdl = (
        "Copyright (c) 2009 A. Writer. Permission is granted to copy, distribute and/or modify this "
        "document under the terms of the GNU Free Documentation License, Version 1.3 or any later version.\n"
    )
    s = only(doc(gfdl))
    assert (s.license, s.code) == ("GFDL-1.3-or-later", reasons.LICENSE_NOT_ALLOWED)


def test_public_domain_dedication_without_spdx_id() -> None:
    s = only(doc("/* crc32.c -- written by Ed, 2003. I hereby place this code in the public domain. */\n"))
    assert (s.code, s.license) == (reasons.LICENSE_PUBLIC_DOMAIN, None)
    assert s.evidence["license_ref"] == "LicenseRef-scancode-public-domain"


def test_gpl_with_autoconf_exception() -> None:
    text = GPL3_HEADER.replace("version 3", "version 2") + (
        "#\n# As a special exception to the GNU General Public License, if you\n"
        "# distribute this file as part of a program that contains a\n"
        "# configuration script generated by Autoconf, you may include it under\n"
        "# the same distribution terms that you use for the rest of that program.\n"
    )
    assert only(doc(text)).license == "GPL-2.0-or-later WITH Autoconf-exception-generic"


# ------------------------------------------------------------------ dual licences


def test_dual_licence_statements() -> None:
    jq = "/*!\n * Copyright (c) 2008 Filament\n * Dual licensed under the MIT and GPL licenses.\n */\n"
    assert only(doc(jq, file_name="p.js")).license == "MIT OR GPL-1.0-or-later"
    rust = "Licensed under either of Apache License, Version 2.0 or MIT license at your option.\n"
    assert only(doc(rust, file_name="README.md")).license == "Apache-2.0 OR MIT"


BSD3 = """Copyright (c) 2005 The Authors. All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
1. Redistributions of source code must retain the above copyright notice,
   this list of conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.
3. Neither the name of the copyright holder nor the names of its contributors
   may be used to endorse or promote products derived from this software
   without specific prior written permission.
"""


def test_bsd_or_gpl_alternatively() -> None:
    text = BSD3 + (
        "\nAlternatively, this software may be distributed under the terms of the\n"
        'GNU General Public License ("GPL") version 2 as published by the Free Software Foundation.\n'
    )
    assert only(doc(text)).license == "BSD-3-Clause OR GPL-2.0-only"


# ------------------------------------------------------------------ full licence texts

MIT_TEXT = """MIT License

Copyright (c) 2022 Sam Coder

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
"""

ISC_TEXT = """Copyright (c) 2015 Pat

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
WITH REGARD TO THIS SOFTWARE.
"""

GPL2_TEXT = """                    GNU GENERAL PUBLIC LICENSE
                       Version 2, June 1991

 Copyright (C) 1989, 1991 Free Software Foundation, Inc.
 Everyone is permitted to copy and distribute verbatim copies
 of this license document, but changing it is not allowed.

                            Preamble
  The licenses for most software are designed to take away your freedom to share and change it.

                     END OF TERMS AND CONDITIONS

            How to Apply These Terms to Your New Programs

    This program is free software; you can redistribute it and/or modify
    it under the terms of the GNU General Public License as published by
    the Free Software Foundation; either version 2 of the License, or
    (at your option) any later version.
"""

APACHE_TEXT = """
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION

   1. Definitions.
"""


@pytest.mark.parametrize(
    ("text", "license"),
    [
        (MIT_TEXT, "MIT"),
        (BSD3, "BSD-3-Clause"),
        (BSD3.split("3. Neither")[0], "BSD-2-Clause"),
        (ISC_TEXT, "ISC"),
        (GPL2_TEXT, "GPL-2.0-only"),
        (APACHE_TEXT, "Apache-2.0"),
        (
            "This is free and unencumbered software released into the public domain.\n\nAnyone is free...",
            "Unlicense",
        ),
    ],
)
def test_full_licence_texts(text: str, license: str) -> None:
    s = only(doc(text, file_name="LICENSE"))
    assert s.license == license
    assert s.code == reasons.LICENSE_OPEN_SOURCE
    assert s.evidence["kind"] == "license-text"


# ------------------------------------------------------------------ metadata fields


@pytest.mark.parametrize(
    ("fields", "license", "code"),
    [
        ({"license": "CC-BY-4.0"}, "CC-BY-4.0", reasons.LICENSE_CC_BY),
        ({"license": "CC BY 4.0"}, "CC-BY-4.0", reasons.LICENSE_CC_BY),
        ({"licence": "cc-by-sa-4.0"}, "CC-BY-SA-4.0", reasons.LICENSE_CC_BY_SA),
        ({"license_spdx": "MIT"}, "MIT", reasons.LICENSE_OPEN_SOURCE),
        ({"License": "apache-2.0"}, "Apache-2.0", reasons.LICENSE_OPEN_SOURCE),
        (
            {"rights": "https://creativecommons.org/licenses/by-nc/4.0/"},
            "CC-BY-NC-4.0",
            reasons.LICENSE_NON_COMMERCIAL,
        ),
        ({"licenses": ["CC0-1.0"]}, "CC0-1.0", reasons.LICENSE_CC0),
        ({"license": {"spdx_id": "bsd-3-clause"}}, "BSD-3-Clause", reasons.LICENSE_OPEN_SOURCE),
    ],
)
def test_metadata_fields(fields: dict[str, Any], license: str, code: str) -> None:
    record = doc(
        "A short record text with no licence statement in it.", file_name="data.jsonl", fields=fields
    )
    s = only(record)
    assert (s.license, s.code) == (license, code)
    assert s.evidence["kind"] == "metadata-field"
    assert s.evidence["field"] == next(iter(fields))


def test_unrelated_fields_and_unknown_values_are_ignored() -> None:
    assert detect_licenses(doc("Text.", fields={"title": "MIT License", "license": "see website"})) == []


def test_field_and_text_give_one_signal_per_licence() -> None:
    record = doc("Released under the MIT License.", fields={"license": "mit"})
    signals = found(record)
    assert list(signals) == ["MIT"]
    assert signals["MIT"].evidence["kind"] == "metadata-field"


# ------------------------------------------------------------------ negatives


ESSAY = (
    "Licences shape how software spreads. "
    * 40
    + "Unlike the GPL, permissive licences such as the MIT licence ask little of the people who reuse code, "
    "and many argue that Creative Commons did for culture what the GPL did for software. "
    + "Historians still debate the point. " * 120
    + "Linux is released under the GPL, which shaped the industry. "
    + "The debate continues in every community. " * 120
)


@pytest.mark.parametrize(
    "text",
    [
        ESSAY,
        "Creative Commons is a nonprofit organization that helps people share their work.",
        "The office moved to 400 Main St, Raleigh, NC 27601. The NC team ships on Fridays.",
        '<footer>Learn about sharing at <a href="https://creativecommons.org/">creativecommons.org</a>.</footer>',
        "Etexts from this CD are NOT placed in the Public Domain!!",
        "Most of Shakespeare's plays are in the public domain now, my teacher said, long after his death.",
        "You should have received a copy of the GNU General Public License along with this program.",
    ],
)
def test_mentions_in_passing_are_not_licences(text: str) -> None:
    assert detect_licenses(doc(text, "text/html" if text.startswith("<") else "text/plain")) == []


def test_gutenberg_footer_licence_is_not_a_licence() -> None:
    book = (
        "The Project Gutenberg EBook of Old Tales\n\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK OLD TALES ***\n\n"
        + "Once upon a time there was a miller. "
        * 3000
        + "\n\n*** END OF THIS PROJECT GUTENBERG EBOOK OLD TALES ***\n\n"
        "Redistribution is subject to the Project Gutenberg License. "
        "This work is in the public domain in the USA.\n"
        "Permission is hereby granted to copy this eBook under the terms of the Project Gutenberg-tm "
        "License.\n"
    )
    assert detect_licenses(doc(book, file_name="tales.txt")) == []


def test_empty_document() -> None:
    assert detect_licenses(doc("")) == []


# ------------------------------------------------------------------ choices, families, references


def licences(text: str, file_name: str = "doc.txt") -> set[str | None]:
    return {s.license for s in detect_licenses(doc(text, file_name=file_name))}


def test_eclipse_epl_and_edl_is_a_choice() -> None:
    text = (
        "/* Copyright (c) 2014 Harbour Instruments Ltd.\n"
        " * All rights reserved. This program and the accompanying materials\n"
        " * are made available under the terms of the Eclipse Public License v2.0\n"
        " * and Eclipse Distribution License v1.0 which accompany this distribution.\n */\n"
        "int harbour_open(void);\n"
    )
    assert licences(text, "harbour.c") == {"EPL-2.0 OR BSD-3-Clause"}


def test_permission_to_redistribute_under_either_is_a_choice() -> None:
    text = (
        "The files in vendor/nsprpub were taken from the Netscape runtime. They are available\n"
        "under the Mozilla Public License version 1.1 with permission to redistribute under\n"
        "either the GNU General Public License version 2 or the GNU Lesser General Public\n"
        "License version 2.1.\n"
    )
    assert licences(text, "README") == {"MPL-1.1 OR GPL-2.0-only OR LGPL-2.1-only"}


def test_dual_slash_license_in_a_driver_header() -> None:
    text = (
        "/* SPDX-free header of the Kestrel NIC driver.\n"
        " * This file is provided under a dual BSD/GPLv2 license. When using or\n"
        " * redistributing this file, you may do so under either license.\n */\n"
    )
    assert "BSD-3-Clause OR GPL-2.0-only" in licences(text, "kestrel.c")


def test_notice_or_the_following_license_text() -> None:
    text = (
        "This program is free software; you can redistribute it and/or modify it under the terms\n"
        "of the GNU General Public License version 2 as published by the Free Software Foundation;\n"
        "or, when distributed separately from the main project, subject to the following license:\n\n"
        "Permission is hereby granted, free of charge, to any person obtaining a copy of this\n"
        'software and associated documentation files (the "Software"), to deal in the Software\n'
        "without restriction. The above copyright notice and this permission notice shall be\n"
        "included in all copies or substantial portions of the Software.\n"
    )
    assert licences(text, "ring.c") == {"GPL-2.0-only OR MIT"}


def test_licence_text_after_a_dual_licence_stands_on_its_own() -> None:
    text = (
        "# Licence\n\nDual licensed under GPLv2 or MIT.\n\nCopyright (c) 2019 Odile Marchetti\n\n"
        "Permission is hereby granted, free of charge, to any person obtaining a copy of this\n"
        "software, to deal in the Software without restriction. The above copyright notice and\n"
        "this permission notice shall be included in all copies or substantial portions.\n"
    )
    assert licences(text, "README.md") == {"GPL-2.0-only OR MIT", "MIT"}


def test_separate_notice_before_a_dual_licence_is_kept() -> None:
    text = (
        "Upstream sources are copyright their authors.\n\n"
        "   This program is free software; you can redistribute it and/or modify it under the\n"
        "   terms of the GNU General Public License as published by the Free Software\n"
        "   Foundation; version 2 dated June, 1991.\n\n" + "Packaging notes follow. " * 40 + "\n\n"
        "The bundled ring buffer is distributed under the following terms:\n"
        "   This program is free software; you can redistribute it and/or modify it under the\n"
        "   terms of the GNU General Public License version 2; or, alternatively, under the MIT\n"
        "   License.\n"
    )
    assert licences(text, "copyright") == {"GPL-2.0-only", "GPL-2.0-only OR MIT"}


def test_unversioned_reference_means_the_version_named_elsewhere() -> None:
    text = (
        "Copyright (c) 2003 Ruth Aldana\n\nThis program is free software; you can redistribute it\n"
        "under the terms of the GNU General Public License version 2 as published by the Free\n"
        "Software Foundation.\n\n" + "Notes on the build system and its history. " * 60 + "\n\n"
        "Plugins loaded at run time must themselves be distributed under the GPL.\n"
    )
    assert licences(text, "NOTES") == {"GPL-2.0-only"}


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("Licensed under the Educational Community License version 2.0.", "ECL-2.0"),
        ("This library is distributed under the GNU Library Public License, version 2.", "LGPL-2.0-only"),
    ],
)
def test_more_families(statement: str, expected: str) -> None:
    assert licences(f"Copyright 2011 Mireille Okafor.\n{statement}\n") == {expected}


def test_clisp_exception() -> None:
    text = (
        "This program is free software; you can redistribute it and/or modify it under the terms of\n"
        "the GNU General Public License version 2 as published by the Free Software Foundation.\n\n"
        "This copyright does NOT cover user programs that run in CLISP and third-party packages.\n"
    )
    assert licences(text, "COPYRIGHT") == {"GPL-2.0-only WITH CLISP-exception-2.0"}


@pytest.mark.parametrize(
    "text",
    [
        "The dual SIM/eSIM phones ship with a licence card in the box.",
        "She holds a dual UK/US licence to practise law.",
    ],
)
def test_dual_words_that_are_not_licences(text: str) -> None:
    assert detect_licenses(doc(text)) == []


def test_module_license_tag_in_the_middle_of_a_long_source() -> None:
    body = "".join(
        f"static int probe_{i}(struct device *dev) {{ return dev->id + {i}; }}\n" for i in range(900)
    )
    text = (
        "/* Frobnicator driver.\n * Copyright (C) 2004 Jane Hacker\n */\n\n"
        + body
        + 'MODULE_AUTHOR("Jane Hacker");\nMODULE_LICENSE("GPL v2");\n'
        + body
    )
    assert licences(text, "frob.c") == {"GPL-2.0-only"}


def test_pipe_quoted_notice_reads_through_the_pipes() -> None:
    text = (
        "Files: src/*\nLicense:\n"
        "    | This library is free software; you can redistribute it and/or\n"
        "    | modify it under the terms of the GNU Lesser General Public\n"
        "    | License as published by the Free Software Foundation; either\n"
        "    | version 2.1 of the License, or (at your option) any later version.\n"
    )
    assert licences(text, "copyright") == {"LGPL-2.1-or-later"}


def test_full_grant_after_a_dual_licence_line_is_its_own_statement() -> None:
    text = (
        "This file is provided under a dual MIT/GPLv2 license. You may use it under either license.\n\n"
        "GPL NOTICE\n\n"
        "This program is free software; you can redistribute it and/or modify it under the terms of\n"
        "version 2 of the GNU General Public License as published by the Free Software Foundation.\n"
    )
    assert licences(text, "widget.c") == {"MIT OR GPL-2.0-only", "GPL-2.0-only"}


def test_unversioned_gpl_pointing_at_the_linux_copying_file_is_gplv2() -> None:
    text = (
        "/*\n * Tiny serial console helper.\n * Copyright 1999 Joe Kernel\n *\n"
        " * This file is subject to the terms and conditions of the GNU General Public\n"
        " * License.  See the file COPYING in the main directory of the Linux\n"
        " * distribution for more details.\n */\n"
    )
    assert licences(text, "sercon.c") == {"GPL-2.0-only"}
    plain = "This file is subject to the terms of the GNU General Public License. See COPYING for details.\n"
    assert licences(plain, "x.c") == {"GPL-1.0-or-later"}


def test_w3c_software_license() -> None:
    text = (
        "Parts of this parser are Copyright (c) 2003 World Wide Web Consortium. This work is\n"
        "distributed under the W3C(r) Software License in the hope that it will be useful.\n"
    )
    assert licences(text, "Parser.java") == {"W3C"}
    assert licences("Licensed under the W3C Software and Document License.\n", "NOTICE") == {"W3C-20150513"}


def test_list_of_statements_in_one_sentence_is_placed_by_its_first_item() -> None:
    filler = "".join(
        f"Release {i} fixed assorted bugs in the scheduler and the parser.\n" for i in range(120)
    )
    text = (
        filler
        + "\nThe Quux engine is licensed under version 2 or later of the GNU General Public License (GPLv2+),"
        " its client libraries under version 2.1 or later of the GNU Lesser General Public License, its"
        " user manual under the Creative Commons Attribution-ShareAlike 4.0 International License, and"
        " its build helpers under the Revised BSD license.\n\n" + filler
    )
    assert licences(text, "README") == {
        "GPL-2.0-or-later",
        "LGPL-2.1-or-later",
        "CC-BY-SA-4.0",
        "BSD-3-Clause",
    }
