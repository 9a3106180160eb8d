"""Logging set-up with a redaction filter: no bot token or Basic-auth value reaches a log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "<redacted>"

# httpx logs every request URL at INFO, and Bot API URLs carry the token (`/bot<token>/`);
# apscheduler logs each job run at INFO, which drowns everything else with our poll intervals.
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler")
# PTB's bots log their token-bearing API URLs at DEBUG when they start; redacted at the source.
TOKEN_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A token inside a Bot API URL or path: .../bot123456:AAE.../getMe
    (re.compile(r"\bbot\d+:[A-Za-z0-9_-]+"), f"bot{REDACTED}"),
    # A bare token as BotFather prints it: a numeric bot id, a colon, a 35-character secret.
    (re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"), REDACTED),
    # Authorization header values, as text or as a repr'd dict entry.
    (
        re.compile(r"""(?i)(authorization['"]?\s*[:=]\s*['"]?\s*(?:basic|bearer)\s+)[^\s'",}]+"""),
        rf"\1{REDACTED}",
    ),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with bot tokens, Authorization values and the given secrets replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message, traceback and stack so secrets never get formatted."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Also redact these exact strings (passwords cannot be recognised by shape)."""
        merged = set(self._secrets) | {s for s in secrets if s}
        self._secrets = sorted(merged, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        message = record.getMessage()
        clean = redact(message, self._secrets)
        if clean != message:
            record.msg = clean
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._secrets)
        return True


def quiet_leaky_loggers() -> None:
    """Raise the libraries that log secret-bearing URLs (httpx: `/bot<token>/…`) to WARNING.

    Called by the application itself too, so an embedded bridge (tests, the demo) is as safe
    as `sms-bridge run`, whoever configured logging.
    """
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in TOKEN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


def setup_logging(level: int | str = logging.INFO, secrets: Iterable[str] = ()) -> RedactingFilter:
    """Log to stderr at `level`, quiet the URL-logging libraries, redact on every root handler."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    root = logging.getLogger()
    root.setLevel(level)
    quiet_leaky_loggers()
    redactor = next(
        (f for h in root.handlers for f in h.filters if isinstance(f, RedactingFilter)), None
    )
    if redactor is None:
        redactor = RedactingFilter(secrets)
    else:
        redactor.add_secrets(secrets)
    for handler in root.handlers:
        if redactor not in handler.filters:
            handler.addFilter(redactor)
    return redactor
