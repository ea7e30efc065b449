"""Code-point <-> UTF-16 offsets: claimset counts Python code points, Label Studio UTF-16 units.

Characters outside the Basic Multilingual Plane (most emoji, some CJK) are one code point
but two UTF-16 units, so every offset after one of them differs between the two.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_WIDE = re.compile("[\U00010000-\U0010ffff]")


class OffsetMap:
    """Converts offsets into one text both ways, in O(log n) per offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        # code-point positions of the characters that take two UTF-16 units
        self._wide = [m.start() for m in _WIDE.finditer(text)]
        # their UTF-16 positions
        self._wide16 = [i + n for n, i in enumerate(self._wide)]

    def to_utf16(self, offset: int) -> int:
        """UTF-16 offset of the code-point ``offset``."""
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} outside the text (length {len(self.text)})")
        return offset + bisect_right(self._wide, offset - 1)

    def from_utf16(self, offset16: int) -> int:
        """Code-point offset of the UTF-16 ``offset16``; ValueError inside a surrogate pair or outside."""
        length16 = len(self.text) + len(self._wide)
        if not 0 <= offset16 <= length16:
            raise ValueError(f"UTF-16 offset {offset16} outside the text (length {length16})")
        before = bisect_right(self._wide16, offset16 - 1)  # wide characters starting before it
        if before and self._wide16[before - 1] == offset16 - 1:
            raise ValueError(f"UTF-16 offset {offset16} splits a surrogate pair")
        return offset16 - before


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what JavaScript's ``length`` says)."""
    return len(text) + len(_WIDE.findall(text))
