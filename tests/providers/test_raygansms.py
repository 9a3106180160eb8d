"""Contract tests: the RayganSMS adapter against the real simulator over HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from provider_errors import raises_category
from sim_support import FakeClock

import sandbox.faults
from providers.base import (
    DeliveryState,
    ErrorCategory,
    InboxWindow,
    OutgoingMessage,
    ProviderError,
    Receipt,
    UnreadableRecord,
)
from providers.http import HttpSettings
from providers.raygansms import STATUS_STATES, RayganSmsProvider, status_state
from sandbox.faults import FaultKind
from sandbox.raygansms import METHODS, RayganSimulator
from sandbox.server import RAYGAN_API, RAYGAN_CONTROL, RunningServer

LINE = "50002910001080"
NOW = 1_700_000_000.0
FAST = HttpSettings(backoff_base=0.0, read_attempts=3)


@pytest.fixture
def sim(clock: FakeClock) -> RayganSimulator:
    return RayganSimulator(delivery_step=10.0, clock=clock)


def _app(sim: RayganSimulator) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    sim.install(app, api_prefix=RAYGAN_API, control_prefix=RAYGAN_CONTROL)
    return app


Make = Callable[..., RayganSmsProvider]


@pytest.fixture
def make(server: RunningServer, session: aiohttp.ClientSession, clock: FakeClock) -> Make:
    def build(**overrides: Any) -> RayganSmsProvider:
        options: dict[str, Any] = {
            "base_url": server.url + RAYGAN_API,
            "username": "demo",
            "password": "demo",
            "settings": FAST,
            "clock": clock,
        }
        options.update(overrides)
        return RayganSmsProvider(session, **options)

    return build


@pytest.fixture
def provider(make: Make) -> RayganSmsProvider:
    return make()


@pytest.fixture
def short_hang(monkeypatch: pytest.MonkeyPatch) -> HttpSettings:
    """Hung handlers end soon after the client gave up, so the server closes quickly."""
    monkeypatch.setattr(sandbox.faults, "HANG_SECONDS", 1.0)
    return HttpSettings(read_timeout=0.2, backoff_base=0.0, read_attempts=3)


# ---------------------------------------------------------------- every method


async def test_every_seed_method_is_reachable_through_the_adapter(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider
) -> None:
    group = await provider.send(LINE, ["09121234567"], "hello")
    each = await provider.send_each(LINE, [OutgoingMessage("9121234568", "سلام")])
    port = await provider.send_to_port(
        LINE, [OutgoingMessage("+98 912 123 4569", "x")], send_port=40, receive_port=20
    )
    code = await provider.send_code(LINE, "09121234570", "Your code: 1234")
    guid = group.receipts[0].group_id
    assert guid is not None
    (label,) = sim.group_labels().values()
    assert await provider.group_message_id(label) == guid
    clock.now += 100
    receipts = [*group.receipts, *each.receipts, *port.receipts, *code.receipts]
    updates = await provider.delivery_statuses(receipts)
    assert [u.state for u in updates] == [DeliveryState.DELIVERED] * 4
    sim.inject_incoming(LINE, "09121234567", "hi")
    assert len((await provider.fetch_inbox(LINE, None, InboxWindow())).messages) == 1
    assert await provider.credit() == 1_000_000 - 275 - 112 - 275 - 275
    assert await provider.prices()
    assert await provider.filter_blacklist(["09121234567"])
    assert int(await provider.send_auto_code("09121234567", "Shop")) > 2000
    assert await provider.check_auto_code("09121234567", "nope") is False
    assert set(sim.calls) == set(METHODS)


async def test_capabilities_are_those_of_the_raygansms_column(
    provider: RayganSmsProvider,
) -> None:
    names = {c.value for c in provider.capabilities}
    assert names == {
        "send",
        "send_each",
        "send_to_port",
        "scheduled_send",
        "provider_otp",
        "own_code_otp",
        "delivery",
        "inbox",
        "credit",
        "prices",
        "blacklist",
    }
    with raises_category(ErrorCategory.UNSUPPORTED):
        await provider.lines()


# ---------------------------------------------------------------- sending


async def test_send_puts_09_numbers_on_the_wire_and_gives_e164_receipts(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider
) -> None:
    given = ["09121234567", "9121234568", "+98 912 123 4569", "۰۹۱۲۱۲۳۴۵۷۰", "00989121234571"]
    result = await provider.send(LINE, given, "hello")
    wanted = ["+989121234567", "+989121234568", "+989121234569", "+989121234570", "+989121234571"]
    assert [r.recipient for r in result.receipts] == wanted
    assert {r.group_id for r in result.receipts} == {sim.sent[0].group_id}
    assert all(r.message_id is None for r in result.receipts)
    assert [s.mobile for s in sim.sent] == ["0" + w[3:] for w in wanted]
    assert {(s.line, s.text, s.at) for s in sim.sent} == {(LINE, "hello", clock.now)}


async def test_a_scheduled_send_carries_its_time(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    at = datetime.fromtimestamp(NOW + 3600, UTC)
    await provider.send(LINE, ["09121234567"], "later", at=at)
    assert sim.sent[0].at == NOW + 3600
    with raises_category(ErrorCategory.BAD_REQUEST, match="time zone"):
        await provider.send(LINE, ["09121234567"], "later", at=datetime(2030, 1, 1))


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda p: p.send(LINE, ["09121234567", "0912", "hello"], "x"), ["'0912'", "'hello'"]),
        (lambda p: p.send_each(LINE, [OutgoingMessage("+1 202 555 0100", "x")]), ["+1 202"]),
        (lambda p: p.send_code(LINE, "02112345678", "x"), ["02112345678", "not a mobile"]),
        (lambda p: p.send_auto_code("abc", "x"), ["'abc'"]),
        (lambda p: p.filter_blacklist(["09121234567", "123"]), ["'123'"]),
    ],
    ids=["send", "send_each", "send_code", "send_auto_code", "filter_blacklist"],
)
async def test_an_invalid_number_is_named_before_any_http_call(
    call: Callable[[RayganSmsProvider], Any],
    named: list[str],
    sim: RayganSimulator,
    provider: RayganSmsProvider,
) -> None:
    with raises_category(ErrorCategory.BAD_REQUEST) as caught:
        await call(provider)
    for text in named:
        assert text in str(caught.value)
    assert sim.calls == {}


@pytest.mark.parametrize(
    ("text", "code"),
    [("x" * (153 * 10 + 1), "2006"), ("س" * (67 * 10 + 1), "2006"), ("   ", None)],
    ids=["latin-11-parts", "persian-11-parts", "blank"],
)
async def test_a_text_too_long_or_empty_is_refused_before_any_http_call(
    text: str, code: str | None, sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    for call in (
        provider.send(LINE, ["09121234567"], text),
        provider.send_each(LINE, [OutgoingMessage("09121234567", text)]),
        provider.send_code(LINE, "09121234567", text),
    ):
        with raises_category(ErrorCategory.BAD_REQUEST) as caught:
            await call
        assert caught.value.code == code
    assert sim.calls == {}


async def test_ten_parts_go(sim: RayganSimulator, provider: RayganSmsProvider) -> None:
    await provider.send(LINE, ["09121234567"], "x" * 153 * 10)
    await provider.send(LINE, ["09121234567"], "س" * 67 * 10)
    assert len(sim.sent) == 2


async def test_more_than_50000_recipients_are_refused_before_any_http_call(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    numbers = [f"0912{i:07d}" for i in range(50_001)]
    with raises_category(ErrorCategory.BAD_REQUEST) as caught:
        await provider.send(LINE, numbers, "x")
    assert caught.value.code == "2005"
    assert sim.calls == {}


async def test_flash_is_refused_clearly(sim: RayganSimulator, provider: RayganSmsProvider) -> None:
    with raises_category(ErrorCategory.UNSUPPORTED, match="flash"):
        await provider.send(LINE, ["09121234567"], "x", flash=True)
    assert sim.calls == {}


async def test_send_each_gives_one_message_id_per_recipient(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    messages = [OutgoingMessage("09121234567", "یک"), OutgoingMessage("09121234568", "two")]
    result = await provider.send_each(LINE, messages)
    assert [(r.recipient, r.message_id) for r in result.receipts] == [
        ("+989121234567", str(sim.sent[0].message_id)),
        ("+989121234568", str(sim.sent[1].message_id)),
    ]
    assert [s.text for s in sim.sent] == ["یک", "two"]
    assert sim.sent[0].method == "SendCorrespondingMessage"


async def test_send_to_port_uses_its_method_and_checks_ports(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    message = [OutgoingMessage("09121234567", "x")]
    result = await provider.send_to_port(LINE, message, send_port=40, receive_port=20)
    assert result.receipts[0].message_id == str(sim.sent[0].message_id)
    assert sim.sent[0].method == "SendMessageToPort"
    with raises_category(ErrorCategory.BAD_REQUEST) as caught:
        await provider.send_to_port(LINE, message, send_port=40, receive_port=70_000)
    assert caught.value.code == "2007"
    assert sim.calls == {"SendMessageToPort": 1}


@pytest.mark.parametrize(
    ("text", "cost"),
    [("hello", 275), ("x" * 161, 550), ("سلام", 112), ("س" * 71, 224), ("hi 🙂", 112)],
)
async def test_credit_is_charged_per_part_and_recipient(
    text: str, cost: int, provider: RayganSmsProvider
) -> None:
    before = await provider.credit()
    await provider.send(LINE, ["09121234567", "09121234568"], text)
    assert await provider.credit() == before - 2 * cost


async def test_prices_are_decimals(sim: RayganSimulator, provider: RayganSmsProvider) -> None:
    prices = await provider.prices()
    assert (prices.ucs2_part, prices.gsm7_part) == (Decimal(112), Decimal(275))
    body = {"Code": 0, "Message": "", "Result": {"Fa_Price": "120.5", "En_Price": "300"}}
    sim.faults.inject(FaultKind.NO_ENVELOPE, method="GetPrices", value=body)
    assert (await provider.prices()).ucs2_part == Decimal("120.5")


async def test_credit_refused_is_a_credit_error(sim: RayganSimulator, make: Make) -> None:
    sim.add_account("poor", "pw", lines=[LINE], credit=100)
    provider = make(username="poor", password="pw")
    with raises_category(ErrorCategory.CREDIT) as caught:
        await provider.send(LINE, ["09121234567"], "hello")
    assert caught.value.code == "3003"
    assert caught.value.retry_safe is False
    assert caught.value.outcome_unknown is False
    assert sim.sent == []


async def test_a_line_not_of_this_account_is_the_requests_fault_not_a_credentials_refusal(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    with raises_category(ErrorCategory.BAD_REQUEST) as caught:
        await provider.send("30001234", ["09121234567"], "hello")
    assert caught.value.code == "2001"
    assert caught.value.category is ErrorCategory.BAD_REQUEST
    assert "line does not belong" in caught.value.reason
    assert caught.value.retry_safe is False and not caught.value.outcome_unknown


# ---------------------------------------------------------------- one-time codes


async def test_provider_made_codes_check_true_once(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    reference = await provider.send_auto_code("9121234567", "Shop")
    assert reference == str(sim.sent[-1].message_id)
    code = sim.auto_code("09121234567")
    assert code is not None
    assert await provider.check_auto_code("+989121234567", "0" if code != "0" else "1") is False
    assert await provider.check_auto_code("+989121234567", code) is True
    assert await provider.check_auto_code("+989121234567", code) is False


async def test_send_code_gives_a_trackable_message_id(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider
) -> None:
    result = await provider.send_code(LINE, "09121234567", "کد شما: 4821")
    (receipt,) = result.receipts
    assert receipt.recipient == "+989121234567"
    assert receipt.message_id == str(sim.sent[0].message_id)
    assert sim.sent[0].text == "کد شما: 4821"
    clock.now += 100
    (update,) = await provider.delivery_statuses([receipt])
    assert update.state is DeliveryState.DELIVERED


BARE_IDS: list[tuple[Any, Any]] = [
    (2500, "2500"),
    ("2600", "2600"),
    ({"Code": 0, "Message": "ok", "Result": 2700}, "2700"),
    ({"Code": 0, "Message": "ok", "Result": "2800"}, "2800"),
    (8, ErrorCategory.AUTH),
    ("8", ErrorCategory.AUTH),
    (1004, ErrorCategory.BAD_REQUEST),
    ({"Code": 2002, "Message": "no", "Result": None}, ErrorCategory.AUTH),
    ({"Code": 3003, "Message": "no", "Result": None}, ErrorCategory.CREDIT),
    (77, ErrorCategory.TRANSIENT),
    (True, ErrorCategory.TRANSIENT),
    ("abc", ErrorCategory.TRANSIENT),
    ([2500], ErrorCategory.TRANSIENT),
    (None, ErrorCategory.TRANSIENT),
    (25.5, ErrorCategory.TRANSIENT),
]


@pytest.mark.parametrize(("answer", "expected"), BARE_IDS)
@pytest.mark.parametrize("method", ["SendCode", "SendAutoCode"])
async def test_code_send_answers_are_read_strictly(
    method: str, answer: Any, expected: Any, sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.faults.inject(FaultKind.NO_ENVELOPE, method=method, value=answer)

    async def call() -> str:
        if method == "SendCode":
            receipt = (await provider.send_code(LINE, "09121234567", "1234")).receipts[0]
            assert receipt.message_id is not None
            return receipt.message_id
        return await provider.send_auto_code("09121234567", "Shop")

    if not isinstance(expected, ErrorCategory):  # an id (ErrorCategory is a str too)
        assert await call() == expected
        return
    with raises_category(expected) as caught:
        await call()
    error = caught.value
    assert error.retry_safe is False
    if expected is ErrorCategory.TRANSIENT:
        # A send whose answer we cannot read may have gone: never resent.
        assert error.outcome_unknown is True
        assert error.unknown_recipients == ("+989121234567",)
    assert sim.calls[method] == 1


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("False", False),
        ({"Code": 0, "Message": "", "Result": True}, True),
        (8, ErrorCategory.AUTH),
        ("maybe", ErrorCategory.TRANSIENT),
        (2500, ErrorCategory.TRANSIENT),
        ({"Result": True}, ErrorCategory.TRANSIENT),
    ],
)
async def test_code_check_answers_are_read_strictly(
    answer: Any, expected: Any, sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.faults.inject(FaultKind.NO_ENVELOPE, method="CheckSendCode", value=answer, times=None)
    if isinstance(expected, bool):
        assert await provider.check_auto_code("09121234567", "1234") is expected
        return
    with raises_category(expected):
        await provider.check_auto_code("09121234567", "1234")


async def test_web_service_disabled_is_an_auth_error_everywhere(
    sim: RayganSimulator, make: Make
) -> None:
    sim.add_account("off", "pw", lines=[LINE], webservice=False)
    provider = make(username="off", password="pw")
    with raises_category(ErrorCategory.AUTH) as bare:
        await provider.send_auto_code("09121234567", "Shop")
    assert bare.value.code == "8"
    with raises_category(ErrorCategory.AUTH) as enveloped:
        await provider.credit()
    assert enveloped.value.code == "2002"


# ---------------------------------------------------------------- delivery


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        *STATUS_STATES.items(),
        ("0", DeliveryState.PENDING),
        ("5", DeliveryState.PENDING),
        ("99", DeliveryState.PENDING),
        (1, DeliveryState.DELIVERED),
        (" 16 ", DeliveryState.FAILED),
        ("", DeliveryState.PENDING),
    ],
)
def test_each_status_code_maps_to_its_state(raw: Any, state: DeliveryState) -> None:
    assert status_state(raw) is state


def test_the_status_table_is_providers_md_1_3() -> None:
    assert {k: v.value for k, v in STATUS_STATES.items()} == {
        "1": "delivered",
        "2": "undelivered",
        "8": "at_carrier",
        "16": "failed",
        "27": "blocked",
        "23": "failed",
    }


@pytest.mark.parametrize(
    ("code", "state"),
    [
        (1, DeliveryState.DELIVERED),
        (2, DeliveryState.UNDELIVERED),
        (8, DeliveryState.AT_CARRIER),
        (16, DeliveryState.FAILED),
        (27, DeliveryState.BLOCKED),
        (23, DeliveryState.FAILED),
        (0, DeliveryState.PENDING),
        (42, DeliveryState.PENDING),
    ],
)
async def test_each_status_the_provider_reports_becomes_our_state_with_its_raw_code(
    code: int,
    state: DeliveryState,
    sim: RayganSimulator,
    clock: FakeClock,
    provider: RayganSmsProvider,
) -> None:
    sim.set_outcome("09121234567", code)
    group = await provider.send(LINE, ["09121234567"], "x")
    each = await provider.send_each(LINE, [OutgoingMessage("09121234567", "x")])
    clock.now += 100
    updates = await provider.delivery_statuses([*group.receipts, *each.receipts])
    assert [(u.state, u.raw_code) for u in updates] == [(state, str(code))] * 2


async def test_deliveries_progress_with_time_and_blacklisted_are_blocked(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider
) -> None:
    sim.blacklist.add("09121234569")
    sim.set_outcome("09121234568", "busy")
    result = await provider.send(LINE, ["09121234567", "09121234568", "09121234569"], "x")

    async def states() -> list[str]:
        return [u.state.value for u in await provider.delivery_statuses(result.receipts)]

    assert await states() == ["pending", "pending", "blocked"]
    clock.now += 10
    assert await states() == ["at_carrier", "at_carrier", "blocked"]
    clock.now += 10
    assert await states() == ["delivered", "failed", "blocked"]
    assert sim.calls["GroupMessageStatus"] == 3


async def test_message_ids_are_polled_in_batches(
    sim: RayganSimulator, clock: FakeClock, make: Make
) -> None:
    provider = make(status_batch=2)
    messages = [OutgoingMessage(f"0912123456{i}", f"m{i}") for i in range(5)]
    result = await provider.send_each(LINE, messages)
    clock.now += 100
    updates = await provider.delivery_statuses(result.receipts)
    assert sorted(u.receipt.recipient for u in updates) == sorted(
        r.recipient for r in result.receipts
    )
    assert sim.calls["CorrespondingMessageStatus"] == 3


async def test_receipts_the_provider_does_not_report_are_omitted(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    result = await provider.send(LINE, ["09121234567"], "x")
    stranger = Receipt("+989121234599", group_id=result.receipts[0].group_id)
    unknown_id = Receipt("+989121234567", message_id="999999")
    updates = await provider.delivery_statuses([*result.receipts, stranger, unknown_id])
    assert [u.receipt for u in updates] == list(result.receipts)


async def test_a_filtered_group_blocks_its_unfinished_recipients(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    states = [{"Mobile": "9121234567", "Status": "0"}, {"Mobile": "989121234568", "Status": "1"}]
    answer = {"Code": 0, "Message": "", "Result": {"StatusCode": 3, "MessagesListState": states}}
    sim.faults.inject(FaultKind.NO_ENVELOPE, method="GroupMessageStatus", value=answer)
    receipts = [Receipt("+989121234567", group_id="g"), Receipt("+989121234568", group_id="g")]
    updates = await provider.delivery_statuses(receipts)
    assert [u.state for u in updates] == [DeliveryState.BLOCKED, DeliveryState.DELIVERED]


async def test_a_failing_poll_raises_and_leaves_nothing_half_done(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    result = await provider.send(LINE, ["09121234567"], "x")
    each = await provider.send_each(LINE, [OutgoingMessage("09121234567", "x")])
    sim.faults.inject(FaultKind.HTTP_STATUS, method="GroupMessageStatus", value=500, times=None)
    with raises_category(ErrorCategory.TRANSIENT):
        await provider.delivery_statuses([*result.receipts, *each.receipts])


# ---------------------------------------------------------------- inbox

WINDOW = InboxWindow(first_start=600, lookback=6 * 3600)


async def started(provider: RayganSmsProvider) -> str:
    """The cursor after the line's first fetch (the inbox as it is now is history)."""
    batch = await provider.fetch_inbox(LINE, None, WINDOW)
    assert batch.first_start and batch.next_cursor is not None
    return batch.next_cursor


async def test_the_first_fetch_forwards_the_window_and_keeps_the_look_back_as_history(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider
) -> None:
    now = int(clock.now)
    sim.inject_incoming(LINE, "09121234567", "beyond the look-back", date=now - 6 * 3600 - 1)
    sim.inject_incoming(LINE, "09121234567", "history", date=now - 2 * 3600)
    sim.inject_incoming(LINE, "09121234567", "just before the window", date=now - 601)
    sim.inject_incoming(LINE, "09121234567", "in the window", date=now - 600)
    batch = await provider.fetch_inbox(LINE, None, WINDOW)
    assert batch.first_start
    assert [m.body for m in batch.messages] == ["in the window"]
    assert [m.body for m in batch.history] == ["history", "just before the window"]
    assert sim.calls["ReceiveMessages"] == 1


async def test_every_sms_of_the_look_back_is_fetched_in_windows_of_one_page(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider
) -> None:
    cursor = await started(provider)
    clock.now += 30
    for i in range(250):
        sim.inject_incoming(LINE, "09121234567", f"m{i}", date=int(clock.now) - 1000 + i)
    batch = await provider.fetch_inbox(LINE, cursor, WINDOW)
    assert sorted(m.body for m in batch.messages) == sorted(f"m{i}" for i in range(250))
    assert len({m.dedupe_key for m in batch.messages}) == 250
    # The next poll reads the same windows (they fitted), one call each: no narrowing.
    calls = sim.calls["ReceiveMessages"]
    clock.now += 30
    again = await provider.fetch_inbox(LINE, batch.next_cursor, WINDOW)
    assert {m.dedupe_key for m in again.messages} == {m.dedupe_key for m in batch.messages}
    assert sim.calls["ReceiveMessages"] - calls <= -(-250 // 80) + 1


@pytest.mark.parametrize("late_by", [180, 600, 7200], ids=["3min", "10min", "2h"])
async def test_an_sms_dated_long_before_it_shows_up_is_fetched(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider, late_by: int
) -> None:
    cursor = await started(provider)
    for _ in range(3):
        clock.now += 30
        cursor = (await provider.fetch_inbox(LINE, cursor, WINDOW)).next_cursor or cursor
    sim.inject_incoming(LINE, "09121234567", "late", late_by=late_by)
    batch = await provider.fetch_inbox(LINE, cursor, WINDOW)
    assert [m.body for m in batch.messages] == ["late"]
    assert batch.messages[0].received_at.timestamp() == int(clock.now) - late_by


async def test_rereading_the_look_back_gives_the_same_keys(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider
) -> None:
    cursor = await started(provider)
    sim.inject_incoming(LINE, "09121234567", "hello", date=int(NOW) - 5)
    sim.inject_incoming(LINE, "09121234568", "hello", date=int(NOW) - 5)
    clock.now += 30
    first = await provider.fetch_inbox(LINE, cursor, WINDOW)
    clock.now += 3000
    sim.inject_incoming(LINE, "09121234567", "later", date=int(clock.now))
    second = await provider.fetch_inbox(LINE, first.next_cursor, WINDOW)
    first_keys = {m.dedupe_key for m in first.messages}
    second_keys = {m.dedupe_key for m in second.messages}
    assert len(first_keys) == 2
    assert first_keys < second_keys
    assert len(second_keys - first_keys) == 1


async def test_two_identical_sms_in_one_second_get_two_keys_in_every_poll(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider
) -> None:
    cursor = await started(provider)
    sim.inject_incoming(LINE, "09121234567", "yes", date=int(NOW))
    first = await provider.fetch_inbox(LINE, cursor, WINDOW)
    # The twin arrives in the same second, after the first fetch.
    sim.inject_incoming(LINE, "09121234567", "yes", date=int(NOW))
    clock.now += 5
    second = await provider.fetch_inbox(LINE, first.next_cursor, WINDOW)
    assert len(first.messages) == 1
    assert len(second.messages) == 2
    keys = [m.dedupe_key for m in second.messages]
    assert len(set(keys)) == 2
    assert first.messages[0].dedupe_key in keys


@pytest.mark.parametrize("shift", [1, -1, 3])
async def test_pages_served_shifted_lose_and_double_nothing(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider, shift: int
) -> None:
    cursor = await started(provider)
    sim.page_shift = shift
    for i in range(350):
        sim.inject_incoming(LINE, f"0912{i:07d}", f"m{i}", date=int(NOW) - 3000 + i * 8)
    clock.now += 30
    batch = await provider.fetch_inbox(LINE, cursor, WINDOW)
    assert sorted(m.body for m in batch.messages) == sorted(f"m{i}" for i in range(350))


async def test_an_sms_landing_while_the_look_back_is_read_is_fetched_once(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider
) -> None:
    cursor = await started(provider)
    for i in range(150):
        sim.inject_incoming(LINE, f"0912{i:07d}", f"m{i}", date=int(NOW) - 100 + i * 100 // 150)
    sim.inject_incoming(LINE, "09127654321", "landed", date=int(NOW) - 99, appear_after_calls=1)
    clock.now += 30
    first = await provider.fetch_inbox(LINE, cursor, WINDOW)
    clock.now += 30
    second = await provider.fetch_inbox(LINE, first.next_cursor, WINDOW)
    for batch in (first, second):
        keys = [m.dedupe_key for m in batch.messages]
        assert len(keys) == len(set(keys))
        assert all(key.endswith("#1") for key in keys)  # no record counted as its own twin
    bodies = {m.body for m in (*first.messages, *second.messages)}
    assert bodies == {f"m{i}" for i in range(150)} | {"landed"}


async def test_a_poll_makes_at_most_its_bound_of_calls_and_the_next_goes_on(
    sim: RayganSimulator, clock: FakeClock, make: Make
) -> None:
    provider = make(inbox_max_calls=5)
    cursor = await started(provider)
    for i in range(3000):
        sim.inject_incoming(LINE, f"0912{i:07d}", f"m{i}", date=int(NOW) - 5 * 3600 + i * 6)
    seen: set[str] = set()
    for _ in range(20):
        clock.now += 30
        calls = sim.calls["ReceiveMessages"]
        batch = await provider.fetch_inbox(LINE, cursor, WINDOW)
        assert sim.calls["ReceiveMessages"] - calls <= 5
        seen.update(m.body for m in batch.messages)
        cursor = batch.next_cursor or cursor
    assert seen == {f"m{i}" for i in range(3000)}


async def test_a_quiet_lines_cursor_is_rewritten_only_every_few_minutes(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider
) -> None:
    cursor = await started(provider)
    stored = [cursor]
    for _ in range(20):  # ten minutes of polls every 30 s
        clock.now += 30
        batch = await provider.fetch_inbox(LINE, stored[-1], WINDOW)
        assert batch.next_cursor is not None
        if batch.next_cursor != stored[-1]:
            stored.append(batch.next_cursor)
    assert len(stored) == 3  # the first, then one every five minutes


@pytest.mark.parametrize(
    "body",
    [
        "سلام، وقت بخیر! 🌹",
        "کد\u200cتأیید: ۱۲۳۴",
        "emoji 👨‍👩‍👧 and <b>&amp;</b>",
        "line one\nline two\r\n\ttabbed",
        "  spaced  ",
    ],
)
async def test_bodies_come_through_verbatim(
    body: str, sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.inject_incoming(LINE, "09121234567", body, date=int(NOW) - 1)
    (message,) = (await provider.fetch_inbox(LINE, None, WINDOW)).messages
    assert message.body == body


async def test_incoming_senders_are_e164_and_times_utc(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    cursor = await started(provider)
    sim.inject_incoming(LINE, "09121234567", "a", date=1_699_999_000)
    sim.inject_incoming(LINE, "Bank Melli", "b", date=1_699_999_001)
    first, second = (await provider.fetch_inbox(LINE, cursor, WINDOW)).messages
    assert (first.sender, first.line) == ("+989121234567", LINE)
    assert first.received_at == datetime(2023, 11, 14, 21, 56, 40, tzinfo=UTC)
    assert first.received_at.utcoffset() is not None
    assert second.sender == "Bank Melli"


@pytest.mark.parametrize(
    "answer",
    [
        {"Code": 0, "Message": "", "Result": {"Page": 1, "TotalPage": "x", "ReceivedMsgs": []}},
        {"Code": 0, "Message": "", "Result": {"Page": 1, "ReceivedMsgs": []}},
        {"Code": 0, "Message": "", "Result": {"Page": 1, "TotalPage": 1}},
        {"Code": 0, "Message": "", "Result": "not a page"},
    ],
)
async def test_a_garbled_inbox_page_is_transient(
    answer: Any, sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.faults.inject(FaultKind.NO_ENVELOPE, method="ReceiveMessages", value=answer, times=None)
    with raises_category(ErrorCategory.TRANSIENT, match="ReceiveMessages"):
        await provider.fetch_inbox(LINE, None, WINDOW)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"MsgBody": None}, "MsgBody"),
        ({"MsgBody": 7}, "MsgBody"),
        ({"Date": "yesterday"}, "Date"),
        ({"Date": None}, "Date"),
        ({"Mobile": None}, "Mobile"),
        ({"Mobile": ""}, "Mobile"),
    ],
)
async def test_an_unreadable_record_is_set_aside_and_the_ones_around_it_are_read(
    sim: RayganSimulator,
    clock: FakeClock,
    provider: RayganSmsProvider,
    raw: dict[str, Any],
    reason: str,
) -> None:
    cursor = await started(provider)
    sim.inject_incoming(LINE, "09121234567", "before", date=int(NOW) - 2)
    sim.inject_incoming(LINE, "09121234567", "unreadable", date=int(NOW) - 1, raw=raw)
    sim.inject_incoming(LINE, "09121234567", "after", date=int(NOW))
    clock.now += 30
    batch = await provider.fetch_inbox(LINE, cursor, WINDOW)
    assert [m.body for m in batch.messages] == ["before", "after"]
    (record,) = batch.unreadable
    assert reason in record.reason and record.line == LINE
    listed = json.loads(record.raw)
    assert {k: listed[k] for k in raw} == raw
    # Read again by the next poll's look-back: the same key, so it is quarantined once.
    clock.now += 30
    again = await provider.fetch_inbox(LINE, batch.next_cursor, WINDOW)
    assert [r.key for r in again.unreadable] == [record.key]


async def test_a_record_that_is_not_an_object_is_set_aside(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    answer = {"Code": 0, "Message": "", "Result": {"TotalPage": 1, "ReceivedMsgs": ["x", 5]}}
    sim.faults.inject(FaultKind.NO_ENVELOPE, method="ReceiveMessages", value=answer, times=1)
    batch = await provider.fetch_inbox(LINE, None, WINDOW)
    assert [json.loads(r.raw) for r in batch.unreadable] == ["x", 5]
    assert len({r.key for r in batch.unreadable}) == 2


async def test_a_quarantined_record_is_read_again_by_todays_parser(
    provider: RayganSmsProvider,
) -> None:
    readable = json.dumps({"Mobile": "989121234567", "Date": 1_699_999_000, "MsgBody": "hi"})
    sms = provider.read_unreadable(UnreadableRecord(LINE, "raygansms-raw:abc#2", readable, ""))
    assert (sms.sender, sms.body, sms.dedupe_key.endswith("#2")) == ("+989121234567", "hi", True)
    still = json.dumps({"Mobile": "989121234567", "Date": 1_699_999_000, "MsgBody": None})
    with pytest.raises(ValueError, match="MsgBody"):
        provider.read_unreadable(UnreadableRecord(LINE, "raygansms-raw:abc#1", still, ""))


@pytest.mark.parametrize("cursor", ["yesterday", '{"v": 1}', "[1]"])
async def test_an_invalid_cursor_is_refused(
    sim: RayganSimulator, provider: RayganSmsProvider, cursor: str
) -> None:
    with raises_category(ErrorCategory.BAD_REQUEST, match="cursor"):
        await provider.fetch_inbox(LINE, cursor, WINDOW)
    assert sim.calls == {}


async def test_unix_seconds_of_an_earlier_version_are_read_as_the_last_poll(
    sim: RayganSimulator, clock: FakeClock, provider: RayganSmsProvider
) -> None:
    sim.inject_incoming(LINE, "09121234567", "while stopped", date=int(NOW) - 4000)
    batch = await provider.fetch_inbox(LINE, str(int(NOW) - 3600), WINDOW)
    assert not batch.first_start
    assert [m.body for m in batch.messages] == ["while stopped"]


# ---------------------------------------------------------------- blacklist


async def test_filter_blacklist_splits_in_order(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.blacklist.update({"09121234568", "+989121234570"})
    check = await provider.filter_blacklist(
        ["09121234567", "9121234568", "09121234569", "989121234570", "09121234567"]
    )
    assert check.allowed == ("+989121234567", "+989121234569")
    assert check.blacklisted == ("+989121234568", "+989121234570")


# ---------------------------------------------------------------- errors


ERRORS: list[tuple[int, ErrorCategory, bool]] = [
    (1001, ErrorCategory.BAD_REQUEST, False),
    (1002, ErrorCategory.BAD_REQUEST, False),
    (1003, ErrorCategory.BAD_REQUEST, False),
    (1004, ErrorCategory.BAD_REQUEST, False),
    (2001, ErrorCategory.BAD_REQUEST, False),
    (2002, ErrorCategory.AUTH, False),
    (2003, ErrorCategory.AUTH, False),
    (2004, ErrorCategory.BAD_REQUEST, False),
    (2005, ErrorCategory.BAD_REQUEST, False),
    (2006, ErrorCategory.BAD_REQUEST, False),
    (2007, ErrorCategory.BAD_REQUEST, False),
    (2008, ErrorCategory.BAD_REQUEST, False),
    (2009, ErrorCategory.AUTH, False),
    (3001, ErrorCategory.TRANSIENT, True),
    (3002, ErrorCategory.TRANSIENT, True),
    (3003, ErrorCategory.CREDIT, False),
    (3004, ErrorCategory.BAD_REQUEST, False),
    (5001, ErrorCategory.TRANSIENT, True),
    (5002, ErrorCategory.TRANSIENT, True),
    (5003, ErrorCategory.TRANSIENT, True),
    (5004, ErrorCategory.PARTIAL, False),
    (4242, ErrorCategory.TRANSIENT, True),  # undocumented
]


@pytest.mark.parametrize(("code", "category", "retry_safe"), ERRORS)
async def test_each_error_code_is_classified_and_retried_only_when_safe(
    code: int,
    category: ErrorCategory,
    retry_safe: bool,
    sim: RayganSimulator,
    provider: RayganSmsProvider,
) -> None:
    sim.faults.inject(FaultKind.ERROR_CODE, method="GetCredit", value=code, times=None)
    with raises_category(category) as caught:
        await provider.credit()
    error = caught.value
    assert (error.category, error.code, error.retry_safe) == (category, str(code), retry_safe)
    assert error.provider_message  # the provider's own text is kept
    assert str(code) in str(error)
    assert sim.calls["GetCredit"] == (FAST.read_attempts if retry_safe else 1)


@pytest.mark.parametrize("code", [5001, 5002, 5003, 3001])
async def test_a_transient_code_on_a_send_is_outcome_unknown_and_never_resent(
    code: int, sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.faults.inject(FaultKind.ERROR_CODE, method="SendMessage", value=code, times=None)
    with raises_category(ErrorCategory.TRANSIENT) as caught:
        await provider.send(LINE, ["09121234567", "09121234568"], "x")
    assert caught.value.outcome_unknown is True
    assert caught.value.retry_safe is False
    assert caught.value.unknown_recipients == ("+989121234567", "+989121234568")
    assert sim.calls["SendMessage"] == 1


async def test_partial_corresponding_send_keeps_what_went_and_marks_the_rest_unknown(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    answer = {"Code": 5004, "Message": "برخی", "Result": [{"Id": 2, "Mobile": "x", "Result": 77}]}
    sim.faults.inject(FaultKind.NO_ENVELOPE, method="SendCorrespondingMessage", value=answer)
    messages = [OutgoingMessage("09121234567", "a"), OutgoingMessage("09121234568", "b")]
    with raises_category(ErrorCategory.PARTIAL) as caught:
        await provider.send_each(LINE, messages)
    assert caught.value.receipts == (Receipt("+989121234568", message_id="77"),)
    assert caught.value.unknown_recipients == ("+989121234567",)
    assert caught.value.code == "5004"


async def test_partial_send_without_ids_marks_everyone_unknown(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.faults.inject(FaultKind.ERROR_CODE, method="SendMessage", value=5004)
    with raises_category(ErrorCategory.PARTIAL) as caught:
        await provider.send(LINE, ["09121234567", "09121234568"], "x")
    assert caught.value.receipts == ()
    assert caught.value.unknown_recipients == ("+989121234567", "+989121234568")


async def test_partial_group_send_with_a_guid_stays_tracked(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    answer = {"Code": 5004, "Message": "", "Result": "973c22de-292d-4403-8baa-2f32cc762086"}
    sim.faults.inject(FaultKind.NO_ENVELOPE, method="SendMessage", value=answer)
    with raises_category(ErrorCategory.PARTIAL) as caught:
        await provider.send(LINE, ["09121234567"], "x")
    assert caught.value.receipts == (
        Receipt("+989121234567", group_id="973c22de-292d-4403-8baa-2f32cc762086"),
    )


async def test_bad_credentials_are_an_auth_error_not_retried(
    sim: RayganSimulator, make: Make
) -> None:
    provider = make(password="wrong")
    with raises_category(ErrorCategory.AUTH) as caught:
        await provider.credit()
    assert caught.value.code == "401"
    assert caught.value.retry_safe is False
    assert sim.calls["GetCredit"] == 1


GARBLED = [
    (FaultKind.HTML, None, "HTML"),
    (FaultKind.MALFORMED_JSON, None, "malformed JSON"),
    (FaultKind.NO_ENVELOPE, None, "envelope"),
    (FaultKind.NO_ENVELOPE, [1, 2], "envelope"),
    (FaultKind.NO_ENVELOPE, {"Code": "zero", "Result": 1}, "Code"),
    (FaultKind.HTTP_STATUS, 500, "HTTP 500"),
    (FaultKind.HTTP_STATUS, 502, "HTTP 502"),
    (FaultKind.HTTP_STATUS, 503, "HTTP 503"),
]


@pytest.mark.parametrize(("kind", "value", "reason"), GARBLED)
async def test_unreadable_answers_are_transient_and_reads_are_retried(
    kind: FaultKind, value: Any, reason: str, sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.faults.inject(kind, method="GetCredit", value=value, times=None)
    with raises_category(ErrorCategory.TRANSIENT, match=reason) as caught:
        await provider.credit()
    assert caught.value.retry_safe is True
    assert sim.calls["GetCredit"] == FAST.read_attempts
    sim.faults.clear()
    assert await provider.credit() == 1_000_000


async def test_an_html_page_keeps_a_short_snippet(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.faults.inject(FaultKind.HTML, method="GetPrices", times=None)
    with raises_category(ErrorCategory.TRANSIENT) as caught:
        await provider.prices()
    assert "Runtime Error" in caught.value.provider_message
    assert len(caught.value.provider_message) <= 120


async def test_a_read_recovers_after_one_bad_answer(
    sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.faults.inject(FaultKind.HTML, method="GetCredit", times=1)
    assert await provider.credit() == 1_000_000
    assert sim.calls["GetCredit"] == 2


@pytest.mark.parametrize(("kind", "value"), GARBLED_SEND := [(k, v) for k, v, _ in GARBLED])
async def test_an_unreadable_answer_to_a_send_is_outcome_unknown(
    kind: FaultKind, value: Any, sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.faults.inject(kind, method="SendCorrespondingMessage", value=value, times=None)
    with raises_category(ErrorCategory.TRANSIENT) as caught:
        await provider.send_each(LINE, [OutgoingMessage("09121234567", "x")])
    assert caught.value.outcome_unknown is True
    assert caught.value.unknown_recipients == ("+989121234567",)
    assert sim.calls["SendCorrespondingMessage"] == 1


@pytest.mark.parametrize("answer", [{"Code": 0, "Result": None}, {"Code": 0, "Result": 5}])
async def test_a_send_answer_without_a_guid_is_outcome_unknown(
    answer: Any, sim: RayganSimulator, provider: RayganSmsProvider
) -> None:
    sim.faults.inject(FaultKind.NO_ENVELOPE, method="SendMessage", value=answer)
    with raises_category(ErrorCategory.TRANSIENT) as caught:
        await provider.send(LINE, ["09121234567"], "x")
    assert caught.value.outcome_unknown is True
    assert caught.value.unknown_recipients == ("+989121234567",)


# ---------------------------------------------------------------- timeouts and connections


@pytest.mark.parametrize("kind", [FaultKind.TIMEOUT_AFTER, FaultKind.DISCONNECT_AFTER])
async def test_a_send_cut_after_the_request_is_outcome_unknown_and_sent_once(
    kind: FaultKind, sim: RayganSimulator, make: Make, short_hang: HttpSettings
) -> None:
    provider = make(settings=short_hang)
    sim.faults.inject(kind, method="SendMessage")
    with raises_category(ErrorCategory.TRANSIENT) as caught:
        await provider.send(LINE, ["09121234567", "09121234568"], "x")
    error = caught.value
    assert (error.outcome_unknown, error.retry_safe) == (True, False)
    assert error.unknown_recipients == ("+989121234567", "+989121234568")
    assert len(sim.sent) == 2  # it went, once: no silent resend
    assert sim.calls["SendMessage"] == 1


async def test_a_timed_out_read_is_retried(
    sim: RayganSimulator, make: Make, short_hang: HttpSettings
) -> None:
    provider = make(settings=short_hang)
    sim.faults.inject(FaultKind.TIMEOUT, method="GetCredit")
    assert await provider.credit() == 1_000_000
    assert sim.calls["GetCredit"] == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_a_refused_connection_on_a_send_is_retried_safely(
    sim: RayganSimulator, session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    port = _free_port()
    settings = HttpSettings(backoff_base=0.5, read_attempts=3)
    provider = RayganSmsProvider(
        session,
        base_url=f"http://127.0.0.1:{port}{RAYGAN_API}",
        username="demo",
        password="demo",
        settings=settings,
        clock=clock,
    )
    first_failure = asyncio.Event()

    class OnRetry(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "retry" in record.getMessage():
                first_failure.set()

    handler = OnRetry()
    logging.getLogger("providers.http").addHandler(handler)
    try:
        send = asyncio.create_task(provider.send(LINE, ["09121234567"], "x"))
        await first_failure.wait()
        # The server comes up while the adapter waits to retry.
        async with RunningServer(_app(sim), port=port):
            result = await send
    finally:
        logging.getLogger("providers.http").removeHandler(handler)
    assert result.receipts[0].group_id == sim.sent[0].group_id
    assert len(sim.sent) == 1
    assert sim.calls["SendMessage"] == 1


async def test_a_connection_never_made_is_not_outcome_unknown(
    session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    provider = RayganSmsProvider(
        session,
        base_url=f"http://127.0.0.1:{_free_port()}{RAYGAN_API}",
        username="demo",
        password="demo",
        settings=FAST,
        clock=clock,
    )
    with raises_category(ErrorCategory.TRANSIENT) as caught:
        await provider.send(LINE, ["09121234567"], "x")
    assert caught.value.outcome_unknown is False
    assert caught.value.unknown_recipients == ()


# ---------------------------------------------------------------- secrets


async def test_no_password_or_authorization_value_in_errors_or_logs(
    sim: RayganSimulator,
    make: Make,
    short_hang: HttpSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    password = "Sup3r-Secret-Pa55"
    token = base64.b64encode(f"shop:{password}".encode()).decode()
    sim.add_account("shop", password, lines=[LINE])
    provider = make(username="shop", password=password, settings=short_hang)
    wrong = make(username="shop", password=password + "x", settings=short_hang)
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    scenarios: list[tuple[FaultKind | None, Any, Callable[[], Any]]] = [
        (None, None, wrong.credit),
        (FaultKind.HTML, None, provider.credit),
        (FaultKind.ERROR_CODE, 2003, provider.credit),
        (FaultKind.HTTP_STATUS, 500, provider.prices),
        (FaultKind.TIMEOUT_AFTER, None, lambda: provider.send(LINE, ["09121234567"], "x")),
        (FaultKind.MALFORMED_JSON, None, lambda: provider.send_code(LINE, "09121234567", "1")),
    ]
    for kind, value, call in scenarios:
        sim.faults.clear()
        if kind is not None:
            sim.faults.inject(kind, value=value, times=None)
        with pytest.raises(ProviderError) as caught:
            await call()
        errors.append(caught.value)
    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [caplog.text, repr(provider)]
    for text in texts:
        assert password not in text
        assert token not in text
        assert "Basic " not in text
    assert len(errors) == len(scenarios)
