"""providers.base.ProviderError: immutable once built, derived with with_(), raisable as usual."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import pickle
from collections.abc import AsyncIterator, Iterator
from dataclasses import FrozenInstanceError, fields

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import BaseTestServer, TestServer

from providers.base import ErrorCategory, ProviderError, Receipt
from providers.http import HttpSettings, ProviderHttp


def sample() -> ProviderError:
    return ProviderError(
        ErrorCategory.TRANSIENT,
        "SendSMS: the provider did not send the message",
        provider="payamak",
        code="11",
        provider_message="SendFailed",
        retry_safe=True,
        receipts=(Receipt("+989121234567", message_id="1"),),
        reason_key="unreadable",
    )


CHANGES: list[tuple[str, object]] = [
    ("category", ErrorCategory.AUTH),
    ("reason", "rewritten"),
    ("provider", "raygansms"),
    ("code", "0"),
    ("provider_message", "other"),
    ("retry_safe", False),
    ("outcome_unknown", True),
    ("receipts", ()),
    ("unknown_recipients", ("+989121234568",)),
    ("nothing_sent", True),
    ("reason_key", "auth"),
]


def test_the_table_covers_every_field() -> None:
    assert {name for name, _ in CHANGES} == {f.name for f in fields(ProviderError)}


@pytest.mark.parametrize(("name", "value"), CHANGES)
def test_no_field_can_be_rewritten_or_deleted(name: str, value: object) -> None:
    error = sample()
    before = getattr(error, name)
    with pytest.raises(FrozenInstanceError):
        setattr(error, name, value)
    with pytest.raises(FrozenInstanceError):
        delattr(error, name)
    assert getattr(error, name) == before


def test_nor_can_a_new_attribute_be_added() -> None:
    with pytest.raises(FrozenInstanceError):
        sample().extra = 1


@pytest.mark.parametrize(("name", "value"), CHANGES)
def test_with_derives_a_new_error_and_leaves_the_old_one(name: str, value: object) -> None:
    error = sample()
    derived = error.with_(**{name: value})
    assert derived is not error
    assert getattr(derived, name) == value
    assert getattr(error, name) == getattr(sample(), name)
    assert str(derived) == derived.args[0]  # the message follows the new facts
    with pytest.raises(FrozenInstanceError):
        derived.reason = "again"


def test_it_survives_pickling_and_copying_with_every_fact() -> None:
    error = sample()
    for twin in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert type(twin) is ProviderError
        assert [getattr(twin, f.name) for f in fields(twin)] == [
            getattr(error, f.name) for f in fields(error)
        ]
        assert str(twin) == str(error)
        with pytest.raises(FrozenInstanceError):
            twin.code = "x"


def test_it_travels_like_any_exception() -> None:
    """raise … from, notes, and contextlib (which sets __traceback__) all still work."""

    @contextlib.contextmanager
    def passing_through() -> Iterator[None]:
        yield

    with pytest.raises(ProviderError) as caught, passing_through():
        try:
            raise KeyError("inner")
        except KeyError as exc:
            error = sample()
            error.add_note("while polling")
            raise error from exc
    assert isinstance(caught.value.__cause__, KeyError)
    assert caught.value.__notes__ == ["while polling"]
    assert caught.value.__traceback__ is not None


async def test_it_crosses_tasks_and_gather() -> None:
    async def fail() -> None:
        raise sample()

    (outcome,) = await asyncio.gather(fail(), return_exceptions=True)
    assert isinstance(outcome, ProviderError)
    with pytest.raises(ProviderError):
        await asyncio.create_task(fail())


# ---------------------------------------------------------------- nothing rewritten in flight


@pytest.fixture
async def server() -> AsyncIterator[BaseTestServer]:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(text="whatever")

    app = web.Application()
    app.router.add_post("/{method}", answer)
    async with TestServer(app, host="127.0.0.1") as server:
        yield server


async def test_the_transport_derives_an_unknown_outcome_and_keeps_the_parsers_error(
    server: BaseTestServer,
) -> None:
    """A send's transient failure becomes `outcome_unknown` in a new error, not by rewriting."""
    raised = ProviderError(
        ErrorCategory.TRANSIENT, "SendSMS: garbled", provider="payamak", retry_safe=True
    )

    def parse(status: int, body: str) -> str:
        raise raised

    async with aiohttp.ClientSession() as session:
        http = ProviderHttp(
            session, str(server.make_url("")), "payamak", HttpSettings(backoff_base=0)
        )
        with pytest.raises(ProviderError) as caught:
            await http.call("SendSMS", parse, form={}, sends_sms=True)
        with pytest.raises(ProviderError) as read:
            await http.call("GetCredit", parse, form={}, sends_sms=False)
    assert caught.value is not raised
    assert (caught.value.outcome_unknown, caught.value.retry_safe) == (True, False)
    assert (raised.outcome_unknown, raised.retry_safe) == (False, True)
    assert read.value is raised  # a read's error is handed on as the parser built it
