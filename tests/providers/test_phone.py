"""Phone numbers per SPEC §6: every common form in, E.164 inside, 09… to the providers."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from providers.phone import (
    InvalidNumberError,
    _normalize_slowly,
    display_number,
    normalize_mobile,
    parse_numbers,
    sender_to_e164,
    split_number_list,
    to_ascii_digits,
    to_provider_format,
)

PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
ARABIC = "٠١٢٣٤٥٦٧٨٩"


@pytest.mark.parametrize(
    "raw",
    [
        "09123456789",
        "9123456789",
        "989123456789",
        "+989123456789",
        "+98 912 345 6789",
        "00989123456789",
        "0912-345-6789",
        "۰۹۱۲۳۴۵۶۷۸۹",
        "٠٩١٢٣٤٥٦٧٨٩",
        "+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹",
        " 0912 345 6789 ",
    ],
)
def test_every_common_form_becomes_e164(raw: str) -> None:
    assert normalize_mobile(raw) == "+989123456789"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("02188888888", "not a mobile number"),
        ("+14155552671", "not an Iranian number"),
        ("0912345678", "not a valid Iranian number"),
        ("091234567890", "not a valid Iranian number"),
        ("0912abc6789", "contains characters that are not digits"),
        ("09601234567", "not a valid Iranian number"),
    ],
)
def test_refusals_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidNumberError) as caught:
        normalize_mobile(raw)
    assert caught.value.reason == reason
    assert caught.value.raw == raw


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
@example("400010000")  # 0940… : the refusal's reason depends on the digits after the prefix
def test_fast_path_agrees_with_full_validation(rest: str) -> None:
    """The cached prefix check gives the same answer as libphonenumber for every number."""
    number = "09" + rest
    try:
        expected: str | None = _normalize_slowly(number, number)
    except InvalidNumberError as exc:
        expected = f"error: {exc.reason}"
    try:
        got: str | None = normalize_mobile(number)
    except InvalidNumberError as exc:
        got = f"error: {exc.reason}"
    assert got == expected


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
@example("400010000")
@example("601234567")  # 0960… is no mobile
def test_stored_e164_numbers_take_the_same_answer_as_national_ones(rest: str) -> None:
    """The shortcut for numbers already in E.164 accepts and refuses exactly what the full
    path does for the same number written nationally."""
    try:
        expected: str | None = normalize_mobile("09" + rest)
    except InvalidNumberError as exc:
        expected = f"error: {exc.reason}"
    try:
        got: str | None = normalize_mobile("+989" + rest)
    except InvalidNumberError as exc:
        got = f"error: {exc.reason}"
    assert got == expected


@given(
    st.sampled_from(["912", "935", "901", "990", "921"]),
    st.text("0123456789", min_size=7, max_size=7),
)
def test_persian_and_arabic_digits_mean_the_same_number(prefix: str, rest: str) -> None:
    latin = f"0{prefix}{rest}"
    persian = latin.translate(str.maketrans("0123456789", PERSIAN))
    arabic = latin.translate(str.maketrans("0123456789", ARABIC))
    expected = normalize_mobile(latin)
    assert normalize_mobile(persian) == expected
    assert normalize_mobile(arabic) == expected
    assert to_provider_format(expected) == latin


@given(st.text(max_size=30))
def test_normalize_either_returns_e164_or_refuses(raw: str) -> None:
    try:
        result = normalize_mobile(raw)
    except InvalidNumberError as exc:
        assert exc.reason
        return
    assert result.startswith("+989") and len(result) == 13 and result[1:].isdigit()


def test_to_ascii_digits() -> None:
    assert to_ascii_digits(PERSIAN + ARABIC) == "01234567890123456789"


def test_split_and_parse_a_typed_list() -> None:
    items = split_number_list("09121111111, ۰۹۱۲۲۲۲۲۲۲۲،09121111111\n+98 913 333 3333;bad")
    parsed = parse_numbers(items)
    assert parsed.valid == ("+989121111111", "+989122222222")
    assert [e.raw for e in parsed.invalid] == ["+98", "913", "333", "3333", "bad"]


def test_display_and_provider_forms() -> None:
    assert display_number("+989123456789") == "+98 912 345 6789"
    assert display_number("10002188") == "10002188"
    assert to_provider_format("+989123456789") == "09123456789"
    with pytest.raises(InvalidNumberError):
        to_provider_format("+14155552671")


def test_sender_that_is_not_a_mobile_is_kept() -> None:
    assert sender_to_e164("989116420422") == "+989116420422"
    assert sender_to_e164("۱۰۰۰۲۱۸۸") == "10002188"
