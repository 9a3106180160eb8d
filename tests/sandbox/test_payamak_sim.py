"""The Payamak simulator over raw HTTP: both encodings, any field casing, codes, control API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from sim_support import FakeClock, serve_simulator

from sandbox.faults import FaultKind
from sandbox.payamak import DEFAULT_LINE, PayamakSimulator, tehran_timestamp
from sandbox.server import PAYAMAK_API, PAYAMAK_CONTROL, ProviderSandbox, RunningServer

STEP = 5.0
AUTH = {"username": "demo", "password": "demo"}


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
async def http(server: RunningServer) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as session:
        yield Client(session, server.url)


class Client:
    """Raw calls to the simulator: form (default) or JSON bodies."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url

    async def api(
        self, method: str, fields: dict[str, Any], *, as_json: bool = False, status: int = 200
    ) -> Any:
        url = f"{self.url}{PAYAMAK_API}/{method}"
        if as_json:
            response = await self.session.post(url, json=fields)
        else:
            response = await self.session.post(url, data=fields)
        async with response:
            assert response.status == status, await response.text()
            return await response.json(content_type=None)

    async def control(self, path: str, body: Any = None) -> Any:
        url = f"{self.url}{PAYAMAK_CONTROL}/{path}"
        if body is None:
            async with self.session.get(url) as response:
                return await response.json()
        async with self.session.post(url, json=body) as response:
            return {"status": response.status, **await response.json()}


def send_fields(**extra: Any) -> dict[str, Any]:
    return {**AUTH, "from": DEFAULT_LINE, "to": "09121234567", "text": "hi", **extra}


async def test_send_sms_answers_rec_ids_in_to_order(http: Client, sim: PayamakSimulator) -> None:
    answer = await http.api("SendSMS", send_fields(to="09121234567,9127654321,+989121112233"))
    assert answer["RetStatus"] == 1
    assert answer["StrRetStatus"] == "Ok"
    ids = answer["Value"].split(",")
    assert len(ids) == 3
    assert all(len(rec_id) >= 15 and rec_id.isdigit() for rec_id in ids)
    assert ids == [str(rec_id) for rec_id in sim.sent[0].rec_ids]
    assert sim.sent[0].to == ("09121234567", "9127654321", "+989121112233")


@pytest.mark.parametrize("as_json", [False, True])
@pytest.mark.parametrize(
    ("user_key", "pass_key", "rec_key"),
    [
        ("username", "password", "recId"),
        ("UserName", "PassWord", "recID"),
        ("USERNAME", "pAsSwOrD", "RECID"),
    ],
)
async def test_field_names_are_case_insensitive_in_both_encodings(
    http: Client, as_json: bool, user_key: str, pass_key: str, rec_key: str
) -> None:
    creds = {user_key: "demo", pass_key: "demo"}
    sent = await http.api(
        "sendsms",
        {**creds, "FROM": DEFAULT_LINE, "To": "09121234567", "Text": "x"},
        as_json=as_json,
    )
    assert sent["RetStatus"] == 1
    status = await http.api("GetDeliveries2", {**creds, rec_key: sent["Value"]}, as_json=as_json)
    assert status == {"Value": "200", "RetStatus": 1, "StrRetStatus": "Ok"}


async def test_json_values_may_be_numbers_booleans_or_lists(
    http: Client, sim: PayamakSimulator
) -> None:
    answer = await http.api(
        "SendSMS",
        {
            **AUTH,
            "from": int(DEFAULT_LINE),
            "to": ["09121234567", "09121234568"],
            "text": "x",
            "isFlash": True,
        },
        as_json=True,
    )
    assert answer["RetStatus"] == 1
    assert sim.sent[0].flash is True
    assert sim.sent[0].to == ("09121234567", "09121234568")
    messages = await http.api(
        "GetMessages", {**AUTH, "location": 2, "index": 0, "count": 10}, as_json=True
    )
    assert len(messages["Data"]) == 1


@pytest.mark.parametrize(
    ("raw", "flash"),
    [("true", True), ("True", True), ("false", False), ("False", False), ("", False)],
)
async def test_is_flash_spellings(
    http: Client, sim: PayamakSimulator, raw: str, flash: bool
) -> None:
    await http.api("SendSMS", send_fields(isFlash=raw))
    assert sim.sent[0].flash is flash


async def test_unreadable_fields_answer_like_the_asp_net_binder(http: Client) -> None:
    refused = await http.api("SendSMS", send_fields(isFlash="maybe"), status=400)
    assert refused == {"Message": "The request is invalid."}
    await http.api("GetDeliveries2", {**AUTH, "recID": "abc"}, status=400)
    await http.api("GetMessages", {**AUTH, "location": "x", "index": 0, "count": 1}, status=400)


async def test_persian_and_reserved_characters_arrive_verbatim(
    http: Client, sim: PayamakSimulator
) -> None:
    text = "سلام & a+b=c %2B ?x#y"
    await http.api("SendSMS", send_fields(text=text))
    assert sim.sent[0].text == text


# Validation with the provider's codes: (fields, Value, RetStatus, StrRetStatus).
VALIDATION: list[tuple[dict[str, Any], str, int, str]] = [
    ({"password": "wrong"}, "0", 35, "InvalidData"),
    ({"username": "nobody"}, "0", 35, "InvalidData"),
    ({"to": ""}, "16", 0, "NoRecipient"),
    ({"to": " , "}, "16", 0, "NoRecipient"),
    ({"to": "12345"}, "16", 0, "NoRecipient"),
    ({"text": ""}, "17", 0, "EmptyText"),
    ({"text": "   "}, "17", 0, "EmptyText"),
    ({"from": "50001111"}, "5", 9, "InvalidNumber"),
    ({"to": ",".join(f"0912{n:07d}" for n in range(101))}, "4", 0, "VolumeLimit"),
]


@pytest.mark.parametrize(("fields", "value", "ret_status", "name"), VALIDATION)
async def test_send_validation_answers_provider_codes_with_http_200(
    http: Client,
    sim: PayamakSimulator,
    fields: dict[str, Any],
    value: str,
    ret_status: int,
    name: str,
) -> None:
    answer = await http.api("SendSMS", send_fields(**fields))
    assert answer == {"Value": value, "RetStatus": ret_status, "StrRetStatus": name}
    assert sim.sent == []


async def test_one_hundred_recipients_are_allowed(http: Client) -> None:
    answer = await http.api("SendSMS", send_fields(to=",".join(f"0912{n:07d}" for n in range(100))))
    assert len(answer["Value"].split(",")) == 100


async def test_blacklist_and_links(http: Client, sim: PayamakSimulator) -> None:
    sim.blacklist.add("+989121234567")
    assert (await http.api("SendSMS", send_fields()))["Value"] == "35"
    sim.blacklist.clear()
    assert (await http.api("SendSMS", send_fields(text="see https://x.ir")))["RetStatus"] == 1
    sim.reject_links = True
    assert (await http.api("SendSMS", send_fields(text="see https://x.ir")))["Value"] == "14"


async def test_credit_is_charged_per_part_and_recipient(
    http: Client, sim: PayamakSimulator
) -> None:
    sim.add_account("small", "pw", lines=["3000"], credit=5)
    fields = {"username": "small", "password": "pw", "from": "3000"}
    two_parts = "س" * 71
    ok = await http.api("SendSMS", {**fields, "to": "09121234567,09121234568", "text": two_parts})
    assert ok["RetStatus"] == 1
    assert (await http.api("GetCredit", {"UserName": "small", "PassWord": "pw"}))["Value"] == "1"
    refused = await http.api("SendSMS", {**fields, "to": "09121234567", "text": two_parts})
    assert refused["Value"] == "2"
    one_part = await http.api("SendSMS", {**fields, "to": "09121234567", "text": "a" * 160})
    assert one_part["RetStatus"] == 1
    assert (await http.api("GetCredit", {"UserName": "small", "PassWord": "pw"}))["Value"] == "0"


async def test_base_price_and_numbers(http: Client, sim: PayamakSimulator) -> None:
    price = await http.api("GetBasePrice", {"UserName": "demo", "PassWord": "demo"})
    assert price == {"Value": str(sim.base_price), "RetStatus": 1, "StrRetStatus": "Ok"}
    numbers = await http.api("GetUserNumbers", {"UserName": "demo", "PassWord": "demo"})
    assert numbers["MyBase"] == {"Value": "Ok", "RetStatus": 1, "StrRetStatus": "Ok"}
    assert numbers["Data"] == [{"Number": DEFAULT_LINE}]


@pytest.mark.parametrize("method", ["GetMessages", "GetUserNumbers"])
async def test_wrapped_failures_have_value_null(http: Client, method: str) -> None:
    fields = {"username": "demo", "password": "bad", "location": 1, "index": 0, "count": 1}
    answer = await http.api(method, fields)
    assert answer["MyBase"]["Value"] is None
    assert answer["MyBase"]["RetStatus"] != 1
    assert answer["Data"] is None


@pytest.mark.parametrize(
    ("outcome", "codes"),
    [
        ("delivered", ["200", "8", "1"]),
        ("undelivered", ["200", "8", "2"]),
        ("failed", ["200", "8", "3"]),
        (16, ["200", "8", "16"]),
        ("5", ["200", "8", "5"]),
        ("blocked", ["200", "8", "35"]),
        ("filtered", ["200", "8", "300"]),
        ("rejected", ["200", "8", "500"]),
        ("at_carrier", ["200", "8", "8"]),
        ("pending", ["-1", "-1", "-1"]),
    ],
)
async def test_deliveries_follow_the_clock_to_the_scripted_outcome(
    http: Client, sim: PayamakSimulator, clock: FakeClock, outcome: str | int, codes: list[str]
) -> None:
    sim.set_outcome("9121234567", outcome)  # any number form
    rec_id = (await http.api("SendSMS", send_fields()))["Value"]
    seen = []
    for _ in codes:
        seen.append((await http.api("GetDeliveries2", {**AUTH, "recID": rec_id}))["Value"])
        clock.now += STEP
    assert seen == codes


async def test_unknown_rec_id_answers_100(http: Client) -> None:
    answer = await http.api("GetDeliveries2", {**AUTH, "recID": "123456789012345678"})
    assert answer["Value"] == "100"


def test_bad_outcome_name_is_refused(sim: PayamakSimulator) -> None:
    with pytest.raises(ValueError, match="delivered"):
        sim.set_outcome("09121234567", "lost")


async def test_get_messages_pages_filters_and_shapes(http: Client, sim: PayamakSimulator) -> None:
    when = datetime(2017, 6, 5, 11, 12, 58, 680000, tzinfo=UTC)
    for n in range(5):
        sim.inject_incoming(DEFAULT_LINE, "9121234567" if n % 2 else "09127654321", f"m{n}", when)
    await http.api("SendSMS", send_fields(text="out"))

    page = await http.api("GetMessages", {**AUTH, "location": 1, "index": 1, "count": 3})
    assert page["MyBase"] == {"Value": "Ok", "RetStatus": 1, "StrRetStatus": "Ok"}
    assert [m["Body"] for m in page["Data"]] == ["m1", "m2", "m3"]  # oldest first
    first = page["Data"][0]
    assert first["Sender"] == "9121234567"
    assert first["Receiver"] == DEFAULT_LINE
    assert first["SendDate"] == "2017-06-05T15:42:58.68"  # Tehran wall time, DST then
    assert isinstance(first["MsgID"], int)
    assert first["FirstLocation"] == 1
    ids = [m["MsgID"] for m in page["Data"]]
    assert len(set(ids)) == 3

    sent = await http.api("GetMessages", {**AUTH, "location": 2, "index": 0, "count": 100})
    assert [m["Body"] for m in sent["Data"]] == ["out"]
    every = await http.api("GetMessages", {**AUTH, "location": -1, "index": 0, "count": 100})
    assert len(every["Data"]) == 6
    only = await http.api(
        "GetMessages", {**AUTH, "location": 1, "index": 0, "count": 100, "from": "09121234567"}
    )
    assert [m["Body"] for m in only["Data"]] == ["m1", "m3"]
    past = await http.api("GetMessages", {**AUTH, "location": 1, "index": 5, "count": 100})
    assert past["Data"] == []
    too_many = await http.api("GetMessages", {**AUTH, "location": 1, "index": 0, "count": 101})
    assert too_many["MyBase"]["Value"] is None


@pytest.mark.parametrize(
    ("when", "shown"),
    [
        (datetime(2024, 3, 20, 12, 0, tzinfo=UTC), "2024-03-20T15:30:00"),
        (datetime(2024, 3, 20, 12, 0, 0, 500000, tzinfo=UTC), "2024-03-20T15:30:00.5"),
        (datetime(2017, 6, 5, 11, 12, 58, 680000, tzinfo=UTC), "2017-06-05T15:42:58.68"),
    ],
)
def test_tehran_timestamp(when: datetime, shown: str) -> None:
    assert tehran_timestamp(when) == shown


async def test_control_api_over_http(http: Client, sim: PayamakSimulator) -> None:
    created = await http.control(
        "accounts", {"username": "u2", "password": "p2", "lines": ["3001"], "credit": 10}
    )
    assert created["ok"] is True
    incoming = await http.control(
        "incoming",
        {"line": "3001", "sender": "+989121234567", "body": "سلام", "when": "2024-01-01T10:00:00Z"},
    )
    assert incoming["ok"] is True
    inbox = await http.api(
        "GetMessages", {"username": "u2", "password": "p2", "location": 1, "index": 0, "count": 5}
    )
    assert inbox["Data"][0]["MsgID"] == incoming["msg_id"]
    assert inbox["Data"][0]["Sender"] == "9121234567"
    assert inbox["Data"][0]["SendDate"] == "2024-01-01T13:30:00"

    assert (await http.control("outcome", {"mobile": "09121234567", "outcome": "blocked"}))["ok"]
    assert (await http.control("outcome", {"mobile": "0912", "outcome": "nope"}))["status"] == 400
    assert (await http.control("incoming", {"line": "nobody's"}))["status"] == 400
    await http.control("blacklist", {"mobile": "09120000000"})
    assert "09120000000" in sim.blacklist

    await http.api("SendSMS", send_fields(text="x"))
    sent = await http.control("sent")
    assert sent["count"] == 1
    assert sent["sent"][0]["to"] == ["09121234567"]
    assert sent["sent"][0]["text"] == "x"
    assert "password" not in json.dumps(sent)
    calls = await http.control("calls")
    assert calls == {"GetMessages": 1, "SendSMS": 1}

    fault = await http.control("faults", {"method": "GetCredit", "kind": "error_code", "value": 6})
    assert fault["ok"] is True
    refused = await http.api("GetCredit", {"UserName": "demo", "PassWord": "demo"})
    assert refused == {"Value": "6", "RetStatus": 0, "StrRetStatus": "SystemUpdating"}

    assert (await http.control("reset", {}))["ok"] is True
    assert sim.sent == []
    assert "u2" not in sim.accounts
    assert sim.blacklist == set()
    assert await http.control("calls") == {}


@pytest.mark.parametrize(
    ("method", "wrapped"), [("SendSMS", False), ("GetMessages", True), ("GetUserNumbers", True)]
)
async def test_injected_error_code_uses_each_methods_shape(
    http: Client, sim: PayamakSimulator, method: str, wrapped: bool
) -> None:
    sim.faults.inject(FaultKind.ERROR_CODE, method=method, value=0)
    answer = await http.api(method, {**send_fields(), "location": 1, "index": 0, "count": 1})
    if wrapped:
        assert answer["MyBase"] == {"Value": None, "RetStatus": 35, "StrRetStatus": "InvalidData"}
    else:
        assert answer == {"Value": "0", "RetStatus": 35, "StrRetStatus": "InvalidData"}


async def test_timeout_after_records_the_send_once(
    server: RunningServer, sim: PayamakSimulator
) -> None:
    sim.faults.inject(FaultKind.TIMEOUT_AFTER, method="SendSMS")
    timeout = aiohttp.ClientTimeout(sock_read=0.3)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        with pytest.raises(TimeoutError):
            await session.post(f"{server.url}{PAYAMAK_API}/SendSMS", data=send_fields())
    assert len(sim.sent) == 1
    assert sim.calls["SendSMS"] == 1


async def test_unknown_method_and_base_service_number(http: Client) -> None:
    missing = await http.api("NoSuchMethod", AUTH, status=404)
    assert "No HTTP resource" in missing["Message"]
    pattern = await http.api(
        "BaseServiceNumber", {**AUTH, "text": "1;2", "to": "0912", "bodyId": 1}
    )
    assert pattern["RetStatus"] != 1
    assert "NotSimulated" in pattern["StrRetStatus"]


async def test_mounted_by_the_provider_sandbox() -> None:
    sandbox = ProviderSandbox()
    async with RunningServer(sandbox.build_app()) as server, aiohttp.ClientSession() as session:
        url = f"{server.url}{PAYAMAK_API}/GetCredit"
        async with session.post(url, data={"UserName": "demo", "PassWord": "demo"}) as response:
            assert (await response.json(content_type=None))["Value"] == "1000000"
