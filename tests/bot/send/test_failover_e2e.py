"""Failover end to end (`accounts[].fallback`): a send whose account surely sent nothing goes
through the fallback's line, once, and says so; never when the SMS may have gone."""

from __future__ import annotations

import re

from bridge_harness import ADMIN, ADMIN_CHAT, OPERATOR, PAYAMAK_LINE, RAYGAN_LINE, World
from e2e_steps import ask, recipient_states, sends_rows, texts, wait_for

from sandbox.faults import FaultKind
from storage.models import Role

NUMBER = "09121112222"
E164 = "+989121112222"


async def start(world: World, *, fallbacks: dict[str, str], **raygan: object) -> World:
    """The bridge with these fallbacks (account → fallback) and RayganSMS keys changed."""
    accounts = world.config_data()["accounts"]
    for account in accounts:
        account["fallback"] = fallbacks.get(account["name"], "")
        if account["name"] == "raygan":
            account.update(raygan)
    world.overrides = {"accounts": accounts}
    await world.start_bridge()
    assert world.bridge is not None
    await world.bridge.data.repo.set_role(OPERATOR, Role.OPERATOR, ADMIN)
    return world


async def test_no_credit_fails_over_to_the_fallback_and_the_confirmation_says_so(
    world: World,
) -> None:
    bridge = await start(world, fallbacks={"raygan": "meli"})
    bridge.sandbox.raygan.accounts["demo"].credit = 0
    confirmation = await ask(bridge, OPERATOR, OPERATOR, f"/send {NUMBER} hello")
    assert confirmation.shown.startswith(f"ارسال #1 از خط {PAYAMAK_LINE} (meli)"), (
        confirmation.shown
    )
    assert (
        "↪️ از حساب «meli» فرستاده شد، چون حساب «raygan» چیزی نفرستاد: اعتبار حساب کافی نیست"
        in confirmation.shown
    )
    assert bridge.sandbox.raygan.sent == [] and bridge.sandbox.raygan.calls["SendMessage"] == 1
    assert [(s.to, s.text, s.line) for s in bridge.sandbox.payamak.sent] == [
        ((NUMBER,), "hello", PAYAMAK_LINE)
    ]
    [row] = sends_rows(bridge)
    assert (row["account"], row["line"], row["status"]) == ("meli", PAYAMAK_LINE, "submitted")
    assert (row["failover_from"], row["failover_reason"]) == ("raygan", "credit:raygansms.3003")
    # The admins still hear that raygan is out of credit.
    await wait_for(lambda: bool(texts(bridge, ADMIN_CHAT)), "the credit alert")
    assert texts(bridge, ADMIN_CHAT) == ["⚠️ اعتبار حساب «raygan» تمام شده است."]
    # Delivery is polled through the account that sent it, and the confirmation follows.
    await wait_for(
        lambda: recipient_states(bridge, row["id"]) == {E164: "delivered"}, "the delivery report"
    )
    await wait_for(
        lambda: (
            "↪️" in bridge.fake.message(OPERATOR, confirmation.message_id).shown
            and "تحویل" in bridge.fake.message(OPERATOR, confirmation.message_id).shown
        ),
        "the confirmation edited, the failover note kept",
    )


async def test_a_provider_never_reached_fails_over(world: World) -> None:
    # Nothing listens on port 9 of this machine: the connection is never made.
    bridge = await start(
        world, fallbacks={"raygan": "meli"}, base_url="http://127.0.0.1:9/api/smsAPI"
    )
    await ask(bridge, OPERATOR, OPERATOR, "/language en")
    confirmation = await ask(bridge, OPERATOR, OPERATOR, f"/send {NUMBER} hello")
    assert confirmation.shown.startswith(f"Send #1 from line {PAYAMAK_LINE} (meli)")
    assert (
        "↪️ Sent through account “meli”: account “raygan” sent nothing: the SMS provider could"
        " not be reached" in confirmation.shown
    )
    [row] = sends_rows(bridge)
    assert (row["failover_from"], row["failover_reason"]) == ("raygan", "transient:network")
    assert len(bridge.sandbox.payamak.sent) == 1


async def test_no_failover_when_the_outcome_is_unknown(world: World) -> None:
    bridge = await start(world, fallbacks={"raygan": "meli"})
    # The request reaches RayganSMS, the SMS goes, the answer never comes back.
    bridge.sandbox.raygan.faults.inject(FaultKind.TIMEOUT_AFTER, method="SendMessage")
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/send {NUMBER} maybe")
    assert "نامعلوم" in answer.shown or "معلوم نیست" in answer.shown, answer.shown
    [row] = sends_rows(bridge)
    assert (row["account"], row["status"], row["failover_from"]) == ("raygan", "unknown", None)
    assert len(bridge.sandbox.raygan.sent) == 1
    assert bridge.sandbox.payamak.sent == [] and bridge.sandbox.payamak.calls["SendSMS"] == 0


async def test_no_failover_on_the_requests_own_fault(world: World) -> None:
    bridge = await start(world, fallbacks={"raygan": "meli"})
    # 2001: the line is not this account's: the config's mistake about one line, not the
    # account's state; the fallback would not make it right.
    bridge.sandbox.raygan.faults.inject(FaultKind.ERROR_CODE, method="SendMessage", value=2001)
    await ask(bridge, OPERATOR, OPERATOR, f"/send {NUMBER} hello")
    [row] = sends_rows(bridge)
    assert (row["account"], row["status"], row["failover_from"]) == ("raygan", "failed", None)
    assert bridge.sandbox.payamak.calls["SendSMS"] == 0


async def test_one_hop_only_when_the_fallback_fails_too(world: World) -> None:
    bridge = await start(world, fallbacks={"raygan": "meli"})
    bridge.sandbox.raygan.accounts["demo"].credit = 0
    bridge.sandbox.payamak.accounts["demo"].credit = 0
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/send {NUMBER} hello")
    assert answer.shown == "اعتبار حساب «meli» کافی نیست. به مدیران خبر داده شد."
    [row] = sends_rows(bridge)
    assert (row["account"], row["status"], row["failover_from"]) == ("meli", "failed", "raygan")
    assert bridge.sandbox.raygan.calls["SendMessage"] == 1
    assert bridge.sandbox.payamak.calls["SendSMS"] == 1
    await wait_for(lambda: len(texts(bridge, ADMIN_CHAT)) == 2, "both credit alerts")
    assert sorted(texts(bridge, ADMIN_CHAT)) == sorted(
        ["⚠️ اعتبار حساب «raygan» تمام شده است.", "⚠️ اعتبار حساب «meli» تمام شده است."]
    )


async def test_without_a_fallback_nothing_moves(world: World) -> None:
    bridge = await start(world, fallbacks={})
    bridge.sandbox.raygan.accounts["demo"].credit = 0
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/send {NUMBER} hello")
    assert answer.shown == "اعتبار حساب «raygan» کافی نیست. به مدیران خبر داده شد."
    assert bridge.sandbox.payamak.calls["SendSMS"] == 0


async def test_a_verification_code_fails_over_too(world: World) -> None:
    bridge = await start(world, fallbacks={"raygan": "meli"})
    bridge.sandbox.raygan.accounts["demo"].credit = 0
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    assert answer.shown.startswith("✅ کد تأیید به +98 912 111 2222 فرستاده شد (حساب meli)")
    assert "↪️ از حساب «meli» فرستاده شد، چون حساب «raygan» نتوانست بفرستد." in answer.shown
    [sms] = bridge.sandbox.payamak.sent
    code = re.search(r"\d{6}", sms.text)
    assert code is not None and sms.line == PAYAMAK_LINE
    valid = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {code.group(0)}")
    assert valid.shown == "✅ کد درست است."
    assert RAYGAN_LINE not in answer.shown
