"""Start-up failures in one line: what went wrong and what to set, never a traceback or a secret.

`sms-bridge run` meets the outside world first when PTB initialises the bot (`getMe`) and then
when the database is opened. Whatever goes wrong there is turned into a `StartupError` whose
message names the cause and the fix (SPEC §2), e.g.
`cannot reach Telegram at https://api.telegram.org: connection refused — set telegram.proxy or
telegram.api_url`; the CLI prints it and exits 1.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
import httpx
from telegram.error import InvalidToken, TelegramError, TimedOut
from telegram.ext import Application

from bot.config import Config, public_url
from bot.logs import redact
from storage.postgres import open_pool
from storage.sqlite.db import open_database

log = logging.getLogger(__name__)

# PTB logs a reply it cannot parse (a proxy's or a web server's page) with a traceback before
# raising; the raised error is what start-up explains.
_PTB_REQUEST_LOGGER = "telegram.request.BaseRequest"
_UNPARSABLE = "Invalid server response"
_PARSING_NOTE = ". Parsing the server response"
_CHECK_PROXY = "check telegram.proxy (its address, user and password)"


class StartupError(Exception):
    """The bridge cannot start; the message is one line naming the cause and the fix, with no
    secret in it."""


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error` and its causes, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _reason(error: BaseException, secrets: list[str]) -> str:
    """Why a connection failed, in a few plain words."""
    for cause in _chain(error):
        if isinstance(cause, TimedOut | httpx.TimeoutException | TimeoutError):
            return "no answer (timed out)"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "the host name cannot be resolved"
    for cause in _chain(error):
        if isinstance(cause, OSError) and cause.strerror:
            return redact(cause.strerror.lower(), secrets)
    return redact(str(error), secrets) or type(error).__name__


def _status(error: BaseException, secrets: list[str]) -> str:
    """The HTTP status PTB saw in an answer it could not parse, e.g. `Not Found (404)`."""
    for cause in _chain(error):
        text = str(cause)
        if _PARSING_NOTE in text:
            return redact(text.split(_PARSING_NOTE, 1)[0], secrets)
    return "not a Bot API answer"


def _is_unparsable(error: BaseException) -> bool:
    return any(
        type(cause) is TelegramError and str(cause) == _UNPARSABLE for cause in _chain(error)
    )


def _has(error: BaseException, kind: type[BaseException] | tuple[type[BaseException], ...]) -> bool:
    return any(isinstance(cause, kind) for cause in _chain(error))


def explain_telegram_failure(error: TelegramError, config: Config) -> StartupError:
    """The one line for a failed first call to the Bot API."""
    secrets = config.secret_values()
    api = public_url(config.telegram.api_url)
    proxy = public_url(config.telegram.proxy) if config.telegram.proxy else ""
    if proxy:
        if _has(error, httpx.ProxyError):
            detail = next(str(c) for c in _chain(error) if isinstance(c, httpx.ProxyError))
            return StartupError(
                f"the proxy {proxy} (telegram.proxy) refused: {redact(detail, secrets)} "
                f"— {_CHECK_PROXY}"
            )
        if _is_unparsable(error):
            return StartupError(
                f"the proxy {proxy} (telegram.proxy) refused: {_status(error, secrets)} "
                f"— {_CHECK_PROXY}"
            )
        if _has(error, (httpx.ConnectError, httpx.ConnectTimeout)):
            return StartupError(
                f"cannot reach the proxy {proxy} (telegram.proxy): {_reason(error, secrets)} "
                "— check telegram.proxy"
            )
    if _is_unparsable(error):
        return StartupError(
            f"{api} (telegram.api_url) does not answer as a Bot API server: "
            f"{_status(error, secrets)} — check telegram.api_url"
        )
    if isinstance(error, InvalidToken):
        return StartupError(
            "Telegram refused telegram.token — copy the bot's token from @BotFather "
            "into telegram.token"
        )
    if _has(error, httpx.TransportError) or isinstance(error, TimedOut):
        through = f" through the proxy {proxy}" if proxy else ""
        return StartupError(
            f"cannot reach Telegram at {api}{through}: {_reason(error, secrets)} "
            "— set telegram.proxy or telegram.api_url"
        )
    return StartupError(
        f"Telegram at {api} refused to start the bot: {redact(str(error), secrets)} "
        "— check telegram.api_url and telegram.token"
    )


def explain_database_failure(error: OSError | sqlite3.Error, path: Path) -> StartupError:
    """The one line for a database that cannot be created or written."""
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return StartupError(
        f"the database {path} (storage.path) is not writable: {reason.lower()} "
        "— let this user write it and its folder, or set storage.path"
    )


def _check_openable(path: Path) -> None:
    """Create the database's folder and open (creating) the file, as aiosqlite would.

    Done first, synchronously: when aiosqlite's own connect fails, its worker thread reports
    to the event loop later, and the loop a failed start closes at once makes that an
    "Exception in thread" traceback on stderr.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(path).close()


async def open_bridge_database(path: Path) -> aiosqlite.Connection:
    """`open_database(path)`, a database that cannot be created or written raised as
    StartupError."""
    try:
        await asyncio.to_thread(_check_openable, path)
        return await open_database(path)
    except (OSError, sqlite3.Error) as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise  # held by another process: not a permissions problem
        log.debug("the database could not be opened", exc_info=exc)
        raise explain_database_failure(exc, path) from None


async def open_bridge_pool(config: Config) -> asyncpg.Pool:
    """`open_pool(storage.url)` (migrations applied once however many replicas start), a
    server that cannot be reached or refuses us raised as a one-line StartupError."""
    url = config.storage.url
    where = public_url(url)
    try:
        return await open_pool(url)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        log.debug("the PostgreSQL database could not be opened", exc_info=exc)
        reason = _reason(exc, config.secret_values())
        raise StartupError(
            f"cannot use the database at {where} (storage.url): {reason} — check storage.url"
        ) from None


class _DemoteTracebacks(logging.Filter):
    """Keeps a record's traceback out of the log while start-up explains the error itself:
    the record is written at DEBUG, without the traceback, when DEBUG is on; else dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info:
            return True
        if not logging.getLogger().isEnabledFor(logging.DEBUG):
            return False
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


@contextmanager
def _ptb_tracebacks_demoted() -> Iterator[None]:
    logger = logging.getLogger(_PTB_REQUEST_LOGGER)
    demote = _DemoteTracebacks()
    logger.addFilter(demote)
    try:
        yield
    finally:
        logger.removeFilter(demote)


async def initialize_telegram(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """`application.initialize()` (which calls getMe), failures raised as StartupError."""
    config: Config = application.bot_data.config
    try:
        with _ptb_tracebacks_demoted():
            await application.initialize()
    except TelegramError as exc:
        # The whole story at DEBUG (the log redacts it); the one line is the StartupError.
        log.debug("Telegram could not be initialised", exc_info=exc)
        raise explain_telegram_failure(exc, config) from None
    log.debug("Telegram reached at %s", public_url(config.telegram.api_url))
