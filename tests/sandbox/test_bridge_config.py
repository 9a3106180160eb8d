"""The one configuration of the bridge against the sandbox (demo, e2e harness, benchmarks)."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config
from sandbox import payamak, raygansms
from sandbox.bridge_config import PAYAMAK_LINE, RAYGAN_LINE, bridge_config, with_overrides
from sandbox.server import PAYAMAK_API, RAYGAN_API

TOKEN = "1000001:bridge-config-test-token"


def test_both_accounts_point_at_the_simulators_default_accounts() -> None:
    data = bridge_config(
        token=TOKEN,
        telegram_url="http://127.0.0.1:1",
        sandbox_url="http://127.0.0.1:2",
        db_path=Path("/tmp/bridge.sqlite3"),
        admins=[7],
        admin_chat_id=-1007,
    )
    config = Config.model_validate(data)
    raygan, meli = config.accounts
    assert (raygan.name, raygan.provider, raygan.default) == ("raygan", "raygansms", True)
    assert (meli.name, meli.provider, meli.default) == ("meli", "payamak", False)
    assert raygan.base_url == f"http://127.0.0.1:2{RAYGAN_API}"
    assert meli.base_url == f"http://127.0.0.1:2{PAYAMAK_API}"
    assert raygan.lines == [RAYGAN_LINE] == [raygansms.DEFAULT_LINE]
    assert meli.lines == [PAYAMAK_LINE] == [payamak.DEFAULT_LINE]
    assert raygan.username == raygansms.DEFAULT_USER
    assert raygan.password.get_secret_value() == raygansms.DEFAULT_PASSWORD
    assert meli.password.get_secret_value() == payamak.DEFAULT_PASSWORD
    assert config.telegram.api_url == "http://127.0.0.1:1"
    assert config.telegram.admins == [7]
    assert config.telegram.admin_chat_id == -1007
    assert config.routes == []
    assert "polling" not in data and "delivery" not in data  # the config's defaults


def test_accounts_passwords_settings_routes_and_sections_are_the_callers() -> None:
    data = bridge_config(
        token=TOKEN,
        sandbox_url="http://127.0.0.1:2",
        db_path=Path("/tmp/bridge.sqlite3"),
        admins=[7],
        admin_chat_id=-1007,
        accounts=["meli"],
        username="bench",
        passwords={"meli": "s3cret"},
        account_settings={"timeout_seconds": 3},
        routes={PAYAMAK_LINE: -1009},
        polling={"inbox": 2},
    )
    assert "api_url" not in data["telegram"]
    [meli] = data["accounts"]
    assert meli["default"] is True  # the first account named is the default
    assert (meli["username"], meli["password"], meli["timeout_seconds"]) == ("bench", "s3cret", 3)
    assert data["routes"] == [{"line": PAYAMAK_LINE, "chat_id": -1009}]
    assert data["polling"] == {"inbox": 2}
    assert Config.model_validate(data).polling.inbox == 2


def test_overrides_merge_a_table_and_replace_a_list() -> None:
    data = {"telegram": {"token": "t", "language": "fa"}, "routes": [{"line": "1", "chat_id": -1}]}
    merged = with_overrides(data, {"telegram": {"language": "en"}, "routes": []})
    assert merged == {"telegram": {"token": "t", "language": "en"}, "routes": []}
    assert data["telegram"] == {"token": "t", "language": "fa"}  # the input is left alone
