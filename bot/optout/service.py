"""Opt-out without Telegram: which SMS bodies ask to be sent nothing more, and which numbers of
a send are on its line's list.

The regulator has service lines honour a reply of `11` (their texts end in «لغو ۱۱»); people
also write `لغو` alone, `لغو11`, or `stop`. Only a body that is nothing but one of these counts
(a customer writing "please don't stop" is not opting out): digits in any script, spaces, case
and invisible marks do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from providers.phone import to_ascii_digits
from storage.base import Storage

_OPT_OUT_BODY: Final = re.compile(r"11|لغو[\s\u200c]*(?:11)?|stop")
# Zero-width marks, direction marks, the kashida: none changes what was meant.
_INVISIBLE: Final = re.compile(r"[\u200b\u200d-\u200f\u2066-\u2069\u0640\ufeff]+")


def is_opt_out_request(body: str) -> bool:
    """Whether an SMS body, whole, asks the line to send its sender nothing more."""
    plain = _INVISIBLE.sub("", to_ascii_digits(body)).strip().casefold()
    return _OPT_OUT_BODY.fullmatch(plain) is not None


async def opted_out_recipients(repo: Storage, line: str, numbers: Sequence[str]) -> list[str]:
    """The recipients of a send from `line` that are on its opt-out list, in their order."""
    listed = await repo.opted_out_among(line, numbers)
    return [n for n in numbers if n in listed]
