"""The configuration's models: one pydantic model per TOML section, and `Config`, the file."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.config.cross import CROSS_CHECKED, cross_problems
from bot.config.values import UserId, check_line, check_port, http_url, problem, url_password
from providers.base import InboxWindow
from providers.http import HttpSettings
from providers.registry import provider_names, provider_spec

PROXY_SCHEMES = ("http", "https", "socks5")
POSTGRES_SCHEMES = ("postgresql", "postgres")

_ACCOUNT_NAME = re.compile(r"[a-z0-9_-]{1,32}")
# Telegram bot tokens are `<bot id>:<secret>`; a wrong shape is a common copy-paste mistake.
_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
# setWebhook's secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# The error type of the cross-section problems of a Config built in code.
CROSS_CHECK = "config_cross_check"


class _Section(BaseModel):
    """Common settings: unknown keys are refused, values are fixed once loaded."""

    # strict: TOML has numbers and booleans, so "20" or "yes" where one is expected is a
    # mistake to name, not a value to guess at (env:/file: text is converted beforehand).
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class TelegramConfig(_Section):
    """[telegram]: the bot, where the Bot API lives, who administers it."""

    token: SecretStr
    api_url: str = "https://api.telegram.org"
    # repr=False: a proxy URL may carry a user and password.
    proxy: str = Field(default="", repr=False)
    admins: Annotated[list[UserId], Field(min_length=1)]
    admin_chat_id: int
    language: Literal["fa", "en"] = "fa"
    # "webhook": Telegram posts updates to webhook_url (several replicas behind a balancer).
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = Field(default="", repr=False)
    webhook_listen: str = "0.0.0.0:8443"
    secret_token: SecretStr = SecretStr("")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        return value if value == "" else http_url(value, "this bridge's webhook")

    @field_validator("webhook_listen")
    @classmethod
    def _webhook_listen(cls, value: str) -> str:
        host, colon, port = value.rpartition(":")
        if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise problem('must be "host:port", like "0.0.0.0:8443"')
        return value

    @field_validator("secret_token")
    @classmethod
    def _secret_token(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() and not _SECRET_TOKEN.fullmatch(value.get_secret_value()):
            raise problem("must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> TelegramConfig:
        if self.mode == "webhook" and not self.webhook_url:
            raise problem('telegram.mode "webhook" needs telegram.webhook_url')
        if self.mode == "webhook" and not self.secret_token.get_secret_value():
            raise problem('telegram.mode "webhook" needs telegram.secret_token')
        return self

    @property
    def webhook_host_port(self) -> tuple[str, int]:
        """Where the webhook server listens (webhook_listen split)."""
        host, _, port = self.webhook_listen.rpartition(":")
        return host.strip("[]"), int(port)

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN.fullmatch(value.get_secret_value()):
            raise problem(
                "must be a bot token as BotFather gives it (digits, a colon, then letters), "
                'without the "bot" prefix'
            )
        return value

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return http_url(value, "the Bot API server")

    @field_validator("proxy")
    @classmethod
    def _proxy(cls, value: str) -> str:
        if value == "":
            return value
        parts = urlsplit(value)
        if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
            raise problem(
                "must be empty or a proxy URL starting with http://, https:// or socks5://"
            )
        check_port(value)
        return value


class StorageConfig(_Section):
    """[storage]: the SQLite database file (relative paths: from the working dir), or instead
    a PostgreSQL server (`url`), which several replicas may share."""

    # A path is TOML text: the one value strict mode must convert.
    path: Path = Field(default=Path("data/sms-bridge.sqlite3"), strict=False)
    # repr=False: the URL carries the database password (resolved from env:/file:).
    url: str = Field(default="", repr=False)

    @field_validator("path")
    @classmethod
    def _not_empty(cls, value: Path) -> Path:
        if str(value) in ("", "."):
            raise problem("must be the path of the database file")
        return value

    @field_validator("url")
    @classmethod
    def _postgres_url(cls, value: str) -> str:
        if value == "":
            return value
        parts = urlsplit(value)
        if parts.scheme not in POSTGRES_SCHEMES or not parts.hostname:
            raise problem(
                "must be empty (SQLite at storage.path) or a PostgreSQL URL like "
                '"postgresql://user:env:PGPASSWORD@host/database"'
            )
        check_port(value)
        if not parts.path.strip("/"):
            raise problem("must name the database after the host (postgresql://…@host/database)")
        return value

    @model_validator(mode="after")
    def _one_place(self) -> StorageConfig:
        if self.url and "path" in self.model_fields_set:
            raise problem("set storage.path (SQLite) or storage.url (PostgreSQL), not both")
        return self

    @property
    def is_postgres(self) -> bool:
        """Whether the bridge stores its data on a PostgreSQL server."""
        return self.url != ""


class AccountConfig(_Section):
    """[[accounts]]: one account at one SMS provider and its lines."""

    name: str
    provider: str  # a name in providers/registry.py
    base_url: str
    username: Annotated[str, Field(min_length=1)]
    password: SecretStr
    lines: Annotated[list[str], Field(min_length=1)]
    default: bool = False
    timeout_seconds: Annotated[float, Field(gt=0)] = 20.0
    max_concurrency: Annotated[int, Field(ge=1)] = 8
    read_attempts: Annotated[int, Field(ge=1, le=10)] = 3
    credit_low: Annotated[float, Field(ge=0)] | None = None
    # Throttle and cap shared by every send of the account (campaigns, /send, replies).
    max_per_minute: Annotated[int, Field(ge=1)] | None = None
    daily_limit: Annotated[int, Field(ge=0)] = 0  # SMS a Tehran day; 0 = no cap
    # Another account's name: a send this account surely did not make goes through it, once.
    fallback: str = ""

    @model_validator(mode="before")
    @classmethod
    def _default_base_url(cls, data: Any) -> Any:
        if isinstance(data, dict) and "base_url" not in data:
            provider = str(data.get("provider"))
            # With an unknown provider the provider is the problem; a stand-in URL keeps
            # "base_url is missing" from being reported as a second one.
            known = provider in provider_names()
            url = provider_spec(provider).default_base_url if known else "https://provider.invalid"
            return {**data, "base_url": url}
        return data

    @field_validator("provider")
    @classmethod
    def _provider(cls, value: str) -> str:
        if value not in provider_names():
            raise problem(f"must be one of {_choices(provider_names())}")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ACCOUNT_NAME.fullmatch(value):
            raise problem(
                f'name {value!r} must be 1 to 32 characters of a-z, 0-9, _ and -, like "meli"'
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return http_url(value, "the provider's API")

    @field_validator("password")
    @classmethod
    def _password(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise problem("must not be empty")
        return value

    @field_validator("lines")
    @classmethod
    def _lines(cls, value: list[str]) -> list[str]:
        for line in value:
            check_line(line)
        seen: set[str] = set()
        for line in value:
            if line in seen:
                raise problem(f"line {line!r} is listed twice")
            seen.add(line)
        return value

    def http_settings(self) -> HttpSettings:
        """The transport settings for this account's ProviderHttp."""
        connect = min(HttpSettings().connect_timeout, self.timeout_seconds)
        return HttpSettings(
            connect_timeout=connect,
            read_timeout=self.timeout_seconds,
            max_concurrency=self.max_concurrency,
            read_attempts=self.read_attempts,
        )


class RouteConfig(_Section):
    """[[routes]]: incoming SMS on `line` are forwarded to `chat_id`; with `topics`, each
    customer of the line gets a forum topic there."""

    line: str
    chat_id: int
    topics: bool = False

    @field_validator("line")
    @classmethod
    def _line_digits(cls, value: str) -> str:
        return check_line(value)


class PollingConfig(_Section):
    """[polling]: seconds between polls of each account's inbox and credit; `delivery` is how
    soon a fresh send is first asked about (then `[delivery] backoff_seconds`)."""

    inbox: Annotated[float, Field(gt=0)] = 30.0
    delivery: Annotated[float, Field(gt=0)] = 10.0
    credit: Annotated[float, Field(gt=0)] = 3600.0
    # A line's first poll forwards the SMS of these last seconds, never the inbox's history.
    inbox_first_window: Annotated[float, Field(ge=0, le=7 * 86400)] = 600.0
    # RayganSMS may date an SMS hours before it shows up: each poll reads this far back again.
    inbox_lookback: Annotated[float, Field(ge=0, le=7 * 86400)] = 21600.0

    def inbox_window(self) -> InboxWindow:
        """The reach of inbox polls, as the adapters take it."""
        return InboxWindow(first_start=self.inbox_first_window, lookback=self.inbox_lookback)


class AlertsConfig(_Section):
    """[alerts]: when admins are told about failures, and how often at most."""

    window_seconds: Annotated[float, Field(gt=0)] = 3600.0
    failures_before_alert: Annotated[int, Field(ge=1)] = 3


def _default_backoff() -> list[float]:
    # Every 10 s while the send is under a minute old (a report the provider has shows within
    # 15 s then), growing after; with the 72 h give-up that is 17 polls a recipient at most.
    minute = [10.0] * 5
    return [*minute, 60.0, 180.0, 300.0, 1200.0, 1800.0, 3600.0, 14400.0, 21600.0, 43200.0, 86400.0]


class DeliveryConfig(_Section):
    """[delivery]: how delivery reports are polled and when polling gives up. The first poll
    comes `[polling] delivery` seconds after the send; `backoff_seconds` are the waits after
    each poll in turn, the last repeating until the give-up age."""

    give_up_hours: Annotated[float, Field(gt=0)] = 72.0
    backoff_seconds: list[Annotated[float, Field(gt=0)]] = Field(
        min_length=1, default_factory=_default_backoff
    )


_QUIET_HOURS = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])")


class BulkConfig(_Section):
    """[bulk]: campaigns from a file (/bulk): their size, quiet hours and opt-out suffix."""

    max_recipients: Annotated[int, Field(ge=1, le=1_000_000)] = 50_000
    quiet_hours: str = ""  # "HH:MM-HH:MM", Tehran time; "" = none
    opt_out_suffix: str = ""  # appended to campaign texts ("" = none)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        if value == "":
            return value
        match = _QUIET_HOURS.fullmatch(value.strip())
        if match is None:
            raise problem(f'{value!r} must be "HH:MM-HH:MM" (Tehran time), like "22:00-08:00"')
        if match.group(1, 2) == match.group(3, 4):
            raise problem(f"{value!r} starts and ends at the same minute")
        return value.strip()

    def quiet_window(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """((start hour, minute), (end hour, minute)) of the quiet hours, or None."""
        match = _QUIET_HOURS.fullmatch(self.quiet_hours)
        if match is None:
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        return (h1, m1), (h2, m2)


OTP_CODE = "{code}"


class OtpConfig(_Section):
    """[otp]: verification codes: their shape, life, limits per number, and how they are sent."""

    length: Annotated[int, Field(ge=4, le=10)] = 6
    ttl_seconds: Annotated[int, Field(ge=1, le=86400)] = 120
    max_checks: Annotated[int, Field(ge=1, le=100)] = 5
    per_number_minute: Annotated[int, Field(ge=1, le=100)] = 1
    per_number_hour: Annotated[int, Field(ge=1, le=1000)] = 5
    text: str = "کد تأیید شما: {code}"
    # Provider mode: RayganSMS writes the text around its own code; this goes at its end.
    footer: str = ""
    mode: Literal["own", "provider"] = "own"
    account: str = ""  # "" = the default account
    # The HMAC key codes are hashed with; "" = a random key the database keeps.
    key: SecretStr = SecretStr("")

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if value.count(OTP_CODE) != 1:
            raise problem("must contain {code} exactly once (where the code goes)")
        return value

    @field_validator("key")
    @classmethod
    def _key(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret and len(secret) < 16:
            raise problem("must be empty (a key kept in the database) or at least 16 characters")
        return value

    @field_validator("per_number_hour")
    @classmethod
    def _per_hour(cls, value: int, info: ValidationInfo) -> int:
        per_minute = info.data.get("per_number_minute")
        if isinstance(per_minute, int) and value < per_minute:
            raise problem(f"must be at least per_number_minute ({per_minute})")
        return value


ApiScope = Literal["sms:send", "otp", "read"]
API_SCOPES: tuple[ApiScope, ...] = ("sms:send", "otp", "read")
# A key shorter than this is guessable by a flood of requests, whatever the rate limit.
MIN_API_KEY_LENGTH = 16


def _default_webhook_backoff() -> list[float]:
    return [1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0]


class ApiKeyConfig(_Section):
    """[[api.keys]]: one client of the HTTP API, its key and what it may do."""

    name: str
    key: SecretStr
    scopes: Annotated[list[ApiScope], Field(min_length=1)]

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ACCOUNT_NAME.fullmatch(value):
            raise problem(
                f'name {value!r} must be 1 to 32 characters of a-z, 0-9, _ and -, like "shop"'
            )
        return value

    @field_validator("key")
    @classmethod
    def _key(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if len(secret) < MIN_API_KEY_LENGTH or any(ch.isspace() for ch in secret):
            raise problem(
                f"must be at least {MIN_API_KEY_LENGTH} characters without spaces"
                " (e.g. the output of `openssl rand -hex 32`)"
            )
        return value

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: list[ApiScope]) -> list[ApiScope]:
        if len(set(value)) != len(value):
            raise problem("a scope is listed twice")
        return value


class ApiConfig(_Section):
    """[api]: the HTTP API for the business's own software, and its webhooks."""

    listen: str = "127.0.0.1:8080"
    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    keys: list[ApiKeyConfig] = Field(default_factory=list)
    # Per key: a bucket of `rate_burst` requests refilled at `rate_per_second`.
    rate_per_second: Annotated[float, Field(gt=0)] = 20.0
    rate_burst: Annotated[int, Field(ge=1)] = 40
    max_body_bytes: Annotated[int, Field(ge=1024, le=10 * 1024 * 1024)] = 64 * 1024
    webhook_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0
    webhook_backoff_seconds: list[Annotated[float, Field(gt=0)]] = Field(
        min_length=1, default_factory=_default_webhook_backoff
    )
    # The receiver failing (no 2xx) for this long is one alert to the admins.
    webhook_alert_after_seconds: Annotated[float, Field(gt=0)] = 300.0

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise problem('must be "host:port", like "127.0.0.1:8080"')
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        return value if value == "" else http_url(value, "the webhook receiver")

    @field_validator("keys")
    @classmethod
    def _distinct_keys(cls, value: list[ApiKeyConfig]) -> list[ApiKeyConfig]:
        names = [k.name for k in value]
        for name in names:
            if names.count(name) > 1:
                raise problem(f"the key name {name!r} is used twice")
        secrets = [k.key.get_secret_value() for k in value]
        if len(set(secrets)) != len(secrets):
            raise problem("two keys have the same key value (give each client its own)")
        return value

    @model_validator(mode="after")
    def _secret_for_webhooks(self) -> ApiConfig:
        if self.webhook_url and len(self.webhook_secret.get_secret_value()) < MIN_API_KEY_LENGTH:
            raise problem(
                f"webhook_secret must be at least {MIN_API_KEY_LENGTH} characters when"
                " webhook_url is set (receivers check the signature with it)"
            )
        return self

    @property
    def host(self) -> str:
        """The address the API listens on."""
        return self.listen.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        """The port the API listens on."""
        return int(self.listen.rpartition(":")[2])


class Config(_Section):
    """The whole configuration file."""

    telegram: TelegramConfig
    storage: StorageConfig = Field(default_factory=StorageConfig)
    accounts: Annotated[list[AccountConfig], Field(min_length=1)]
    routes: list[RouteConfig] = Field(default_factory=list)
    polling: PollingConfig = Field(default_factory=PollingConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    bulk: BulkConfig = Field(default_factory=BulkConfig)
    otp: OtpConfig = Field(default_factory=OtpConfig)
    api: ApiConfig | None = None

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Config:
        if info.context and info.context.get(CROSS_CHECKED):
            return self  # load_config checked the data as written, once, and reports it
        problems = cross_problems(
            {
                "accounts": [
                    {
                        "name": a.name,
                        "lines": list(a.lines),
                        "default": a.default,
                        "provider": a.provider,
                        "fallback": a.fallback,
                    }
                    for a in self.accounts
                ],
                "routes": [{"line": r.line} for r in self.routes],
                "otp": {"mode": self.otp.mode, "account": self.otp.account},
            }
        )
        if problems:
            raise PydanticCustomError(CROSS_CHECK, "\n".join(problems))
        return self

    def secret_values(self) -> list[str]:
        """Every secret this config holds, for redaction: the bot token and its secret part, the
        webhook's secret token,
        each account's password and the Basic-auth value made of it, the password in any URL
        (the proxy's and the database's above all), as written and percent-decoded."""
        token = self.telegram.token.get_secret_value()
        values = [token, token.partition(":")[2], self.telegram.secret_token.get_secret_value()]
        for account in self.accounts:
            password = account.password.get_secret_value()
            basic = base64.b64encode(f"{account.username}:{password}".encode()).decode()
            values += [password, basic]
        values.append(self.otp.key.get_secret_value())
        if self.api is not None:
            values.append(self.api.webhook_secret.get_secret_value())
            values += [k.key.get_secret_value() for k in self.api.keys]
        urls = [
            self.telegram.proxy,
            self.telegram.api_url,
            self.storage.url,
            *(a.base_url for a in self.accounts),
        ]
        if self.api is not None:
            urls.append(self.api.webhook_url)
        for url in urls:
            in_url = url_password(url)
            if in_url:
                values += [in_url, unquote(in_url)]
        return [v for v in dict.fromkeys(values) if v]

    def account(self, name: str) -> AccountConfig | None:
        """The account called `name`, or None."""
        return next((a for a in self.accounts if a.name == name), None)

    @property
    def default_account(self) -> AccountConfig:
        """The account marked `default = true`, else the first one."""
        return next((a for a in self.accounts if a.default), self.accounts[0])

    @property
    def otp_account(self) -> AccountConfig:
        """The account verification codes go from: `otp.account`, else the default account."""
        return self.account(self.otp.account) or self.default_account

    def account_for_line(self, line: str) -> AccountConfig | None:
        """The account that owns `line`, or None."""
        return next((a for a in self.accounts if line in a.lines), None)


def _choices(names: Iterable[str]) -> str:
    """`'a', 'b' or 'c'`, as pydantic words a literal's choices."""
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
