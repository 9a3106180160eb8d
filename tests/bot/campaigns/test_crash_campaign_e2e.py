"""A real `sms-bridge run` killed (SIGKILL) while one chunk of a campaign is inside its provider
call: after the restart that chunk is `unknown` (never resent, one alert), the campaign goes on
from the first chunk not sent, and every other recipient gets exactly one SMS."""

from __future__ import annotations

import collections
import csv
import io

from bridge_harness import ADMIN, ADMIN_CHAT, BridgeProcess, World, wait_for
from e2e_steps import stop_gracefully

from sandbox.faults import FaultKind

ROWS = 10_000  # ten chunks of 1,000: eight go at once, one of them hangs, two wait


def _csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["mobile", "name"])
    for i in range(ROWS):
        writer.writerow([f"0912{i:07d}", f"n{i}"])
    return out.getvalue().encode()


def _chunks(world: World) -> dict[str, int]:
    with world.db() as db:
        rows = db.execute("SELECT state, count(*) FROM campaign_chunks GROUP BY state").fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


async def test_a_campaign_killed_mid_chunk_resumes_and_never_resends(
    world: World, bridge_process: BridgeProcess
) -> None:
    raygan = world.sandbox.raygan
    raygan.accounts["demo"].credit = 10**9
    bridge_process.start()
    world.fake.upload_document(ADMIN, ADMIN, "big.csv", _csv(), caption="/bulk")
    await world.reply(ADMIN)  # asks for the text
    world.say(ADMIN, ADMIN, "Hi {name}")
    preview = await world.fake.wait_for_bot_message(
        ADMIN, predicate=lambda m: bool(m.buttons()), timeout=30
    )
    # The first call to arrive is taken (its SMS recorded), then never answered.
    raygan.faults.inject(FaultKind.TIMEOUT_AFTER, method="SendCorrespondingMessage", times=1)
    go = next(
        b["callback_data"] for b in preview.buttons() if b["callback_data"].startswith("bulk:go:")
    )
    world.fake.press_button(ADMIN, ADMIN, preview.message_id, go)
    await wait_for(
        lambda: _chunks(world).get("sent") == 7 and _chunks(world).get("in_flight") == 1,
        "seven chunks sent and one inside its call",
        timeout=30,
    )
    bridge_process.kill()
    raygan.faults.clear()
    assert _chunks(world) == {"sent": 7, "in_flight": 1, "pending": 2}

    bridge_process.start()
    alert = await world.fake.wait_for_bot_message(
        ADMIN_CHAT, predicate=lambda m: "#c1" in m.shown, timeout=30
    )
    assert "دوباره فرستاده نمی‌شوند" in alert.shown
    await wait_for(lambda: _chunks(world) == {"sent": 9, "unknown": 1}, "the rest sent", timeout=30)
    summary = await world.fake.wait_for_bot_message(
        ADMIN, predicate=lambda m: m.document is not None, timeout=30
    )
    per_number = collections.Counter(s.mobile for s in raygan.sent)
    assert len(per_number) == ROWS and set(per_number.values()) == {1}  # nobody twice
    assert {s.text for s in raygan.sent if s.mobile == "09120000007"} == {"Hi n7"}
    assert summary.document is not None
    outcomes = collections.Counter(
        row["outcome"]
        for row in csv.DictReader(io.StringIO(summary.document.content.decode("utf-8-sig")))
    )
    assert outcomes["unknown"] == 1000
    # One alert for the campaign, none per chunk send.
    assert sum("#c1" in m.shown for m in world.fake.bot_messages(ADMIN_CHAT)) == 1
    assert await stop_gracefully(bridge_process) == 0
    assert "Traceback" not in bridge_process.log_text()
