"""Loading: the config file found, read as TOML, `env:`/`file:` values resolved, validated, and
either a `Config` returned or a `ConfigError` raised listing every problem."""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from bot.config.cross import CROSS_CHECKED, cross_problems
from bot.config.models import Config
from bot.config.problems import ConfigError, problems_from
from bot.config.resolve import Resolver

log = logging.getLogger(__name__)

CONFIG_ENV_VAR = "SMS_BRIDGE_CONFIG"
DEFAULT_CONFIG_PATH = "config.toml"


def resolve_config_path(
    cli_path: str | Path | None, environ: Mapping[str, str] | None = None
) -> Path:
    """`--config PATH`, else $SMS_BRIDGE_CONFIG, else `config.toml`."""
    env = os.environ if environ is None else environ
    if cli_path:
        return Path(cli_path)
    return Path(env.get(CONFIG_ENV_VAR) or DEFAULT_CONFIG_PATH)


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read, resolve `env:`/`file:` values and validate; raise ConfigError listing every problem."""
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

    resolver = Resolver(env)
    data = resolver.resolve(raw)
    problems = resolver.problems
    # Once, on the data as written: reported whether or not the sections validate.
    cross = cross_problems(data)
    try:
        config = Config.model_validate(data, context={CROSS_CHECKED: True})
    except ValidationError as exc:
        problems += problems_from(exc, resolver.sources) + cross
        # A ValidationError always names a problem; "invalid" is said even if none was worded.
        raise ConfigError(_unique(problems) or ["(file): the configuration is not valid"]) from None
    problems += cross
    if problems:
        raise ConfigError(_unique(problems))
    log.debug("configuration loaded from %s", path)
    return config


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
