"""Every provider the bridge speaks to, by the name the config uses.

Adding a provider is one adapter module (a `SmsProvider` subclass stating its name, default
base URL, part limit and capabilities as class attributes) and one entry in `_ADAPTERS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

import aiohttp

from providers.base import Capability, SmsProvider
from providers.http import HttpSettings
from providers.payamak import PayamakProvider
from providers.raygansms import RayganSmsProvider


class AdapterClass(Protocol):
    """An adapter class as the registry reads it: its facts, and its constructor as the wiring
    calls it (from the session and one account's keys). mypy checks both on each entry."""

    @property
    def provider_name(self) -> str: ...
    @property
    def default_base_url(self) -> str: ...
    @property
    def max_parts(self) -> int | None: ...
    @property
    def capabilities(self) -> frozenset[Capability]: ...

    def __call__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        username: str,
        password: str,
        settings: HttpSettings | None = None,
    ) -> SmsProvider: ...


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """What the bridge knows of one provider before any account is made."""

    name: str
    adapter: AdapterClass
    default_base_url: str
    max_parts: int | None  # the most parts one text may take; None: the provider sets none
    capabilities: frozenset[Capability]


def _spec(adapter: AdapterClass) -> ProviderSpec:
    return ProviderSpec(
        name=adapter.provider_name,
        adapter=adapter,
        default_base_url=adapter.default_base_url,
        max_parts=adapter.max_parts,
        capabilities=adapter.capabilities,
    )


_ADAPTERS: tuple[AdapterClass, ...] = (RayganSmsProvider, PayamakProvider)

PROVIDERS: Mapping[str, ProviderSpec] = MappingProxyType(
    {adapter.provider_name: _spec(adapter) for adapter in _ADAPTERS}
)


def provider_names() -> tuple[str, ...]:
    """The names a config may give as `provider`, in the registry's order."""
    return tuple(PROVIDERS)


def provider_spec(name: str) -> ProviderSpec:
    """The registered provider called `name`; KeyError names the choices."""
    try:
        return PROVIDERS[name]
    except KeyError:
        raise KeyError(f"unknown provider {name!r}; known: {', '.join(PROVIDERS)}") from None
