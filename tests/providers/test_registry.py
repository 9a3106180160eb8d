"""providers.registry: every provider has what the wiring and the config need, from one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import make_provider
from bot.config import AccountConfig, ConfigError, load_config
from bot.context import Account
from bot.send.service import SmsText, TooManyParts, check_text
from providers import registry
from providers.base import (
    Capability,
    DeliveryUpdate,
    InboxBatch,
    Receipt,
    SendResult,
    SmsProvider,
)
from providers.http import HttpSettings
from providers.registry import PROVIDERS, ProviderSpec, provider_names, provider_spec

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


def account_of(name: str) -> AccountConfig:
    """An account at `name` without a base_url: the registry's default fills it."""
    return AccountConfig.model_validate(
        {
            "name": "acct",
            "provider": name,
            "username": "user",
            "password": SecretStr("secret-pw"),
            "lines": ["10002188"],
        }
    )


@pytest.mark.parametrize("name", NAMES)
async def test_the_wiring_makes_the_registered_adapter(
    name: str, session: aiohttp.ClientSession
) -> None:
    account = account_of(name)
    assert account.base_url == PROVIDERS[name].default_base_url
    provider = make_provider(session, account)
    adapter: object = PROVIDERS[name].adapter
    assert type(provider) is adapter
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
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, "kavenegar"), {})
    (problem,) = caught.value.problems
    assert problem.startswith("accounts[0].provider: must be one of ")
    for name in NAMES:
        assert repr(name) in problem
    # The unknown provider is the one problem: no second one about a missing base_url.
    assert "base_url" not in problem


# ---------------------------------------------------------------- adding a provider


class KavenegarProvider(SmsProvider):
    """A third provider, as a new adapter module would add it (its sends are not the point)."""

    provider_name = "kavenegar"
    default_base_url = "https://api.kavenegar.example/v1"
    max_parts = 2
    capabilities = frozenset({Capability.SEND, Capability.CREDIT})

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        username: str,
        password: str,
        settings: HttpSettings | None = None,
    ) -> None:
        self.base_url = base_url

    async def send(
        self,
        line: str,
        recipients: Sequence[str],
        text: str,
        *,
        at: datetime | None = None,
        flash: bool = False,
    ) -> SendResult:
        raise NotImplementedError

    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        raise NotImplementedError

    async def fetch_inbox(self, line: str, cursor: str | None) -> InboxBatch:
        raise NotImplementedError

    async def credit(self) -> Decimal:
        raise NotImplementedError


@pytest.fixture
def with_kavenegar(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry with one more entry, and nothing else changed."""
    spec = ProviderSpec(
        name=KavenegarProvider.provider_name,
        adapter=KavenegarProvider,
        default_base_url=KavenegarProvider.default_base_url,
        max_parts=KavenegarProvider.max_parts,
        capabilities=KavenegarProvider.capabilities,
    )
    monkeypatch.setattr(registry, "PROVIDERS", {**PROVIDERS, spec.name: spec})


def kavenegar_account() -> AccountConfig:
    return account_of("kavenegar")


@pytest.mark.usefixtures("with_kavenegar")
async def test_a_registered_provider_is_configured_and_wired_with_nothing_else(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    account = kavenegar_account()
    assert account.base_url == "https://api.kavenegar.example/v1"
    provider = make_provider(session, account)
    assert isinstance(provider, KavenegarProvider)
    assert provider.base_url == account.base_url
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, "nosuch"), {})
    assert "'kavenegar'" in caught.value.problems[0]


@pytest.mark.usefixtures("with_kavenegar")
def test_the_send_part_limit_is_the_registrys(session: aiohttp.ClientSession) -> None:
    config = kavenegar_account()
    account = Account(config, make_provider(session, config))
    assert isinstance(check_text(account, "x" * 306), SmsText)  # two GSM 7-bit parts of 153
    refusal = check_text(account, "x" * 307)
    assert refusal == TooManyParts(parts=3, limit=2, account=account.name)


@pytest.mark.parametrize(("name", "limited"), [("raygansms", True), ("payamak", False)])
def test_eleven_parts_are_refused_only_where_the_provider_limits_parts(
    name: str, limited: bool, session: aiohttp.ClientSession
) -> None:
    config = account_of(name)
    account = Account(config, make_provider(session, config))
    assert isinstance(check_text(account, "x" * (153 * 10)), SmsText)
    refusal = check_text(account, "x" * (153 * 10 + 1))
    assert isinstance(refusal, TooManyParts) is limited


def _config(tmp_path: Path, provider: str) -> Path:
    text = (FIXTURES / "minimal.toml").read_text(encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(text.replace('"payamak"', f'"{provider}"'), encoding="utf-8")
    return path
