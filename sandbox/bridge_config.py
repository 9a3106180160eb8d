"""The bridge's configuration against the sandbox, in one place for the demo (`bot/demo.py`),
the end-to-end harness (`tests/support/bridge_harness.py`) and the benchmarks (`bench/`).

`bridge_config` answers TOML-shaped data (what `Config.model_validate` and `write_toml` take):
the Telegram fake as the Bot API and the provider simulators' accounts (their default lines,
user and password). What differs between its users (admins, routes, polling speeds, which
accounts, passwords, more sections) are its arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox import payamak, raygansms
from sandbox.server import PAYAMAK_API, RAYGAN_API

RAYGAN_LINE = raygansms.DEFAULT_LINE
PAYAMAK_LINE = payamak.DEFAULT_LINE


@dataclass(frozen=True)
class SandboxAccount:
    """One provider account of the bridge, served by a simulator."""

    provider: str
    api_path: str
    line: str
    username: str
    password: str


ACCOUNTS: dict[str, SandboxAccount] = {
    "raygan": SandboxAccount(
        "raygansms", RAYGAN_API, RAYGAN_LINE, raygansms.DEFAULT_USER, raygansms.DEFAULT_PASSWORD
    ),
    "meli": SandboxAccount(
        "payamak", PAYAMAK_API, PAYAMAK_LINE, payamak.DEFAULT_USER, payamak.DEFAULT_PASSWORD
    ),
}


def bridge_config(
    *,
    token: str,
    sandbox_url: str,
    db_path: Path,
    admins: Sequence[int],
    admin_chat_id: int,
    telegram_url: str | None = None,
    accounts: Sequence[str] = ("raygan", "meli"),
    username: str | None = None,
    passwords: Mapping[str, str] | None = None,
    account_settings: Mapping[str, Any] | None = None,
    routes: Mapping[str, int] | None = None,
    **sections: Any,
) -> dict[str, Any]:
    """The bridge against the fakes, as TOML-shaped data.

    `telegram_url` None: the Bot API at its default (for a bench that never starts the bot).
    `accounts` names entries of ACCOUNTS, the first one the default; `username` for every
    account and `passwords` by account name, else the simulator's default account's;
    `account_settings` added to every account; `routes` line → chat id (default none);
    `sections` (`polling`, `delivery`, `alerts`, or any other) merged over the rest as
    `with_overrides` does; a section not given keeps the config's defaults.
    """
    telegram: dict[str, Any] = {"token": token}
    if telegram_url is not None:
        telegram["api_url"] = telegram_url
    telegram.update({"admins": list(admins), "admin_chat_id": admin_chat_id, "language": "fa"})
    account_entries: list[dict[str, Any]] = []
    for index, name in enumerate(accounts):
        account = ACCOUNTS[name]
        entry: dict[str, Any] = {
            "name": name,
            "provider": account.provider,
            "base_url": f"{sandbox_url}{account.api_path}",
            "username": account.username if username is None else username,
            "password": (passwords or {}).get(name, account.password),
            "lines": [account.line],
        }
        if index == 0:
            entry["default"] = True
        entry.update(account_settings or {})
        account_entries.append(entry)
    data: dict[str, Any] = {
        "telegram": telegram,
        "storage": {"path": str(db_path)},
        "accounts": account_entries,
    }
    if routes:
        data["routes"] = [{"line": line, "chat_id": chat_id} for line, chat_id in routes.items()]
    return with_overrides(data, sections)


def with_overrides(data: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with each overridden section merged key by key (a table) or replaced (a list)."""
    merged = dict(data)
    for section, values in overrides.items():
        if isinstance(values, dict) and isinstance(merged.get(section), dict):
            merged[section] = {**merged[section], **values}
        else:
            merged[section] = values
    return merged
