"""How many SMS parts a text takes (GSM 7-bit vs UCS-2) and what a send costs."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

# GSM 03.38 basic set and its extension table (extension characters take two septets).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


class Encoding(enum.StrEnum):
    """The alphabet a text is sent in."""

    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True, slots=True)
class PartCount:
    """A text's encoding, its length in that encoding's units, and its number of parts."""

    encoding: Encoding
    length: int  # septets for GSM 7-bit, UTF-16 code units for UCS-2
    parts: int


def count_parts(text: str) -> PartCount:
    """Count parts: GSM 7-bit 160 in one part / 153 per part; UCS-2 70 / 67 (providers.md §4)."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        length = sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, Encoding.GSM7
    else:
        # Characters outside the Basic Multilingual Plane (most emoji) take two UTF-16 units.
        length = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, Encoding.UCS2
    parts = 1 if length <= single else -(-length // multi)
    return PartCount(encoding, length, parts)


def send_cost(text: str, recipients: int, ucs2_part: Decimal, gsm7_part: Decimal) -> Decimal:
    """parts × recipients × the price of one part in the text's encoding."""
    count = count_parts(text)
    price = ucs2_part if count.encoding is Encoding.UCS2 else gsm7_part
    return price * count.parts * recipients
