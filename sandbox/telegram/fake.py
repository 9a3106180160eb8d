"""`TelegramFake`: the Bot API server for one bot and the users' side, in one object."""

from __future__ import annotations

from aiohttp import web

from sandbox.telegram.control import add_control_routes
from sandbox.telegram.driver import UserDriver
from sandbox.telegram.methods import MAX_UPLOAD
from sandbox.telegram.server import ApiServer


class TelegramFake(ApiServer, UserDriver):
    """The Bot API server for one bot, plus the users' side (see `sandbox.telegram`).

    Stricter than Telegram on purpose: unknown parameters and bare `&` in HTML are 400s.
    `clock` (monotonic seconds) drives flood limits and timed outages; inject one in tests.
    `privacy_mode` (Telegram's default): in groups where the bot is not an admin, the bot gets
    only commands, replies to its own messages and button presses.
    """

    def build_app(self) -> web.Application:
        """The aiohttp application: `/bot<token>/<method>`, `/file/bot<token>/<path>` and the
        control API under `/_sandbox/telegram/`."""
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        self.add_api_routes(app)
        add_control_routes(app, self)
        return app
