"""`sms-bridge`: run, check-config, health, demo, sandbox, playground."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from typing import TextIO
from urllib.parse import urlsplit

from bot.config import (
    CONFIG_ENV_VAR,
    DEFAULT_CONFIG_PATH,
    Config,
    ConfigError,
    load_config,
    public_url,
)
from bot.config import resolve_config_path as _resolve_config_path
from bot.logs import redact, setup_logging

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2

LOG_LEVEL_ENV_VAR = "SMS_BRIDGE_LOG_LEVEL"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = argparse.ArgumentParser(
        prog="sms-bridge",
        description="A Telegram bot that is a business's SMS console.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    config_help = f"the TOML config file (default: ${CONFIG_ENV_VAR}, else {DEFAULT_CONFIG_PATH})"

    run = commands.add_parser("run", help="run the bridge")
    run.add_argument("--config", metavar="PATH", help=config_help)
    run.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default=os.environ.get(LOG_LEVEL_ENV_VAR, "INFO").upper(),
        help=f"DEBUG, INFO, WARNING or ERROR (default: ${LOG_LEVEL_ENV_VAR}, else INFO)",
    )

    check = commands.add_parser(
        "check-config", help="validate the config and print what it holds; reaches nothing"
    )
    check.add_argument("--config", metavar="PATH", help=config_help)

    health = commands.add_parser(
        "health", help="exit 0 if the database answers and every polling job is on time"
    )
    health.add_argument("--config", metavar="PATH", help=config_help)

    commands.add_parser(
        "demo", help="run the whole bridge offline against simulators and a fake Telegram"
    )

    sandbox = commands.add_parser("sandbox", help="serve both provider simulators")
    sandbox.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    sandbox.add_argument("--port", type=int, default=8899, help="port (default: %(default)s)")
    sandbox.add_argument(
        "--telegram",
        action="store_true",
        help="serve the Telegram fake too (its Bot API and its users' side, same port)",
    )

    playground = commands.add_parser(
        "playground",
        help="the real bridge against the fakes, with a web page to chat with it and text it",
    )
    playground.add_argument("--port", type=int, default=8898, help="port (default: %(default)s)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sms-bridge` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "run":
        return _run(args.config, args.log_level)
    if args.command == "check-config":
        return _check_config(args.config)
    if args.command == "health":
        return _health(args.config)
    if args.command == "demo":
        return _demo()
    if args.command == "sandbox":
        return _sandbox(args.host, args.port, telegram=args.telegram)
    if args.command == "playground":
        return _playground(args.port)
    parser.print_help(sys.stderr)
    return EXIT_BAD_CONFIG


def _load(cli_path: str | None, err: TextIO) -> Config | None:
    """The config, or None after printing every problem to `err`, one per line."""
    path = _resolve_config_path(cli_path)
    try:
        return load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        return None


def _run(cli_path: str | None, log_level: str = "INFO") -> int:
    """`sms-bridge run`."""
    if log_level not in LOG_LEVELS:
        print(
            f"{LOG_LEVEL_ENV_VAR}: {log_level!r} is not one of {', '.join(LOG_LEVELS)}",
            file=sys.stderr,
        )
        return EXIT_BAD_CONFIG
    config = _load(cli_path, sys.stderr)
    if config is None:
        return EXIT_BAD_CONFIG
    secrets = config_secrets(config)
    setup_logging(log_level, secrets=secrets)
    # Imported here: the application pulls in PTB and everything else, and nothing
    # should happen at import time of the CLI.
    from bot.app import run_bridge
    from bot.startup import StartupError
    from storage.sqlite.db import DatabaseInUseError

    try:
        run_bridge(config)
    except KeyboardInterrupt:
        log.info("interrupted")
    except DatabaseInUseError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    except StartupError as exc:
        # Exception text leaves the process here: redacted, like every log line.
        print(redact(str(exc), secrets), file=sys.stderr)
        return EXIT_FAILED
    except Exception:  # the last boundary before Python would print a raw traceback
        # A bug, not a start-up failure: the traceback goes through the redacting log.
        log.critical("the bridge stopped on an unexpected error", exc_info=True)
        return EXIT_FAILED
    return EXIT_OK


def config_secrets(config: Config) -> list[str]:
    """Every secret value in `config`, for redaction in logs and messages."""
    return config.secret_values()


def _check_config(cli_path: str | None) -> int:
    """`sms-bridge check-config`."""
    path = _resolve_config_path(cli_path)
    config = _load(cli_path, sys.stderr)
    if config is None:
        return EXIT_BAD_CONFIG
    print(describe_config(config, str(path)))
    return EXIT_OK


def _health(cli_path: str | None) -> int:
    """`sms-bridge health`: one line, exit 0 when healthy (for a container's HEALTHCHECK)."""
    from bot.health import check_health

    config = _load(cli_path, sys.stderr)
    if config is None:
        return EXIT_BAD_CONFIG
    health = asyncio.run(check_health(config))
    print(health.line, file=sys.stdout if health.healthy else sys.stderr)
    return EXIT_OK if health.healthy else EXIT_FAILED


def _describe_otp(config: Config) -> str:
    otp = config.otp
    shape = f"{otp.length} digits" if otp.mode == "own" else "made by the provider"
    key = "from the config" if otp.key.get_secret_value() else "kept in the database"
    return (
        f"otp: mode {otp.mode} ({shape}) from {config.otp_account.name}, valid {otp.ttl_seconds}s,"
        f" {otp.max_checks} checks, at most {otp.per_number_minute}/min and"
        f" {otp.per_number_hour}/h per number, key {key}"
    )


def _storage_place(config: Config) -> str:
    """Where the data lives, as check-config shows it (a URL without its password)."""
    if config.storage.is_postgres:
        return f"PostgreSQL {public_url(config.storage.url)}"
    return str(config.storage.path)


def describe_config(config: Config, source: str) -> str:
    """A readable summary of `config` with no secret in it (what check-config prints)."""
    tg = config.telegram
    proxy = f"set ({urlsplit(tg.proxy).scheme})" if tg.proxy else "not set"
    lines = [
        f"{source}: OK",
        "telegram:",
        f"  api_url: {public_url(tg.api_url)}",
        f"  proxy: {proxy}",
        f"  admins: {', '.join(str(a) for a in tg.admins)}",
        f"  admin chat: {tg.admin_chat_id}",
        f"  language: {tg.language}",
        f"storage: {_storage_place(config)}",
        f"accounts ({len(config.accounts)}):",
    ]
    default = config.default_account.name
    for account in config.accounts:
        mark = ", default" if account.name == default else ""
        lines.append(f"  {account.name} ({account.provider}{mark}): {public_url(account.base_url)}")
        lines.append(f"    lines: {', '.join(account.lines)}")
        if account.fallback:
            lines.append(f"    falls back on: {account.fallback} (when it surely sent nothing)")
        credit = "not set" if account.credit_low is None else f"{account.credit_low:g}"
        lines.append(
            f"    timeout {account.timeout_seconds:g}s, max concurrency "
            f"{account.max_concurrency}, credit alert below: {credit}"
        )
    lines.append(f"routes ({len(config.routes)}):")
    for route in config.routes:
        lines.append(f"  {route.line} -> chat {route.chat_id}")
    if not config.routes:
        lines.append("  (none in the config; admins can add routes at run time)")
    p, a, d = config.polling, config.alerts, config.delivery
    lines += [
        f"polling: inbox every {p.inbox:g}s, delivery every {p.delivery:g}s, "
        f"credit every {p.credit:g}s",
        f"alerts: after {a.failures_before_alert} failures, at most once per {a.window_seconds:g}s",
        f"delivery: give up after {d.give_up_hours:g}h, backoff "
        f"{', '.join(f'{s:g}' for s in d.backoff_seconds)} s",
        _describe_otp(config),
    ]
    api = config.api
    if api is None:
        lines.append("api: off (no [api] section)")
    else:
        keys = ", ".join(f"{k.name} ({' '.join(k.scopes)})" for k in api.keys) or "none"
        hooks = public_url(api.webhook_url) if api.webhook_url else "off"
        lines += [f"api: listening on {api.listen}, keys: {keys}", f"  webhooks: {hooks}"]
    return "\n".join(lines)


def _without_sandbox(command: str, exc: ModuleNotFoundError) -> int:
    """One line instead of a traceback when sandbox/ is not installed (the production image
    leaves it out); any other missing module is a real error and propagates."""
    if exc.name is None or exc.name.partition(".")[0] != "sandbox":
        raise exc
    print(
        f"sms-bridge {command}: not in this installation (built without sandbox/, as the "
        f"production image is); run it from a checkout of the repository: make {command}",
        file=sys.stderr,
    )
    return EXIT_FAILED


def _demo() -> int:
    """`sms-bridge demo`."""
    try:
        from bot.demo import run_demo
    except ModuleNotFoundError as exc:
        return _without_sandbox("demo", exc)

    return asyncio.run(run_demo())


def _sandbox(host: str, port: int, *, telegram: bool = False) -> int:
    """`sms-bridge sandbox`: serve until Ctrl+C."""
    try:
        from sandbox.server import serve_forever
    except ModuleNotFoundError as exc:
        return _without_sandbox("sandbox", exc)

    try:
        asyncio.run(serve_forever(host, port, telegram=telegram))
    except KeyboardInterrupt:
        return EXIT_OK
    except OSError as exc:
        print(f"cannot serve on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _playground(port: int) -> int:
    """`sms-bridge playground`: serve the page until Ctrl+C."""
    try:
        from sandbox.playground import serve_playground
    except ModuleNotFoundError as exc:
        return _without_sandbox("playground", exc)

    try:
        asyncio.run(serve_playground(port))
    except KeyboardInterrupt:
        return EXIT_OK
    except OSError as exc:
        print(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
