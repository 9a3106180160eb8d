"""Provider failures end to end: the person is told in plain words, the admins get one alert
however often it happens, and nothing is resent behind anyone's back."""

from __future__ import annotations

import pytest
from bridge_harness import (
    ADMIN,
    ADMIN_CHAT,
    OPERATOR,
    PAYAMAK_LINE,
    PAYAMAK_PASSWORD,
    RAYGAN_LINE,
    RAYGAN_PASSWORD,
    World,
)
from e2e_steps import ask, recipient_states, sends_rows, texts, wait_for

from sandbox.faults import FaultKind

ATTEMPTS = 3


async def send_several_times(world: World, chat: int) -> list[str]:
    """The operator tries ATTEMPTS different sends; the bot's answers."""
    answers = []
    for attempt in range(ATTEMPTS):
        answer = await ask(world, OPERATOR, chat, f"/send 0912111222{attempt} attempt {attempt}")
        answers.append(answer.shown)
    return answers


def assert_plain_words(answer: str, *secrets: str) -> None:
    """No code, trace or secret in what a person reads."""
    for leak in ("Traceback", "Error(", "3003", "401", *secrets):
        assert leak not in answer, (leak, answer)


async def test_no_credit_tells_the_user_and_alerts_the_admins_once(bridge: World) -> None:
    bridge.sandbox.raygan.faults.inject(
        FaultKind.ERROR_CODE, method="SendMessage", value=3003, times=None
    )
    answers = await send_several_times(bridge, OPERATOR)
    for answer in answers:
        assert answer == "اعتبار حساب «raygan» کافی نیست. به مدیران خبر داده شد."
    assert bridge.sandbox.raygan.calls["SendMessage"] == ATTEMPTS
    assert not bridge.sandbox.raygan.sent
    # The error is the last thing each send does before its answer, so the alerts are all in.
    alerts = texts(bridge, ADMIN_CHAT)
    assert alerts == ["⚠️ اعتبار حساب «raygan» تمام شده است."]
    assert [row["status"] for row in sends_rows(bridge)] == ["failed"] * ATTEMPTS
    assert len(bridge.fake.bot_messages(OPERATOR)) == ATTEMPTS, "no confirmation after a failure"


async def test_credit_comes_back_and_sending_works_again(bridge: World) -> None:
    bridge.sandbox.raygan.faults.inject(
        FaultKind.ERROR_CODE, method="SendMessage", value=3003, times=None
    )
    refused = await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 first try")
    assert "کافی نیست" in refused.shown
    bridge.sandbox.raygan.faults.clear()
    confirmation = await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 second try")
    assert "#2" in confirmation.shown
    assert [s.text for s in bridge.sandbox.raygan.sent] == ["second try"]


async def test_raygan_refusing_credentials_alerts_once_across_sends_and_polls(
    bridge: World,
) -> None:
    bridge.sandbox.raygan.add_account("demo", "changed-by-someone", lines=[RAYGAN_LINE])
    answers = await send_several_times(bridge, OPERATOR)
    for answer in answers:
        assert answer == (
            "سامانهٔ پیامک درخواست حساب «raygan» را نپذیرفت: نام کاربری یا رمز عبور حساب"
            " پذیرفته نشد. به مدیران خبر داده شد."
        )
        assert_plain_words(answer, RAYGAN_PASSWORD)
    # Inbox polling meets the same refusal every round; a job round ends (alert included)
    # before the next one starts, so after several rounds every alert has been decided.
    calls = bridge.sandbox.raygan.calls
    seen = calls["ReceiveMessages"]
    await wait_for(lambda: calls["ReceiveMessages"] >= seen + 2, "two more inbox rounds")
    alerts = texts(bridge, ADMIN_CHAT)
    assert len(alerts) == 1, alerts
    assert "raygan" in alerts[0] and RAYGAN_PASSWORD not in alerts[0]
    assert not bridge.sandbox.raygan.sent


async def test_payamak_wrong_password_alerts_once_and_the_user_is_told(bridge: World) -> None:
    bridge.sandbox.payamak.add_account("demo", "changed-by-someone", lines=[PAYAMAK_LINE])
    await ask(bridge, OPERATOR, OPERATOR, "/from meli")
    answers = await send_several_times(bridge, OPERATOR)
    for answer in answers:
        assert answer == (
            "سامانهٔ پیامک درخواست حساب «meli» را نپذیرفت: نام کاربری یا رمز عبور نادرست است."
            " به مدیران خبر داده شد."
        )
        assert_plain_words(answer, PAYAMAK_PASSWORD)
    calls = bridge.sandbox.payamak.calls
    seen = calls["GetMessages"]
    await wait_for(lambda: calls["GetMessages"] >= seen + 2, "two more inbox rounds")
    alerts = texts(bridge, ADMIN_CHAT)
    assert len(alerts) == 1, alerts
    assert "meli" in alerts[0] and PAYAMAK_PASSWORD not in alerts[0]
    assert calls["SendSMS"] == ATTEMPTS and not bridge.sandbox.payamak.sent
    # The other account is not affected.
    await ask(bridge, OPERATOR, OPERATOR, "/from raygan")
    await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 via raygan")
    assert [s.text for s in bridge.sandbox.raygan.sent] == ["via raygan"]


def fast_timeouts(world: World, **changes: object) -> None:
    """Accounts that give up after half a second (and any other changes to both accounts)."""
    world.overrides["accounts"] = [
        {**a, "timeout_seconds": 0.5, **changes} for a in world.config_data()["accounts"]
    ]


@pytest.mark.parametrize(
    ("kind", "value"),
    [(FaultKind.HTTP_STATUS, 503), (FaultKind.HTML, None), (FaultKind.TIMEOUT, None)],
    ids=["http-503", "html-error-page", "no-answer"],
)
async def test_a_send_without_a_clear_answer_is_unknown_told_alerted_and_not_retried(
    world: World, kind: FaultKind, value: object
) -> None:
    fast_timeouts(world)
    await world.start_bridge()
    world.sandbox.raygan.faults.inject(kind, method="SendMessage", value=value, times=None)
    answer = await ask(world, ADMIN, ADMIN, "/send 09121112222 hello")
    [row] = sends_rows(world)
    assert row["status"] == "unknown"
    assert answer.shown.startswith(
        "پاسخ سامانهٔ پیامک نرسید و معلوم نیست پیامک ارسال شده است یا نه. برای جلوگیری از"
        " ارسال تکراری، به‌طور خودکار دوباره فرستاده نمی‌شود."
    )
    assert answer.shown.endswith(f"/status {row['id']}")
    assert_plain_words(answer.shown, RAYGAN_PASSWORD)
    alert = await world.reply(ADMIN_CHAT)
    assert f"#{row['id']}" in alert.shown
    # A sign the bridge moved on, then: the provider was asked exactly once.
    await ask(world, ADMIN, ADMIN, "/lines")
    assert world.sandbox.raygan.calls["SendMessage"] == 1


async def test_provider_not_listening_tells_the_user_nothing_was_sent(world: World) -> None:
    fast_timeouts(world, base_url="http://127.0.0.1:9/raygansms/api/smsAPI")
    await world.start_bridge()
    answer = await ask(world, ADMIN, ADMIN, "/send 09121112222 hello")
    assert answer.shown == (
        "سامانهٔ پیامک در دسترس نبود و چیزی ارسال نشد؛ لطفاً کمی بعد دوباره تلاش کنید."
    )
    [row] = sends_rows(world)
    assert row["status"] == "failed"
    assert recipient_states(world, row["id"]) == {"+989121112222": "failed"}


async def test_answer_lost_after_the_sms_went_is_unknown_never_resent_and_alerted(
    world: World,
) -> None:
    fast_timeouts(world)
    await world.start_bridge()
    world.sandbox.raygan.faults.inject(FaultKind.TIMEOUT_AFTER, method="SendMessage", times=None)
    answer = await ask(world, ADMIN, ADMIN, "/send 09121112222 maybe")
    [row] = sends_rows(world)
    assert answer.shown.startswith("پاسخ سامانهٔ پیامک نرسید")
    assert f"/status {row['id']}" in answer.shown
    assert row["status"] == "unknown"
    assert recipient_states(world, row["id"]) == {"+989121112222": "unknown"}
    alert = await world.reply(ADMIN_CHAT)
    assert f"#{row['id']}" in alert.shown and "دوباره فرستاده نمی‌شود" in alert.shown
    # The SMS did go (the simulator recorded it) and was asked for exactly once.
    assert [s.text for s in world.sandbox.raygan.sent] == ["maybe"]
    assert world.sandbox.raygan.calls["SendMessage"] == 1
