"""The simulators' inbox controls, over HTTP: listing order, late, shifting and unreadable
records, one shape for `sent`, incoming SMS refused on a line nobody owns, the banner."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sim_support import EPOCH, FakeClock

from sandbox.payamak import PayamakSimulator
from sandbox.raygansms import RayganSimulator
from sandbox.server import (
    PAYAMAK_API,
    PAYAMAK_CONTROL,
    RAYGAN_API,
    RAYGAN_CONTROL,
    ProviderSandbox,
    RunningServer,
    banner,
)

RAYGAN_LINE = "50002910001080"
PAYAMAK_LINE = "10002188"
PAYAMAK_AUTH = {"username": "demo", "password": "demo"}
RAYGAN_AUTH = {"Authorization": "Basic " + base64.b64encode(b"demo:demo").decode()}


class Sandbox:
    """Both simulators on one server, with raw HTTP helpers."""

    def __init__(self, sandbox: ProviderSandbox, session: aiohttp.ClientSession, url: str) -> None:
        self.sandbox = sandbox
        self.session = session
        self.url = url

    async def control(self, prefix: str, path: str, body: Any = None) -> tuple[int, Any]:
        url = f"{self.url}{prefix}/{path}"
        if body is None:
            async with self.session.get(url) as response:
                return response.status, await response.json()
        async with self.session.post(url, json=body) as response:
            return response.status, await response.json()

    async def get_messages(self, index: int = 0, count: int = 100) -> list[dict[str, Any]]:
        form = {**PAYAMAK_AUTH, "location": 1, "index": index, "count": count}
        async with self.session.post(f"{self.url}{PAYAMAK_API}/GetMessages", data=form) as answer:
            data: list[dict[str, Any]] = (await answer.json(content_type=None))["Data"]
            return data

    async def receive(self, start: int, end: int, page: int = 1) -> dict[str, Any]:
        body = {"PhoneNumber": RAYGAN_LINE, "StartDate": start, "EndDate": end, "Page": page}
        async with self.session.post(
            f"{self.url}{RAYGAN_API}/ReceiveMessages", json=body, headers=RAYGAN_AUTH
        ) as answer:
            result: dict[str, Any] = (await answer.json())["Result"]
            return result


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sims(clock: FakeClock) -> AsyncIterator[Sandbox]:
    sandbox = ProviderSandbox(
        raygan=RayganSimulator(clock=clock), payamak=PayamakSimulator(clock=clock)
    )
    async with RunningServer(sandbox.build_app()) as server, aiohttp.ClientSession() as session:
        yield Sandbox(sandbox, session, server.url)


# ---------------------------------------------------------------- Payamak listing order


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("oldest_first", [[0, 1, 2, 3, 4]] * 4),
        ("newest_first", [[4, 3, 2, 1, 0]] * 4),
        ("alternate", [[4, 3, 2, 1, 0], [0, 1, 2, 3, 4]] * 2),
    ],
)
async def test_get_messages_lists_in_the_order_set_through_the_control_api(
    sims: Sandbox, order: str, expected: list[list[int]]
) -> None:
    for n in range(5):
        sims.sandbox.payamak.inject_incoming(PAYAMAK_LINE, "09121234567", f"m{n}")
    status, answer = await sims.control(PAYAMAK_CONTROL, "inbox", {"order": order})
    assert (status, answer) == (200, {"ok": True, "order": order})
    listings = [[int(m["Body"][1:]) for m in await sims.get_messages()] for _ in range(4)]
    assert listings == expected
    ids = [m["MsgID"] for m in await sims.get_messages()]
    assert ids == sorted(ids) or ids == sorted(ids, reverse=True)


async def test_a_random_order_mixes_both_orders_and_a_seed_repeats_it(sims: Sandbox) -> None:
    for n in range(3):
        sims.sandbox.payamak.inject_incoming(PAYAMAK_LINE, "09121234567", f"m{n}")

    async def twenty() -> list[str]:
        await sims.control(PAYAMAK_CONTROL, "inbox", {"order": "random", "seed": 7})
        return [(await sims.get_messages())[0]["Body"] for _ in range(20)]

    first = await twenty()
    assert set(first) == {"m0", "m2"}
    assert await twenty() == first


async def test_an_offset_pages_the_listing_in_its_current_order(sims: Sandbox) -> None:
    for n in range(5):
        sims.sandbox.payamak.inject_incoming(PAYAMAK_LINE, "09121234567", f"m{n}")
    sims.sandbox.payamak.set_listing_order("newest_first")
    assert [m["Body"] for m in await sims.get_messages(index=1, count=2)] == ["m3", "m2"]


async def test_an_unknown_order_is_refused(sims: Sandbox) -> None:
    status, answer = await sims.control(PAYAMAK_CONTROL, "inbox", {"order": "by_sender"})
    assert status == 400
    assert "newest_first" in answer["error"]


async def test_raw_fields_replace_a_payamak_record_as_listed(sims: Sandbox) -> None:
    raw = {"SendDate": "2024-03-20T15:30:00+03:30", "Body": None}
    status, answer = await sims.control(
        PAYAMAK_CONTROL,
        "incoming",
        {"line": PAYAMAK_LINE, "sender": "09121234567", "body": "x", "raw": raw},
    )
    assert status == 200
    (record,) = await sims.get_messages()
    assert record["MsgID"] == answer["msg_id"]
    assert (record["SendDate"], record["Body"], record["Sender"]) == (
        "2024-03-20T15:30:00+03:30",
        None,
        "09121234567",
    )


# ---------------------------------------------------------------- RayganSMS late and shifting


async def test_a_late_dated_sms_is_dated_before_it_shows_up(
    sims: Sandbox, clock: FakeClock
) -> None:
    now = int(clock.now)
    status, answer = await sims.control(
        RAYGAN_CONTROL,
        "incoming",
        {"line": RAYGAN_LINE, "sender": "09121234567", "body": "late", "late_by": 7200},
    )
    assert (status, answer["date"]) == (200, now - 7200)
    result = await sims.receive(now - 7200, now - 7200)
    assert [m["MsgBody"] for m in result["ReceivedMsgs"]] == ["late"]


async def test_an_sms_may_show_up_only_after_some_reads(sims: Sandbox, clock: FakeClock) -> None:
    now = int(clock.now)
    await sims.control(
        RAYGAN_CONTROL,
        "incoming",
        {"line": RAYGAN_LINE, "sender": "09121234567", "body": "b", "appear_after_calls": 2},
    )
    seen = [len((await sims.receive(now - 10, now))["ReceivedMsgs"]) for _ in range(3)]
    assert seen == [0, 0, 1]


@pytest.mark.parametrize(
    ("shift", "second_page"),
    [(0, list(range(100, 150))), (1, list(range(99, 150))), (-2, list(range(102, 150)))],
)
async def test_pages_after_the_first_can_be_served_shifted(
    sims: Sandbox, clock: FakeClock, shift: int, second_page: list[int]
) -> None:
    start = int(clock.now) - 1000
    for n in range(150):
        sims.sandbox.raygan.inject_incoming(RAYGAN_LINE, "09121234567", f"{n}", date=start + n)
    status, _ = await sims.control(RAYGAN_CONTROL, "inbox", {"page_shift": shift})
    assert status == 200
    first = await sims.receive(start, start + 200, 1)
    second = await sims.receive(start, start + 200, 2)
    assert [int(m["MsgBody"]) for m in first["ReceivedMsgs"]] == list(range(100))
    assert [int(m["MsgBody"]) for m in second["ReceivedMsgs"]] == second_page


async def test_raw_fields_replace_a_raygansms_record_as_listed(
    sims: Sandbox, clock: FakeClock
) -> None:
    now = int(clock.now)
    await sims.control(
        RAYGAN_CONTROL,
        "incoming",
        {"line": RAYGAN_LINE, "sender": "09121234567", "body": "x", "raw": {"MsgBody": None}},
    )
    result = await sims.receive(now - 1, now)
    assert result["ReceivedMsgs"] == [{"Mobile": "989121234567", "Date": now, "MsgBody": None}]


# ---------------------------------------------------------------- both simulators


@pytest.mark.parametrize(
    ("prefix", "extra"),
    [(RAYGAN_CONTROL, {"date": int(EPOCH)}), (PAYAMAK_CONTROL, {"when": "2024-01-01T10:00:00Z"})],
    ids=["raygansms", "payamak"],
)
async def test_an_sms_on_a_line_nobody_owns_is_refused_with_a_400_that_says_so(
    sims: Sandbox, prefix: str, extra: dict[str, Any]
) -> None:
    body = {"line": "30009999", "sender": "09121234567", "body": "lost?", **extra}
    status, answer = await sims.control(prefix, "incoming", body)
    assert status == 400
    assert "no account owns line '30009999'" in answer["error"]
    assert not sims.sandbox.raygan.incoming
    assert await sims.get_messages() == []


async def test_sent_has_one_shape_on_both_simulators(sims: Sandbox) -> None:
    form = {**PAYAMAK_AUTH, "from": PAYAMAK_LINE, "to": "09121234567,09121234568", "text": "hi"}
    async with sims.session.post(f"{sims.url}{PAYAMAK_API}/SendSMS", data=form):
        pass
    body = {
        "PhoneNumber": RAYGAN_LINE,
        "Message": "hi",
        "Mobiles": ["09121234567", "09121234568"],
        "UserGroupID": "1",
    }
    async with sims.session.post(
        f"{sims.url}{RAYGAN_API}/SendMessage", json=body, headers=RAYGAN_AUTH
    ):
        pass
    raygan = (await sims.control(RAYGAN_CONTROL, "sent"))[1]
    payamak = (await sims.control(PAYAMAK_CONTROL, "sent"))[1]
    assert set(raygan) == set(payamak) == {"count", "sent"}
    assert (raygan["count"], len(raygan["sent"])) == (2, 2)  # one entry per recipient
    assert (payamak["count"], len(payamak["sent"])) == (1, 1)  # one entry per SendSMS call
    assert (await sims.control(PAYAMAK_CONTROL, "sent?since=1"))[1] == {"count": 1, "sent": []}
    assert (await sims.control(RAYGAN_CONTROL, "sent?since=1"))[1]["count"] == 2


def test_the_banner_lists_each_simulators_accounts_and_lines() -> None:
    sandbox = ProviderSandbox()
    sandbox.payamak.add_account("shop", "s3cret", lines=["30004554551", "30004554552"])
    text = banner(sandbox, "http://127.0.0.1:8899")
    lines = text.splitlines()
    assert lines[0] == (
        f"RayganSMS simulator: http://127.0.0.1:8899{RAYGAN_API}"
        f"  (control: http://127.0.0.1:8899{RAYGAN_CONTROL})"
    )
    assert "account demo / password demo: 50002910001080" in lines[1]
    assert lines[2].startswith(f"Payamak simulator:   http://127.0.0.1:8899{PAYAMAK_API}")
    assert "account demo / password demo: 10002188" in lines[3]
    assert "account shop / password s3cret: 30004554551, 30004554552" in lines[4]
    assert "Ctrl+C" in lines[-1]
