"""StopText: streamed pieces add up to the whole text, cut at stop strings, never half a character."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from clearlm.serve.choice import StopText


def byte_decode(ids: Sequence[int]) -> str:
    """Each id is one byte, as in a byte-level vocabulary without merges."""
    return bytes(ids).decode("utf-8", errors="replace")


def run(text: bytes, stops: Sequence[str]) -> tuple[list[str], bool]:
    stream = StopText(byte_decode, stops)
    pieces = []
    for byte in text:
        pieces.append(stream.push(byte))
        if stream.stopped:
            return pieces, True
    pieces.append(stream.finish())
    return pieces, False


def test_without_stops_every_byte_is_sent_once() -> None:
    pieces, stopped = run(b"hello world", [])
    assert "".join(pieces) == "hello world" and not stopped
    assert pieces[:3] == ["h", "e", "l"]


def test_a_stop_split_over_tokens_cuts_the_text_before_it() -> None:
    pieces, stopped = run(b"one END two", ["END"])
    assert stopped and "".join(pieces) == "one "
    # "E" and "EN" could begin the stop: they are held back, never sent and then taken back.
    assert "E" not in "".join(pieces)


def test_a_held_back_prefix_is_released_when_it_stops_matching() -> None:
    pieces, stopped = run(b"an ENd", ["END"])
    assert not stopped and "".join(pieces) == "an ENd"
    assert pieces[3:6] == ["", "", "ENd"]  # "E", "EN" held; "ENd" cannot become "END"


def test_the_earliest_of_several_stops_wins() -> None:
    pieces, stopped = run(b"abc STOP xyz END", ["END", " STOP"])
    assert stopped and "".join(pieces) == "abc"


def test_text_held_back_at_the_end_is_flushed_by_finish() -> None:
    pieces, stopped = run(b"almost EN", ["END"])
    assert not stopped and pieces[-1] == "EN" and "".join(pieces) == "almost EN"


def test_a_multibyte_character_is_sent_whole() -> None:
    euro = "€".encode()  # three bytes
    pieces, _ = run(b"a" + euro + b"b", [])
    assert pieces == ["a", "", "", "€", "b", ""]


def test_a_stop_string_with_a_multibyte_character() -> None:
    pieces, stopped = run("price: 5€ only".encode(), ["€"])
    assert stopped and "".join(pieces) == "price: 5"


def reference(text: str, stops: Sequence[str]) -> str:
    """Generation ends at the first prefix holding a stop; the text ends where that stop begins."""
    for end in range(1, len(text) + 1):
        found = [text[:end].find(s) for s in stops if s in text[:end]]
        if found:
            return text[: min(found)]
    return text


@pytest.mark.parametrize("stops", [["ab"], ["b", "abc"], ["c", "ab"], ["zz"], ["cab", "bca"]])
def test_stream_equals_whole_decoding_cut_at_the_first_completed_stop(stops: list[str]) -> None:
    text = "xxabcabc"
    pieces, _ = run(text.encode(), stops)
    assert "".join(pieces) == reference(text, stops)


def test_an_invalid_byte_is_sent_as_a_replacement_character_once_followed() -> None:
    pieces, _ = run(b"\xffab", [])
    assert pieces == ["", "\ufffda", "b", ""]
    assert run(b"ab\xe2\x82", [])[0][-1] == "\ufffd"  # an unfinished character at the end is flushed


def test_a_decoder_that_joins_with_spaces_streams_its_whole_text() -> None:
    # Like word-piece or SentencePiece decoders, decoding two ids is not decoding each and concatenating.
    words = ["The", "quick", "brown", "fox", "STOP", "jumps"]

    def decode(ids: Sequence[int]) -> str:
        return " ".join(words[i] for i in ids)

    for stops, expected in (([], " ".join(words)), (["STOP"], "The quick brown fox ")):
        stream = StopText(decode, stops)
        pieces = [stream.push(i) for i in range(len(words)) if not stream.stopped]
        pieces.append(stream.finish())
        assert "".join(pieces) == expected
