"""Public domain by age: a title page whose only copyright claim has expired.

A book printed in 1911 says "Copyright, 1911, by Loxley & Dunn. All rights reserved." on its title
page; under US law (95 years from publication for works of that era) the claim expired long ago and
the work is public domain. This detector turns such a title page into positive evidence,
`license.public-domain` with kind "copyright-expired", under strict conditions so that it never
allows a modern work:

- the claim stands on a line of its own ("Copyright, 1911," / "© 1911 …") within the first 5,000
  characters, where title pages are, not inside a sentence;
- every year on those claim lines is before `policy.public_domain_before_year`;
- no year at or after that cutoff appears anywhere in the first 10,000 characters (a modern
  edition's imprint, a later renewal, a reprint date).

Anything that makes the edition modern (ISBN, CIP data, "no part of this publication", a recent ©)
is reported by `clear.copyright`, and any deny beats this allow.
"""

from __future__ import annotations

import re

from clearlm.clear.policy import Policy
from clearlm.clear.signals import Signal, span_evidence
from clearlm.pipeline.document import Document
from clearlm.reasons import LICENSE_PUBLIC_DOMAIN

TITLE_PAGE = 5_000
HEAD = 10_000
_CLAIM_LINE = re.compile(
    r"^[ \t]*(?:copyright(?:ed)?|©|\(c\))[ \t,.:]*(?:(?:by|in)[ \t]+)?(?P<year>1[5-9]\d\d)\b[^\n]{0,80}$",
    re.I | re.M,
)
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def detect_expired_copyright(doc: Document, policy: Policy) -> list[Signal]:
    head = doc.text[:HEAD]
    claims = list(_CLAIM_LINE.finditer(head[:TITLE_PAGE]))
    if not claims:
        return []
    cutoff = policy.public_domain_before_year
    if any(int(y) >= cutoff for y in _YEAR.findall(head)):
        return []
    first = claims[0]
    year = max(int(y) for c in claims for y in _YEAR.findall(c.group(0)))
    evidence = span_evidence(
        doc.text, first, kind="copyright-expired", year=year, public_domain_before=cutoff
    )
    return [Signal(LICENSE_PUBLIC_DOMAIN, evidence)]
