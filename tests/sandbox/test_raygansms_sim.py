"""The RayganSMS simulator over raw HTTP: it answers like providers.md §1 and the seed say."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sim_support import FakeClock, serve_simulator

from sandbox.faults import FaultKind
from sandbox.raygansms import METHODS, OUTCOMES, RayganSimulator, canonical_mobile
from sandbox.server import RAYGAN_API, RAYGAN_CONTROL

LINE = "50002910001080"
SAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "raygansms" / "seed_samples.json").read_text("utf-8")
)


def basic(username: str = "demo", password: str = "demo") -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Api:
    """Raw calls to the simulator, as any client would make them."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url

    async def raw(
        self,
        method: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        data: Any = None,
    ) -> tuple[int, Any]:
        async with self.session.post(
            f"{self.url}{RAYGAN_API}/{method}",
            json=body if data is None else None,
            data=data,
            headers=basic() if headers is None else headers,
        ) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except json.JSONDecodeError:
                return response.status, text

    async def call(self, method: str, body: Any = None, **kwargs: Any) -> Any:
        status, answer = await self.raw(method, {} if body is None else body, **kwargs)
        assert status == 200, answer
        return answer

    async def control(self, verb: str, path: str, body: Any = None) -> Any:
        async with self.session.request(
            verb, f"{self.url}{RAYGAN_CONTROL}/{path}", json=body
        ) as response:
            assert response.status == 200, await response.text()
            return await response.json()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> RayganSimulator:
    return RayganSimulator(delivery_step=10.0, clock=clock)


@pytest.fixture
async def api(sim: RayganSimulator) -> AsyncIterator[Api]:
    async with serve_simulator(sim) as server, aiohttp.ClientSession() as session:
        yield Api(session, server.url)


def shape(value: Any) -> Any:
    """The structure of a JSON value: keys and kinds, lists by their first element."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


# ---------------------------------------------------------------- the seed's samples


async def _prepare_sample(method: str, sim: RayganSimulator, api: Api) -> None:
    if method in ("GroupMessageStatus", "GetGroupMessageId"):
        body = dict(SAMPLES["SendMessage"]["request"], UserGroupID="16")
        await api.call("SendMessage", body)
    elif method == "CorrespondingMessageStatus":
        await api.call("SendCorrespondingMessage", SAMPLES["SendCorrespondingMessage"]["request"])
    elif method == "ReceiveMessages":
        sim.accounts["demo"].lines.append("5000299558253")
        sim.inject_incoming("5000299558253", "09116420422", " 1تست ", date=1613388346)
        sim.inject_incoming("5000299558253", "9116665601", "1", date=1606300605)
    elif method == "ShowWhiteList":
        sim.blacklist.update({"09333152378", "09116662206", "09119043011"})


@pytest.mark.parametrize("method", METHODS)
async def test_each_seed_sample_gets_the_seed_answer_shape(
    method: str, sim: RayganSimulator, api: Api
) -> None:
    await _prepare_sample(method, sim, api)
    sample = SAMPLES[method]
    answer = await api.call(method, sample["request"])
    assert shape(answer) == shape(sample["response"])
    if isinstance(answer, dict):
        assert answer["Code"] == 0
        assert answer["Message"] == "عملیات با موفقیت انجام شد"
    if method in ("SendAutoCode", "SendCode"):
        assert answer > 2000
    if method in ("ShowWhiteList", "GetPrices", "CheckSendCode"):
        assert answer == sample["response"] or answer["Result"] == sample["response"]["Result"]


async def test_receive_sample_answers_the_sample_messages_in_date_order(
    sim: RayganSimulator, api: Api
) -> None:
    await _prepare_sample("ReceiveMessages", sim, api)
    answer = await api.call("ReceiveMessages", SAMPLES["ReceiveMessages"]["request"])
    expected = SAMPLES["ReceiveMessages"]["response"]["Result"]["ReceivedMsgs"]
    assert answer["Result"]["ReceivedMsgs"] == sorted(expected, key=lambda m: m["Date"])


async def test_group_status_answers_mobiles_without_the_leading_zero(
    sim: RayganSimulator, api: Api
) -> None:
    guid = (await api.call("SendMessage", SAMPLES["SendMessage"]["request"]))["Result"]
    answer = await api.call("GroupMessageStatus", {"GroupMessageId": guid})
    assert answer["Result"]["MessagesListState"] == [
        {"Mobile": "911111111", "Status": "0"},
        {"Mobile": "911111112", "Status": "0"},
    ]


# ---------------------------------------------------------------- auth


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("demo", "wrong"),
        basic("nobody", "demo"),
        {"Authorization": "Basic not-base64!!"},
        {"Authorization": "Bearer abc"},
    ],
    ids=["missing", "wrong-password", "unknown-user", "garbled", "not-basic"],
)
@pytest.mark.parametrize("method", ["GetCredit", "SendMessage", "SendCode"])
async def test_bad_credentials_get_401_and_send_nothing(
    headers: dict[str, str], method: str, sim: RayganSimulator, api: Api
) -> None:
    status, _ = await api.raw(method, SAMPLES[method]["request"], headers=headers)
    assert status == 401
    assert sim.sent == []


async def test_web_service_disabled_answers_2002_or_bare_8(sim: RayganSimulator, api: Api) -> None:
    sim.add_account("off", "pw", lines=[LINE], webservice=False)
    assert (await api.call("GetCredit", {}, headers=basic("off", "pw")))["Code"] == 2002
    body = SAMPLES["SendAutoCode"]["request"]
    assert await api.call("SendAutoCode", body, headers=basic("off", "pw")) == 8


# ---------------------------------------------------------------- validation, field by field


def _send(**changes: Any) -> dict[str, Any]:
    body = {
        "PhoneNumber": LINE,
        "Message": "test",
        "Mobiles": ["09121234567"],
        "UserGroupID": "1",
        "SendDateInTimeStamp": 1_700_000_000,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not _DROP}


def _each(**changes: Any) -> dict[str, Any]:
    body = {
        "PhoneNumber": LINE,
        "UserGroupID": "1",
        "RecipientsMessage": [{"Id": "1", "Message": "hi", "Mobile": "09121234567"}],
        "sendPortNumber": 40,
        "recievePortNumber": 20,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not _DROP}


_DROP = object()
_YEAR = 366 * 24 * 3600

VALIDATION = [
    ("SendMessage", _send(PhoneNumber=_DROP), 1002),
    ("SendMessage", _send(PhoneNumber="line-1"), 1002),
    ("SendMessage", _send(PhoneNumber="50001234"), 2001),
    ("SendMessage", _send(Message=_DROP), 1004),
    ("SendMessage", _send(Message=""), 1004),
    ("SendMessage", _send(Message=12), 1004),
    ("SendMessage", _send(Mobiles=_DROP), 1004),
    ("SendMessage", _send(Mobiles="09121234567"), 1004),
    ("SendMessage", _send(Mobiles=[]), 1004),
    ("SendMessage", _send(Mobiles=["09121234567", "12345"]), 1004),
    ("SendMessage", _send(UserGroupID=["x"]), 1004),
    ("SendMessage", _send(SendDateInTimeStamp="tomorrow"), 1003),
    ("SendMessage", _send(SendDateInTimeStamp=1_700_000_000 + _YEAR + 1), 2004),
    ("SendMessage", _send(Message="x" * (153 * 10 + 1)), 2006),
    ("SendMessage", _send(Message="س" * (67 * 10 + 1)), 2006),
    ("SendCorrespondingMessage", _each(RecipientsMessage=[]), 1004),
    ("SendCorrespondingMessage", _each(RecipientsMessage=[{"Id": "1", "Mobile": "0912"}]), 1004),
    ("SendCorrespondingMessage", _each(RecipientsMessage=["x"]), 1004),
    ("SendCorrespondingMessage", _each(PhoneNumber="50001234"), 2001),
    ("SendMessageToPort", _each(sendPortNumber=_DROP), 2007),
    ("SendMessageToPort", _each(recievePortNumber=-1), 2007),
    ("SendMessageToPort", _each(recievePortNumber=70000), 2007),
    ("SendMessageToPort", _each(sendPortNumber="forty"), 2007),
    ("GroupMessageStatus", {"GroupMessageId": "973c22de-292d-4403-8baa-2f32cc762086"}, 3002),
    ("GroupMessageStatus", {}, 1004),
    ("GetGroupMessageId", {"groupId": "no-such-group"}, 3002),
    ("CorrespondingMessageStatus", {"messageId": ["abc"]}, 1004),
    ("CorrespondingMessageStatus", {"messageId": "1"}, 1004),
    ("ReceiveMessages", {"PhoneNumber": LINE, "StartDate": "x", "EndDate": 2, "Page": 1}, 1003),
    ("ReceiveMessages", {"PhoneNumber": LINE, "StartDate": 5, "EndDate": 2, "Page": 1}, 1003),
    ("ReceiveMessages", {"PhoneNumber": LINE, "StartDate": 1, "EndDate": 2, "Page": 0}, 2008),
    ("ReceiveMessages", {"PhoneNumber": LINE, "StartDate": 1, "EndDate": 2, "Page": "a"}, 2008),
    ("ReceiveMessages", {"PhoneNumber": LINE, "StartDate": 1, "EndDate": 2, "Page": 2}, 2008),
    ("ReceiveMessages", {"PhoneNumber": "123", "StartDate": 1, "EndDate": 2, "Page": 1}, 2001),
    ("ShowWhiteList", {}, 1004),
    ("ShowWhiteList", {"MobilesList": ["not a number"]}, 1004),
]


@pytest.mark.parametrize(("method", "body", "code"), VALIDATION)
async def test_each_bad_field_gets_its_code_and_sends_nothing(
    method: str, body: dict[str, Any], code: int, sim: RayganSimulator, api: Api
) -> None:
    answer = await api.call(method, body)
    assert answer["Code"] == code
    assert answer["Result"] is None
    assert answer["Message"]
    assert sim.sent == []
    assert sim.accounts["demo"].credit == 1_000_000


@pytest.mark.parametrize(
    "data", [b"{not json", b"[1, 2]", b'"text"'], ids=["malformed", "array", "string"]
)
async def test_a_body_that_is_not_a_json_object_gets_1001(data: bytes, api: Api) -> None:
    headers = {**basic(), "Content-Type": "application/json"}
    assert (await api.call("GetCredit", data=data, headers=headers))["Code"] == 1001
    assert await api.call("SendCode", data=data, headers=headers) == 1001


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("SendAutoCode", {"Mobile": "12345", "Footer": "x"}),
        ("SendCode", {"Mobile": "09121234567"}),
        ("SendCode", {"Mobile": "09121234567", "Message": "x" * 1600}),
        ("CheckSendCode", {"Mobile": "09121234567"}),
    ],
)
async def test_code_methods_answer_bare_error_numbers(
    method: str, body: dict[str, Any], sim: RayganSimulator, api: Api
) -> None:
    answer = await api.call(method, body)
    assert isinstance(answer, int) and not isinstance(answer, bool)
    assert answer <= 2000
    assert sim.sent == []


# ---------------------------------------------------------------- limits and credit


async def test_50000_recipients_go_in_one_call_and_50001_are_refused(
    sim: RayganSimulator, api: Api
) -> None:
    sim.add_account("rich", "pw", lines=[LINE], credit=20_000_000)
    mobiles = [f"0912{i:07d}" for i in range(50_001)]
    refused = await api.call("SendMessage", _send(Mobiles=mobiles), headers=basic("rich", "pw"))
    assert refused["Code"] == 2005
    assert sim.sent == []
    body = _send(Mobiles=mobiles[:50_000])
    accepted = await api.call("SendMessage", body, headers=basic("rich", "pw"))
    assert accepted["Code"] == 0
    assert len(sim.sent) == 50_000
    assert sim.accounts["rich"].credit == 20_000_000 - 275 * 50_000


async def test_ten_parts_are_accepted(api: Api) -> None:
    assert (await api.call("SendMessage", _send(Message="x" * 153 * 10)))["Code"] == 0
    assert (await api.call("SendMessage", _send(Message="س" * 67 * 10)))["Code"] == 0


@pytest.mark.parametrize(
    ("text", "parts", "price"),
    [
        ("x" * 160, 1, 275),
        ("x" * 161, 2, 275),
        ("س" * 70, 1, 112),
        ("س" * 71, 2, 112),
        ("hello 👋", 1, 112),
        ("x" * 153 * 3, 3, 275),
    ],
)
async def test_credit_is_charged_per_part_and_recipient_at_the_right_price(
    text: str, parts: int, price: int, sim: RayganSimulator, api: Api
) -> None:
    mobiles = ["09121234567", "9121234568", "989121234569"]
    assert (await api.call("SendMessage", _send(Message=text, Mobiles=mobiles)))["Code"] == 0
    assert sim.accounts["demo"].credit == 1_000_000 - parts * price * 3
    assert (await api.call("GetCredit"))["Result"] == 1_000_000 - parts * price * 3


async def test_corresponding_sends_charge_each_text_at_its_own_price(
    sim: RayganSimulator, api: Api
) -> None:
    items = [
        {"Id": "1", "Message": "hi", "Mobile": "09121234567"},
        {"Id": "2", "Message": "سلام", "Mobile": "09121234568"},
    ]
    answer = await api.call("SendCorrespondingMessage", _each(RecipientsMessage=items))
    assert [r["Id"] for r in answer["Result"]] == [1, 2]
    assert sim.accounts["demo"].credit == 1_000_000 - 275 - 112


async def test_short_credit_gets_3003_and_charges_nothing(sim: RayganSimulator, api: Api) -> None:
    sim.add_account("poor", "pw", lines=[LINE], credit=500)
    body = _send(Mobiles=["09121234567", "09121234568"])
    answer = await api.call("SendMessage", body, headers=basic("poor", "pw"))
    assert answer["Code"] == 3003
    assert sim.accounts["poor"].credit == 500
    assert sim.sent == []
    assert await api.call("SendCode", SAMPLES["SendCode"]["request"], headers=basic("poor", "pw"))
    assert sim.accounts["poor"].credit == 500 - 112  # one Persian part fits


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("09121234567", "09121234567"),
        ("9121234567", "09121234567"),
        ("989121234567", "09121234567"),
        ("+989121234567", "09121234567"),
        ("00989121234567", "09121234567"),
        (9121234567, "09121234567"),
        ("0911111111", "0911111111"),  # the seed's own sample, one digit short
        ("12345", None),
        ("0812345678", None),
        ("", None),
        (True, None),
        (None, None),
    ],
)
def test_numbers_are_taken_in_every_form_the_provider_takes(given: Any, canonical: Any) -> None:
    assert canonical_mobile(given) == canonical


# ---------------------------------------------------------------- deliveries over time


async def test_a_group_send_moves_under_review_then_carrier_then_final(
    sim: RayganSimulator, clock: FakeClock, api: Api
) -> None:
    sim.set_outcome("09121234568", "undelivered")
    sim.blacklist.add("+989121234569")
    mobiles = ["09121234567", "09121234568", "09121234569"]
    guid = (await api.call("SendMessage", _send(Mobiles=mobiles)))["Result"]

    async def states() -> list[str]:
        answer = await api.call("GroupMessageStatus", {"GroupMessageId": guid})
        assert answer["Result"]["StatusCode"] == "1"
        return [s["Status"] for s in answer["Result"]["MessagesListState"]]

    assert await states() == ["0", "0", "27"]
    clock.now += 10
    assert await states() == ["8", "8", "27"]
    clock.now += 10
    assert await states() == ["1", "2", "27"]


@pytest.mark.parametrize(("outcome", "code"), sorted(OUTCOMES.items()))
async def test_each_scripted_outcome_is_reported_after_two_steps(
    outcome: str, code: int, sim: RayganSimulator, clock: FakeClock, api: Api
) -> None:
    sim.set_outcome("09121234567", outcome)
    items = [{"Id": "1", "Message": "hi", "Mobile": "09121234567"}]
    answer = await api.call("SendCorrespondingMessage", _each(RecipientsMessage=items))
    message_id = str(answer["Result"][0]["Result"])
    clock.now += 15
    middle = await api.call("CorrespondingMessageStatus", {"messageId": [message_id]})
    assert middle["Result"] == [{"MsgId": message_id, "Status": "0" if code == 0 else "8"}]
    clock.now += 100
    final = await api.call("CorrespondingMessageStatus", {"messageId": [message_id]})
    assert final["Result"] == [{"MsgId": message_id, "Status": str(code)}]


async def test_a_scheduled_send_waits_in_the_queue(
    sim: RayganSimulator, clock: FakeClock, api: Api
) -> None:
    at = int(clock.now) + 3600
    guid = (await api.call("SendMessage", _send(SendDateInTimeStamp=at)))["Result"]
    assert sim.sent[0].at == at
    queued = await api.call("GroupMessageStatus", {"GroupMessageId": guid})
    assert queued["Result"]["StatusCode"] == "2"
    clock.now = at + 25
    done = await api.call("GroupMessageStatus", {"GroupMessageId": guid})
    assert done["Result"]["StatusCode"] == "1"
    assert done["Result"]["MessagesListState"][0]["Status"] == "1"


async def test_a_past_send_time_means_now(sim: RayganSimulator, clock: FakeClock, api: Api) -> None:
    await api.call("SendMessage", _send(SendDateInTimeStamp=1_000))
    assert sim.sent[0].at == clock.now


async def test_status_of_another_accounts_messages_is_not_reported(
    sim: RayganSimulator, api: Api
) -> None:
    sim.add_account("other", "pw", lines=[LINE])
    answer = await api.call(
        "SendCorrespondingMessage", SAMPLES["SendCorrespondingMessage"]["request"]
    )
    ids = [str(r["Result"]) for r in answer["Result"]]
    theirs = await api.call(
        "CorrespondingMessageStatus", {"messageId": ids}, headers=basic("other", "pw")
    )
    assert theirs["Result"] == []
    guid = (await api.call("SendMessage", _send()))["Result"]
    other = await api.call(
        "GroupMessageStatus", {"GroupMessageId": guid}, headers=basic("other", "pw")
    )
    assert other["Code"] == 3002


# ---------------------------------------------------------------- blacklist


@pytest.mark.parametrize("key", ["MobilesList", "Mobiles"])
async def test_white_list_answers_integers_without_the_leading_zero(
    key: str, sim: RayganSimulator, api: Api
) -> None:
    sim.blacklist.add("9121234568")
    answer = await api.call("ShowWhiteList", {key: ["09121234567", "989121234568", "9121234569"]})
    assert answer["Result"] == [9121234567, 9121234569]


# ---------------------------------------------------------------- inbox


async def test_inbox_pages_hold_100_and_count_the_pages(
    sim: RayganSimulator, clock: FakeClock, api: Api
) -> None:
    base = int(clock.now) - 1000
    for i in range(250):
        sim.inject_incoming(LINE, "09121234567", f"m{i}", date=base + i)
    sim.add_account("other", "pw", lines=["30001234"])
    sim.inject_incoming("30001234", "09121234567", "not on this line", date=base)
    bodies: list[str] = []
    for page in (1, 2, "3"):
        body = {"PhoneNumber": LINE, "StartDate": str(base), "EndDate": base + 249, "Page": page}
        result = (await api.call("ReceiveMessages", body))["Result"]
        assert result["TotalPage"] == 3
        assert result["Page"] == int(page)
        bodies += [m["MsgBody"] for m in result["ReceivedMsgs"]]
    assert bodies == [f"m{i}" for i in range(250)]


async def test_inbox_window_is_inclusive_and_senders_are_98(sim: RayganSimulator, api: Api) -> None:
    for date, sender in [
        (99, "09120000001"),
        (100, "9120000002"),
        (200, "+989120000003"),
        (201, "09120000004"),
    ]:
        sim.inject_incoming(LINE, sender, "x", date=date)
    sim.inject_incoming(LINE, "Bank", "from a name", date=150)
    body = {"PhoneNumber": LINE, "StartDate": 100, "EndDate": 200, "Page": 1}
    messages = (await api.call("ReceiveMessages", body))["Result"]["ReceivedMsgs"]
    assert [(m["Mobile"], m["Date"]) for m in messages] == [
        ("989120000002", 100),
        ("Bank", 150),
        ("989120000003", 200),
    ]


async def test_an_empty_window_is_one_empty_page(api: Api) -> None:
    body = {"PhoneNumber": LINE, "StartDate": 1, "EndDate": 2, "Page": 1}
    result = (await api.call("ReceiveMessages", body))["Result"]
    assert result == {"Page": 1, "TotalPage": 1, "ReceivedMsgs": []}


# ---------------------------------------------------------------- code methods


@pytest.mark.parametrize("field", ["Code", "code"])
async def test_auto_code_checks_true_once_then_false(
    field: str, sim: RayganSimulator, api: Api
) -> None:
    message_id = await api.call("SendAutoCode", {"Mobile": "09121234567", "Footer": "Shop"})
    assert isinstance(message_id, int) and message_id > 2000
    code = sim.auto_code("09121234567")
    assert code is not None and code in sim.sent[-1].text
    assert sim.sent[-1].text.endswith("Shop")
    wrong = "000000" if code != "000000" else "111111"
    assert await api.call("CheckSendCode", {"Mobile": "9121234567", field: wrong}) is False
    assert await api.call("CheckSendCode", {"Mobile": "09121234567", field: code}) is True
    assert await api.call("CheckSendCode", {"Mobile": "09121234567", field: code}) is False


async def test_send_code_ids_are_above_2000_and_trackable(
    sim: RayganSimulator, clock: FakeClock, api: Api
) -> None:
    first = await api.call("SendCode", {"Mobile": "09121234567", "Message": "code 1234"})
    second = await api.call("SendCode", {"Mobile": "09121234567", "Message": "code 5678"})
    assert 2000 < first < second
    clock.now += 100
    answer = await api.call("CorrespondingMessageStatus", {"messageId": [first, str(second)]})
    assert answer["Result"] == [
        {"MsgId": str(first), "Status": "1"},
        {"MsgId": str(second), "Status": "1"},
    ]


# ---------------------------------------------------------------- faults


async def test_an_injected_error_code_answers_in_each_method_form(
    sim: RayganSimulator, api: Api
) -> None:
    sim.faults.inject(FaultKind.ERROR_CODE, value=5001, times=2)
    assert (await api.call("GetCredit"))["Code"] == 5001
    assert await api.call("SendCode", SAMPLES["SendCode"]["request"]) == 5001
    assert (await api.call("GetCredit"))["Code"] == 0


async def test_every_call_is_counted_even_when_refused(sim: RayganSimulator, api: Api) -> None:
    await api.raw("GetCredit", {}, headers={})
    await api.call("GetCredit")
    await api.call("GetPrices")
    assert sim.calls == {"GetCredit": 2, "GetPrices": 1}


# ---------------------------------------------------------------- the control API


async def test_control_api_drives_the_simulator_over_http(
    sim: RayganSimulator, clock: FakeClock, api: Api
) -> None:
    await api.control("POST", "accounts", {"username": "u", "password": "p", "lines": ["3000"]})
    listed = await api.control("GET", "accounts")
    assert listed["u"] == {"lines": ["3000"], "credit": 1_000_000, "webservice": True}
    assert "p" not in json.dumps(listed)

    injected = await api.control(
        "POST", "incoming", {"line": LINE, "sender": "09121234567", "body": "سلام 🌹"}
    )
    assert injected["sender"] == "989121234567"
    assert injected["date"] == int(clock.now)

    await api.control("POST", "outcome", {"mobile": "09121234567", "outcome": "failed"})
    await api.control("POST", "blacklist", {"mobiles": ["09121234568"]})
    assert (await api.control("GET", "blacklist"))["blacklist"] == ["09121234568"]
    await api.control(
        "POST", "faults", {"method": "GetPrices", "kind": "error_code", "value": 5002}
    )

    await api.call("SendMessage", _send(Mobiles=["09121234567", "09121234568"]))
    sent = await api.control("GET", "sent")
    assert sent["count"] == 2
    assert [s["mobile"] for s in sent["sent"]] == ["09121234567", "09121234568"]
    assert [s["blocked"] for s in sent["sent"]] == [False, True]
    assert (await api.control("GET", "sent?since=1"))["sent"][0]["mobile"] == "09121234568"
    clock.now += 100
    assert sim.status_of(sim.sent[0]) == 16
    assert (await api.call("GetPrices"))["Code"] == 5002

    calls = await api.control("GET", "calls")
    assert calls == {"SendMessage": 1, "GetPrices": 1}

    await api.control("POST", "reset")
    assert sim.sent == [] and sim.blacklist == set() and sim.incoming == []
    assert list(sim.accounts) == ["demo"]
    assert sim.calls == {}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("incoming", {"line": LINE}),
        ("outcome", {"mobile": "09121234567", "outcome": "lost"}),
        ("outcome", {"mobile": "123", "outcome": "failed"}),
        ("blacklist", {"mobiles": "09121234567"}),
        ("accounts", {"username": "x"}),
        ("faults", {"kind": "nonsense"}),
    ],
)
async def test_control_api_refuses_bad_requests_clearly(
    path: str, body: dict[str, Any], api: Api
) -> None:
    async with api.session.post(f"{api.url}{RAYGAN_CONTROL}/{path}", json=body) as response:
        assert response.status == 400
        assert "error" in await response.json()


def test_set_outcome_refuses_unknown_names() -> None:
    sim = RayganSimulator()
    with pytest.raises(ValueError, match="outcome must be one of"):
        sim.set_outcome("09121234567", "vanished")
    with pytest.raises(ValueError, match="not a mobile"):
        sim.set_outcome("hello", "failed")
