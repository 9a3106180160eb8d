"""With the default schedule (first poll `[polling] delivery` = 10 s after the send, then every
10 s for the first minute) the confirmation shows a report the provider has within 15 s, for a
report there at once and for one that reaches the provider after the first poll (SPEC §7)."""

from __future__ import annotations

import asyncio

from bridge_harness import ADMIN, World
from e2e_steps import ask, now_text

from bot.config import DeliveryConfig, PollingConfig

BOUND = 15.0  # seconds, SPEC §7
DELIVERED = "تحویل شد"


async def test_the_confirmation_shows_reports_the_provider_has_within_15_s(world: World) -> None:
    world.overrides = {
        "polling": {"delivery": PollingConfig().delivery},
        "delivery": DeliveryConfig().model_dump(),
    }
    raygan = world.sandbox.raygan
    raygan.set_outcome("09123334444", "pending")  # no report for this one yet
    await world.start_bridge()
    loop = asyncio.get_running_loop()

    sent_at = loop.time()
    confirmation = await ask(world, ADMIN, ADMIN, "/send 09121112222 09123334444 گزارش زود")
    assert "#1" in confirmation.text

    def delivered() -> int:
        return now_text(world, ADMIN, confirmation.message_id).count(DELIVERED)

    # The provider has the first report within half a second (two simulator steps).
    await world.fake.wait_until(lambda: delivered() == 1, BOUND, what="the first report shown")
    assert loop.time() - sent_at <= BOUND
    assert loop.time() - sent_at >= PollingConfig().delivery - 1, "not before the first poll"

    # The second reaches the provider after the first poll, still in the send's first minute.
    raygan.set_outcome("09123334444", "delivered")
    reported_at = loop.time()
    await world.fake.wait_until(lambda: delivered() == 2, BOUND, what="the second report shown")
    assert loop.time() - reported_at <= BOUND
    assert loop.time() - sent_at < 60
