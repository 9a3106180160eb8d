"""`/credit`, `/lines` and `/from` end to end, each with its refusals."""

from __future__ import annotations

from bridge_harness import (
    OPERATOR,
    PAYAMAK_LINE,
    RAYGAN_LINE,
    VIEWER,
    World,
)
from e2e_steps import ask, persian_number, sends_rows

from sandbox.faults import FaultKind


async def test_credit_shows_each_accounts_credit(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 سلام")
    answer = await ask(bridge, OPERATOR, OPERATOR, "/credit")
    raygan = bridge.sandbox.raygan.accounts["demo"].credit
    payamak = bridge.sandbox.payamak.accounts["demo"].credit
    assert raygan < 1_000_000, "the send was charged"
    assert f"• raygan: {persian_number(raygan)} ریال" in answer.shown.splitlines()
    assert f"• meli: {persian_number(payamak)} ریال" in answer.shown.splitlines()


async def test_credit_of_a_failing_account_is_unknown_and_the_other_still_shows(
    bridge: World,
) -> None:
    bridge.sandbox.raygan.faults.inject(
        FaultKind.HTTP_STATUS, method="GetCredit", value=500, times=None
    )
    answer = await ask(bridge, OPERATOR, OPERATOR, "/credit")
    lines = answer.shown.splitlines()
    assert any(line.startswith("• raygan: نامشخص (") for line in lines), lines
    assert f"• meli: {persian_number(bridge.sandbox.payamak.accounts['demo'].credit)} ریال" in lines


async def test_lines_lists_each_accounts_lines_with_the_default_marked(bridge: World) -> None:
    answer = await ask(bridge, VIEWER, VIEWER, "/lines")
    assert answer.shown.splitlines() == [
        f"• raygan (raygansms) ⭐: {RAYGAN_LINE}",
        f"• meli (payamak): {PAYAMAK_LINE}",
    ]


FROM_REFUSALS = [
    (
        "/from nowhere",
        "خط یا حسابی به نام «nowhere» وجود ندارد. خطوط موجود: "
        f"{RAYGAN_LINE} (raygan), {PAYAMAK_LINE} (meli)",
    ),
    (
        "/from 99999",
        "خط یا حسابی به نام «99999» وجود ندارد. خطوط موجود: "
        f"{RAYGAN_LINE} (raygan), {PAYAMAK_LINE} (meli)",
    ),
    ("/from", f"روش استفاده: /from نام‌حساب یا شماره‌خط\nخط کنونی: {RAYGAN_LINE} (raygan)"),
]


async def test_from_refusals_keep_the_chats_line(bridge: World) -> None:
    for command, expected in FROM_REFUSALS:
        answer = await ask(bridge, OPERATOR, OPERATOR, command)
        assert answer.shown == expected, command
    await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 still raygan")
    assert [s.text for s in bridge.sandbox.raygan.sent] == ["still raygan"]
    assert not bridge.sandbox.payamak.sent


async def test_from_without_argument_shows_the_current_choice(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/from meli")
    answer = await ask(bridge, OPERATOR, OPERATOR, "/from")
    assert answer.shown.endswith(f"خط کنونی: {PAYAMAK_LINE} (meli)")
    assert sends_rows(bridge) == []
