"""Redact personal data (e-mail, phone, IP, card numbers) with typed placeholders; flag `pii.<kind>`.

Precision comes first: this runs over books, where numbers are years, page ranges, ISBNs, dates,
verse references and tables, and every false hit damages the text. So each kind matches only the
shapes it is written in, and is then validated:

- email: local@domain.tld, in any script. Found from each "@" outwards: a pattern that starts with the
  local part would be tried at every letter of a book.
- phone: international "+CC …" (8–15 digits, E.164); North American "(212) 555-0187",
  "212-555-0187", "212.555.0187", "1-800-555-0199" (area and exchange codes start 2–9, as NANP
  assigns them); European national numbers starting with a trunk 0 and written in groups ("020 7946
  0958", "01 23 45 67 89", "030/1234567", "(0171) 123 4567"), 9–12 digits. Not matched: bare digit
  runs and space-separated US numbers ("212 555 0187" is a table row as often as a number), anything
  with fewer digits (dates, years, page ranges "123-456"), ISBN-shaped groups, numbers after
  "ISBN"/"ISSN"/"DOI".
- ip: IPv4 with valid octets, not after "version", "v", "release", "section", "§" … (a version
  "1.2.3.4" or a section "4.1.2.10" is not an address) and not inside a longer dotted run; IPv6 as
  the standard library's `ipaddress` accepts it, with at least three groups ("a::b" is text, "::1"
  identifies no one).
- credit_card: 13–19 digits, run together or in the printed groups (4-4-4-4, 4-4-4-4-3, 4-6-5,
  4-6-4), first digit 2–6 (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay), Luhn-valid.

The evidence is counts per kind, never the data itself (the ledger must not become a PII store).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from clearlm.curate.config import PiiConfig
from clearlm.curate.words import invalidate
from clearlm.errors import ConfigError
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Annotator

PII_KINDS = ("email", "credit_card", "ip", "phone")  # also the order they are redacted in
PII_REASONS = {
    "pii.email": "flag: e-mail addresses were replaced by a placeholder (evidence: count per kind)",
    "pii.phone": "flag: phone numbers were replaced by a placeholder (evidence: count per kind)",
    "pii.ip": "flag: IPv4/IPv6 addresses were replaced by a placeholder (evidence: count per kind)",
    "pii.credit_card": "flag: Luhn-valid card numbers were replaced by a placeholder (evidence: counts)",
}

Span = tuple[int, int]

# Internationalised addresses too (rené@exämple.fr): letters and digits of any script.
_AT_DOMAIN = re.compile(r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,24}\b")
_LOCAL_PART = re.compile(r"[\w%+-][\w.%+-]{0,63}\Z")

_PHONE = re.compile(
    r"(?<![\w+./-])(?:"
    r"\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){2,6}"  # international
    r"|(?:1[ .-]?)?(?:\([2-9]\d\d\) ?[2-9]\d\d[ .-]\d{4}"  # North American
    r"|[2-9]\d\d(?P<sep>[.-])[2-9]\d\d(?P=sep)\d{4})"
    r"|(?:\(0\d{1,4}\) ?|0\d{1,4}[ /.-])\d{2,8}(?:[ .-]\d{2,8}){0,3}"  # European national (trunk 0)
    r")(?![\w/-]|[.,]\d)",
    re.ASCII,
)
_NOT_A_PHONE_BEFORE = re.compile(r"(?:isbn|issn|doi)[\s:-]*\Z", re.I)

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\w|\.\d)", re.ASCII)
_NOT_AN_IP_BEFORE = re.compile(
    r"(?:\bversions?|\bver\.?|\bv\.?|\brelease|\brev\.?|\bbuild|\bsection|\bsec\.|§|\bart\.|\barticle)\s*\Z",
    re.I,
)
_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f:]*:[0-9A-Fa-f]*:[0-9A-Fa-f:]*(?![\w:]|\.\d)")
# A cheap test whether IPv6 needs a look at all: books rarely hold "::" or three hex-colon groups.
_IPV6_HINT = re.compile(r"::|:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:")

_CARD = re.compile(
    r"(?<![\d.,-])[2-6](?:\d{12,18}"
    r"|\d{3}(?P<sep>[ -])\d{4}(?P=sep)\d{4}(?P=sep)\d{1,4}(?:(?P=sep)\d{3})?"
    r"|\d{3}(?P<sep2>[ -])\d{6}(?P=sep2)\d{4,5})"
    r"(?![\d-]|[.,]\d)",
    re.ASCII,
)

# Speed: a regex that starts with a digit class (or a lookbehind) is tried at every character, 1.5 s
# per pattern over 50 MB of books, where a digit is one character in 300. So numpy finds the digits
# once, and the patterns run only around clusters of them: at least _MIN_DIGITS digits (the fewest
# any pattern needs, "1.2.3.4"), with no gap wider than _GAP between neighbours. A window ends
# _AFTER characters past its last digit (room for the patterns' look-aheads), short of the next
# cluster, so no match is cut at a window's edge. Look-behinds see before a window's start.
_MIN_DIGITS, _GAP, _AFTER = 4, 12, 8
_memo: tuple[str, list[Span]] | None = None


def digit_windows(text: str) -> list[Span]:
    """Spans of `text` around its clusters of digits, where every number pattern can match."""
    global _memo
    memo = _memo  # one entry: the finders of one document, on text no earlier kind changed
    if memo is not None and memo[0] is text:
        return memo[1]
    try:
        codes: np.ndarray[Any, Any] = np.frombuffer(text.encode("ascii"), np.uint8)
    except UnicodeEncodeError:  # UTF-32 keeps one code per character, so offsets stay str offsets
        codes = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    at = np.flatnonzero((codes >= 48) & (codes <= 57))
    breaks = np.flatnonzero(np.diff(at) > _GAP)
    first, last = np.r_[0, breaks + 1], np.r_[breaks, at.size - 1]
    big = last - first + 1 >= _MIN_DIGITS
    lo = np.maximum(at[first[big]] - 1, 0).tolist()  # a leading "+" or "("
    hi = np.minimum(at[last[big]] + 1 + _AFTER, len(text)).tolist()
    windows = list(zip(lo, hi, strict=True)) if at.size else []
    _memo = (text, windows)
    return windows


def _numbers(rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    for lo, hi in digit_windows(text):
        yield from rx.finditer(text, lo, hi)


def _emails(text: str) -> Iterator[Span]:
    for m in _AT_DOMAIN.finditer(text):
        local = _LOCAL_PART.search(text, max(0, m.start() - 64), m.start())
        if local is not None:
            yield local.start(), m.end()


def _phones(text: str) -> Iterator[Span]:
    for m in _numbers(_PHONE, text):
        digits = sum(c.isdigit() for c in m.group())
        international = m.group().startswith("+")
        if not (8 if international else 9) <= digits <= (15 if international else 12):
            continue
        if _NOT_A_PHONE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue
        yield m.span()


def _ips(text: str) -> Iterator[Span]:
    spans = [
        m.span()
        for m in _numbers(_IPV4, text)
        if not _NOT_AN_IP_BEFORE.search(text, max(0, m.start() - 12), m.start())
    ]
    if _IPV6_HINT.search(text) is not None:
        spans += [m.span() for m in _IPV6.finditer(text) if _is_ipv6(m.group())]
    return iter(sorted(spans))


def _is_ipv6(candidate: str) -> bool:
    if sum(1 for group in candidate.split(":") if group) < 3:
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _cards(text: str) -> Iterator[Span]:
    for m in _numbers(_CARD, text):
        digits = "".join(c for c in m.group() if c.isdigit())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            yield m.span()


FINDERS: dict[str, Callable[[str], Iterator[Span]]] = {
    "email": _emails,
    "credit_card": _cards,
    "ip": _ips,
    "phone": _phones,
}


class RedactPII(Annotator):
    """Replace personal data of the configured kinds with placeholders; flag `pii.<kind>` with counts."""

    name = "pii"

    def __init__(self, config: PiiConfig) -> None:
        unknown = sorted(set(config.kinds) - set(PII_KINDS))
        if unknown:
            raise ConfigError(f"curate.pii.kinds: unknown kind(s) {unknown} (known: {', '.join(PII_KINDS)})")
        self.config = config
        self._kinds = [k for k in PII_KINDS if k in config.kinds]

    def placeholder(self, kind: str) -> str:
        return self.config.placeholder.replace("{KIND}", kind.upper())

    def annotate(self, doc: Document) -> tuple[list[str], dict[str, Any]]:
        text, counts = doc.text, dict[str, int]()
        for kind in self._kinds:
            # One kind at a time, on the text the previous kinds left: an address inside an e-mail
            # or a card number is not counted twice.
            text, n = redact(text, FINDERS[kind](text), self.placeholder(kind))
            if n:
                counts[kind] = n
        if not counts:
            return [], {}
        doc.text = text
        invalidate(doc)  # the shared word split is of the old text
        return [f"pii.{kind}" for kind in counts], counts


def scrub(text: str) -> str:
    """`text` with personal data of every kind replaced by the default placeholders (for evidence)."""
    for kind in PII_KINDS:
        text, _ = redact(text, FINDERS[kind](text), f"<{kind.upper()}>")
    return text


def redact(text: str, spans: Iterator[Span], placeholder: str) -> tuple[str, int]:
    """`text` with the (ordered, non-overlapping) spans replaced by `placeholder`, and how many."""
    pieces: list[str] = []
    at = n = 0
    for start, end in spans:
        if start < at:  # overlaps the previous hit (IPv4 inside an IPv6 form)
            continue
        pieces += (text[at:start], placeholder)
        at, n = end, n + 1
    if not n:
        return text, 0
    pieces.append(text[at:])
    return "".join(pieces), n
