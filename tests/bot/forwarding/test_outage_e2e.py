"""Telegram refusing for a while (429 with retry_after, 5xx): every incoming SMS still arrives,
in order per chat and never twice; a burst into one group is packed into digests."""

from __future__ import annotations

import time

import pytest
from bridge_harness import ADMIN_CHAT, PAYAMAK_LINE, RAYGAN_LINE, SUPPORT_GROUP, World, wait_for

from sandbox.telegram import FakeMessage

CUSTOMER = "09127654321"


def bodies(tag: str, count: int) -> list[str]:
    """Distinct bodies, none a substring of another."""
    return [f"«{tag}-{i:03d}» پیام <{i}> & ادامه" for i in range(count)]


def positions(messages: list[FakeMessage], body: str) -> list[tuple[int, int]]:
    """Where `body` shows in the chat: (message index, offset), once per occurrence."""
    found = []
    for index, message in enumerate(messages):
        start = message.text.find(body)
        while start >= 0:
            found.append((index, start))
            start = message.text.find(body, start + 1)
    return found


def arrived_once_in_order(world: World, chat: int, expected: list[str]) -> bool:
    """Every body shows exactly once in the chat, in the given order (asserts if misordered)."""
    messages = world.fake.bot_messages(chat)
    seen = [positions(messages, body) for body in expected]
    if any(len(p) == 0 for p in seen):
        return False
    assert all(len(p) == 1 for p in seen), "an SMS was forwarded twice"
    order = [p[0] for p in seen]
    assert order == sorted(order), "SMS arrived out of order"
    return True


def inject_burst(world: World, raygan: list[str], payamak: list[str]) -> None:
    """SMS on both lines, one second apart (RayganSMS orders its inbox by date)."""
    start = int(time.time()) - len(raygan) - 5
    for offset, body in enumerate(raygan):
        world.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, body, date=start + offset)
    for body in payamak:
        world.sandbox.payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, body)


@pytest.mark.parametrize(("status", "retry_after"), [(429, 1), (502, 1)], ids=["429", "502"])
async def test_everything_arrives_after_telegram_refused_for_a_while_in_order_and_once(
    bridge: World, status: int, retry_after: int
) -> None:
    to_support, to_admins = bodies(f"r{status}", 4), bodies(f"p{status}", 3)
    bridge.fake.fail_requests(status, seconds=2.0, methods={"sendMessage"}, retry_after=retry_after)
    inject_burst(bridge, to_support, to_admins)
    # The bridge stores them and keeps trying while Telegram refuses.
    await bridge.fake.wait_until(
        lambda: any(r.status == status for r in bridge.fake.calls("sendMessage"))
    )
    await bridge.fake.wait_until(
        lambda: (
            arrived_once_in_order(bridge, SUPPORT_GROUP, to_support)
            and arrived_once_in_order(bridge, ADMIN_CHAT, to_admins)
        ),
        timeout=20,
    )
    # A later SMS arriving shows the forwarder went past them; still none twice.
    marker = bodies(f"after{status}", 1)
    bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, marker[0])
    await bridge.fake.wait_until(
        lambda: arrived_once_in_order(bridge, SUPPORT_GROUP, to_support + marker)
    )
    assert arrived_once_in_order(bridge, ADMIN_CHAT, to_admins)

    def nothing_pending() -> bool:
        with bridge.db() as db:
            row = db.execute("SELECT count(*) FROM forwards WHERE message_id IS NULL").fetchone()
        return bool(row[0] == 0)

    await wait_for(nothing_pending, what="every forward recorded as done")


async def test_a_burst_of_sms_into_one_group_is_combined_into_digests(bridge: World) -> None:
    burst = bodies("burst", 60)
    bridge.fake.set_flood(True)  # Telegram's real limits: 20 messages a minute in a group
    before = len(bridge.fake.bot_messages(SUPPORT_GROUP))
    inject_burst(bridge, burst, [])
    await bridge.fake.wait_until(
        lambda: arrived_once_in_order(bridge, SUPPORT_GROUP, burst), timeout=20
    )
    posted = bridge.fake.bot_messages(SUPPORT_GROUP)[before:]
    assert len(posted) < len(burst)
    assert all(len(m.text.encode("utf-16-le")) // 2 <= 4096 for m in posted)
    assert sum(len(positions(posted, body)) for body in burst) == len(burst)


async def test_an_sms_too_long_for_a_digest_keeps_its_place_in_the_chats_order(
    bridge: World,
) -> None:
    shorts = bodies("order", 8)
    long_marker = "«order-long»"
    long_body = long_marker + " " + " ".join(f"w{i:04d}" for i in range(1000))  # ~6,000 chars
    bridge.fake.fail_requests(502, seconds=3.0, methods={"sendMessage"})
    inject_burst(bridge, [*shorts[:4], long_body, *shorts[4:]], [])
    await bridge.fake.wait_until(
        lambda: any(r.status == 502 for r in bridge.fake.calls("sendMessage"))
    )
    # A backlog of nine: a digest round. The long one goes alone, between the digests of the
    # SMS that came before it and after it.
    expected = [*shorts[:4], long_marker, *shorts[4:]]
    await bridge.fake.wait_until(
        lambda: arrived_once_in_order(bridge, SUPPORT_GROUP, expected), timeout=20
    )
    await bridge.fake.wait_until(
        lambda: any("w0999" in m.text for m in bridge.fake.bot_messages(SUPPORT_GROUP))
    )
    # One digest of four, the long SMS in two parts, one digest of four.
    assert len(bridge.fake.bot_messages(SUPPORT_GROUP)) == 4
