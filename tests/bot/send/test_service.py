"""What `/send` takes apart before anything is stored: numbers, text, and the refusals
(typed problems from the service; their wording from bot.send.shared)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.send.service import (
    MAX_RECIPIENTS_PER_SEND,
    EmptyText,
    InvalidNumbers,
    NoNumbers,
    Recipients,
    SmsText,
    TooManyParts,
    TooManyRecipients,
    check_numbers,
    check_text,
    split_numbers_and_text,
)
from bot.send.shared import problem_text
from providers.phone import parse_numbers


@pytest.mark.parametrize(
    ("arguments", "numbers", "text"),
    [
        ("09121111111 hello", ["09121111111"], "hello"),
        ("09121111111, 09122222222 hi there", ["09121111111", "09122222222"], "hi there"),
        (
            "09121111111,09122222222\nline one\nline two",
            ["09121111111", "09122222222"],
            "line one\nline two",
        ),
        ("۰۹۱۲۱۱۱۱۱۱۱ سلام", ["۰۹۱۲۱۱۱۱۱۱۱"], "سلام"),
        ("+98 912 111 1111 hi", ["+98 912 111 1111"], "hi"),
        ("0912 111 1111, 0912 222 2222 hi", ["0912 111 1111", "0912 222 2222"], "hi"),
        ("09121111111 09122222222 hi", ["09121111111", "09122222222"], "hi"),
        ("09121111111 0912222 hi", ["09121111111", "0912222"], "hi"),
        ("0912-111-1111\n0912-222-2222\n\ntext", ["0912-111-1111", "0912-222-2222"], "text"),
        ("hello 0912", [], "hello 0912"),
        ("09121111111", ["09121111111"], ""),
        ("09121111111 2024 is the year", ["09121111111", "2024"], "is the year"),
    ],
)
def test_split_numbers_and_text(arguments: str, numbers: list[str], text: str) -> None:
    typed, rest = split_numbers_and_text(arguments)
    assert (list(typed.raw), rest) == (numbers, text)
    # Normalised once while split, the numbers read exactly as parsing the typed ones would.
    expected = parse_numbers(numbers)
    assert typed.parsed.valid == expected.valid
    assert [(e.raw, e.reason) for e in typed.parsed.invalid] == [
        (e.raw, e.reason) for e in expected.invalid
    ]


def test_invalid_numbers_are_named_with_their_reason() -> None:
    problem = check_numbers(parse_numbers(["09121111111", "0218888888", "<x>"]))
    assert isinstance(problem, InvalidNumbers)
    assert [e.raw for e in problem.items] == ["0218888888", "<x>"]
    text = problem_text("en", problem)
    assert "0218888888" in text and "&lt;x&gt;" in text
    assert "nothing was sent" in text and "not a valid Iranian number" in text
    assert "شمارهٔ معتبر ایران نیست" in problem_text("fa", problem)


def test_no_numbers_and_too_many() -> None:
    assert isinstance(check_numbers(parse_numbers([])), NoNumbers)
    many = [f"0912{i:07d}" for i in range(MAX_RECIPIENTS_PER_SEND + 1)]
    problem = check_numbers(parse_numbers(many))
    assert problem == TooManyRecipients(MAX_RECIPIENTS_PER_SEND + 1, MAX_RECIPIENTS_PER_SEND)
    assert str(MAX_RECIPIENTS_PER_SEND) in problem_text("en", problem)
    fine = check_numbers(parse_numbers(many[:-1]))
    assert isinstance(fine, Recipients) and len(fine.numbers) == MAX_RECIPIENTS_PER_SEND


class _Account:
    """A sending account with a part limit (the provider is never called here)."""

    def __init__(self, part_limit: int | None) -> None:
        self.name = "acc"
        self.part_limit = part_limit
        self.provider: Any = None


@pytest.mark.parametrize("limit", [10, None])
def test_a_text_is_counted_once_and_refused_over_the_accounts_limit(limit: int | None) -> None:
    account = _Account(limit)
    assert check_text(account, "  \n ") == EmptyText()
    short = check_text(account, "سلام")
    assert short == SmsText("سلام", 1)
    long = "س" * (67 * 11)  # eleven UCS-2 parts
    checked = check_text(account, long)
    if limit is None:
        assert checked == SmsText(long, 11)
    else:
        assert checked == TooManyParts(11, 10, "acc")
        assert "11" in problem_text("en", checked) and "acc" in problem_text("en", checked)
