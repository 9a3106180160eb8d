"""Alerts in the admin chat: a polling job failing N times in a row (once, not again within the
window), its recovery, and low credit."""

from __future__ import annotations

from bridge_harness import ADMIN_CHAT, PAYAMAK_LINE, World, wait_for
from e2e_steps import persian_number

from sandbox.faults import FaultKind
from sandbox.telegram import FakeMessage

INBOX_JOB = "دریافت پیامک‌ها"  # the inbox job's name in the alerts (language fa)


def failing_alert(message: FakeMessage) -> bool:
    """The alert: RayganSMS inbox polling keeps failing."""
    text = message.shown
    return text.startswith("⚠️") and "«raygan»" in text and INBOX_JOB in text


def recovery_alert(message: FakeMessage) -> bool:
    """The alert: RayganSMS inbox polling works again."""
    text = message.shown
    return text.startswith("✅") and "«raygan»" in text and INBOX_JOB in text


def consecutive_failures(world: World, account: str, job: str) -> int:
    """The poll health the bridge keeps (0 if none recorded)."""
    with world.db() as db:
        row = db.execute(
            "SELECT consecutive_failures FROM poll_health WHERE account = ? AND job = ?",
            (account, job),
        ).fetchone()
    return 0 if row is None else int(row[0])


async def test_inbox_polling_failing_n_times_alerts_once_and_its_recovery_once_per_window(
    bridge: World,
) -> None:
    threshold = bridge.config().alerts.failures_before_alert
    raygan = bridge.sandbox.raygan
    raygan.faults.inject(FaultKind.HTTP_STATUS, method="ReceiveMessages", value=500, times=None)
    alert = await bridge.reply(ADMIN_CHAT, failing_alert)
    assert f" {persian_number(threshold)} بار پیاپی" in alert.shown
    assert consecutive_failures(bridge, "raygan", "inbox") == threshold
    # More failures, well within the window: still that one alert.
    await wait_for(
        lambda: consecutive_failures(bridge, "raygan", "inbox") >= threshold + 1,
        what="one more failed inbox poll",
    )
    raygan.faults.clear()
    await bridge.reply(ADMIN_CHAT, recovery_alert)

    # A second outage within the window: it reaches the threshold, announced neither way.
    raygan.faults.inject(FaultKind.HTTP_STATUS, method="ReceiveMessages", value=500, times=None)
    await wait_for(
        lambda: consecutive_failures(bridge, "raygan", "inbox") >= threshold,
        what="the second outage past the threshold",
    )
    raygan.faults.clear()
    await wait_for(
        lambda: consecutive_failures(bridge, "raygan", "inbox") == 0, what="a good poll again"
    )
    # The job that saw the good poll has finished (and decided about its alert) once the next
    # inbox poll has run: the job never overlaps itself.
    polls = raygan.calls["ReceiveMessages"]
    await wait_for(lambda: raygan.calls["ReceiveMessages"] >= polls + 2, what="two more polls")
    admin_chat = bridge.fake.bot_messages(ADMIN_CHAT)
    assert sum(failing_alert(m) for m in admin_chat) == 1
    assert sum(recovery_alert(m) for m in admin_chat) == 1
    # Payamak kept working all along: one failing account never stops the others.
    assert not any("«meli»" in m.shown for m in admin_chat)


async def test_credit_below_the_configured_threshold_alerts_once(world: World) -> None:
    config = world.config_data()
    accounts = [dict(a) for a in config["accounts"]]
    accounts[0]["credit_low"] = 50_000
    world.overrides["accounts"] = accounts
    world.overrides["polling"] = {**config["polling"], "credit": 0.3}
    world.sandbox.raygan.accounts["demo"].credit = 12_345
    await world.start_bridge()

    def credit_alert(message: FakeMessage) -> bool:
        return "«raygan»" in message.shown and "۱۲٬۳۴۵ ریال" in message.shown

    alert = await world.reply(ADMIN_CHAT, credit_alert)
    assert "(آستانه: ۵۰٬۰۰۰ ریال)" in alert.shown
    # Checked again and again (every 0.3 s), still low: no second alert within the window.
    checks = world.sandbox.raygan.calls["GetCredit"]
    await wait_for(lambda: world.sandbox.raygan.calls["GetCredit"] >= checks + 4, what="4 checks")
    assert sum(credit_alert(m) for m in world.fake.bot_messages(ADMIN_CHAT)) == 1
    # Payamak has plenty of credit and no threshold: nothing about it.
    assert not any("«meli»" in m.shown for m in world.fake.bot_messages(ADMIN_CHAT))


async def test_one_failing_account_does_not_stop_the_others(bridge: World) -> None:
    raygan = bridge.sandbox.raygan
    raygan.faults.inject(FaultKind.HTTP_STATUS, method="ReceiveMessages", value=500, times=None)
    await wait_for(
        lambda: consecutive_failures(bridge, "raygan", "inbox") >= 2,
        what="RayganSMS inbox polling failing",
    )
    bridge.sandbox.payamak.inject_incoming(PAYAMAK_LINE, "09127654321", "still arriving")
    forwarded = await bridge.reply(ADMIN_CHAT, lambda m: "still arriving" in m.shown)
    assert forwarded.shown.endswith("still arriving")
    assert consecutive_failures(bridge, "raygan", "inbox") >= 2
