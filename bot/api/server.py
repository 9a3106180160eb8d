"""The API's aiohttp server: the routes, JSON for every error (never aiohttp's HTML pages or
a traceback), the body cap; started in `post_init` and stopped in `post_shutdown`."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping

from aiohttp import web

from bot.alerts.service import AlertSink
from bot.api.openapi import openapi_document
from bot.api.routes import (
    DEPS,
    ApiDeps,
    ApiError,
    Handler,
    error_response,
    get_message,
    health,
    post_message,
    post_otp,
    post_otp_verify,
    too_large,
)
from bot.api.schemas import FieldError
from bot.api.service import ApiAccount, KeyRing, RateLimiter, SendBatcher
from bot.config import ApiConfig
from bot.otp.service import OtpService
from bot.startup import StartupError
from storage.base import Storage

log = logging.getLogger(__name__)

# Provider calls still running at stop get this long before they are left to the next
# start (which marks them unknown: never resent).
STOP_GRACE_SECONDS = 10.0

_REASONS = {404: "no such route", 405: "method not allowed"}


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error as the API's JSON error body."""
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error.status, error.errors, error.headers)
    except web.HTTPRequestEntityTooLarge:
        refused = too_large(request.app[DEPS].max_body_bytes)
        return error_response(refused.status, refused.errors)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = _REASONS.get(exc.status, exc.reason)
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_response(exc.status, [FieldError(field="", message=message)], headers)
    except asyncio.CancelledError:
        raise
    except Exception:  # the last boundary before aiohttp's own 500 page
        log.exception("API %s %s failed", request.method, request.path)
        return error_response(500, [FieldError(field="", message="internal error")])


def build_app(deps: ApiDeps, *, document: dict[str, object]) -> web.Application:
    """The aiohttp application of the API."""
    app = web.Application(middlewares=[json_errors], client_max_size=deps.max_body_bytes)
    app[DEPS] = deps

    async def openapi(_request: web.Request) -> web.Response:
        return web.json_response(document)

    app.router.add_post("/v1/messages", post_message)
    app.router.add_get(r"/v1/messages/{id:\d{1,18}}", get_message, allow_head=False)
    app.router.add_post("/v1/otp", post_otp)
    app.router.add_post("/v1/otp/verify", post_otp_verify)
    app.router.add_get("/v1/health", health, allow_head=False)
    app.router.add_get("/v1/openapi.json", openapi, allow_head=False)
    return app


class ApiServer:
    """The API listening on `config.listen` until stopped."""

    def __init__(
        self,
        config: ApiConfig,
        repo: Storage,
        accounts: Mapping[str, ApiAccount],
        default_account: ApiAccount,
        alerts: AlertSink,
        otp: OtpService,
        *,
        poll_delay: float,
    ) -> None:
        self.config = config
        self.deps = ApiDeps(
            repo=repo,
            accounts=accounts,
            default_account=default_account,
            alerts=alerts,
            keys=KeyRing(config.keys),
            limiter=RateLimiter(config.rate_per_second, config.rate_burst),
            poll_delay=poll_delay,
            max_body_bytes=config.max_body_bytes,
            otp=otp,
            batcher=SendBatcher(repo),
        )
        self.app = build_app(self.deps, document=openapi_document(config, otp.config))
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen; a port that cannot be had is a StartupError (one line)."""
        # No access log: every call is audited under its key, and a log line per request
        # would cost more than the request itself at hundreds a second.
        runner = web.AppRunner(self.app, handle_signals=False, access_log=None, shutdown_timeout=5)
        await runner.setup()
        site = web.TCPSite(runner, self.config.host, self.config.port, backlog=1024)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            reason = (os.strerror(exc.errno) if exc.errno else str(exc)).lower()
            raise StartupError(f"the API cannot listen on {self.config.listen}: {reason}") from None
        self._runner = runner
        log.info("API listening on %s", self.config.listen)

    async def stop(self) -> None:
        """Stop listening, then let the provider calls still running finish (bounded)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.deps.batcher.close()
        tasks = list(self.deps.tasks)
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
            for task in pending:
                task.cancel()
            if pending:
                log.warning("%d API sends were still calling the provider at stop", len(pending))
