"""Iranian mobile numbers: every common form in, E.164 inside, `09…` to the providers."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_SEPARATORS = re.compile(r"[\s\-\u200c\u200f\u200e().]+")
_LIST_SPLIT = re.compile(r"[\s,،;؛]+")
_NATIONAL_MOBILE = re.compile(r"(?:\+98|0)(9\d{9})")
# In libphonenumber's metadata for Iran, whether a 10-digit national number starting with 9 is
# a valid mobile depends on its first five digits only (the pattern ends in \d{5}); a test
# checks this against the full validation. Bulk sends validate tens of thousands of numbers.
_SIGNIFICANT_DIGITS = 5
_E164_LENGTH = len("+989123456789")


class InvalidNumberError(ValueError):
    """A text that is not an Iranian mobile number, with the reason in plain words."""

    def __init__(self, raw: str, reason: str) -> None:
        super().__init__(f"{raw!r}: {reason}")
        self.raw = raw
        self.reason = reason


def to_ascii_digits(text: str) -> str:
    """Replace Persian (۰–۹) and Arabic-Indic (٠–٩) digits with ASCII ones."""
    return text.translate(_DIGITS)


def normalize_mobile(raw: str) -> str:
    """Return the E.164 form (`+989123456789`) of an Iranian mobile, or raise InvalidNumberError."""
    # Numbers we stored are already E.164: a campaign's 50,000 pass through here again in the
    # adapter, on the event loop, so they skip the rewriting.
    stored = len(raw) == _E164_LENGTH and raw.startswith("+989") and raw[1:].isascii()
    if (
        stored
        and raw[1:].isdigit()
        and _national_prefix_problem(raw[3 : 3 + _SIGNIFICANT_DIGITS]) is None
    ):
        return raw
    text = _SEPARATORS.sub("", to_ascii_digits(raw.strip()))
    if not text:
        raise InvalidNumberError(raw, "empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("98") and len(text) == 12:
        text = "+" + text
    elif text.startswith("9") and len(text) == 10:
        text = "0" + text
    fast = _NATIONAL_MOBILE.fullmatch(text)
    if fast is not None:
        national = fast.group(1)
        if _national_prefix_problem(national[:_SIGNIFICANT_DIGITS]) is None:
            return "+98" + national
        # Refused: libphonenumber itself says why (the reason can depend on the digits after
        # the prefix, e.g. a valid fixed line vs no number at all); refusals are the rare path.
    return _normalize_slowly(raw, text)


@functools.lru_cache(maxsize=4096)
def _national_prefix_problem(prefix: str) -> str | None:
    """Why numbers starting with this national prefix are not Iranian mobiles, or None."""
    try:
        _normalize_slowly(prefix, "0" + prefix.ljust(10, "0"))
    except InvalidNumberError as exc:
        return exc.reason
    return None


def _normalize_slowly(raw: str, text: str) -> str:
    """Full libphonenumber validation of `text` (already cleaned); errors name `raw`."""
    body = text[1:] if text.startswith("+") else text
    if not body.isdigit():
        raise InvalidNumberError(raw, "contains characters that are not digits")
    try:
        parsed = phonenumbers.parse(text, "IR")
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumberError(raw, "not a phone number") from exc
    if parsed.country_code != 98:
        raise InvalidNumberError(raw, "not an Iranian number")
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumberError(raw, "not a valid Iranian number")
    if phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE:
        raise InvalidNumberError(raw, "not a mobile number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def to_provider_format(e164: str) -> str:
    """`+989123456789` → `09123456789`, the form both providers take."""
    if not e164.startswith("+98"):
        raise InvalidNumberError(e164, "not an Iranian number in E.164 form")
    return "0" + e164[3:]


def sender_to_e164(raw: str) -> str:
    """Normalise a sender a provider reported; keep it as given when it is not a mobile."""
    try:
        return normalize_mobile(raw)
    except InvalidNumberError:
        return to_ascii_digits(raw.strip())


def display_number(e164: str) -> str:
    """`+989123456789` → `+98 912 345 6789`, for people."""
    try:
        parsed = phonenumbers.parse(e164, "IR")
    except phonenumbers.NumberParseException:
        return e164
    if not phonenumbers.is_valid_number(parsed):
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@dataclass(frozen=True, slots=True)
class ParsedNumbers:
    """Numbers parsed from a list a person typed: the valid ones (E.164, first
    occurrence order, no duplicates) and the invalid ones with their reasons."""

    valid: tuple[str, ...]
    invalid: tuple[InvalidNumberError, ...]


def split_number_list(text: str) -> list[str]:
    """Split a typed list on spaces, commas (Latin or Persian), semicolons and new lines."""
    return [part for part in _LIST_SPLIT.split(text.strip()) if part]


def parse_numbers(items: Iterable[str]) -> ParsedNumbers:
    """Normalise each item; duplicates (after normalisation) are kept once."""
    valid: dict[str, None] = {}
    invalid: list[InvalidNumberError] = []
    for item in items:
        try:
            valid.setdefault(normalize_mobile(item), None)
        except InvalidNumberError as exc:
            invalid.append(exc)
    return ParsedNumbers(tuple(valid), tuple(invalid))
