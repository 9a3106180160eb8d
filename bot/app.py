"""The one place that wires everything: config, storage, providers, the PTB Application,
handlers and jobs. Nothing happens at import time."""

from __future__ import annotations

import asyncio
import logging
import signal
from types import TracebackType
from typing import Any

import aiohttp
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot.access.handlers import check_access
from bot.account.handlers import account_handlers
from bot.admin.handlers import admin_handlers
from bot.alerts.admin_chat import AdminChatAlerts
from bot.api.server import ApiServer
from bot.campaigns.handlers import campaign_handlers
from bot.config import AccountConfig, Config
from bot.context import Account, BotData, Context, with_fallbacks
from bot.errors import on_error
from bot.export.handlers import export_handlers
from bot.help.handlers import bot_commands, help_handlers
from bot.history.handlers import history_handlers
from bot.jobs.replicas import report_interrupted_sends
from bot.jobs.schedule import schedule_jobs
from bot.logs import quiet_leaky_loggers
from bot.optout.handlers import optout_handlers
from bot.otp.handlers import otp_handlers
from bot.otp.shared import otp_service
from bot.schedule.handlers import schedule_handlers
from bot.send.guided import GUIDED_GROUP, guided_flow_handlers
from bot.send.handlers import send_handlers
from bot.startup import initialize_telegram, open_bridge_database, open_bridge_pool
from bot.throttle.service import ServiceClock
from bot.topics.handlers import topic_handlers
from bot.updates import ChatOrderedUpdateProcessor
from bot.webhook import WebhookServer
from bot.webhooks.jobs import WebhookSender
from providers.base import SmsProvider
from providers.registry import provider_spec
from storage.postgres import PgStorage
from storage.postgres.leases import PgLeases, new_replica_id
from storage.sqlite import SqliteStorage
from storage.sqlite.leases import SqliteLeases

log = logging.getLogger(__name__)

# PTB's builder infers loose generics; what we rely on is the typed bot_data.
BridgeApp = Application[Any, Any, Any, Any, BotData, Any]

ACCESS_GROUP = -2  # before everything: a user with no role goes no further

# Telegram's own limits (SPEC §5); AIORateLimiter waits on 429 and retries this often.
TELEGRAM_RETRIES = 5


def make_provider(session: aiohttp.ClientSession, account: AccountConfig) -> SmsProvider:
    """The adapter for one configured account, on the shared session."""
    return provider_spec(account.provider).adapter(
        session,
        base_url=account.base_url,
        username=account.username,
        password=account.password.get_secret_value(),
        settings=account.http_settings(),
    )


def register_handlers(application: BridgeApp) -> None:
    """Every handler, in order; the access check first, in its own earlier group, then the
    steps of open multi-step flows (stored in the database), then the rest."""
    application.add_handler(TypeHandler(Update, check_access), group=ACCESS_GROUP)
    for handler in guided_flow_handlers():
        application.add_handler(handler, group=GUIDED_GROUP)
    for feature in (
        campaign_handlers,  # first: its conversation takes only what its own steps await
        help_handlers,
        topic_handlers,
        export_handlers,
        send_handlers,
        otp_handlers,
        account_handlers,
        history_handlers,
        admin_handlers,
        schedule_handlers,
        optout_handlers,
    ):
        for handler in feature():
            application.add_handler(handler)
    application.add_error_handler(on_error)


async def post_init(application: BridgeApp) -> None:
    """Open the one database connection and HTTP session, build the adapters, recover."""
    data: BotData = application.bot_data
    config = data.config
    if config.storage.is_postgres:
        data.pool = await open_bridge_pool(config)
        leases = PgLeases(config.storage.url, new_replica_id())
        await leases.open()
        data.leases = leases
        data.repo = PgStorage(data.pool, replica_id=leases.replica_id)
        log.info("replica %s on PostgreSQL", leases.replica_id)
    else:
        data.db = await open_bridge_database(config.storage.path)
        data.repo = SqliteStorage(data.db)
        data.leases = SqliteLeases()
    # Before anything is stored: from here on every incoming SMS and state change has its
    # webhook event, in the same transaction.
    await data.repo.set_webhook_events(bool(config.api and config.api.webhook_url))
    data.session = aiohttp.ClientSession()
    data.accounts = with_fallbacks(
        {a.name: Account(a, make_provider(data.session, a)) for a in config.accounts}
    )
    await data.repo.sync_config_routes([(r.line, r.chat_id) for r in config.routes])
    for route in config.routes:
        if route.topics:
            chat_id = await data.repo.current_chat_id(route.chat_id)
            await data.repo.set_route_topics(route.line, chat_id, True)
    await report_interrupted_sends(data, application.bot)
    try:
        await application.bot.set_my_commands(bot_commands(config.telegram.language))
    except TelegramError as exc:
        # The menu is a convenience; the bridge must still start and forward SMS.
        log.warning("could not set the bot's command menu: %s", exc)
    if config.api is not None:
        alerts = AdminChatAlerts(data, application.bot)
        if config.api.webhook_url:
            data.webhook_sender = WebhookSender(config.api, data.repo, data.session, alerts)
        data.api_server = ApiServer(
            config.api,
            data.repo,
            data.accounts,
            data.default_account,
            alerts,
            otp_service(data, application.bot),
            poll_delay=config.polling.delivery,
        )
        await data.api_server.start()
    assert application.job_queue is not None
    schedule_jobs(application.job_queue, data)
    log.info("bridge ready: %d accounts", len(data.accounts))


async def post_shutdown(application: BridgeApp) -> None:
    """Close what post_init opened."""
    data: BotData = application.bot_data
    opened = getattr(data, "db", None) or getattr(data, "pool", None)
    if getattr(data, "session", None) is None and opened is None:
        return  # it never started (a start-up failure says why on its own)
    if data.api_server is not None:
        await data.api_server.stop()  # its provider calls still need the session and database
        data.api_server = None
    if getattr(data, "session", None) is not None:
        await data.session.close()
    if getattr(data, "leases", None) is not None:
        await data.leases.close()
    if getattr(data, "db", None) is not None:
        await data.db.close()
    if getattr(data, "pool", None) is not None:
        await data.pool.close()
    if opened is not None:
        log.info("bridge stopped")  # not said by a bridge that never opened its database


def build_application(config: Config, *, clock: ServiceClock | None = None) -> BridgeApp:
    """The PTB Application for `config`, with handlers; jobs start in post_init. `clock`:
    what time it is for scheduled sends (tests move their own)."""
    quiet_leaky_loggers()
    api = config.telegram.api_url
    builder = (
        Application.builder()
        .token(config.telegram.token.get_secret_value())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .context_types(ContextTypes(bot_data=BotData))
        .rate_limiter(AIORateLimiter(max_retries=TELEGRAM_RETRIES))
        # Chats side by side, each chat's updates in order: a slow provider call in one chat
        # holds up nothing else.
        .concurrent_updates(ChatOrderedUpdateProcessor())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if config.telegram.proxy:
        builder = builder.proxy(config.telegram.proxy).get_updates_proxy(config.telegram.proxy)
    application = builder.build()
    application.bot_data.config = config
    application.bot_data.clock = ServiceClock() if clock is None else clock
    register_handlers(application)
    return application


def run_bridge(config: Config) -> None:
    """`sms-bridge run`: poll Telegram (or serve its webhook) until stopped; StartupError if
    it cannot start."""
    application = build_application(config)
    # Reach Telegram before run_polling does: its retry loop logs a failure with a traceback
    # (and the token), while start-up failures are one line. run_polling then finds the
    # application initialised, on this same event loop.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(initialize_telegram(application))
    except BaseException:
        loop.close()
        raise
    if config.telegram.mode == "webhook":
        try:
            loop.run_until_complete(_serve_webhook(application))
        finally:
            loop.close()
        return
    application.run_polling(allowed_updates=Update.ALL_TYPES)


async def _serve_webhook(application: BridgeApp) -> None:
    """Webhook mode until SIGTERM or SIGINT: the same lifecycle as run_polling, with our
    webhook server in place of getUpdates."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with RunningBridge.around(application):
        await stop.wait()
        log.info("stopping")


class RunningBridge:
    """The bridge running inside an existing event loop (tests, the demo, webhook mode), with
    the same lifecycle as `run_polling`: initialize, post_init, start polling (or serve the
    webhook); then the reverse."""

    def __init__(
        self,
        config: Config,
        *,
        poll_timeout: int = 1,
        clock: ServiceClock | None = None,
    ) -> None:
        self.application = build_application(config, clock=clock)
        self._poll_timeout = poll_timeout
        self._webhook: WebhookServer | None = None

    @classmethod
    def around(cls, application: BridgeApp) -> RunningBridge:
        """A RunningBridge for an application built already."""
        running = cls.__new__(cls)
        running.application = application
        running._poll_timeout = 1
        running._webhook = None
        return running

    @property
    def data(self) -> BotData:
        """The running bridge's dependencies."""
        data: BotData = self.application.bot_data
        return data

    async def __aenter__(self) -> RunningBridge:
        app = self.application
        await initialize_telegram(app)
        try:
            # Opens the database, taking its lock: a second bridge on it stops here.
            await post_init(app)
        except BaseException:
            await post_shutdown(app)
            await app.shutdown()
            raise
        telegram = self.data.config.telegram
        try:
            if telegram.mode == "webhook":
                self._webhook = WebhookServer(app)
                await self._webhook.start()
                # Every replica registers the same public URL (the balancer's); Telegram
                # keeps one, and refuses getUpdates while it is set.
                await app.bot.set_webhook(
                    telegram.webhook_url,
                    secret_token=telegram.secret_token.get_secret_value(),
                    allowed_updates=Update.ALL_TYPES,
                )
            else:
                assert app.updater is not None
                await app.updater.start_polling(
                    poll_interval=0.0, timeout=self._poll_timeout, allowed_updates=Update.ALL_TYPES
                )
            await app.start()
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        app = self.application
        if self._webhook is not None:
            await self._webhook.stop()
        assert app.updater is not None
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await post_shutdown(app)
        await app.shutdown()


__all__ = ["BridgeApp", "Context", "RunningBridge", "build_application", "run_bridge"]
