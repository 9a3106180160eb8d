"""The one way values go into the bot's texts (`fa.py`, `en.py` beside this hold the texts).

`t` HTML-escapes every value and formats it for the language. In Persian: counts, amounts and
times get Persian digits; phone numbers, lines and ids are wrapped in Unicode directional
isolates so that right-to-left layout never reorders them; every line of Persian text is laid
out right to left, whatever value it starts with. English templates choose singular or plural
with `{count|recipient|recipients}` (the word for the value of `count`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Final
from zoneinfo import ZoneInfo

import jdatetime

from bot.texts import en, fa
from providers.base import ProviderError

LANGUAGES: Final = ("fa", "en")
TEHRAN: Final = ZoneInfo("Asia/Tehran")

# Unicode directional marks and isolates (UAX #9).
LRM: Final = "\u200e"
RLM: Final = "\u200f"
LRI: Final = "\u2066"
FSI: Final = "\u2068"
PDI: Final = "\u2069"
BIDI_CONTROLS: Final = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

_FA: Final = fa.TEXTS
_EN: Final = en.TEXTS
_TEXTS: Final = {"fa": _FA, "en": _EN}


class Raw(str):
    """A value that is already HTML and must not be escaped again."""


# ---------------------------------------------------------------- values

# Placeholders whose values are phone numbers, lines or ids: kept in Latin digits (they are
# typed back into commands) and isolated so that right-to-left layout never reorders them.
_ID_FIELDS: Final = frozenset(
    {"number", "sender", "recipient", "line", "lines", "raw", "code", "phone", "mobile"}
)
# Placeholders whose values are names or free text from outside: isolated in Persian lines when
# they hold anything (Latin letters, digits, punctuation) that could pull the text around.
_NAME_FIELDS: Final = frozenset(
    {"account", "provider", "name", "value", "current", "text", "error", "title", "choice"}
)
_PLACEHOLDER = re.compile(r"\{(\w+)(?:\|([^{}|]*)\|([^{}|]*))?\}")
# A `#` right before an id belongs with it: `#12`.
_ID_PREFIX = re.compile(r"#$")
# A command, with the id it takes if any, reads left to right in Persian text too (`/status 12`,
# not `status 12/`); so does a usage example in <code> that starts with one.
_COMMAND = re.compile(r"(?<![\w/<])/(?:[a-z_]+|\{\w+\})(?: \{\w+\})?")
_CODE_COMMAND = re.compile(r"<code>(/[^<]*)</code>")
_TAG = re.compile(r"<[^>]*>")
_NUMERIC = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_JALALI_TEXT = re.compile(r"(\d{4}/\d{2}/\d{2}) (\d{2}:\d{2})")
_PERSIAN_DIGITS: Final = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_PERSIAN_NUMBER: Final = str.maketrans("0123456789,.", "۰۱۲۳۴۵۶۷۸۹٬٫")
_STRONG_RTL: Final = frozenset({"R", "AL"})
_ISOLATE_OPEN: Final = frozenset({"LRI", "RLI", "FSI"})
# Right-to-left letters, spaces and marks sit in Persian text as they are; anything else (Latin
# letters, digits, punctuation) would join the numbers and signs around it into one run.
_FREE_CLASSES: Final = frozenset({"R", "AL", "WS", "NSM", "BN"})


def _language(lang: str) -> str:
    return lang if lang in _TEXTS else "fa"


def _is_id_field(name: str) -> bool:
    return name in _ID_FIELDS or name == "id" or name.endswith("_id")


def persian_digits(text: str) -> str:
    """Latin digits as Persian digits (nothing else changes)."""
    return text.translate(_PERSIAN_DIGITS)


def format_number(lang: str, value: int | Decimal | float) -> str:
    """A count or an amount: thousands grouped; Persian digits and separators in Persian."""
    number: int | Decimal = value if isinstance(value, int) else Decimal(str(value))
    if isinstance(number, Decimal) and number == number.to_integral_value():
        number = int(number)
    text = f"{number:,}"
    if _language(lang) != "fa":
        return text
    text = text.translate(_PERSIAN_NUMBER)
    # A sign before Persian digits moves to their other side in right-to-left text.
    return f"{LRI}{text}{PDI}" if text.startswith("-") else text


def format_time(lang: str, moment: datetime) -> str:
    """A moment as Jalali date and Tehran time: `۱۴۰۵/۰۹/۰۱ ساعت ۱۴:۰۰` / `1405/09/01 14:00`."""
    local = jdatetime.datetime.fromgregorian(datetime=moment.astimezone(TEHRAN))
    return _time_text(lang, str(local.strftime("%Y/%m/%d")), str(local.strftime("%H:%M")))


def _time_text(lang: str, date: str, clock: str) -> str:
    if _language(lang) == "fa":
        date, clock = persian_digits(date), persian_digits(clock)
    return t(lang, "time", date=Raw(date), clock=Raw(clock))


def provider_reason(lang: str, error: ProviderError) -> str:
    """Why a provider call failed, in the user's language (HTML-safe).

    The reason is looked up by the error's `reason_key`, else by provider and code; failing
    both, English shows the adapter's own words and Persian the category's, with the code.
    """
    key = error.reason_key or (
        f"{error.provider}.{error.code}" if error.provider and error.code else ""
    )
    if key and f"reason.{key}" in _FA:
        return t(lang, f"reason.{key}")
    if _language(lang) == "en" and error.reason:
        return html.escape(error.reason, quote=False)
    general = t(lang, f"reason.category.{error.category.value}")
    if error.code:
        return t(lang, "reason.with_code", reason=Raw(general), code=error.code)
    return general


def _needs_isolation(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) not in _FREE_CLASSES for ch in text)


def _isolated(text: str, opener: str) -> str:
    return f"{opener}{text}{PDI}"


def _value(lang: str, name: str, value: object, *, inline: bool) -> str:
    """One placeholder's value, escaped and formatted for the language."""
    persian = _language(lang) == "fa"
    if isinstance(value, Raw):
        return value
    if isinstance(value, ProviderError):
        return provider_reason(lang, value)
    if isinstance(value, datetime):
        return format_time(lang, value)
    if isinstance(value, (list, tuple)):
        items = [_value(lang, name, item, inline=True) for item in value]
        return ("، " if persian else ", ").join(items)
    if isinstance(value, bool):
        return str(value)
    if _is_id_field(name):
        text = html.escape(str(value), quote=False)
        if persian and inline and not text.isdigit():
            return _isolated(text, LRI)
        return text
    if isinstance(value, (int, Decimal, float)):
        return format_number(lang, value)
    text = str(value)
    if name not in _NAME_FIELDS:
        # Values a caller formatted already: numbers and times still get the language's digits.
        if _NUMERIC.fullmatch(text):
            try:
                return format_number(lang, Decimal(text.replace(",", "")))
            except InvalidOperation:
                pass
        if (moment := _JALALI_TEXT.fullmatch(text)) is not None:
            return _time_text(lang, moment.group(1), moment.group(2))
    escaped = html.escape(text, quote=False)
    free_text = persian and inline and name in _NAME_FIELDS and "\n" not in text
    return _isolated(escaped, FSI) if free_text and _needs_isolation(text) else escaped


def _is_one(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, Decimal, float)):
        return value == 1
    return str(value).strip() == "1"


def _first_strong(html_line: str) -> str | None:
    """The bidi class (L, R or AL) of the first strong character outside isolates."""
    depth = 0
    for ch in html.unescape(_TAG.sub("", html_line)):
        kind = unicodedata.bidirectional(ch)
        if kind in _ISOLATE_OPEN:
            depth += 1
        elif kind == "PDI":
            depth = max(depth - 1, 0)
        elif depth == 0 and kind in ("L", "R", "AL"):
            return kind
    return None


def _with_direction(lang: str, line: str) -> str:
    """A line of template text, laid out in the language's direction whatever it starts with."""
    if not line.strip():
        return line
    first = _first_strong(line)
    if _language(lang) == "fa":
        return line if first in _STRONG_RTL else RLM + line
    return LRM + line if first in _STRONG_RTL else line


def _isolate_commands(line: str) -> str:
    """Commands and command examples in a Persian template line, isolated left to right."""
    examples = _CODE_COMMAND.split(line)
    for index, piece in enumerate(examples):
        examples[index] = (
            f"<code>{LRI}{piece}{PDI}</code>"
            if index % 2
            else _COMMAND.sub(lambda m: _isolated(m.group(0), LRI), piece)
        )
    return "".join(examples)


def _render_line(lang: str, line: str, values: Mapping[str, object]) -> str:
    matches = list(_PLACEHOLDER.finditer(line))
    if len(matches) == 1 and matches[0].group(0) == line:
        # A value alone on its line (an SMS body, a list of lines made by `t`) keeps its own
        # layout: isolating it, or marking its direction, would change how it reads.
        return _value(lang, line[1:-1], values[line[1:-1]], inline=False)
    persian = _language(lang) == "fa"
    if persian:
        line = _isolate_commands(line)
        matches = list(_PLACEHOLDER.finditer(line))
    pieces: list[str] = []
    position = 0
    for match in matches:
        literal = line[position : match.start()]
        name, singular, plural = match.group(1), match.group(2), match.group(3)
        value = values[name]
        if singular is not None:
            text = singular if _is_one(value) else plural
        else:
            text = _value(lang, name, value, inline=True)
            prefix = _ID_PREFIX.search(literal)
            if persian and _is_id_field(name) and prefix is not None:
                literal = literal[: prefix.start()]
                bare = text.removeprefix(LRI).removesuffix(PDI)
                text = _isolated(prefix.group(0) + bare, LRI)
        pieces += [literal, text]
        position = match.end()
    pieces.append(line[position:])
    return _with_direction(lang, "".join(pieces))


def t(lang: str, key: str, /, **values: object) -> str:
    """The text `key` in `lang` (falling back to Persian), every value escaped and formatted."""
    table = _TEXTS.get(lang, _FA)
    template = table.get(key) or _FA[key]
    return "\n".join(_render_line(lang, line, values) for line in template.split("\n"))


def without_bidi_controls(text: str) -> str:
    """The text with its invisible direction marks and isolates taken out."""
    return "".join(ch for ch in text if ch not in BIDI_CONTROLS)


def missing_keys() -> dict[str, set[str]]:
    """Keys one language has and another lacks (a test keeps this empty)."""
    keys = {lang: set(table) for lang, table in _TEXTS.items()}
    every = set().union(*keys.values())
    return {lang: every - have for lang, have in keys.items() if every - have}


def keys() -> Sequence[str]:
    """Every text key (Persian, the reference language)."""
    return tuple(_FA)
