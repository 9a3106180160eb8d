"""Typed configuration: one pydantic model per TOML section, `env:`/`file:` values, plain problems.

`load_config` reads a TOML file, replaces every `env:NAME` string with that environment
variable and every `file:PATH` string with that file's text (Docker secrets, systemd
credentials), validates strictly (a number in quotes is refused: TOML has numbers), and either
returns a `Config` or raises `ConfigError` whose `problems` are one line each, naming the key as
`accounts[1].password` — never a traceback, never a secret.
"""

from __future__ import annotations

import base64
import difflib
import logging
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from providers.http import HttpSettings

log = logging.getLogger(__name__)

CONFIG_ENV_VAR = "SMS_BRIDGE_CONFIG"
DEFAULT_CONFIG_PATH = "config.toml"
ENV_PREFIX = "env:"
FILE_PREFIX = "file:"

Provider = Literal["raygansms", "payamak"]
DEFAULT_BASE_URLS: dict[str, str] = {
    "raygansms": "https://raygansms.com/api/smsAPI",
    "payamak": "https://rest.payamak-panel.com/api/SendSMS",
}
PROXY_SCHEMES = ("http", "https", "socks5")

_ACCOUNT_NAME = re.compile(r"[a-z0-9_-]{1,32}")
_LINE = re.compile(r"[0-9]{3,20}")
# Telegram bot tokens are `<bot id>:<secret>`; a wrong shape is a common copy-paste mistake.
_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# $NAME or ${NAME} inside a file: path, e.g. file:${CREDENTIALS_DIRECTORY}/telegram_token.
_PATH_VARIABLE = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_MAX_PORT = 65535
# Marks the cross-section checks so load_config can report them from the raw data instead.
_CROSS_CHECK = "config_cross_check"


class ConfigError(Exception):
    """The configuration cannot be used; `problems` holds one plain line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _problem(message: str) -> PydanticCustomError:
    """A validation error whose message is shown to the user as is."""
    return PydanticCustomError("config_value", message)


def _check_port(value: str) -> None:
    """Refuse a URL whose port is not 1 to 65535 (urlsplit only fails when asked for it)."""
    try:
        port = urlsplit(value).port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= _MAX_PORT:
        raise _problem(f"the port must be a number from 1 to {_MAX_PORT}")


def _http_url(value: str, what: str) -> str:
    """Check an http(s) URL and drop a trailing slash; never echo it (it may hold secrets)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _problem(f"must be an http:// or https:// URL of {what}")
    _check_port(value)
    return value.rstrip("/")


def _user_id(value: int) -> int:
    """Check a Telegram user id: people have positive ids, groups and channels negative."""
    if value < 0:
        raise _problem(
            f"{value} is the id of a group or channel, not of a person; admins are Telegram "
            "user ids (positive numbers)"
        )
    if value == 0:
        raise _problem("0 is not a Telegram user id; admins are positive numbers")
    return value


UserId = Annotated[int, AfterValidator(_user_id)]


def public_url(url: str) -> str:
    """`url` without any user:password part (to show it, or name it in an error)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "(a URL that cannot be read)"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{port}" if port else host
    return urlunsplit(parts._replace(netloc=netloc))


def _url_password(url: str) -> str | None:
    """The password part of `url`, if it has one."""
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def _line(value: str) -> str:
    """Check a line number: digits only."""
    if not _LINE.fullmatch(value):
        raise _problem(f'line {value!r} must be 3 to 20 digits (0-9), like "50002910001080"')
    return value


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

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN.fullmatch(value.get_secret_value()):
            raise _problem(
                "must be a bot token as BotFather gives it (digits, a colon, then letters), "
                'without the "bot" prefix'
            )
        return value

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return _http_url(value, "the Bot API server")

    @field_validator("proxy")
    @classmethod
    def _proxy(cls, value: str) -> str:
        if value == "":
            return value
        parts = urlsplit(value)
        if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
            raise _problem(
                "must be empty or a proxy URL starting with http://, https:// or socks5://"
            )
        _check_port(value)
        return value


class StorageConfig(_Section):
    """[storage]: where the SQLite database lives (relative paths: from the working dir)."""

    # A path is TOML text: the one value strict mode must convert.
    path: Path = Field(default=Path("data/sms-bridge.sqlite3"), strict=False)

    @field_validator("path")
    @classmethod
    def _not_empty(cls, value: Path) -> Path:
        if str(value) in ("", "."):
            raise _problem("must be the path of the database file")
        return value


class AccountConfig(_Section):
    """[[accounts]]: one account at one SMS provider and its lines."""

    name: str
    provider: Provider
    base_url: str
    username: Annotated[str, Field(min_length=1)]
    password: SecretStr
    lines: Annotated[list[str], Field(min_length=1)]
    default: bool = False
    timeout_seconds: Annotated[float, Field(gt=0)] = 20.0
    max_concurrency: Annotated[int, Field(ge=1)] = 8
    read_attempts: Annotated[int, Field(ge=1, le=10)] = 3
    credit_low: Annotated[float, Field(ge=0)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_base_url(cls, data: Any) -> Any:
        if isinstance(data, dict) and "base_url" not in data:
            provider = str(data.get("provider"))
            # With an unknown provider the provider is the problem; a stand-in URL keeps
            # "base_url is missing" from being reported as a second one.
            url = DEFAULT_BASE_URLS.get(provider, "https://provider.invalid")
            return {**data, "base_url": url}
        return data

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ACCOUNT_NAME.fullmatch(value):
            raise _problem(
                f'name {value!r} must be 1 to 32 characters of a-z, 0-9, _ and -, like "meli"'
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return _http_url(value, "the provider's API")

    @field_validator("password")
    @classmethod
    def _password(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise _problem("must not be empty")
        return value

    @field_validator("lines")
    @classmethod
    def _lines(cls, value: list[str]) -> list[str]:
        for line in value:
            _line(line)
        seen: set[str] = set()
        for line in value:
            if line in seen:
                raise _problem(f"line {line!r} is listed twice")
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
    """[[routes]]: incoming SMS on `line` are forwarded to `chat_id`."""

    line: str
    chat_id: int

    @field_validator("line")
    @classmethod
    def _line_digits(cls, value: str) -> str:
        return _line(value)


class PollingConfig(_Section):
    """[polling]: seconds between polls of each account's inbox and credit; `delivery` is how
    soon a fresh send is first asked about (then `[delivery] backoff_seconds`)."""

    inbox: Annotated[float, Field(gt=0)] = 30.0
    delivery: Annotated[float, Field(gt=0)] = 10.0
    credit: Annotated[float, Field(gt=0)] = 3600.0


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


class Config(_Section):
    """The whole configuration file."""

    telegram: TelegramConfig
    storage: StorageConfig = Field(default_factory=StorageConfig)
    accounts: Annotated[list[AccountConfig], Field(min_length=1)]
    routes: list[RouteConfig] = Field(default_factory=list)
    polling: PollingConfig = Field(default_factory=PollingConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        problems = _cross_problems(
            [(a.name, list(a.lines), a.default) for a in self.accounts],
            [r.line for r in self.routes],
        )
        if problems:
            # One problem a line: load_config splits them back (a problem may contain "; ").
            raise PydanticCustomError(_CROSS_CHECK, "\n".join(problems))
        return self

    def secret_values(self) -> list[str]:
        """Every secret this config holds, for redaction: the bot token and its secret part,
        each account's password and the Basic-auth value made of it, the password in any URL
        (the proxy's above all), as written and percent-decoded."""
        token = self.telegram.token.get_secret_value()
        values = [token, token.partition(":")[2]]
        for account in self.accounts:
            password = account.password.get_secret_value()
            basic = base64.b64encode(f"{account.username}:{password}".encode()).decode()
            values += [password, basic]
        urls = [self.telegram.proxy, self.telegram.api_url, *(a.base_url for a in self.accounts)]
        for url in urls:
            in_url = _url_password(url)
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

    def account_for_line(self, line: str) -> AccountConfig | None:
        """The account that owns `line`, or None."""
        return next((a for a in self.accounts if line in a.lines), None)


def _cross_problems(
    accounts: Sequence[tuple[object, Sequence[object], object]], routes: Sequence[object]
) -> list[str]:
    """Checks that span sections: unique names and lines, one default, routed lines exist.

    Takes loosely typed values so it can also run on raw data that failed validation.
    """
    problems: list[str] = []
    names: dict[str, int] = {}
    owners: dict[str, int] = {}
    default_at: int | None = None
    for i, (name, lines, default) in enumerate(accounts):
        if isinstance(name, str):
            if name in names:
                problems.append(
                    f"accounts[{i}].name: the name {name!r} is already used by "
                    f"accounts[{names[name]}]"
                )
            else:
                names[name] = i
        for k, line in enumerate(lines):
            if not isinstance(line, str):
                continue
            owner = owners.setdefault(line, i)
            if owner != i:
                problems.append(
                    f"accounts[{i}].lines[{k}]: line {line!r} is already a line of "
                    f"accounts[{owner}]; a line belongs to one account"
                )
        if default is True:
            if default_at is None:
                default_at = i
            else:
                problems.append(
                    f"accounts[{i}].default: only one account may be the default; "
                    f"accounts[{default_at}] already is"
                )
    for j, line in enumerate(routes):
        if isinstance(line, str) and line not in owners:
            problems.append(f"routes[{j}].line: {line!r} is not a line of any account")
    return problems


def _raw_cross_problems(data: Mapping[str, Any]) -> list[str]:
    """`_cross_problems` on raw TOML data, skipping whatever has the wrong shape."""
    accounts: list[tuple[object, Sequence[object], object]] = []
    raw_accounts = data.get("accounts")
    if isinstance(raw_accounts, list):
        for raw in raw_accounts:
            if isinstance(raw, dict):
                lines = raw.get("lines")
                accounts.append(
                    (raw.get("name"), lines if isinstance(lines, list) else [], raw.get("default"))
                )
            else:
                accounts.append((None, [], None))
    routes: list[object] = []
    raw_routes = data.get("routes")
    if isinstance(raw_routes, list):
        routes = [r.get("line") if isinstance(r, dict) else None for r in raw_routes]
    if not accounts:
        # Without any account every routed line would be reported; the missing accounts
        # are the problem and are reported on their own.
        routes = []
    return _cross_problems(accounts, routes)


# --- loading -------------------------------------------------------------------------------


Loc = tuple[str | int, ...]


def format_loc(loc: Sequence[str | int]) -> str:
    """`("accounts", 1, "password")` → `accounts[1].password`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(file)"


class _Resolver:
    """Replaces every `env:NAME` and `file:PATH` string of the raw TOML data.

    `sources` maps the key of each replaced value to where it came from ("environment variable
    NAME", "file PATH"), or to None when it could not be read (that problem is reported
    already, so validating the placeholder left in its place must not report a second one).
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[str] = []
        self.sources: dict[Loc, str | None] = {}

    def resolve(self, value: Any, loc: Loc = ()) -> Any:
        """`value` with every `env:`/`file:` string inside it replaced."""
        if isinstance(value, dict):
            return {k: self.resolve(v, (*loc, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, (*loc, i)) for i, v in enumerate(value)]
        if isinstance(value, str) and value.startswith(ENV_PREFIX):
            text = self._from_env(value, loc)
        elif isinstance(value, str) and value.startswith(FILE_PREFIX):
            text = self._from_file(value, loc)
        else:
            return value
        if text is None:
            self.sources[loc] = None
            return value
        return _convert(text, loc)

    def _fail(self, loc: Loc, message: str) -> None:
        self.problems.append(f"{format_loc(loc)}: {message}")

    def _from_env(self, value: str, loc: Loc) -> str | None:
        name = value[len(ENV_PREFIX) :].strip()
        if not _ENV_NAME.fullmatch(name):
            self._fail(loc, f"{value!r} does not name an environment variable")
            return None
        if name not in self.environ:
            self._fail(loc, f"environment variable {name} is not set")
            return None
        self.sources[loc] = f"environment variable {name}"
        return self.environ[name]

    def _from_file(self, value: str, loc: Loc) -> str | None:
        written = value[len(FILE_PREFIX) :].strip()
        if not written:
            self._fail(loc, f"{value!r} does not name a file")
            return None
        unset = [
            name
            for braced, bare in _PATH_VARIABLE.findall(written)
            if (name := braced or bare) not in self.environ
        ]
        if unset:
            self._fail(loc, f"environment variable {unset[0]} (in {value!r}) is not set")
            return None
        path = Path(_PATH_VARIABLE.sub(lambda m: self.environ[m.group(1) or m.group(2)], written))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self._fail(loc, f"the file {path} is not UTF-8 text")
            return None
        except OSError as exc:
            self._fail(loc, f"cannot read the file {path}: {(exc.strerror or str(exc)).lower()}")
            return None
        self.sources[loc] = f"file {path}"
        # Secret files end with a newline as editors and `echo` write them; it is no part of
        # the secret.
        return text.rstrip("\r\n")


def _leaf_type(loc: Sequence[str | int]) -> Any:
    """The type the model expects at `loc` (e.g. int for telegram.admins[0]), or None."""
    current: Any = Config
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            if typing.get_origin(current) is not list:
                return None
            current = typing.get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return None
            current = field.annotation
        else:
            return None
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    """`Annotated[X, …]` → X, `X | None` → X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _convert(text: str, loc: Loc) -> Any:
    """Text from the environment or a file, as the number or boolean the key expects (strict
    validation would refuse the text); left as text when it is not one, to be reported."""
    kind = _leaf_type(loc)
    if kind not in (int, float, bool):
        return text
    try:
        return TypeAdapter(kind).validate_python(text.strip(), strict=False)
    except ValidationError:
        return text


def _field_names(loc: Sequence[str | int]) -> list[str]:
    """The keys allowed in the table at `loc` (for "did you mean"), or [] when unknown."""
    model: Any = Config
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = field.annotation
        while typing.get_origin(model) in (list, typing.Union, types.UnionType):
            args = [a for a in typing.get_args(model) if a is not type(None)]
            model = args[0] if args else None
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


_TYPE_WORDS = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": 'must be text in quotes, like "…"',
    "list_type": "must be a list, like [ … ]",
    "model_type": "must be a table (a [section] or { … })",
    "model_attributes_type": "must be a table (a [section] or { … })",
    "dict_type": "must be a table (a [section] or { … })",
    "path_type": "must be a path in quotes",
}


def _number(value: object) -> str:
    """`0.0` → `0`, `2.5` → `2.5`."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _looks_like(kind: str, text: str) -> str | None:
    """`text` as TOML would write the number or boolean it spells, if it spells one."""
    word = text.strip()
    if kind == "bool_type":
        return word.lower() if word.lower() in ("true", "false") else None
    try:
        number = float(word) if kind == "float_type" else int(word)
    except ValueError:
        return None
    return _number(number)


def _describe(error: ErrorDetails) -> str:
    """Our wording for one pydantic error; echoes the input only to show a number or boolean
    written in quotes (never any other input: it may be a secret)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        if len(error["loc"]) == 1 and error["loc"][0] in ("telegram",):
            return f"the [{error['loc'][0]}] section is required"
        if error["loc"] == ("accounts",):
            return "at least one [[accounts]] entry is required"
        return "is required but missing"
    if kind == "extra_forbidden":
        key = error["loc"][-1]
        hint = difflib.get_close_matches(str(key), _field_names(error["loc"][:-1]), n=1)
        return "unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else "")
    if kind == "config_value":
        return error["msg"]
    given = error.get("input")
    if kind in ("int_type", "float_type", "bool_type") and isinstance(given, str):
        unquoted = _looks_like(kind, given)
        if unquoted is not None:
            return f'{_TYPE_WORDS[kind]} without quotes: write {unquoted}, not "{given.strip()}"'
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    if kind == "greater_than":
        return f"must be greater than {_number(ctx.get('gt'))}"
    if kind == "greater_than_equal":
        return f"must be at least {_number(ctx.get('ge'))}"
    if kind == "less_than":
        return f"must be less than {_number(ctx.get('lt'))}"
    if kind == "less_than_equal":
        return f"must be at most {_number(ctx.get('le'))}"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"must have at least {n} item{'s' if n != 1 else ''}"
    if kind == "too_long":
        n = ctx.get("max_length", 1)
        return f"must have at most {n} item{'s' if n != 1 else ''}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    # An error type we did not word ourselves: pydantic's message, without the input.
    return str(error["msg"])


def _problems_from(exc: ValidationError, sources: Mapping[Loc, str | None]) -> list[str]:
    """One line per pydantic error, naming the key; cross-section checks are left out."""
    problems: list[str] = []
    for error in exc.errors(include_url=False):
        if error["type"] == _CROSS_CHECK:
            continue
        loc = tuple(error["loc"])
        line = f"{format_loc(loc)}: {_describe(error)}"
        if loc in sources:
            source = sources[loc]
            if source is None:
                continue  # the value could not be read: that is reported already
            line += f" (from {source})"
        problems.append(line)
    return problems


def _cross_problems_from(exc: ValidationError) -> list[str] | None:
    """The cross-section problems of a config whose sections all validated, else None."""
    for error in exc.errors(include_url=False, include_input=False):
        if error["type"] == _CROSS_CHECK:
            return str(error["msg"]).split("\n")
    return None


def resolve_config_path(
    cli_path: str | Path | None, environ: Mapping[str, str] | None = None
) -> Path:
    """`--config PATH`, else $SMS_BRIDGE_CONFIG, else `config.toml`."""
    env = os.environ if environ is None else environ
    if cli_path:
        return Path(cli_path)
    return Path(env.get(CONFIG_ENV_VAR) or DEFAULT_CONFIG_PATH)


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read, resolve `env:` values and validate; raise ConfigError listing every problem."""
    path = Path(path)
    env: Mapping[str, str] = os.environ if environ is None else environ
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(
            [f"{path}: config file not found (give --config PATH or set {CONFIG_ENV_VAR})"]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: not valid TOML: the file is not UTF-8 text"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None

    resolver = _Resolver(env)
    data = resolver.resolve(raw)
    problems = resolver.problems
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems += _problems_from(exc, resolver.sources)
        # When every section validated, the model's own cross-section check ran and is the
        # truth; otherwise it did not run and the raw data is checked instead.
        cross = _cross_problems_from(exc)
        problems += _raw_cross_problems(data) if cross is None else cross
        # A ValidationError always names a problem; "invalid" is said even if none was worded.
        raise ConfigError(_unique(problems) or ["(file): the configuration is not valid"]) from None
    if problems:
        raise ConfigError(_unique(problems))
    log.debug("configuration loaded from %s", path)
    return config


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
