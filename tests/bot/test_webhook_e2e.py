"""Webhook mode on one process (SQLite): Telegram's posts reach the bridge, a post without the
secret token is refused, an update posted twice is handled once, getUpdates is refused."""

from __future__ import annotations

import socket

import aiohttp
from bridge_harness import ADMIN, World, wait_for
from e2e_steps import ask

SECRET = "webhook-secret-token_1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _webhook_mode(world: World) -> str:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    world.overrides["telegram"] = {
        **world.config_data()["telegram"],
        "mode": "webhook",
        "webhook_url": url,
        "webhook_listen": f"127.0.0.1:{port}",
        "secret_token": SECRET,
    }
    return url


async def test_updates_arrive_by_webhook_and_get_updates_is_refused(world: World) -> None:
    url = _webhook_mode(world)
    await world.start_bridge()
    assert [c.params["url"] for c in world.fake.calls("setWebhook")] == [url]
    assert not world.fake.calls("getUpdates")
    answer = await ask(world, ADMIN, ADMIN, "/start")
    assert "مدیر" in answer.text
    assert all(status == 200 for _, _, status in world.fake.webhook_posts)
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{world.telegram_url}/bot{world.fake._token}/getUpdates") as response,
    ):
        assert response.status == 409


async def test_a_post_without_the_secret_token_is_refused(world: World) -> None:
    url = _webhook_mode(world)
    await world.start_bridge()
    update = {"update_id": 999, "message": {"message_id": 1, "date": 0, "text": "/start"}}
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with session.post(url, json=update, headers=headers) as response:
                assert response.status == 403
    assert world.bridge is not None
    assert await world.bridge.data.repo.claim_update(999)  # never claimed: never handled


async def test_an_update_posted_twice_is_handled_once(world: World) -> None:
    url = _webhook_mode(world)
    world.fake.webhook_targets = [url, url]
    world.fake.webhook_fan_out = True
    await world.start_bridge()
    await ask(world, ADMIN, ADMIN, "/start")
    await wait_for(lambda: len(world.fake.webhook_posts) >= 2, what="both posts")
    (update_id,) = {u for _, u, _ in world.fake.webhook_posts}
    assert [s for _, u, s in world.fake.webhook_posts if u == update_id] == [200, 200]
    # Updates of one chat are handled in order: once /help is answered, a second /start
    # would have been answered before it.
    world.fake.webhook_fan_out = False
    world.fake.webhook_targets = [url]
    await ask(world, ADMIN, ADMIN, "/help")
    assert len(world.fake.bot_messages(ADMIN)) == 2
