"""`/otp` and `/verify` end to end: the real PTB Application against the Telegram fake and the
provider simulators; every bad input of issue 10 answered in words, changing nothing."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from bridge_harness import ADMIN, OPERATOR, SUPPORT_GROUP, VIEWER, World
from e2e_steps import ask, persian_number, say_and_get_update

from sandbox.faults import FaultKind
from storage.models import Role

LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
NUMBER = "09121234567"
SHOWN = "+98 912 123 4567"


async def start(world: World, **otp: Any) -> World:
    """The bridge with `[otp]` keys set, an operator and a viewer granted."""
    world.overrides = {"otp": otp} if otp else {}
    await world.start_bridge()
    assert world.bridge is not None
    await world.bridge.data.repo.set_role(OPERATOR, Role.OPERATOR, ADMIN)
    await world.bridge.data.repo.set_role(VIEWER, Role.VIEWER, ADMIN)
    return world


def last_code(world: World) -> str:
    """The code in the last SMS the RayganSMS simulator sent."""
    found = re.search(r"\d{4,10}", world.sandbox.raygan.sent[-1].text)
    assert found is not None
    return found.group(0)


def wrong(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def fa_digits(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


async def test_a_code_is_sent_and_checked(world: World) -> None:
    bridge = await start(world)
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    assert answer.shown.startswith(f"✅ کد تأیید به {SHOWN} فرستاده شد (حساب raygan)")
    [sms] = bridge.sandbox.raygan.sent
    code = last_code(bridge)
    assert sms.text == f"کد تأیید شما: {code}" and sms.mobile == NUMBER
    assert code not in answer.shown  # the operator never sees the code
    history = await ask(bridge, OPERATOR, OPERATOR, "/history")
    assert "کد تأیید شما: ******" in history.shown and code not in history.shown
    valid = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {fa_digits(code)}")
    assert valid.shown == "✅ کد درست است."
    again = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {code}")
    assert again.shown.startswith("ℹ️ برای این شماره کدی در انتظار بررسی نیست")


async def test_a_check_with_no_code_sent(world: World) -> None:
    bridge = await start(world)
    answer = await ask(bridge, OPERATOR, OPERATOR, "/verify 0912 123 4567 123456")
    assert answer.shown == "ℹ️ برای این شماره کدی در انتظار بررسی نیست. با /otp یک کد بفرستید."
    assert bridge.sandbox.raygan.sent == []


async def test_wrong_codes_count_down_to_too_many_checks(world: World) -> None:
    bridge = await start(world, max_checks=3)
    await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    code = last_code(bridge)
    answers = [
        (await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {wrong(code)}")).shown
        for _ in range(3)
    ]
    assert answers == [
        f"❌ کد نادرست است. {persian_number(n)} بار دیگر می‌توان امتحان کرد." for n in (2, 1, 0)
    ]
    refused = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {code}")
    assert refused.shown.startswith("🚫 این کد بیش از حد مجاز بررسی شده")


async def test_an_expired_code(world: World) -> None:
    bridge = await start(world, ttl_seconds=1)
    await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    code = last_code(bridge)
    await asyncio.sleep(1.2)
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {code}")
    assert answer.shown == "⌛ کد منقضی شده است. با /otp کد تازه‌ای بفرستید."


@pytest.mark.parametrize("typed", ["12345", "1234567", "12a456", "abcdef"])
async def test_a_code_of_the_wrong_length_or_with_letters_is_not_counted(
    world: World, typed: str
) -> None:
    bridge = await start(world)
    await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {typed}")
    assert answer.shown == (
        f"❌ کد باید {persian_number(6)} رقم باشد. این بار شمرده نشد؛ {persian_number(5)} بار دیگر"
        " می‌توان امتحان کرد."
    )
    valid = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {last_code(bridge)}")
    assert valid.shown == "✅ کد درست است."


async def test_a_second_code_within_the_minute_is_refused(world: World) -> None:
    bridge = await start(world)
    await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    refused = await ask(bridge, OPERATOR, OPERATOR, "/otp +98 912 123 4567")
    match = re.search(r"؛ (\S+) ثانیهٔ دیگر", refused.shown)
    assert refused.shown.startswith("⏳ برای این شماره به‌تازگی کد فرستاده شده است")
    assert match is not None
    assert 50 <= int(match.group(1).translate(LATIN)) <= 60
    assert len(bridge.sandbox.raygan.sent) == 1


async def test_a_seventh_code_in_an_hour_is_refused_with_retry_after(world: World) -> None:
    bridge = await start(world, per_number_minute=6, per_number_hour=6)
    for _ in range(6):
        answer = await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
        assert answer.shown.startswith("✅"), answer.shown
    await ask(bridge, OPERATOR, OPERATOR, "/language en")
    refused = await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    match = re.fullmatch(
        r"⏳ This number was sent a code a moment ago; try again in ([\d,]+) seconds\.",
        refused.shown,
    )
    assert match is not None, refused.shown
    assert 3500 <= int(match.group(1).replace(",", "")) <= 3600
    assert len(bridge.sandbox.raygan.sent) == 6
    # The refusal is audited with who asked.
    with bridge.db() as db:
        results = [r["result"] for r in db.execute("SELECT result FROM otp_audit ORDER BY id")]
        who = {r["requested_by"] for r in db.execute("SELECT requested_by FROM otp_audit")}
    assert results == ["issued"] * 6 + ["rate_limited"]
    assert who == {f"tg:{OPERATOR}"}


async def test_a_new_code_cancels_the_old(world: World) -> None:
    bridge = await start(world, per_number_minute=5)
    await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    old = last_code(bridge)
    await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    new = last_code(bridge)
    if old != new:
        answer = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {old}")
        assert answer.shown.startswith("❌ کد نادرست است.")
    assert (await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {new}")).shown.startswith("✅")


async def test_bad_numbers_and_usage(world: World) -> None:
    bridge = await start(world)
    usage = await ask(bridge, OPERATOR, OPERATOR, "/otp")
    assert usage.shown == "برای فرستادن کد تأیید: /otp 0912…"
    bad = await ask(bridge, OPERATOR, OPERATOR, "/otp 02188888888")
    assert bad.shown.startswith("❌ 02188888888: ")
    verify_usage = await ask(bridge, OPERATOR, OPERATOR, "/verify 123456")
    assert verify_usage.shown.startswith("برای بررسی کد تأیید")
    assert bridge.sandbox.raygan.sent == [] and bridge.sandbox.payamak.sent == []


async def test_a_viewer_may_not_send_codes(world: World) -> None:
    bridge = await start(world)
    refusal = await ask(bridge, VIEWER, VIEWER, f"/otp {NUMBER}")
    assert refusal.shown == "این دستور برای نقش «مشاهده‌گر» مجاز نیست."
    assert bridge.sandbox.raygan.sent == []
    with bridge.db() as db:
        assert list(db.execute("SELECT * FROM otp_codes")) == []


async def test_the_same_update_delivered_twice_sends_one_code(world: World) -> None:
    bridge = await start(world)
    update_id = say_and_get_update(bridge, OPERATOR, SUPPORT_GROUP, f"/otp {NUMBER}")
    answer = await bridge.reply(SUPPORT_GROUP)
    assert answer.shown.startswith("✅")
    bridge.fake.deliver_again(update_id)
    await bridge.fake.wait_until(lambda: not bridge.fake.pending_updates())
    await ask(bridge, OPERATOR, SUPPORT_GROUP, "/lines")  # the redelivered one was handled
    assert len(bridge.sandbox.raygan.sent) == 1
    # Nothing said twice, and no "wait a minute" refusal either.
    assert (
        sum(m.shown.startswith(("✅", "⏳")) for m in bridge.fake.bot_messages(SUPPORT_GROUP)) == 1
    )
    with bridge.db() as db:
        [row] = db.execute("SELECT request_key, send_id FROM otp_codes")
        [send] = db.execute("SELECT chat_id, requested_by FROM sends")
    assert row["request_key"].startswith(f"tg:{SUPPORT_GROUP}:")
    assert (send["chat_id"], send["requested_by"]) == (SUPPORT_GROUP, OPERATOR)


# ---------------------------------------------------------------- mode provider


async def test_provider_mode_against_the_raygansms_simulator(world: World) -> None:
    bridge = await start(world, mode="provider", footer="فروشگاه")
    await ask(bridge, OPERATOR, OPERATOR, "/language en")
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    assert answer.shown.startswith(f"✅ Verification code sent to {SHOWN} (raygan)")
    [sms] = bridge.sandbox.raygan.sent
    assert sms.method == "SendAutoCode" and sms.text.endswith("فروشگاه")
    code = bridge.sandbox.raygan.auto_code(NUMBER)
    assert code is not None
    wrong_answer = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {wrong(code)}")
    assert wrong_answer.shown == "❌ Wrong code. 4 checks left."
    letters = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} 12ab")
    assert letters.shown == "❌ A code is digits only. Not counted; 4 checks left."
    valid = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {code}")
    assert valid.shown == "✅ The code is valid."
    assert bridge.sandbox.raygan.calls["CheckSendCode"] == 2
    assert bridge.sandbox.raygan.calls["SendMessage"] == 0


async def test_provider_mode_refused_by_the_provider(world: World) -> None:
    bridge = await start(world, mode="provider")
    bridge.sandbox.raygan.accounts["demo"].webservice = False
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    assert answer.shown.startswith("❌ کد تأیید فرستاده نشد: ")
    assert "Traceback" not in answer.shown
    # It did not go: it counts toward no limit.
    bridge.sandbox.raygan.accounts["demo"].webservice = True
    assert (await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")).shown.startswith("✅")


async def test_a_code_whose_answer_was_lost_is_never_resent_and_still_checks(world: World) -> None:
    bridge = await start(world, per_number_minute=5)
    # The SMS goes out, RayganSMS's answer never comes back.
    bridge.sandbox.raygan.faults.inject(FaultKind.TIMEOUT_AFTER, method="SendMessage")
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/otp {NUMBER}")
    assert answer.shown.startswith(f"⚠️ پاسخ سامانهٔ پیامک نرسید؛ شاید کد به {SHOWN} رفته باشد")
    assert bridge.sandbox.raygan.calls["SendMessage"] == 1
    valid = await ask(bridge, OPERATOR, OPERATOR, f"/verify {NUMBER} {last_code(bridge)}")
    assert valid.shown == "✅ کد درست است."
