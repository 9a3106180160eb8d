"""Part counting (providers.md §4): GSM 7-bit 160/153, UCS-2 70/67, and costs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from providers.parts import Encoding, count_parts, send_cost


@pytest.mark.parametrize(
    ("text", "encoding", "length", "parts"),
    [
        ("", Encoding.GSM7, 0, 1),
        ("Hello", Encoding.GSM7, 5, 1),
        ("a" * 160, Encoding.GSM7, 160, 1),
        ("a" * 161, Encoding.GSM7, 161, 2),
        ("a" * 306, Encoding.GSM7, 306, 2),
        ("a" * 307, Encoding.GSM7, 307, 3),
        ("€" * 80, Encoding.GSM7, 160, 1),  # extension characters take two septets
        ("[" * 81, Encoding.GSM7, 162, 2),
        ("سلام", Encoding.UCS2, 4, 1),
        ("س" * 70, Encoding.UCS2, 70, 1),
        ("س" * 71, Encoding.UCS2, 71, 2),
        ("س" * 134, Encoding.UCS2, 134, 2),
        ("س" * 135, Encoding.UCS2, 135, 3),
        ("Hi سلام", Encoding.UCS2, 7, 1),  # one Persian letter makes the whole text UCS-2
        ("a" * 159 + "ی", Encoding.UCS2, 160, 3),
        ("😀", Encoding.UCS2, 2, 1),  # outside the BMP: two UTF-16 units
        ("😀" * 35, Encoding.UCS2, 70, 1),
        ("😀" * 36, Encoding.UCS2, 72, 2),
    ],
)
def test_count_parts(text: str, encoding: Encoding, length: int, parts: int) -> None:
    count = count_parts(text)
    assert (count.encoding, count.length, count.parts) == (encoding, length, parts)


def test_cost_uses_the_price_of_the_texts_encoding() -> None:
    fa, en = Decimal(112), Decimal(275)
    assert send_cost("سلام", 3, fa, en) == Decimal(336)
    assert send_cost("a" * 161, 2, fa, en) == Decimal(1100)
