"""Contract: multi-step flows kept per (chat, person, kind), expiring, taken once."""

from __future__ import annotations

import asyncio
from typing import Any

from storage.base import Storage

KIND = "send"


async def test_a_flow_is_kept_per_chat_and_person(storage_backend: Storage) -> None:
    await storage_backend.save_flow(-100, 7, KIND, "text", {"numbers": "+989121112222"})
    await storage_backend.save_flow(-200, 7, KIND, "numbers", {})
    flow = await storage_backend.get_flow(-100, 7, KIND, max_age=900)
    assert flow is not None and (flow.step, flow.data) == ("text", {"numbers": "+989121112222"})
    other = await storage_backend.get_flow(-200, 7, KIND, max_age=900)
    assert other is not None and other.step == "numbers"
    assert await storage_backend.get_flow(-100, 8, KIND, max_age=900) is None
    await storage_backend.save_flow(-100, 7, KIND, "confirm", {"body": "سلام"}, preview_id=55)
    flow = await storage_backend.get_flow(-100, 7, KIND, max_age=900)
    assert flow is not None and (flow.step, flow.preview_id, flow.data) == (
        "confirm",
        55,
        {"body": "سلام"},
    )
    assert [f.user_id for f in await storage_backend.flows_with_preview(-100, KIND, 55)] == [7]
    assert await storage_backend.drop_flow(-100, 7, KIND)
    assert not await storage_backend.drop_flow(-100, 7, KIND)
    assert await storage_backend.get_flow(-100, 7, KIND, max_age=900) is None


async def test_an_old_flow_has_expired(storage_backend: Storage, clock: Any) -> None:
    await storage_backend.save_flow(-100, 7, KIND, "text", {}, preview_id=9)
    clock.advance(901)
    assert await storage_backend.take_flow(-100, 7, KIND, 9, max_age=900) is None
    assert await storage_backend.get_flow(-100, 7, KIND, max_age=900) is None


async def test_a_preview_is_taken_once_by_concurrent_presses(storage_backend: Storage) -> None:
    await storage_backend.save_flow(-100, 7, KIND, "confirm", {"body": "x"}, preview_id=9)
    assert await storage_backend.take_flow(-100, 7, KIND, 10, max_age=900) is None  # not it
    taken = await asyncio.gather(
        *(storage_backend.take_flow(-100, 7, KIND, 9, max_age=900) for _ in range(6))
    )
    assert sum(1 for t in taken if t is not None) == 1
