"""How a message is laid out on screen: the Unicode bidi algorithm (UAX #9, by python-bidi),
one paragraph per line and its direction from its first strong character, as Telegram's
clients do.

(On pytest's pythonpath next to bridge_harness; the tests import it as `bidi_layout`.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bidi import get_base_level, get_display

_CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
# A number as a reader takes it: a sign or `#`, digit groups joined by one separator (so a phone
# number `+98 912 765 4321` and a date `1405/09/01 14:00` are one number each); and a command,
# with its argument if it has one (`/status 12`). Isolates end a number: what they separate
# reads apart.
_DIGITS = r"[#+\-]?[0-9۰-۹]+(?:[ ,./:٬٫][0-9۰-۹]+)*"
NUMBER = re.compile(rf"(?<![\w/])/[a-z_]+(?: {_DIGITS})?|{_DIGITS}")


def shown(text: str) -> str:
    """The text without its invisible direction marks and isolates: what a person reads."""
    return _CONTROLS.sub("", text)


@dataclass(frozen=True)
class Line:
    """One paragraph: as written (logical) and as shown left to right on screen (visual)."""

    logical: str
    visual: str
    right_to_left: bool
    numbers: tuple[str, ...]

    @property
    def misordered(self) -> list[str]:
        """The numbers that do not read on screen as they were written."""
        return [n for n in self.numbers if n not in self.visual]


def layout(text: str) -> list[Line]:
    """Every line of a message's plain text, laid out."""
    lines = []
    for paragraph in text.split("\n"):
        if not paragraph:
            lines.append(Line("", "", False, ()))
            continue
        rtl = get_base_level(paragraph) == 1
        visual = get_display(paragraph, base_dir="R" if rtl else "L")
        assert isinstance(visual, str)
        numbers = tuple(shown(n).strip() for n in NUMBER.findall(paragraph))
        lines.append(Line(shown(paragraph), shown(visual), rtl, numbers))
    return lines


def layout_problems(text: str, *, own_direction: tuple[str, ...] = ()) -> list[str]:
    """What right-to-left layout would get wrong in a Persian message: a number shown in
    another order than written, or a line of our text laid out left to right. Lines that are
    someone else's text (an SMS body, listed in `own_direction`) keep their own direction."""
    problems = []
    for line in layout(text):
        problems += [f"{n!r} shows as {line.visual!r}" for n in line.misordered]
        if line.logical.strip() and not line.right_to_left and line.logical not in own_direction:
            problems.append(f"left to right: {line.logical!r}")
    return problems
