"""Code point <-> UTF-16 offsets, as Label Studio counts them in the browser."""

from __future__ import annotations

import pytest

from builder.studio.offsets import OffsetMap, utf16_len

TEXTS = [
    "plain ASCII text",
    "Café crème, naïve façade: accents are one unit in both",
    "Emoji 😀 before, 🇫🇷 flags (two code points, four units) and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 after",
    "😀😀😀",
    "",
]


def utf16_offset(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


@pytest.mark.parametrize("text", TEXTS)
def test_every_offset_round_trips_and_matches_javascript_counting(text):
    offsets = OffsetMap(text)
    for i in range(len(text) + 1):
        u = offsets.to_utf16(i)
        assert u == utf16_offset(text, i)
        assert offsets.from_utf16(u) == i
    assert utf16_len(text) == len(text.encode("utf-16-le")) // 2


def test_a_span_after_emoji_selects_the_same_text_in_both_counts():
    text = "Le maire 😀 a dit que 42 % des écoles 🏫 ont fermé."
    start = text.index("42 %")
    end = text.index(" ont")
    offsets = OffsetMap(text)
    s16, e16 = offsets.to_utf16(start), offsets.to_utf16(end)
    assert (s16, e16) == (start + 1, end + 2)  # one emoji before the start, two before the end
    assert text.encode("utf-16-le")[2 * s16 : 2 * e16].decode("utf-16-le") == "42 % des écoles 🏫"
    assert text[offsets.from_utf16(s16) : offsets.from_utf16(e16)] == "42 % des écoles 🏫"


def test_offsets_inside_a_surrogate_pair_or_outside_the_text_are_refused():
    offsets = OffsetMap("a😀b")
    with pytest.raises(ValueError, match="surrogate"):
        offsets.from_utf16(2)
    with pytest.raises(ValueError, match="outside"):
        offsets.from_utf16(5)
    with pytest.raises(ValueError, match="outside"):
        offsets.to_utf16(4)
