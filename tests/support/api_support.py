"""For the HTTP API's tests and benchmarks: a free port, the [api] config section, a client
over real HTTP, and a local webhook receiver that records what it is sent.

(On pytest's pythonpath, like bridge_harness.)"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from bridge_harness import World

SHOP_KEY = "shop-api-key-0123456789abcdef"  # every scope
READER_KEY = "reader-api-key-0123456789abcdef"  # read only
WEBHOOK_SECRET = "webhook-secret-0123456789abcdef"


def free_port() -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def api_section(port: int, webhook_url: str = "", **settings: Any) -> dict[str, Any]:
    """The [api] section: two keys (shop: every scope; reader: read only), fast webhooks."""
    section: dict[str, Any] = {
        "listen": f"127.0.0.1:{port}",
        "webhook_url": webhook_url,
        "webhook_secret": WEBHOOK_SECRET,
        "webhook_backoff_seconds": [0.2, 0.4, 0.8],
        "webhook_timeout_seconds": 2,
        "keys": [
            {"name": "shop", "key": SHOP_KEY, "scopes": ["sms:send", "otp", "read"]},
            {"name": "reader", "key": READER_KEY, "scopes": ["read"]},
        ],
    }
    section.update(settings)
    return section


def bearer(key: str) -> dict[str, str]:
    """The Authorization header of a key."""
    return {"Authorization": f"Bearer {key}"}


@dataclass
class Answer:
    """One HTTP answer, its body read as JSON."""

    status: int
    headers: dict[str, str]
    body: Any


async def call(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    key: str | None = SHOP_KEY,
    json_body: Any = None,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request over real HTTP; the answer must be JSON, whatever its status."""
    sent = dict(headers or {})
    if key is not None:
        sent.update(bearer(key))
    async with session.request(method, url, json=json_body, data=data, headers=sent) as response:
        assert response.content_type == "application/json", await response.text()
        return Answer(response.status, dict(response.headers), await response.json())


def valid_signature(body: bytes, header: str | None, secret: str = WEBHOOK_SECRET) -> bool:
    """Whether `header` is the HMAC-SHA256 of `body` a receiver expects."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return header is not None and hmac.compare_digest(expected, header)


@dataclass
class Delivery:
    """One POST the receiver got."""

    body: bytes
    signature: str | None
    answered: int
    at: float

    @property
    def event(self) -> dict[str, Any]:
        """The body as JSON."""
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


@dataclass
class WebhookReceiver:
    """A local receiver on a fixed port: `status` is what it answers; `stop()` and `start()`
    take it down and up on the same port (connections refused meanwhile)."""

    port: int = field(default_factory=free_port)
    status: int = 200
    got: list[Delivery] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Where the bridge POSTs."""
        return f"http://127.0.0.1:{self.port}/hook"

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        loop = asyncio.get_running_loop()
        self.got.append(
            Delivery(body, request.headers.get("X-SMS-Bridge-Signature"), self.status, loop.time())
        )
        return web.json_response({"ok": self.status < 300}, status=self.status)

    async def start(self) -> None:
        """Listen on the port."""
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def accepted(self) -> list[dict[str, Any]]:
        """The events it answered 2xx to, in arrival order."""
        return [d.event for d in self.got if d.answered < 300]

    def accepted_ids(self) -> set[str]:
        """The event_ids of the accepted events."""
        return {e["event_id"] for e in self.accepted()}


@dataclass
class ApiWorld:
    """The world, the bridge running with its API, a session and the receiver."""

    world: World
    base: str
    http: aiohttp.ClientSession
    receiver: WebhookReceiver

    def url(self, path: str) -> str:
        """The API's URL of `path`."""
        return f"{self.base}{path}"
