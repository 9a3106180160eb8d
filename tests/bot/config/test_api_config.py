"""[api]: keys, scopes, listen address, webhook secret; every secret redacted."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.config import Config

KEY_A = "shop-key-0123456789abcdef"
KEY_B = "crm-key-0123456789abcdef"
SECRET = "webhook-secret-0123456789"


def config(**api: Any) -> Config:
    data: dict[str, Any] = {
        "telegram": {"token": "1:abc", "admins": [1], "admin_chat_id": -1},
        "accounts": [
            {
                "name": "raygan",
                "provider": "raygansms",
                "username": "u",
                "password": "p",
                "lines": ["5000"],
            }
        ],
        "api": {"keys": [{"name": "shop", "key": KEY_A, "scopes": ["sms:send"]}], **api},
    }
    return Config.model_validate(data)


def problem(**api: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        config(**api)
    # The messages as the config loader shows them (pydantic's own str() echoes inputs).
    return "; ".join(
        f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
        for e in caught.value.errors(include_input=False)
    )


def test_absent_section_is_no_api() -> None:
    data = config().model_dump()
    del data["api"]
    assert (
        Config.model_validate({**data, "telegram": {**data["telegram"], "token": "1:abc"}}).api
        is None
    )


def test_defaults_and_listen_address() -> None:
    api = config(listen="0.0.0.0:9090").api
    assert api is not None
    assert (api.host, api.port, api.webhook_url) == ("0.0.0.0", 9090, "")
    assert api.rate_per_second > 0 and api.max_body_bytes >= 1024


@pytest.mark.parametrize("listen", ["8080", ":8080", "host:", "host:0", "host:99999", "h:x"])
def test_listen_must_be_host_and_port(listen: str) -> None:
    assert 'must be "host:port"' in problem(listen=listen)


def test_key_names_and_values_must_differ() -> None:
    twice = [
        {"name": "shop", "key": KEY_A, "scopes": ["read"]},
        {"name": "shop", "key": KEY_B, "scopes": ["read"]},
    ]
    assert "'shop' is used twice" in problem(keys=twice)
    same = [
        {"name": "shop", "key": KEY_A, "scopes": ["read"]},
        {"name": "crm", "key": KEY_A, "scopes": ["read"]},
    ]
    message = problem(keys=same)
    assert "same key value" in message and KEY_A not in message


def test_scopes_are_the_three_known_ones() -> None:
    assert "sms:send" in problem(keys=[{"name": "shop", "key": KEY_A, "scopes": ["admin"]}])
    assert "at least 1" in problem(keys=[{"name": "shop", "key": KEY_A, "scopes": []}])
    twice = [{"name": "shop", "key": KEY_A, "scopes": ["read", "read"]}]
    assert "listed twice" in problem(keys=twice)


def test_a_short_key_is_refused_without_echoing_it() -> None:
    message = problem(keys=[{"name": "shop", "key": "short-key", "scopes": ["read"]}])
    assert "at least 16 characters" in message and "short-key" not in message


def test_webhooks_need_a_secret() -> None:
    assert "webhook_secret must be at least 16" in problem(webhook_url="https://shop.example/hook")
    api = config(webhook_url="https://shop.example/hook/", webhook_secret=SECRET).api
    assert api is not None and api.webhook_url == "https://shop.example/hook"
    assert "http:// or https://" in problem(webhook_url="ftp://x", webhook_secret=SECRET)


def test_every_api_secret_is_redacted() -> None:
    keys = [
        {"name": "shop", "key": KEY_A, "scopes": ["read"]},
        {"name": "crm", "key": KEY_B, "scopes": ["otp"]},
    ]
    secrets = config(keys=keys, webhook_secret=SECRET).secret_values()
    assert {KEY_A, KEY_B, SECRET} <= set(secrets)
    with_password = config(webhook_url="https://u:p%40ss@shop.example/h", webhook_secret=SECRET)
    assert {"p%40ss", "p@ss"} <= set(with_password.secret_values())


def test_check_config_describes_the_api_without_its_secrets() -> None:
    from bot.cli import describe_config

    text = describe_config(
        config(webhook_url="https://u:pw@shop.example/hook", webhook_secret=SECRET), "c.toml"
    )
    assert "api: listening on 127.0.0.1:8080, keys: shop (sms:send)" in text
    assert "webhooks: https://shop.example/hook" in text
    assert KEY_A not in text and SECRET not in text and "pw" not in text
