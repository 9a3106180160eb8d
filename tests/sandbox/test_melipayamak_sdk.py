"""The official `melipayamak` SDK against the Payamak simulator: it gets the answers it expects.

`Rest` is synchronous (`requests`), so its calls run in a thread while the simulator serves in
the test's event loop. `RestAsync` returns the raw body text; the SDK's users `json.loads` it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from melipayamak import Api
from melipayamak.sms import Rest, RestAsync
from sim_support import FakeClock, serve_simulator

from sandbox.payamak import DEFAULT_LINE, PayamakSimulator
from sandbox.server import PAYAMAK_API, RunningServer

STEP = 5.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> PayamakSimulator:
    return PayamakSimulator(delivery_step=STEP, clock=clock)


@pytest.fixture
async def server(sim: PayamakSimulator) -> AsyncIterator[RunningServer]:
    async with serve_simulator(sim) as running:
        yield running


@pytest.fixture
def rest(server: RunningServer) -> Rest:
    client = Api("demo", "demo").sms()
    assert isinstance(client, Rest)
    client.PATH = f"{server.url}{PAYAMAK_API}/%s"  # the instance's, not the class's
    return client


@pytest.fixture
def rest_async(server: RunningServer) -> RestAsync:
    client = Api("demo", "demo").sms("rest", "async")
    assert isinstance(client, RestAsync)
    client.PATH = f"{server.url}{PAYAMAK_API}/%s"
    return client


async def test_the_class_path_is_untouched(rest: Rest) -> None:
    assert Rest.PATH == "https://rest.payamak-panel.com/api/SendSMS/%s"


async def test_sync_sdk_send_and_delivery(
    rest: Rest, sim: PayamakSimulator, clock: FakeClock
) -> None:
    text = "سلام & خوش آمدید + ۱۰٪ تخفیف"
    sent: dict[str, Any] = await asyncio.to_thread(
        rest.send, "09121234567,09127654321", DEFAULT_LINE, text
    )
    assert sent["RetStatus"] == 1
    assert sent["StrRetStatus"] == "Ok"
    rec_ids = sent["Value"].split(",")
    assert rec_ids == [str(rec_id) for rec_id in sim.sent[0].rec_ids]
    assert sim.sent[0].text == text
    assert sim.sent[0].flash is False  # the SDK sends isFlash=False (Python's spelling)

    flash = await asyncio.to_thread(rest.send, "09121234567", DEFAULT_LINE, "f", True)
    assert flash["RetStatus"] == 1
    assert sim.sent[1].flash is True

    sim.set_outcome("09127654321", "undelivered")
    first = await asyncio.to_thread(rest.is_delivered, rec_ids[1])
    assert first == {"Value": "200", "RetStatus": 1, "StrRetStatus": "Ok"}
    clock.now += 2 * STEP
    delivered = await asyncio.to_thread(rest.is_delivered, rec_ids[0])
    undelivered = await asyncio.to_thread(rest.is_delivered, int(rec_ids[1]))
    assert delivered["Value"] == "1"
    assert undelivered["Value"] == "2"


async def test_sync_sdk_account_calls(rest: Rest, sim: PayamakSimulator) -> None:
    sim.inject_incoming(DEFAULT_LINE, "9121234567", "پاسخ مشتری")
    sim.inject_incoming(DEFAULT_LINE, "09127654321", "another")

    messages = await asyncio.to_thread(rest.get_messages, 1, 0, 100)
    assert messages["MyBase"]["RetStatus"] == 1
    assert [m["Body"] for m in messages["Data"]] == ["پاسخ مشتری", "another"]
    assert messages["Data"][0]["Receiver"] == DEFAULT_LINE
    only = await asyncio.to_thread(rest.get_messages, 1, 0, 100, "09127654321")
    assert [m["Body"] for m in only["Data"]] == ["another"]

    credit = await asyncio.to_thread(rest.get_credit)
    assert credit == {"Value": "1000000", "RetStatus": 1, "StrRetStatus": "Ok"}
    price = await asyncio.to_thread(rest.get_base_price)
    assert price["Value"] == str(sim.base_price)
    numbers = await asyncio.to_thread(rest.get_numbers)
    assert numbers["Data"] == [{"Number": DEFAULT_LINE}]


async def test_sync_sdk_sees_error_codes_as_its_users_check_them(
    server: RunningServer, sim: PayamakSimulator
) -> None:
    wrong = Rest("demo", "not-the-password")
    wrong.PATH = f"{server.url}{PAYAMAK_API}/%s"
    refused = await asyncio.to_thread(wrong.send, "09121234567", DEFAULT_LINE, "x")
    assert refused["RetStatus"] != 1
    assert refused["Value"] == "0"
    no_text = Rest("demo", "demo")
    no_text.PATH = wrong.PATH
    empty = await asyncio.to_thread(no_text.send, "09121234567", DEFAULT_LINE, "")
    assert empty["Value"] == "17"
    assert sim.sent == []


async def test_async_sdk_every_call(
    rest_async: RestAsync, sim: PayamakSimulator, clock: FakeClock
) -> None:
    sim.inject_incoming(DEFAULT_LINE, "9121234567", "hello")

    sent = json.loads(await rest_async.send("09121234567", DEFAULT_LINE, "a+b & c", False))
    assert sent["RetStatus"] == 1
    assert sim.sent[0].text == "a+b & c"
    clock.now += 2 * STEP
    delivered = json.loads(await rest_async.is_delivered(sent["Value"]))
    assert delivered["Value"] == "1"

    messages = json.loads(await rest_async.get_messages(1, 0, 10))
    assert [m["Body"] for m in messages["Data"]] == ["hello"]
    credit = json.loads(await rest_async.get_credit())
    assert credit["Value"] == "999999"  # one part to one recipient
    price = json.loads(await rest_async.get_base_price())
    assert price["RetStatus"] == 1
    numbers = json.loads(await rest_async.get_numbers())
    assert numbers["Data"] == [{"Number": DEFAULT_LINE}]
    assert sim.calls == {
        "SendSMS": 1,
        "GetDeliveries2": 1,
        "GetMessages": 1,
        "GetCredit": 1,
        "GetBasePrice": 1,
        "GetUserNumbers": 1,
    }
