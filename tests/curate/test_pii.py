"""PII redaction: typed placeholders for real personal data, nothing for the numbers books are full of."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clearlm.curate.boilerplate import StripBoilerplate
from clearlm.curate.config import BoilerplateConfig, PiiConfig
from clearlm.curate.pii import PII_KINDS, PII_REASONS, RedactPII, luhn_valid
from clearlm.errors import ConfigError
from clearlm.pipeline.document import Document
from clearlm.pipeline.step import Verdict

SHARED = Path("/work/shared/data/gutenberg")


def redact(text: str, **config: Any) -> tuple[str, Verdict]:
    doc = Document.create("t/a.txt", text, "test")
    verdict = RedactPII(PiiConfig(**config)).process(doc)
    return doc.text, verdict


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("Write to jane.doe+books@example.co.uk, or to j_smith@mail.example.org.",
         "Write to <EMAIL>, or to <EMAIL>.", "email"),
        ("Écrivez à rené@exämple.fr avant lundi.", "Écrivez à <EMAIL> avant lundi.", "email"),
        ("Call (212) 555-0187, 212-555-0187, 212.555.0187 or 1-800-555-0199 today.",
         "Call <PHONE>, <PHONE>, <PHONE> or <PHONE> today.", "phone"),
        ("Ring +44 20 7946 0958, +33 1 23 45 67 89 or +1 (212) 555-0187.",
         "Ring <PHONE>, <PHONE> or <PHONE>.", "phone"),
        ("In London dial 020 7946 0958; in Paris 01 23 45 67 89; in Berlin 030/1234567 or (0171) 123 4567.",
         "In London dial <PHONE>; in Paris <PHONE>; in Berlin <PHONE> or <PHONE>.", "phone"),
        ("The café's telephone No. 020 7946 0958 ☎ rang.",
         "The café's telephone No. <PHONE> ☎ rang.", "phone"),
        ("Logged in from 192.168.10.20 and 8.8.8.8.", "Logged in from <IP> and <IP>.", "ip"),
        ("The server at 2001:db8:85a3::8a2e:370:7334 answered.", "The server at <IP> answered.", "ip"),
        ("Card 4111 1111 1111 1111 or 4111-1111-1111-1111; Amex 378282246310005 or 3782 822463 10005.",
         "Card <CREDIT_CARD> or <CREDIT_CARD>; Amex <CREDIT_CARD> or <CREDIT_CARD>.", "credit_card"),
    ],
)  # fmt: skip
def test_personal_data_is_replaced(text: str, expected: str, kind: str) -> None:
    out, verdict = redact(text)
    assert out == expected
    assert verdict.decision == "flag" and verdict.reasons == (f"pii.{kind}",)
    assert verdict.evidence == {kind: expected.count(f"<{kind.upper()}>")}


@pytest.mark.parametrize(
    "text",
    [
        "The war lasted 1861-1865; see pp. 123-456 and pages 1203-1207 of volume 12.",
        "The years 1914 1918 1939 1945 were hard; 1,000,000 men in 1,234,567,890 acres.",
        "ISBN 0-306-40615-2, ISBN 978-0-306-40615-7, ISBN 0 306 40615 2 and ISSN 0317-8471.",
        "Dated 28.05.2009, 12/25/1999 and 2009-05-28, at 10:30:45, reading John 3:16 and Gen. 1:1:2.",
        "Pi is 3.14159265358979; e is 2.718281828459045; the sum 123456789 + 987654321.",
        "Not 256.1.1.1, nor 1.2.3.4.5; version 1.2.3.4, v2.0.1.7, release 10.0.0.1, section 4.1.2.10.",
        "Short forms fe80::1 and ::1 name no one; the ratio a::b; the clock said 12:30:45.",
        "Luhn-invalid 4111 1111 1111 1112; a table 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17.",
        "Local numbers such as 555-0187 and page references 212-555 stay.",
    ],
)
def test_the_numbers_of_books_are_left_alone(text: str) -> None:
    out, verdict = redact(text)
    assert out == text
    assert (verdict.decision, verdict.reasons, verdict.evidence) == ("keep", (), {})


def test_only_configured_kinds_and_a_custom_placeholder() -> None:
    text = "Mail ann@example.org or call (212) 555-0187."
    out, verdict = redact(text, kinds=["email"], placeholder="[{KIND} REMOVED]")
    assert out == "Mail [EMAIL REMOVED] or call (212) 555-0187."
    assert verdict.reasons == ("pii.email",)


def test_the_evidence_holds_counts_never_the_data() -> None:
    text = "Contact ann@example.org, bob@example.org, (212) 555-0187 or 10.1.2.3 with 4111 1111 1111 1111."
    _, verdict = redact(text)
    assert verdict.evidence == {"email": 2, "credit_card": 1, "ip": 1, "phone": 1}
    assert verdict.reasons == ("pii.email", "pii.credit_card", "pii.ip", "pii.phone")
    dumped = json.dumps(verdict.evidence)
    assert "example" not in dumped and "555" not in dumped and "4111" not in dumped


def test_offsets_hold_in_text_beyond_latin_1() -> None:
    out, _ = redact("日本語の文章 — 電話 (212) 555-0187 😀 and a@example.jp 终")
    assert out == "日本語の文章 — 電話 <PHONE> 😀 and <EMAIL> 终"


def test_luhn() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("378282246310005") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112") and not luhn_valid("79927398710")


def test_unknown_kinds_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="ssn"):
        RedactPII(PiiConfig(kinds=["email", "ssn"]))


def test_every_reason_is_described() -> None:
    assert set(PII_REASONS) == {f"pii.{kind}" for kind in PII_KINDS}


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared Gutenberg books not present")
def test_a_real_books_only_pii_is_in_the_licence() -> None:
    path = (
        SHARED / "Alcott, Louisa May" / "A Modern Cinderella; Or, The Little Old Shoe, and Other Stories.txt"
    )
    raw = path.read_text(encoding="utf-8")
    _, verdict = redact(raw)
    assert verdict.evidence == {"email": 2, "phone": 1}  # PG's addresses and Salt Lake City office number
    doc = Document.create("t/b.txt", raw, "test")
    StripBoilerplate(BoilerplateConfig()).process(doc)
    assert RedactPII(PiiConfig()).process(doc).evidence == {}
