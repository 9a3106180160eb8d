"""The bridge killed (SIGKILL) after storing an incoming SMS and before forwarding it: after a
restart the SMS is forwarded, exactly once."""

from __future__ import annotations

import sqlite3

from bridge_harness import RAYGAN_LINE, SUPPORT_GROUP, BridgeProcess, World, wait_for

CUSTOMER = "09127654321"


def stored_count(world: World, body: str) -> int:
    """How many incoming rows hold `body` (0 while the database does not exist yet)."""
    if not world.db_path.exists():
        return 0
    try:
        with world.db() as db:
            row = db.execute("SELECT count(*) FROM incoming WHERE body = ?", (body,)).fetchone()
    except sqlite3.OperationalError:  # not migrated yet
        return 0
    return int(row[0])


async def test_an_sms_stored_but_not_forwarded_when_killed_is_forwarded_once_after_restart(
    world: World, bridge_process: BridgeProcess
) -> None:
    fake = world.fake
    body = "پیامک پیش از توقف <کشته شد> & باز آمد"
    fake.fail_requests(502, methods={"sendMessage"})
    bridge_process.start()
    world.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, body)
    await wait_for(lambda: stored_count(world, body) == 1, what="the SMS stored", timeout=30)
    # The bridge has tried to post it, and Telegram refused.
    await fake.wait_until(lambda: any(r.status == 502 for r in fake.calls("sendMessage")))
    bridge_process.kill()
    assert not any(body in m.text for m in fake.bot_messages(SUPPORT_GROUP))

    # A retry the bridge wrote just before it died is still refused, not let through.
    await fake.settle()
    fake.clear_failures()
    bridge_process.start()
    await world.reply(SUPPORT_GROUP, lambda m: body in m.text)
    # A later SMS arriving shows the restarted bridge went past the first one.
    marker = "پیامک بعد از راه‌اندازی دوباره"
    world.sandbox.raygan.inject_incoming(RAYGAN_LINE, "09120000001", marker)
    await world.reply(SUPPORT_GROUP, lambda m: marker in m.text)
    assert sum(body in m.text for m in fake.bot_messages(SUPPORT_GROUP)) == 1
    assert stored_count(world, body) == 1
    assert "Traceback" not in bridge_process.log_text()
    # (A graceful stop would wait out Telegram's long poll; nothing here needs one.)
    bridge_process.kill()
