"""Bytes → text, and the small helpers every reader shares.

Decoding is conservative on purpose: a wrong guess silently turns a document into mojibake that then
flows into training, so anything that does not decode cleanly into mostly printable text goes to
quarantine instead (INPUT_UNDECODABLE), where a person can look at it.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

from clearlm.pipeline.document import Malformed
from clearlm.reasons import INPUT_EMPTY, INPUT_UNDECODABLE

# Malformed.raw keeps at most this many bytes of the offending input: enough to recognise it.
MAX_RAW = 4096
# Share of characters that must be printable (or ordinary whitespace) for a decode to count as text.
# Binary decoded as Latin-1/cp1252 lands near 0.9 (control bytes); real prose sits at ~1.0.
MIN_PRINTABLE = 0.97
# Detection looks at this much of a big input; charset-normalizer is slow on many megabytes.
DETECT_BYTES = 256 * 1024

# C0 controls other than \t \n \v \f \r, DEL, C1 controls, and the replacement character: what
# binary decoded as text is full of, and prose almost never holds.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class DecodeError(Exception):
    """Internal: the bytes are not usable text. `reason` is the INPUT_* code for the Malformed."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def decode_bytes(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used) or raise DecodeError (INPUT_UNDECODABLE / INPUT_EMPTY).

    Order: UTF-8 (BOM stripped) → UTF-16 with a BOM → the declared charset (HTTP header or HTML meta)
    → charset-normalizer's best guess. Every candidate must also pass the printable check, because
    Latin-1 "decodes" any byte string and NUL-filled junk is valid UTF-8.
    """
    if not raw.strip():
        raise DecodeError(INPUT_EMPTY, "no text (zero bytes or whitespace only)")
    candidates: list[tuple[bytes, str]] = []
    if raw.startswith(codecs.BOM_UTF8):
        candidates.append((raw[len(codecs.BOM_UTF8) :], "utf-8-sig"))
    elif raw.startswith(_UTF16_BOMS):
        candidates.append((raw, "utf-16"))  # the utf-16 codec reads and strips the BOM itself
    else:
        candidates.append((raw, "utf-8"))
    if declared and _known_codec(declared):
        candidates.append((raw, declared.lower()))
    for data, encoding in candidates:
        text = _try_decode(data, encoding)
        if text is not None:
            return _nonblank(text), encoding
    guess = _detect(raw[:DETECT_BYTES])
    if guess is not None:
        text = _try_decode(raw, guess)
        if text is not None:
            return _nonblank(text), guess
    tried = ", ".join(enc for _, enc in candidates)
    found = f"detected {guess}" if guess is not None else "no charset detected"
    raise DecodeError(INPUT_UNDECODABLE, f"not text: tried {tried}; {found}; not clean printable text")


def printable_ratio(text: str) -> float:
    """Share of characters that are not control characters or U+FFFD.

    Counted with one regex at C speed: a per-character `isprintable()` loop cost more than the rest
    of ingest together on books with no-break spaces or soft hyphens (which are not "printable").
    """
    if not text:
        return 1.0
    return 1.0 - len(_CONTROL_RE.findall(text)) / len(text)


def declared_charset(head: bytes) -> str | None:
    """The charset named in an HTML <meta> or a Content-Type value, if any (first match wins)."""
    match = _CHARSET_RE.search(head)
    return match.group(1).decode("ascii") if match else None


def quarantine(
    path: Path, position: str, reason: str, detail: str, raw: bytes = b"", source: str = ""
) -> Malformed:
    """One Malformed with the conventions every reader follows (one-line detail, raw capped)."""
    # One printable line: details end up in tables and terminals, raw bytes belong in `raw`.
    one_line = "".join(c if c.isprintable() else "?" for c in " ".join(detail.split()))[:500]
    return Malformed(
        file=str(path), position=position, reason=reason, detail=one_line, raw=raw[:MAX_RAW], source=source
    )


def _detect(raw: bytes) -> str | None:
    """charset-normalizer's best guess, with two corrections learned from real inputs."""
    matches = from_bytes(raw)
    best = matches.best()
    if best is None:
        return None
    # Without a BOM, a UTF-16/32 guess on bytes that are not UTF-8 is nearly always binary read as
    # CJK soup; UTF-16 with a BOM was already handled above.
    if best.encoding.startswith(("utf_16", "utf_32")):
        return None
    # Western prose often scores the same in several single-byte code pages (é/è are valid in
    # cp1250 too). Ties go to windows-1252, the web's default legacy encoding (WHATWG), so French
    # "très" does not come out as Czech "trčs".
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    if any("cp1252" in m.could_be_from_charset for m in tied):
        return "cp1252"
    return str(best.encoding) if _known_codec(best.encoding) else None


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)  # strict: a single bad byte rejects this candidate
    except (UnicodeDecodeError, LookupError):
        return None
    return text if printable_ratio(text) >= MIN_PRINTABLE else None


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _nonblank(text: str) -> str:
    # A BOM-only or whitespace-only payload is empty after decoding, whatever its encoding.
    if not text.strip():
        raise DecodeError(INPUT_EMPTY, "no text (whitespace only)")
    return text
