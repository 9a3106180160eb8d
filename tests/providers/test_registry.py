"""providers.registry: every provider has what the wiring and the config need, from one place."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import make_provider
from bot.config import AccountConfig, ConfigError, load_config
from providers.base import Capability, SmsProvider
from providers.registry import PROVIDERS, provider_names, provider_spec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "config"
NAMES = list(PROVIDERS)


def test_the_bridge_knows_both_providers_of_the_spec() -> None:
    assert provider_names() == ("raygansms", "payamak")


@pytest.mark.parametrize("name", NAMES)
def test_every_provider_names_its_adapter_url_limit_and_capabilities(name: str) -> None:
    spec = PROVIDERS[name]
    assert spec.name == name
    assert isinstance(spec.adapter, type)
    assert issubclass(spec.adapter, SmsProvider)
    assert spec.adapter.provider_name == name
    url = urlsplit(spec.default_base_url)
    assert url.scheme == "https"
    assert url.hostname
    assert spec.max_parts is None or (isinstance(spec.max_parts, int) and spec.max_parts >= 1)
    assert Capability.SEND in spec.capabilities
    assert spec.capabilities == spec.adapter.capabilities


@pytest.mark.parametrize(("name", "max_parts"), [("raygansms", 10), ("payamak", None)])
def test_part_limits_are_those_of_providers_md(name: str, max_parts: int | None) -> None:
    assert PROVIDERS[name].max_parts == max_parts


@pytest.mark.parametrize("name", NAMES)
async def test_the_wiring_makes_the_registered_adapter(
    name: str, session: aiohttp.ClientSession
) -> None:
    account = AccountConfig(
        name="acct",
        provider=name,
        username="user",
        password=SecretStr("secret-pw"),
        lines=["10002188"],
    )
    assert account.base_url == PROVIDERS[name].default_base_url
    provider = make_provider(session, account)
    assert type(provider) is PROVIDERS[name].adapter
    assert all(provider.supports(c) for c in PROVIDERS[name].capabilities)
    assert "secret-pw" not in repr(provider)


def test_an_unknown_name_is_refused_with_the_choices() -> None:
    with pytest.raises(KeyError, match="kavenegar") as caught:
        provider_spec("kavenegar")
    for name in NAMES:
        assert name in str(caught.value)


def test_the_config_refuses_an_unknown_provider_naming_the_registered_ones(
    tmp_path: Path,
) -> None:
    text = (FIXTURES / "minimal.toml").read_text(encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(text.replace('"payamak"', '"kavenegar"'), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, {})
    (problem,) = caught.value.problems
    assert problem.startswith("accounts[0].provider: must be one of ")
    for name in NAMES:
        assert repr(name) in problem
    # The unknown provider is the one problem: no second one about a missing base_url.
    assert "base_url" not in problem
