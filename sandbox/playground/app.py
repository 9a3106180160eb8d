"""The playground: both provider simulators, the Telegram fake and the real bridge (the same
`RunningBridge` start path as `sms-bridge run`) in one process, and a page to use them.

The page (`static/`) reads one snapshot of everything over server-sent events (`/api/events`,
sent whenever it changes) and acts through small JSON routes under `/api/`: the chat pane as
one of four people, the phone pane as a customer, the side panel's fault switches.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import re
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from bot.admin.service import grant_role
from bot.app import RunningBridge
from bot.config import Config
from sandbox import payamak, raygansms
from sandbox.bridge_config import PAYAMAK_LINE, RAYGAN_LINE, bridge_config
from sandbox.faults import FaultKind
from sandbox.server import PAYAMAK_API, RAYGAN_API, ProviderSandbox, RunningServer
from sandbox.telegram import TelegramFake
from sandbox.telegram.control import message_json
from storage.models import Role

PLAYGROUND_TOKEN = "1000001:playground-token-for-the-offline-fake"
ADMIN_CHAT = -1001234567890
SUPPORT_GROUP = -1009876543210
CUSTOMER = "09127654321"
# The people of the chat pane: user id, name, Telegram language.
ROLES: dict[str, tuple[int, str]] = {
    "admin": (111111111, "Sara"),
    "operator": (222222222, "Omid"),
    "viewer": (333333333, "Vida"),
    "stranger": (555555555, "Stranger"),
}
SECRET_FIELD = re.compile(r"pass|token|key|secret", re.IGNORECASE)
MASK = "•••"
PROVIDER_LOG = 200  # calls kept for the side panel
TICK = 0.2  # seconds between snapshots compared for the page


@dataclass
class ProviderCall:
    """One call that reached a simulator, its secrets masked."""

    seq: int
    provider: str
    method: str
    body: str


def masked_body(raw: str, content_type: str) -> str:
    """A request body (or query string) with every secret-looking field's value masked."""
    if "json" in content_type:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            return raw
        if isinstance(data, dict):
            data = {k: MASK if SECRET_FIELD.search(k) else v for k, v in data.items()}
        return json.dumps(data, ensure_ascii=False)
    pairs = parse_qsl(raw, keep_blank_values=True)
    if not pairs:
        return raw
    return "&".join(f"{k}={MASK if SECRET_FIELD.search(k) else v}" for k, v in pairs)


@dataclass
class Playground:
    """Everything the page shows and drives, in one process."""

    folder: Path
    sandbox: ProviderSandbox = field(default_factory=ProviderSandbox)
    fake: TelegramFake = field(default_factory=lambda: TelegramFake(PLAYGROUND_TOKEN))
    calls: list[ProviderCall] = field(default_factory=list)
    phone_sent: list[dict[str, Any]] = field(default_factory=list)
    switches: dict[str, bool] = field(default_factory=dict)
    _seq: int = 0

    def __post_init__(self) -> None:
        self.sandbox.raygan.delivery_step = 0.5
        self.sandbox.payamak.delivery_step = 0.5
        for role, (user_id, name) in ROLES.items():
            self.fake.add_user(user_id, name, language_code="en" if role == "stranger" else "fa")
        self.fake.add_group(ADMIN_CHAT, "SMS admins")
        self.fake.add_group(SUPPORT_GROUP, "Support")

    def config(self, telegram_url: str, sandbox_url: str) -> Config:
        """The bridge's own config: the fakes, a database in the playground's folder."""
        admin_id = ROLES["admin"][0]
        return Config.model_validate(
            bridge_config(
                token=PLAYGROUND_TOKEN,
                telegram_url=telegram_url,
                sandbox_url=sandbox_url,
                db_path=self.folder / "playground.sqlite3",
                admins=[admin_id],
                admin_chat_id=ADMIN_CHAT,
                routes={RAYGAN_LINE: SUPPORT_GROUP},
                polling={"inbox": 1.0, "delivery": 0.5, "credit": 600},
                delivery={"backoff_seconds": [0.5, 0.5, 1, 2], "give_up_hours": 1},
            )
        )

    # -- what went to the providers -----------------------------------------------------------

    @web.middleware
    async def record(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Keep each provider API call (not the control API's) for the side panel."""
        for provider, prefix in (("RayganSMS", RAYGAN_API), ("Payamak", PAYAMAK_API)):
            if request.path.startswith(prefix):
                raw = (await request.read()).decode("utf-8", "replace") or request.query_string
                self._seq += 1
                method = request.path.removeprefix(prefix).strip("/") or request.method
                body = masked_body(raw, request.content_type)
                self.calls.append(ProviderCall(self._seq, provider, method, body))
                del self.calls[:-PROVIDER_LOG]
        return await handler(request)

    # -- the snapshot the page shows ----------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything on the page, as JSON-ready data."""
        chats: dict[str, list[dict[str, Any]]] = {}
        for role, (user_id, _) in ROLES.items():
            chats[f"{role}:private"] = [message_json(m) for m in self.fake.messages(user_id)]
        chats["group"] = [message_json(m) for m in self.fake.messages(SUPPORT_GROUP)]
        chats["admins"] = [message_json(m) for m in self.fake.messages(ADMIN_CHAT)]
        received: list[dict[str, Any]] = []
        raygan, meli = self.sandbox.raygan, self.sandbox.payamak
        for sms in raygan.sent:
            if sms.mobile == CUSTOMER:
                state = "blocked" if sms.blocked else _raygan_state(raygan.status_of(sms))
                received.append({"line": sms.line, "text": sms.text, "at": sms.at, "state": state})
        for sent in meli.sent:
            if CUSTOMER in _payamak_recipients(sent.to_json()):
                payload = sent.to_json()
                received.append(
                    {
                        "line": str(payload.get("from", PAYAMAK_LINE)),
                        "text": str(payload.get("text", "")),
                        "at": float(payload.get("at", 0)),
                        "state": "",
                    }
                )
        received.sort(key=lambda r: r["at"])
        return {
            "customer": CUSTOMER,
            "lines": {"raygan": RAYGAN_LINE, "payamak": PAYAMAK_LINE},
            "roles": {role: user_id for role, (user_id, _) in ROLES.items()},
            "chats": chats,
            "phone": {"received": received, "sent": self.phone_sent},
            "outcome": _outcome_name(raygan.outcomes.get(CUSTOMER)),
            "calls": [
                {"seq": c.seq, "provider": c.provider, "method": c.method, "body": c.body}
                for c in self.calls
            ],
            "switches": self.switches,
        }

    # -- the page's actions -------------------------------------------------------------------

    def chat_of(self, role: str, where: str) -> tuple[int, int]:
        """(user id, chat id) of a role in its private chat, the line's group or the admins'."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        user_id = ROLES[role][0]
        chats = {"private": user_id, "group": SUPPORT_GROUP, "admins": ADMIN_CHAT}
        if where not in chats:
            raise ValueError(f"unknown chat {where!r}: private, group or admins")
        return user_id, chats[where]

    def text_the_line(self, body: str, provider: str) -> None:
        """The customer sends an SMS to one of the lines."""
        if not body:
            raise ValueError("an SMS needs some text")
        sender = "98" + CUSTOMER[1:]
        if provider == "payamak":
            self.sandbox.payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, body)
            line = PAYAMAK_LINE
        else:
            self.sandbox.raygan.inject_incoming(RAYGAN_LINE, sender, body)
            line = RAYGAN_LINE
        self.phone_sent.append({"line": line, "text": body, "at": time.time()})

    def set_outcome(self, outcome: str) -> None:
        """What happens to SMS sent to the customer from now on."""
        if outcome not in ("delivered", "undelivered", "blocked"):
            raise ValueError("outcome is delivered, undelivered or blocked")
        self.sandbox.raygan.set_outcome(CUSTOMER, outcome)
        self.sandbox.payamak.set_outcome(CUSTOMER, outcome)

    def switch(self, name: str, on: bool) -> None:
        """Turn one fault on or off: `<provider>.outage|no_credit|slow` or `telegram.*`."""
        sims: dict[str, raygansms.RayganSimulator | payamak.PayamakSimulator] = {
            "raygan": self.sandbox.raygan,
            "payamak": self.sandbox.payamak,
        }
        where, _, kind = name.partition(".")
        if where == "telegram" and kind in ("flood", "outage"):
            self.switches[name] = on
            if kind == "flood":
                self.fake.set_flood(on)
            else:
                self.fake.clear_failures()
                if on:
                    self.fake.fail_requests(502)
            return
        sim = sims.get(where)
        if sim is None or kind not in ("outage", "no_credit", "slow"):
            raise ValueError(f"unknown switch {name!r}")
        self.switches[name] = on
        sim.faults.clear()
        if self.switches.get(f"{where}.outage"):
            sim.faults.inject(FaultKind.HTTP_STATUS, value=503, times=None)
        if self.switches.get(f"{where}.slow"):
            sim.faults.set_latency(3.0)
        for account in sim.accounts.values():
            if kind == "no_credit":
                account.credit = (
                    0
                    if on
                    else (raygansms.DEFAULT_CREDIT if where == "raygan" else payamak.DEFAULT_CREDIT)
                )

    def build_app(self) -> web.Application:
        """The page, its static files, the snapshot stream and the actions."""
        app = web.Application(client_max_size=16 * 1024 * 1024)
        static = Path(str(resources.files("sandbox.playground") / "static"))

        async def index(request: web.Request) -> web.FileResponse:
            return web.FileResponse(static / "index.html")

        app.router.add_get("/", index)
        app.router.add_static("/static/", static)
        app.router.add_get("/api/events", self._events)
        app.router.add_get("/api/state", self._state)
        app.router.add_post("/api/{action}", self._act)
        return app

    async def _state(self, request: web.Request) -> web.Response:
        return web.json_response(self.snapshot())

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        last = ""
        while True:
            now = json.dumps(self.snapshot(), ensure_ascii=False)
            if now != last:
                await response.write(f"data: {now}\n\n".encode())
                last = now
            await asyncio.sleep(TICK)

    async def _act(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return web.json_response({"ok": False, "error": "the body must be JSON"}, status=400)
        if not isinstance(body, dict):
            return web.json_response({"ok": False, "error": "a JSON object"}, status=400)
        action = request.match_info["action"]
        try:
            result = await self._do(action, body)
        except (ValueError, TypeError, KeyError, binascii.Error) as err:
            return web.json_response({"ok": False, "error": str(err)}, status=409)
        return web.json_response({"ok": True, **result})

    async def _do(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        if action in ("say", "press", "upload"):
            user_id, chat_id = self.chat_of(str(body["role"]), str(body.get("where", "private")))
            reply_to = body.get("reply_to")
            reply = None if reply_to is None else int(reply_to)
            if action == "say":
                self.fake.user_sends(user_id, chat_id, str(body["text"]), reply_to=reply)
            elif action == "press":
                self.fake.press_button(user_id, chat_id, int(body["message_id"]), str(body["data"]))
            else:
                self.fake.upload_document(
                    user_id,
                    chat_id,
                    str(body["filename"]),
                    base64.b64decode(str(body["content_base64"]), validate=True),
                    caption=str(body.get("caption") or "") or None,
                    reply_to=reply,
                )
            return {}
        if action == "phone":
            self.text_the_line(str(body["text"]), str(body.get("provider", "raygan")))
            return {}
        if action == "outcome":
            self.set_outcome(str(body["outcome"]))
            return {}
        if action == "switch":
            self.switch(str(body["name"]), bool(body["on"]))
            return {}
        raise ValueError(f"unknown action {action!r}")


def _raygan_state(code: int) -> str:
    names = {code: name for name, code in raygansms.OUTCOMES.items()}
    return names.get(code, str(code))


def _outcome_name(code: int | None) -> str:
    if code is None:
        return "delivered"
    names = {code: name for name, code in raygansms.OUTCOMES.items()}
    return names.get(code, str(code))


def _payamak_recipients(payload: dict[str, Any]) -> list[str]:
    to = payload.get("to", [])
    return [str(n) for n in to] if isinstance(to, list) else [str(to)]


@contextlib.asynccontextmanager
async def running_playground(port: int = 0) -> AsyncIterator[tuple[Playground, str]]:
    """The playground served on 127.0.0.1:`port` (0: any free port); yields it and its URL."""
    with tempfile.TemporaryDirectory(prefix="sms-bridge-playground-") as folder:
        playground = Playground(Path(folder))
        providers_app = playground.sandbox.build_app()
        providers_app.middlewares.append(playground.record)
        async with (
            RunningServer(providers_app) as providers,
            RunningServer(playground.fake.build_app()) as telegram,
        ):
            config = playground.config(telegram.url, providers.url)
            async with RunningBridge(config) as bridge:
                admin_id = ROLES["admin"][0]
                for role in ("operator", "viewer"):
                    await grant_role(
                        bridge.data.repo, ROLES[role][0], Role(role), admin_id, admin_id
                    )
                async with RunningServer(playground.build_app(), port=port) as page:
                    yield playground, page.url


async def serve_playground(port: int) -> None:
    """`sms-bridge playground`: serve the page until interrupted."""
    async with running_playground(port) as (_, url):
        print(f"The playground: {url}/  (press Ctrl+C to stop)", flush=True)
        await asyncio.Event().wait()
