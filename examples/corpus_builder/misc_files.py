"""misc/: odd single files (empty, binary, Windows-1252, PDF, Markdown, a licence text, code)."""

from __future__ import annotations

import io
import random

from .primitives import Corpus, Expect

LATIN1_TEXT = """\
Carnet de route - la vallée de la Fennick

Par Hélène Duprat-Løkke, avril 2024

Nous sommes arrivés à Kestrelmouth par le dernier bac, un vendredi soir, trempés et affamés. Le
patron de l'auberge « The Anchor » nous a servi une soupe de poissons et un café noir, et nous a
expliqué, avec une patience d'ange, que la marée n'attend personne : le bac du matin part à six
heures précises, pas une minute de plus.

Le lendemain, nous avons suivi l'ancienne route du sel jusqu'à Fennick St. Mary. Les aubépines qui
bordent le chemin sont énormes ; on dit qu'elles servaient de repères aux voyageurs par temps de
neige. À midi, déjeuner sur l'herbe près du déversoir de Hollins Cross : pain, fromage, pommes et
une bouteille de cidre achetée 4,50 € au marché (oui, ils acceptent l'euro, avec un sourire).

Ce que je retiendrai : le silence des marais salants à Brackwater, le vol stationnaire d'un
faucon crécerelle au-dessus du vieux gazomètre, et l'accueil - chaleureux, naïf peut-être, mais
sincère - de tous ceux que nous avons croisés. Un vrai cœur de pays.

Ce texte est publié sous licence Creative Commons Attribution 4.0 International (CC BY 4.0) :
https://creativecommons.org/licenses/by/4.0/deed.fr - merci de citer l'autrice.
"""

README_LICENCE_MD = """\
# Field notes: birds of the Fennick estuary

A checklist kept by the Kestrelmouth Natural History Society, updated after every monthly walk.

## Winter (November to February)

| Species | Where | Notes |
|---|---|---|
| Brent goose | Brackwater saltmarsh | flocks of 200+ on the flood tide |
| Avocet | Pilot station lagoon | first recorded 2011, now regular |
| Short-eared owl | Fennick Vale water meadows | hunts at dusk along the flood bank |

## Summer (May to August)

| Species | Where | Notes |
|---|---|---|
| Little tern | Shingle spit by the lighthouse | fenced colony, keep to the path |
| Kestrel | Gasholder frame by the canal | hunting from the top rail most mornings |

## Reuse

These notes are shared so that anyone can copy, adapt and republish them, including commercially,
as long as they credit the Kestrelmouth Natural History Society.

SPDX-License-Identifier: CC-BY-4.0
"""

MIT_LICENSE = """\
MIT License

Copyright (c) 2021 Brackwater Instruments contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

UTIL_PY = '''\
# SPDX-License-Identifier: Apache-2.0
# Copyright 2021 Brackwater Instruments contributors
"""Unit helpers for the tide gauge logger."""


def mm_to_feet(mm: float) -> float:
    """Millimetres to feet, rounded to two places (the harbour board still publishes feet)."""
    return round(mm / 304.8, 2)


def moving_average(values: list[float], window: int = 5) -> list[float]:
    """Simple trailing moving average; the first window-1 points average what is available."""
    out = []
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1) : i + 1]
        out.append(sum(chunk) / len(chunk))
    return out
'''


def tiny_pdf() -> bytes:
    """A small well-formed one-page PDF (correct xref offsets) that clearlm does not read."""
    stream = b"BT /F1 14 Tf 72 720 Td (Gullwing & Brack - quarterly sales report, Q1 2024) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def build_misc(c: Corpus) -> None:
    c.write("misc/empty.txt", b"")
    c.add(Expect("misc/empty.txt", "zero-byte file", "quarantine", ["input.empty"]))

    c.write("misc/binary.txt", random.Random(20240520).randbytes(4096))
    c.add(
        Expect(
            "misc/binary.txt",
            "4096 random bytes (seeded) behind a .txt name",
            "quarantine",
            ["input.undecodable"],
            notes="must not be decoded as Latin-1 mojibake and passed on.",
        )
    )

    c.write("misc/latin1.txt", LATIN1_TEXT.encode("cp1252"))
    c.add(
        Expect(
            "misc/latin1.txt",
            "French travel note encoded in Windows-1252 (é, à, «», €, œ, ø; no BOM, not UTF-8) with a "
            "CC BY 4.0 line",
            "allow",
            ["license.cc-by"],
            license="CC-BY-4.0",
            curate="language.fr",
            notes="charset detection must read it as cp1252/latin-1 (the € sign is byte 0x80, cp1252 "
            "only); obligation: attribution to Hélène Duprat-Løkke.",
        )
    )

    c.write("misc/report.pdf", tiny_pdf())
    c.add(
        Expect(
            "misc/report.pdf",
            "a small valid PDF: a format clearlm does not read",
            "quarantine",
            ["input.unsupported-type"],
        )
    )

    c.write("misc/README-licence.md", README_LICENCE_MD.encode())
    c.add(
        Expect(
            "misc/README-licence.md",
            "Markdown notes ending in 'SPDX-License-Identifier: CC-BY-4.0'",
            "allow",
            ["license.cc-by"],
            license="CC-BY-4.0",
            notes="obligation: attribution to the Kestrelmouth Natural History Society.",
        )
    )

    c.write("misc/MIT-LICENSE.txt", MIT_LICENSE.encode())
    c.add(
        Expect(
            "misc/MIT-LICENSE.txt",
            "the full MIT licence text of a small code project (Brackwater Instruments)",
            "allow",
            ["license.open-source"],
            license="MIT",
            acceptable=["review"],
            notes="a licence text is itself freely copyable; it is also evidence for the project's files "
            "that carry no header of their own (util.py has its own header).",
        )
    )

    c.write("misc/util.py", UTIL_PY.encode())
    c.add(
        Expect(
            "misc/util.py",
            "Python file with '# SPDX-License-Identifier: Apache-2.0', next to an MIT licence file",
            "allow",
            ["license.open-source"],
            license="Apache-2.0",
            notes="ingest reads source files as text; the licence is Apache-2.0 from the file's own "
            "SPDX header, not MIT from the licence file beside it.",
        )
    )
