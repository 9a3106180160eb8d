"""Logging set-up with a redaction filter: no bot token, password or Basic-auth value reaches a
log line, and ordinary words stay readable however short a secret is.

Secrets are found in two ways. Structurally, where they are put on the wire: a token in a Bot
API URL path, an `Authorization` header, the password of a URL (`scheme://user:pw@host`), a
`password=`/`"password": "…"` form field, query parameter, keyword or JSON key. By value, for the
configured secrets: a long one (LONG_SECRET characters or more) wherever it appears, a shorter
one only as a whole token (not inside a longer word), and one shorter than MIN_SECRET not at all
by value, since a password `p` or `1` would otherwise shred every line (`Loo<redacted>`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "<redacted>"
# By value: secrets this long are redacted anywhere, shorter ones only as whole tokens, and
# below MIN_SECRET only structurally.
LONG_SECRET = 12
MIN_SECRET = 4

# httpx logs every request URL at INFO, and Bot API URLs carry the token (`/bot<token>/`);
# apscheduler logs each job run at INFO, which drowns everything else with our poll intervals.
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler")
# PTB's bots log their token-bearing API URLs at DEBUG when they start; redacted at the source.
TOKEN_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")

# Keys whose value is a secret, in forms, query strings, keyword arguments and JSON.
_SECRET_KEYS = (
    r"password|passwd|pwd|pass_word|secret|secret_token|webhook_secret|token|access_token"
    r"|api_key|apikey|api_token"
)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A token inside a Bot API URL or path: .../bot123456:AAE.../getMe
    (re.compile(r"\bbot\d+:[A-Za-z0-9_-]+"), f"bot{REDACTED}"),
    # A bare token as BotFather prints it: a numeric bot id, a colon, a 35-character secret.
    (re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"), REDACTED),
    # Authorization (and Proxy-Authorization) header values, as text or as a repr'd dict entry.
    (
        re.compile(r"""(?i)(authorization['"]?\s*[:=]\s*['"]?\s*(?:basic|bearer)\s+)[^\s'",}]+"""),
        rf"\1{REDACTED}",
    ),
    # The password of a URL: socks5://user:pw@host, https://user:pw@host/…
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/:@'\"]*:)[^\s/@'\"]+(@)"), rf"\1{REDACTED}\2"),
    # "password": "…" and 'PassWord': '…' (JSON bodies, repr'd dicts); the key must be quoted,
    # so prose like "accounts[1].password: must not be empty" is left alone.
    (
        re.compile(rf"""(?i)(['"](?:{_SECRET_KEYS})['"]\s*:\s*)(['"])(?:\\.|(?!\2).)*\2"""),
        rf"\1\2{REDACTED}\2",
    ),
    (
        re.compile(rf"""(?i)(['"](?:{_SECRET_KEYS})['"]\s*:\s*)(?!['"\s])[^\s,}}\]]+"""),
        rf"\1{REDACTED}",
    ),
    # password=… in a form body or query string, password='…' as a keyword in a repr.
    (
        re.compile(rf"""(?i)(?<![\w.-])((?:{_SECRET_KEYS})=)(['"])(?:\\.|(?!\2).)*\2"""),
        rf"\1\2{REDACTED}\2",
    ),
    (
        re.compile(rf"""(?i)(?<![\w.-])((?:{_SECRET_KEYS})=)(?!['"\s])[^\s&'",;)}}\]]+"""),
        rf"\1{REDACTED}",
    ),
)


def _variants(secret: str) -> set[str]:
    """The secret as written and as a URL or form would encode it."""
    return {secret, quote(secret, safe=""), quote_plus(secret, safe="")}


def _secret_pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for the by-value secrets: long ones anywhere, short ones as whole tokens."""
    values = {v for s in secrets if len(s) >= MIN_SECRET for v in _variants(s)}
    if not values:
        return None
    alternatives = []
    # Longest first, so a secret that contains another is replaced whole.
    for value in sorted(values, key=len, reverse=True):
        escaped = re.escape(value)
        if len(value) >= LONG_SECRET:
            alternatives.append(escaped)
        else:
            alternatives.append(rf"(?<!\w){escaped}(?!\w)")
    return re.compile("|".join(alternatives))


def _redact(text: str, secret_pattern: re.Pattern[str] | None) -> str:
    if secret_pattern is not None:
        text = secret_pattern.sub(REDACTED, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with bot tokens, Authorization values, secret fields and the given secrets
    replaced (see the module's docstring for which secrets are matched where)."""
    return _redact(text, _secret_pattern(secrets))


class RedactingFilter(logging.Filter):
    """Rewrites each record's message, traceback and stack so secrets never get formatted."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = {s for s in secrets if s}
        self._pattern = _secret_pattern(self._secrets)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Also redact these values (passwords cannot be recognised by shape)."""
        self._secrets |= {s for s in secrets if s}
        self._pattern = _secret_pattern(self._secrets)

    def redact(self, text: str) -> str:
        """`text` as this filter would write it."""
        return _redact(text, self._pattern)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg = clean
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
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
    """Log to stderr at `level`, quiet the URL-logging libraries, redact on every root handler.

    Python warnings are routed through logging too, so their text is redacted as well.
    """
    logging.basicConfig(level=level, format=LOG_FORMAT)
    logging.captureWarnings(True)
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
