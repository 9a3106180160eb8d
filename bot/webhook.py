"""Webhook mode (`telegram.mode = "webhook"`): an aiohttp route that Telegram (through a load
balancer, to any replica) posts updates to.

A request must carry the `X-Telegram-Bot-Api-Secret-Token` header set to `telegram.secret_token`
(else 403, nothing read); each update is claimed by its `update_id` in the database before it
is handed to PTB, so one posted twice (Telegram retrying, or a balancer posting it to two
replicas) is handled once, by whichever replica claimed it. The answer is 200 once the update
is claimed and queued: a repeat answers 200 too (Telegram must stop resending it).
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.context import BotData

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20  # an update is a few KB; Telegram's own are far below this


def webhook_path(webhook_url: str) -> str:
    """The path the webhook is served at: webhook_url's ("/" if it has none)."""
    return urlsplit(webhook_url).path or "/"


class WebhookServer:
    """The aiohttp server that takes Telegram's posts and queues them for PTB."""

    def __init__(self, application: Application[Any, Any, Any, Any, BotData, Any]) -> None:
        self._application = application
        config = application.bot_data.config.telegram
        self._secret = config.secret_token.get_secret_value().encode()
        self._path = webhook_path(config.webhook_url)
        self._host, self._port = config.webhook_host_port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on telegram.webhook_listen."""
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(self._path, self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        log.info("webhook server listening on %s:%s%s", self._host, self._port, self._path)

    async def stop(self) -> None:
        """Stop listening (updates already queued are still handled)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request without the right secret token refused")
            return web.Response(status=403, text="forbidden")
        try:
            data = json.loads(await request.read())
            update_id = int(data["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="not an update")
        bot_data: BotData = self._application.bot_data
        if not await bot_data.repo.claim_update(update_id):
            log.info("update %s was handled already; dropped", update_id)
            return web.Response(text="ok")
        update = Update.de_json(data, self._application.bot)
        await self._application.update_queue.put(update)
        return web.Response(text="ok")
