"""Which SMS bodies, whole, ask a line to send their sender nothing more."""

from __future__ import annotations

import pytest

from bot.optout.service import is_opt_out_request


@pytest.mark.parametrize(
    "body",
    [
        "11",
        "۱۱",
        "١١",
        " 11 \n",
        "لغو",
        "لغو ۱۱",
        "لغو11",
        "لغو 11",
        "لغو\u200c۱۱",  # a zero-width non-joiner, as Persian keyboards put between words
        "\u200fلغو",
        "لـغـو",  # kashida
        "stop",
        "STOP",
        "Stop ",
    ],
)
def test_opt_out_bodies(body: str) -> None:
    assert is_opt_out_request(body)


@pytest.mark.parametrize(
    "body",
    [
        "",
        "1",
        "1 1",
        "111",
        "12",
        "لغو ۱۲",
        "لطفاً لغو کنید",
        "stop please",
        "don't stop",
        "stop11",
        "s top",
    ],
)
def test_other_bodies(body: str) -> None:
    assert not is_opt_out_request(body)
