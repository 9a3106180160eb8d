"""Serve the provider simulators (and the Telegram fake) on 127.0.0.1, for tests, demo, bench."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from types import TracebackType

from aiohttp import web

from sandbox.payamak import PayamakSimulator
from sandbox.raygansms import RayganSimulator

log = logging.getLogger(__name__)

RAYGAN_API = "/raygansms/api/smsAPI"
PAYAMAK_API = "/payamak/api/SendSMS"
RAYGAN_CONTROL = "/_sandbox/raygansms"
PAYAMAK_CONTROL = "/_sandbox/payamak"


@dataclass
class ProviderSandbox:
    """Both simulators in one aiohttp application."""

    raygan: RayganSimulator = field(default_factory=RayganSimulator)
    payamak: PayamakSimulator = field(default_factory=PayamakSimulator)

    def build_app(self) -> web.Application:
        """The application serving both APIs and their control routes."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        self.raygan.install(app, api_prefix=RAYGAN_API, control_prefix=RAYGAN_CONTROL)
        self.payamak.install(app, api_prefix=PAYAMAK_API, control_prefix=PAYAMAK_CONTROL)
        return app


class RunningServer:
    """An aiohttp application served on host:port (port 0: any free port) until closed."""

    def __init__(self, app: web.Application, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> RunningServer:
        """Start serving and set `url` (no trailing slash)."""
        # Access logs off: the bench pushes tens of thousands of requests through these.
        # A short shutdown: handlers hung on purpose (timeout faults) must not hold a close.
        self._runner = web.AppRunner(
            self._app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.base_events.Server)
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://{self._host}:{port}"
        return self

    async def close(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> RunningServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


SANDBOX_TOKEN = "1000001:sandbox-token-for-the-offline-fake"


def banner(sandbox: ProviderSandbox, url: str, *, telegram: bool = False) -> str:
    """What `sms-bridge sandbox` prints at start: each simulator's address, its accounts and
    the lines each owns (incoming SMS can only be injected on those); with `telegram`, the
    Telegram fake's Bot API address, its token and its control API."""
    rows: list[str] = []
    simulators = (
        ("RayganSMS", RAYGAN_API, RAYGAN_CONTROL, sandbox.raygan.accounts),
        ("Payamak", PAYAMAK_API, PAYAMAK_CONTROL, sandbox.payamak.accounts),
    )
    for name, api, control, accounts in simulators:
        rows.append(f"{name + ' simulator:':<21}{url}{api}  (control: {url}{control})")
        for account in accounts.values():
            lines = ", ".join(account.lines) or "no lines"
            rows.append(f"  account {account.username} / password {account.password}: {lines}")
    if telegram:
        rows.append(
            f"{'Telegram fake:':<21}telegram.api_url = {url}/bot, telegram.token = "
            f"{SANDBOX_TOKEN}  (control: {url}/_sandbox/telegram)"
        )
    rows.append("Press Ctrl+C to stop.")
    return "\n".join(rows)


async def serve_forever(host: str, port: int, *, telegram: bool = False) -> None:
    """`sms-bridge sandbox`: both simulators (and with `telegram`, the Telegram fake and its
    users' side on the same port) until interrupted."""
    sandbox = ProviderSandbox()
    app = sandbox.build_app()
    if telegram:
        # Imported here: the fake loads the Bot API data, which the simulators alone never need.
        from sandbox.telegram import TelegramFake
        from sandbox.telegram.control import add_control_routes

        fake = TelegramFake(SANDBOX_TOKEN)
        fake.add_api_routes(app)
        add_control_routes(app, fake)
    async with RunningServer(app, host, port) as server:
        print(banner(sandbox, server.url, telegram=telegram), flush=True)
        await asyncio.Event().wait()
