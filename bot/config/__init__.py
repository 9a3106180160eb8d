"""Typed configuration: one pydantic model per TOML section, `env:`/`file:` values, plain problems.

`load_config` reads a TOML file, replaces every `env:NAME` string with that environment
variable and every `file:PATH` string with that file's text (Docker secrets, systemd
credentials), validates strictly (a number in quotes is refused: TOML has numbers), and either
returns a `Config` or raises `ConfigError` whose `problems` are one line each, naming the key as
`accounts[1].password` — never a traceback, never a secret.

The package: `models` (the sections and `Config`), `values` (checks of single values),
`cross` (the checks that span sections), `resolve` (`env:`/`file:`), `problems` (wording),
`load` (finding and loading the file).
"""

from bot.config.cross import cross_problems
from bot.config.load import CONFIG_ENV_VAR, DEFAULT_CONFIG_PATH, load_config, resolve_config_path
from bot.config.models import (
    API_SCOPES,
    PROXY_SCHEMES,
    AccountConfig,
    AlertsConfig,
    ApiConfig,
    ApiKeyConfig,
    BulkConfig,
    Config,
    DeliveryConfig,
    OtpConfig,
    PollingConfig,
    RouteConfig,
    StorageConfig,
    TelegramConfig,
)
from bot.config.problems import ConfigError, Loc, format_loc
from bot.config.resolve import ENV_PREFIX, FILE_PREFIX
from bot.config.values import UserId, public_url

__all__ = [
    "API_SCOPES",
    "CONFIG_ENV_VAR",
    "DEFAULT_CONFIG_PATH",
    "ENV_PREFIX",
    "FILE_PREFIX",
    "PROXY_SCHEMES",
    "AccountConfig",
    "AlertsConfig",
    "ApiConfig",
    "ApiKeyConfig",
    "BulkConfig",
    "Config",
    "ConfigError",
    "DeliveryConfig",
    "Loc",
    "OtpConfig",
    "PollingConfig",
    "RouteConfig",
    "StorageConfig",
    "TelegramConfig",
    "UserId",
    "cross_problems",
    "format_loc",
    "load_config",
    "public_url",
    "resolve_config_path",
]
