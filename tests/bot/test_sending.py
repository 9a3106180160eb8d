"""What `/send` takes apart before anything is stored: numbers, text, and the refusals."""

from __future__ import annotations

import pytest

from bot.sending import (
    MAX_RECIPIENTS_PER_SEND,
    numbers_problem,
    parse_recipients,
    split_numbers_and_text,
)


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
    assert split_numbers_and_text(arguments) == (numbers, text)


def test_invalid_numbers_are_named_with_their_reason() -> None:
    problem = numbers_problem("en", parse_recipients(["09121111111", "0218888888", "<x>"]))
    assert problem is not None
    assert "0218888888" in problem and "&lt;x&gt;" in problem
    assert "nothing was sent" in problem


def test_no_numbers_and_too_many() -> None:
    assert numbers_problem("en", parse_recipients([])) is not None
    many = [f"0912{i:07d}" for i in range(MAX_RECIPIENTS_PER_SEND + 1)]
    problem = numbers_problem("en", parse_recipients(many))
    assert problem is not None and str(MAX_RECIPIENTS_PER_SEND) in problem
    assert numbers_problem("en", parse_recipients(many[:-1])) is None
