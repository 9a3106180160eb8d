"""Flood limits and injected outages (`sandbox.telegram.faults`)."""

from __future__ import annotations

import asyncio

import pytest
from sim_support import FakeClock
from telegram import Bot
from telegram.error import NetworkError, RetryAfter
from telegram_support import ALI, GROUP, SARA, retry_after_seconds

from sandbox.telegram import TelegramFake

# PTB 22 deprecates RetryAfter.retry_after as an int; either form is fine here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_flood_one_chat_allows_a_burst_then_one_a_second(
    bot: Bot, fake: TelegramFake, clock: FakeClock
) -> None:
    fake.set_flood(True)
    for n in range(3):
        await bot.send_message(ALI, f"burst {n}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALI, "too fast")
    assert retry_after_seconds(caught.value) == 1
    assert fake.requests[-1].description == "Too Many Requests: retry after 1"
    await bot.send_message(SARA, "another chat is fine")
    clock.advance(1.0)
    await bot.send_message(ALI, "after a second")
    assert len(fake.bot_messages(ALI)) == 4


async def test_flood_group_allows_20_a_minute(
    bot: Bot, fake: TelegramFake, clock: FakeClock
) -> None:
    fake.set_flood(True)
    for n in range(20):
        await bot.send_message(GROUP, f"digest {n}")
        clock.advance(1.0)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "21st")
    assert retry_after_seconds(caught.value) == 40  # the first one leaves the minute at t=60
    clock.advance(40.0)
    await bot.send_message(GROUP, "21st, later")


async def test_flood_overall_30_a_second(bot: Bot, fake: TelegramFake, clock: FakeClock) -> None:
    users = range(1000, 1031)
    for user_id in users:
        fake.add_user(user_id, f"user {user_id}")
    fake.set_flood(True)
    for user_id in list(users)[:30]:
        await bot.send_message(user_id, "broadcast")
    with pytest.raises(RetryAfter):
        await bot.send_message(1030, "31st in the same second")
    clock.advance(1.0)
    await bot.send_message(1030, "31st")


async def test_no_flood_limits_unless_asked(bot: Bot, fake: TelegramFake) -> None:
    for n in range(10):
        await bot.send_message(ALI, f"{n}")
    assert len(fake.bot_messages(ALI)) == 10


async def test_outage_for_a_number_of_requests(bot: Bot, fake: TelegramFake) -> None:
    fake.fail_requests(502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(ALI, "x")
    await bot.send_message(ALI, "works again")
    assert [r.status for r in fake.requests] == [200, 502, 502, 200]  # getMe first
    assert [m.text for m in fake.messages(ALI)] == ["works again"]


async def test_outage_for_a_while_on_some_methods(
    bot: Bot, fake: TelegramFake, clock: FakeClock
) -> None:
    fake.fail_requests(429, seconds=30, methods={"sendMessage"}, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALI, "x")
    assert retry_after_seconds(caught.value) == 7
    await bot.send_chat_action(ALI, "typing")  # other methods are unaffected
    clock.advance(30.0)
    await bot.send_message(ALI, "x")
    fake.fail_requests(500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.get_me()
    fake.clear_failures()
    await bot.get_me()


async def test_an_outage_can_hit_only_the_requests_it_matches(bot: Bot, fake: TelegramFake) -> None:
    fake.fail_requests(
        502, times=1, methods={"sendMessage"}, matching=lambda p: "part two" in p["text"]
    )
    await bot.send_message(ALI, "part one")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ALI, "part two")
    await bot.send_message(ALI, "part two")  # `times` counts only the requests it hit
    assert [m.text for m in fake.bot_messages(ALI)] == ["part one", "part two"]
    assert [r.status for r in fake.calls("sendMessage", chat_id=ALI)] == [200, 502, 200]
    assert fake.calls("sendMessage", chat_id=SARA) == []


async def test_settle_waits_for_a_request_being_answered_then_for_quiet(
    bot: Bot, fake: TelegramFake
) -> None:
    # A killed bridge's last request may still be read and answered after it died: a test
    # that clears an outage must first wait for it (`settle`), or the outage lets it through.
    fake.slow_methods["sendMessage"] = 0.5
    sending = asyncio.create_task(bot.send_message(ALI, "written just before the kill"))
    await fake.wait_until(lambda: fake.answering == 1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await fake.settle(quiet=0.2)
    # Answered by then (the client may still be reading the answer).
    assert fake.answering == 0
    assert [r.status for r in fake.requests if r.method == "sendMessage"] == [200]
    assert loop.time() - started >= 0.2  # the answer was late, then quiet
    await sending
    # Long polls are not requests to wait for: a bridge waiting in getUpdates is quiet.
    polling = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_until(lambda: fake.waiting_polls == 1)
    await fake.settle(quiet=0.1, timeout=2)
    polling.cancel()
