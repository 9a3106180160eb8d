"""A world whose RayganSMS line is routed, in topic mode, to a forum supergroup."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from bridge_harness import ADMIN, FORUM, OPERATOR, RAYGAN_LINE, SUPPORT_GROUP, VIEWER, World

from storage.models import Role


@pytest.fixture
async def forum(world: World) -> AsyncIterator[World]:
    """The bridge running with RayganSMS routed to FORUM with `topics = true` in the config
    (the Payamak line stays a plain route to the support group)."""
    world.fake.add_group(FORUM, "Customers", bot_is_admin=True, forum=True, can_manage_topics=True)
    world.overrides["routes"] = [
        {"line": RAYGAN_LINE, "chat_id": FORUM, "topics": True},
        {"line": "10002188", "chat_id": SUPPORT_GROUP},
    ]
    await world.start_bridge()
    assert world.bridge is not None
    repo = world.bridge.data.repo
    await repo.set_role(OPERATOR, Role.OPERATOR, ADMIN)
    await repo.set_role(VIEWER, Role.VIEWER, ADMIN)
    await world.first_polls_done()
    yield world
