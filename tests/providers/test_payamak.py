"""Contract tests: PayamakProvider against the Payamak simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from provider_errors import raises_category
from sim_support import FakeClock

from providers.base import (
    Capability,
    DeliveryState,
    ErrorCategory,
    InboxBatch,
    InboxWindow,
    IncomingSms,
    OutgoingMessage,
    ProviderError,
    Receipt,
    SendResult,
    UnreadableRecord,
)
from providers.http import HttpSettings
from providers.offset_listing import ListingCursor
from providers.payamak import PayamakProvider, parse_send_date
from sandbox.faults import FaultKind
from sandbox.payamak import PayamakSimulator
from sandbox.server import PAYAMAK_API, RunningServer

USER = "shop"
PASSWORD = "Pa55-w0rd&secret"
LINE = "30004554551"
OTHER_LINE = "30004554552"
STEP = 10.0
MOBILES = [f"0912{n:07d}" for n in range(1000)]


@pytest.fixture
def sim(clock: FakeClock) -> PayamakSimulator:
    simulator = PayamakSimulator(delivery_step=STEP, clock=clock)
    simulator.add_account(USER, PASSWORD, lines=[LINE, OTHER_LINE])
    return simulator


def make_provider(
    session: aiohttp.ClientSession,
    server: RunningServer,
    password: str = PASSWORD,
    clock: FakeClock | None = None,
) -> PayamakProvider:
    settings = HttpSettings(
        connect_timeout=2.0, read_timeout=0.4, read_attempts=2, backoff_base=0.01
    )
    return PayamakProvider(
        session,
        base_url=server.url + PAYAMAK_API,
        username=USER,
        password=password,
        settings=settings,
        clock=clock or FakeClock(),
    )


@pytest.fixture
def provider(
    session: aiohttp.ClientSession, server: RunningServer, clock: FakeClock
) -> PayamakProvider:
    return make_provider(session, server, clock=clock)


def e164(mobile: str) -> str:
    return "+98" + mobile[1:]


# ---------------------------------------------------------------- sending


async def test_send_returns_one_receipt_per_recipient_with_the_simulators_rec_ids(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    result = await provider.send(LINE, ["+98 912 000 0001", "9120000002", "۰۹۱۲۰۰۰۰۰۰۳"], "hi")

    assert [r.recipient for r in result.receipts] == [
        "+989120000001",
        "+989120000002",
        "+989120000003",
    ]
    (sent,) = sim.sent
    assert sent.to == ("09120000001", "09120000002", "09120000003")  # 09… on the wire
    assert [r.message_id for r in result.receipts] == [str(i) for i in sent.rec_ids]
    assert sent.line == LINE
    assert sent.flash is False


async def test_flash_is_sent_as_a_boolean(provider: PayamakProvider, sim: PayamakSimulator) -> None:
    await provider.send(LINE, [MOBILES[0]], "x", flash=True)
    assert sim.sent[0].flash is True


@pytest.mark.parametrize(
    "text",
    [
        "سلام، کد شما ۱۲۳۴ است",
        "a&b=c+d %20 ?x=1#frag",
        "خرید + تخفیف & ارسال رایگان\nخط دوم",
        "emoji 😀 and 'quotes' \"double\"",
    ],
)
async def test_text_arrives_verbatim(
    provider: PayamakProvider, sim: PayamakSimulator, text: str
) -> None:
    await provider.send(LINE, [MOBILES[0]], text)
    assert sim.sent[0].text == text


async def test_250_recipients_go_in_three_calls_and_receipts_keep_the_order(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    recipients = MOBILES[:250]
    result = await provider.send(LINE, recipients, "bulk")

    assert sim.calls["SendSMS"] == 3
    assert sorted(len(sent.to) for sent in sim.sent) == [50, 100, 100]
    assert [r.recipient for r in result.receipts] == [e164(m) for m in recipients]
    id_of = {
        number: str(rec_id)
        for sent in sim.sent
        for number, rec_id in zip(sent.to, sent.rec_ids, strict=True)
    }
    assert [r.message_id for r in result.receipts] == [id_of[m] for m in recipients]


async def test_invalid_numbers_are_named_and_nothing_is_sent(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    with raises_category(ErrorCategory.BAD_REQUEST) as caught:
        await provider.send(LINE, [MOBILES[0], "12345", "02188776655"], "x")
    assert "12345" in str(caught.value.reason)
    assert "02188776655" in str(caught.value.reason)
    assert sim.calls["SendSMS"] == 0


@pytest.mark.parametrize(
    ("recipients", "text"), [([], "x"), ([MOBILES[0]], ""), ([MOBILES[0]], "  \n")]
)
async def test_no_recipient_or_empty_text_is_refused_before_any_call(
    provider: PayamakProvider, sim: PayamakSimulator, recipients: list[str], text: str
) -> None:
    with raises_category(ErrorCategory.BAD_REQUEST):
        await provider.send(LINE, recipients, text)
    assert sim.calls["SendSMS"] == 0


async def test_scheduled_send_is_not_supported(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    with raises_category(ErrorCategory.UNSUPPORTED):
        await provider.send(LINE, [MOBILES[0]], "x", at=datetime(2030, 1, 1, tzinfo=UTC))
    with raises_category(ErrorCategory.UNSUPPORTED):
        await provider.send_to_port(LINE, [], send_port=1, receive_port=2)
    with raises_category(ErrorCategory.UNSUPPORTED):
        await provider.filter_blacklist([MOBILES[0]])
    assert sim.calls["SendSMS"] == 0
    assert not provider.supports(Capability.SCHEDULED_SEND)
    assert provider.supports(Capability.SEND_EACH)


async def test_send_each_sends_once_per_distinct_text_and_keeps_the_order(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    messages = [
        OutgoingMessage(MOBILES[0], "code 1"),
        OutgoingMessage(MOBILES[1], "code 2"),
        OutgoingMessage(MOBILES[2], "code 1"),
    ]
    result = await provider.send_each(LINE, messages)

    assert sim.calls["SendSMS"] == 2
    assert sorted((s.text, s.to) for s in sim.sent) == [
        ("code 1", (MOBILES[0], MOBILES[2])),
        ("code 2", (MOBILES[1],)),
    ]
    assert [r.recipient for r in result.receipts] == [e164(m) for m in MOBILES[:3]]
    assert all(r.message_id for r in result.receipts)


async def test_send_code_goes_through_send_sms(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    result = await provider.send_code(LINE, MOBILES[5], "کد ورود: 48213")
    assert sim.sent[0].text == "کد ورود: 48213"
    assert result.receipts[0].recipient == e164(MOBILES[5])


# §2.2: every SendSMS Value code → the error family.
SEND_CODES: list[tuple[int, ErrorCategory]] = [
    (0, ErrorCategory.AUTH),
    (2, ErrorCategory.CREDIT),
    (3, ErrorCategory.RATE_LIMIT),
    (4, ErrorCategory.RATE_LIMIT),
    (5, ErrorCategory.BAD_REQUEST),
    (6, ErrorCategory.TRANSIENT),
    (7, ErrorCategory.BAD_REQUEST),
    (9, ErrorCategory.BAD_REQUEST),
    (10, ErrorCategory.AUTH),
    (11, ErrorCategory.TRANSIENT),
    (12, ErrorCategory.AUTH),
    (14, ErrorCategory.BAD_REQUEST),
    (15, ErrorCategory.BAD_REQUEST),
    (16, ErrorCategory.BAD_REQUEST),
    (17, ErrorCategory.BAD_REQUEST),
    (35, ErrorCategory.BAD_REQUEST),
]


@pytest.mark.parametrize(("code", "error"), SEND_CODES)
async def test_send_error_codes_map_to_the_error_family(
    provider: PayamakProvider,
    sim: PayamakSimulator,
    code: int,
    error: ErrorCategory,
) -> None:
    sim.faults.inject(FaultKind.ERROR_CODE, method="SendSMS", value=code)
    with raises_category(error) as caught:
        await provider.send(LINE, [MOBILES[0]], "x")
    assert caught.value.code == str(code)
    assert caught.value.reason.startswith("SendSMS: ")
    # A code is a definite answer: the SMS did not go, nothing is unknown.
    assert caught.value.outcome_unknown is False
    assert caught.value.unknown_recipients == ()


async def test_value_1_means_it_went_without_an_id(
    provider: PayamakProvider, sim: PayamakSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    sim.faults.inject(FaultKind.ERROR_CODE, method="SendSMS", value=1)
    with caplog.at_level(logging.WARNING):
        result = await provider.send(LINE, MOBILES[:2], "x")
    assert result.receipts == (Receipt(e164(MOBILES[0])), Receipt(e164(MOBILES[1])))
    assert "0 recId(s) for 2 recipients" in caplog.text


async def test_rec_id_count_mismatch_keeps_recipients_untracked_and_warns(
    provider: PayamakProvider, sim: PayamakSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    one_id = {"Value": "2000000000000000777", "RetStatus": 1, "StrRetStatus": "Ok"}
    sim.faults.inject(FaultKind.NO_ENVELOPE, method="SendSMS", value=one_id)
    with caplog.at_level(logging.WARNING):
        result = await provider.send(LINE, MOBILES[:3], "x")
    assert [r.recipient for r in result.receipts] == [e164(m) for m in MOBILES[:3]]
    assert all(r.message_id is None and r.group_id is None for r in result.receipts)
    assert "1 recId(s) for 3 recipients" in caplog.text
    assert "2000000000000000777" in caplog.text


@pytest.mark.parametrize(
    "value",
    ["Ok", "", None, "20000000000000001,abc"],
)
async def test_success_without_a_readable_rec_id_is_an_unknown_outcome(
    provider: PayamakProvider, sim: PayamakSimulator, value: str | None
) -> None:
    body = {"Value": value, "RetStatus": 1, "StrRetStatus": "Ok"}
    sim.faults.inject(FaultKind.NO_ENVELOPE, method="SendSMS", value=body)
    with raises_category(ErrorCategory.TRANSIENT) as caught:
        await provider.send(LINE, [MOBILES[0]], "x")
    assert caught.value.outcome_unknown is True
    assert caught.value.unknown_recipients == (e164(MOBILES[0]),)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (FaultKind.TIMEOUT_AFTER, None),
        (FaultKind.DISCONNECT_AFTER, None),
        (FaultKind.HTML, None),
        (FaultKind.MALFORMED_JSON, None),
        (FaultKind.NO_ENVELOPE, None),
        (FaultKind.HTTP_STATUS, 502),
    ],
)
async def test_send_that_may_have_gone_is_unknown_and_never_retried(
    provider: PayamakProvider, sim: PayamakSimulator, kind: FaultKind, value: object
) -> None:
    sim.faults.inject(kind, method="SendSMS", value=value)
    with raises_category(ErrorCategory.TRANSIENT) as caught:
        await provider.send(LINE, MOBILES[:2], "x")
    assert caught.value.outcome_unknown is True
    assert caught.value.retry_safe is False
    assert caught.value.unknown_recipients == (e164(MOBILES[0]), e164(MOBILES[1]))
    assert sim.calls["SendSMS"] == 1


async def test_timeout_after_sending_records_exactly_one_send(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    sim.faults.inject(FaultKind.TIMEOUT_AFTER, method="SendSMS")
    with raises_category(ErrorCategory.TRANSIENT) as caught:
        await provider.send(LINE, [MOBILES[0]], "x")
    assert caught.value.outcome_unknown is True
    assert len(sim.sent) == 1
    assert sim.calls["SendSMS"] == 1


async def test_one_failed_chunk_gives_a_partial_send(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    sim.faults.inject(FaultKind.ERROR_CODE, method="SendSMS", value=2)
    with raises_category(ErrorCategory.PARTIAL) as caught:
        await provider.send(LINE, MOBILES[:250], "x")
    error = caught.value
    went = {number for sent in sim.sent for number in sent.to}
    assert len(went) in (150, 200)  # whichever chunk met the fault
    assert [r.recipient for r in error.receipts] == [e164(m) for m in MOBILES[:250] if m in went]
    assert all(r.message_id for r in error.receipts)
    assert error.unknown_recipients == ()
    assert error.outcome_unknown is False
    assert error.code == "2"


async def test_a_chunk_that_timed_out_is_listed_as_unknown_in_the_partial_send(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    sim.faults.inject(FaultKind.TIMEOUT_AFTER, method="SendSMS")
    with raises_category(ErrorCategory.PARTIAL) as caught:
        await provider.send(LINE, MOBILES[:150], "x")
    error = caught.value
    answered = {r.recipient for r in error.receipts}
    assert len(answered) + len(error.unknown_recipients) == 150
    assert set(error.unknown_recipients).isdisjoint(answered)
    assert error.outcome_unknown is True
    assert len(sim.sent) == 2  # both chunks reached the simulator, each once


async def test_all_chunks_failing_raise_the_chunk_error_with_the_unknown_ones(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    sim.faults.inject(FaultKind.ERROR_CODE, method="SendSMS", value=0, times=1)
    sim.faults.inject(FaultKind.TIMEOUT_AFTER, method="SendSMS", times=1)
    with pytest.raises(ProviderError) as caught:
        await provider.send(LINE, MOBILES[:200], "x")
    error = caught.value
    assert error.category is not ErrorCategory.PARTIAL
    assert len(error.unknown_recipients) == 100
    assert error.outcome_unknown is True


async def test_all_chunks_refused_raise_the_refusal(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    sim.faults.inject(FaultKind.ERROR_CODE, method="SendSMS", value=0, times=None)
    with raises_category(ErrorCategory.AUTH) as caught:
        await provider.send(LINE, MOBILES[:200], "x")
    assert caught.value.unknown_recipients == ()
    assert caught.value.outcome_unknown is False


async def test_simulator_validation_reaches_the_user_as_bad_request(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    sim.blacklist.add(MOBILES[1])
    with raises_category(ErrorCategory.BAD_REQUEST) as blacklisted:
        await provider.send(LINE, MOBILES[:2], "x")
    assert blacklisted.value.code == "35"
    with raises_category(ErrorCategory.BAD_REQUEST) as bad_line:
        await provider.send("50009999", [MOBILES[0]], "x")
    assert bad_line.value.code == "5"
    assert "sender line" in bad_line.value.reason


async def test_wrong_password_is_auth(
    session: aiohttp.ClientSession, server: RunningServer
) -> None:
    provider = make_provider(session, server, password="wrong")
    with raises_category(ErrorCategory.AUTH):
        await provider.send(LINE, [MOBILES[0]], "x")
    with raises_category(ErrorCategory.AUTH):
        await provider.credit()
    with raises_category(ErrorCategory.AUTH):  # wrapped answer: Value null, StrRetStatus only
        await provider.fetch_inbox(LINE, None)
    with raises_category(ErrorCategory.AUTH):
        await provider.lines()


# ---------------------------------------------------------------- deliveries

# §2.3: every GetDeliveries2 code → our state.
DELIVERY_TABLE: list[tuple[int, DeliveryState]] = [
    (0, DeliveryState.AT_CARRIER),
    (1, DeliveryState.DELIVERED),
    (2, DeliveryState.UNDELIVERED),
    (3, DeliveryState.FAILED),
    (5, DeliveryState.FAILED),
    (8, DeliveryState.AT_CARRIER),
    (16, DeliveryState.FAILED),
    (35, DeliveryState.BLOCKED),
    (100, DeliveryState.PENDING),
    (200, DeliveryState.SENT),
    (300, DeliveryState.BLOCKED),
    (400, DeliveryState.QUEUED),
    (500, DeliveryState.FAILED),
    (-1, DeliveryState.PENDING),
]


async def test_every_delivery_code_maps_to_its_state(
    provider: PayamakProvider, sim: PayamakSimulator, clock: FakeClock
) -> None:
    mobiles = MOBILES[: len(DELIVERY_TABLE)]
    for mobile, (code, _) in zip(mobiles, DELIVERY_TABLE, strict=True):
        sim.set_outcome(mobile, code)
    result = await provider.send(LINE, mobiles, "x")
    clock.now += 2 * STEP

    updates = await provider.delivery_statuses(result.receipts)

    assert [(u.receipt.recipient, u.raw_code, u.state) for u in updates] == [
        (e164(mobile), str(code), state)
        for mobile, (code, state) in zip(mobiles, DELIVERY_TABLE, strict=True)
    ]
    assert sim.calls["GetDeliveries2"] == len(DELIVERY_TABLE)


@pytest.mark.parametrize(
    ("outcome", "states"),
    [
        ("delivered", ["sent", "at_carrier", "delivered"]),
        ("undelivered", ["sent", "at_carrier", "undelivered"]),
        ("failed", ["sent", "at_carrier", "failed"]),
        ("blocked", ["sent", "at_carrier", "blocked"]),
        ("filtered", ["sent", "at_carrier", "blocked"]),
        ("rejected", ["sent", "at_carrier", "failed"]),
        ("at_carrier", ["sent", "at_carrier", "at_carrier"]),
        ("pending", ["pending", "pending", "pending"]),
    ],
)
async def test_deliveries_progress_with_the_clock(
    provider: PayamakProvider,
    sim: PayamakSimulator,
    clock: FakeClock,
    outcome: str,
    states: list[str],
) -> None:
    sim.set_outcome(MOBILES[0], outcome)
    result = await provider.send(LINE, [MOBILES[0]], "x")
    seen = []
    for _ in states:
        (update,) = await provider.delivery_statuses(result.receipts)
        seen.append(update.state.value)
        clock.now += STEP
    assert seen == states


async def test_receipts_without_an_id_are_not_asked_for(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    assert await provider.delivery_statuses([Receipt("+989120000001")]) == []
    assert sim.calls["GetDeliveries2"] == 0


async def test_delivery_auth_failure_is_raised(
    session: aiohttp.ClientSession, server: RunningServer
) -> None:
    provider = make_provider(session, server, password="nope")
    with raises_category(ErrorCategory.AUTH):
        await provider.delivery_statuses([Receipt("+989120000001", message_id="2" * 19)])


async def test_one_failing_delivery_query_leaves_the_others(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    result = await provider.send(LINE, MOBILES[:3], "x")
    # A refusal that is not retried, so exactly one of the three queries fails.
    sim.faults.inject(FaultKind.ERROR_CODE, method="GetDeliveries2", value=5)
    updates = await provider.delivery_statuses(result.receipts)
    assert len(updates) == 2  # the third is asked again on the next poll


# ---------------------------------------------------------------- inbox

ORDERS = ["oldest_first", "newest_first", "alternate", "random"]
WINDOW = InboxWindow(first_start=600)


async def read_until_complete(
    provider: PayamakProvider, cursor: str | None, line: str = LINE, polls: int = 6
) -> tuple[list[IncomingSms], str | None]:
    """Poll `polls` times (a random order may need more than one poll); all it returned."""
    found: list[IncomingSms] = []
    for _ in range(polls):
        batch = await provider.fetch_inbox(line, cursor, WINDOW)
        found += batch.messages
        cursor = batch.next_cursor or cursor
    return found, cursor


async def started(provider: PayamakProvider, line: str = LINE) -> str:
    batch = await provider.fetch_inbox(line, None, WINDOW)
    assert batch.first_start and batch.next_cursor is not None
    return batch.next_cursor


@pytest.mark.parametrize("order", ORDERS)
async def test_new_sms_are_read_once_in_any_listing_order_and_only_this_lines(
    provider: PayamakProvider, sim: PayamakSimulator, clock: FakeClock, order: str
) -> None:
    sim.set_listing_order(order, seed=4)
    for n in range(40):
        sim.inject_incoming(LINE, f"912{n:07d}", f"history {n}", _ago(clock, days=3))
    cursor = await started(provider)
    for n in range(230):
        sim.inject_incoming(LINE if n % 10 else OTHER_LINE, f"912{n:07d}", f"msg {n}")
    found, cursor = await read_until_complete(provider, cursor)
    bodies = [m.body for m in found]
    assert sorted(set(bodies)) == sorted(f"msg {n}" for n in range(230) if n % 10)
    assert {m.line for m in found} == {LINE}
    assert all(m.dedupe_key.startswith("payamak:") for m in found)
    sim.inject_incoming(LINE, "09121112233", "new one")
    later, _ = await read_until_complete(provider, cursor)
    assert [(m.sender, m.body) for m in later] == [("+989121112233", "new one")]


@pytest.mark.parametrize(("order", "most"), [("oldest_first", 1), ("newest_first", 1)])
async def test_a_poll_with_nothing_new_is_one_call_in_a_steady_order(
    provider: PayamakProvider, sim: PayamakSimulator, clock: FakeClock, order: str, most: int
) -> None:
    sim.set_listing_order(order)
    for n in range(450):
        sim.inject_incoming(LINE, "9121234567", str(n), _ago(clock, days=1))
    cursor = await started(provider)
    cursor = (await provider.fetch_inbox(LINE, cursor, WINDOW)).next_cursor
    for _ in range(3):
        calls = sim.calls["GetMessages"]
        batch = await provider.fetch_inbox(LINE, cursor, WINDOW)
        assert batch.messages == ()
        assert sim.calls["GetMessages"] - calls <= most
        cursor = batch.next_cursor


@pytest.mark.parametrize("order", ORDERS)
async def test_the_first_fetch_takes_only_the_recent_window(
    provider: PayamakProvider, sim: PayamakSimulator, clock: FakeClock, order: str
) -> None:
    sim.set_listing_order(order, seed=9)
    for n in range(500):
        sim.inject_incoming(LINE, "9121234567", f"old {n}", _ago(clock, days=7))
    sim.inject_incoming(LINE, "9121234567", "just before the window", _ago(clock, seconds=601))
    sim.inject_incoming(LINE, "9121234567", "in the window", _ago(clock, seconds=599))
    sim.inject_incoming(OTHER_LINE, "9121234567", "another line's", _ago(clock, seconds=5))
    batch = await provider.fetch_inbox(LINE, None, WINDOW)
    if batch.next_cursor is None:  # a random order may not let a first poll finish
        batch = await provider.fetch_inbox(LINE, None, WINDOW)
    assert batch.first_start
    assert [m.body for m in batch.messages] == ["in the window"]
    assert batch.history == ()  # the cursor starts above the history: nothing to remember


async def test_sent_messages_are_not_read_as_incoming(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    cursor = await started(provider)
    await provider.send(LINE, [MOBILES[0]], "outgoing")
    batch = await provider.fetch_inbox(LINE, cursor, WINDOW)
    assert batch.messages == ()


async def test_inbox_sender_time_and_text(provider: PayamakProvider, sim: PayamakSimulator) -> None:
    cursor = await started(provider)
    when = datetime(2024, 3, 20, 12, 0, 5, 680000, tzinfo=UTC)
    sim.inject_incoming(LINE, "9121234567", "سلام & + خوبی؟", when)
    sim.inject_incoming(LINE, "09127654321", "dup", when)
    sim.inject_incoming(LINE, "10002188", "from a line", when)

    batch = await provider.fetch_inbox(LINE, cursor, WINDOW)

    assert [m.sender for m in batch.messages] == ["+989121234567", "+989127654321", "10002188"]
    assert batch.messages[0].body == "سلام & + خوبی؟"
    assert all(m.received_at == when for m in batch.messages)
    assert batch.messages[0].received_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("send_date", "utc"),
    [
        ("2017-06-05T15:42:58.68", datetime(2017, 6, 5, 11, 12, 58, 680000, tzinfo=UTC)),  # DST
        ("2024-03-20T15:30:00", datetime(2024, 3, 20, 12, 0, tzinfo=UTC)),
        ("2024-12-31T23:59:59.1234567", datetime(2024, 12, 31, 20, 29, 59, 123456, tzinfo=UTC)),
        ("2025-01-01T00:00:00.5", datetime(2024, 12, 31, 20, 30, 0, 500000, tzinfo=UTC)),
        # With an offset, the offset says the zone: readable, not Tehran wall time.
        ("2024-03-20T15:30:00+03:30", datetime(2024, 3, 20, 12, 0, tzinfo=UTC)),
        ("2017-06-05T15:42:58.68+04:30", datetime(2017, 6, 5, 11, 12, 58, 680000, tzinfo=UTC)),
        ("2024-03-20T12:00:00Z", datetime(2024, 3, 20, 12, 0, tzinfo=UTC)),
        ("2024-03-20T07:00:00-05:00", datetime(2024, 3, 20, 12, 0, tzinfo=UTC)),
        ("2024-03-20T15:30:00+0330", datetime(2024, 3, 20, 12, 0, tzinfo=UTC)),
        ("2024-03-20 15:30:00", datetime(2024, 3, 20, 12, 0, tzinfo=UTC)),
    ],
)
def test_send_date_to_utc(send_date: str, utc: datetime) -> None:
    assert parse_send_date(send_date) == utc


@pytest.mark.parametrize(
    "send_date", ["yesterday", "2024-03-20", "2024-03-20T15:30:00+25:00", "2024-13-01T00:00:00", ""]
)
def test_a_send_date_that_is_no_date_is_refused(send_date: str) -> None:
    with pytest.raises(ValueError):
        parse_send_date(send_date)


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", '{"v": 9}'])
async def test_bad_cursor_is_refused(provider: PayamakProvider, cursor: str) -> None:
    with raises_category(ErrorCategory.BAD_REQUEST):
        await provider.fetch_inbox(LINE, cursor, WINDOW)


async def test_an_offset_cursor_of_an_earlier_version_starts_afresh(
    provider: PayamakProvider, sim: PayamakSimulator, clock: FakeClock
) -> None:
    sim.inject_incoming(LINE, "9121234567", "old", _ago(clock, days=1))
    sim.inject_incoming(LINE, "9121234567", "recent", _ago(clock, seconds=30))
    batch = await provider.fetch_inbox(LINE, "1", WINDOW)
    assert batch.first_start
    assert [m.body for m in batch.messages] == ["recent"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"SendDate": "yesterday"}, "SendDate"),
        ({"SendDate": None}, "SendDate"),
        ({"Sender": None}, "Sender"),
        ({"Body": 5}, "Body"),
        ({"MsgID": "x-1"}, "MsgID"),
        ({"MsgID": None}, "MsgID"),
    ],
)
@pytest.mark.parametrize("order", ["oldest_first", "newest_first"])
async def test_an_unreadable_record_is_set_aside_and_the_ones_behind_it_are_read(
    provider: PayamakProvider,
    sim: PayamakSimulator,
    order: str,
    raw: dict[str, object],
    reason: str,
) -> None:
    sim.set_listing_order(order)
    cursor = await started(provider)
    sim.inject_incoming(LINE, "9121234567", "before")
    bad = sim.inject_incoming(LINE, "9121234567", "unreadable <b>", raw=raw)
    sim.inject_incoming(LINE, "9121234567", "behind it")
    batch = await provider.fetch_inbox(LINE, cursor, WINDOW)
    assert [m.body for m in batch.messages] == ["before", "behind it"]
    (record,) = batch.unreadable
    assert reason in record.reason
    assert record.line == LINE
    listed = json.loads(record.raw)  # the record as the provider listed it
    assert {k: listed[k] for k in raw} == raw
    assert listed["Receiver"] == LINE
    if "MsgID" not in raw:
        assert record.key == f"payamak:{bad}"
    else:  # known again by its content
        assert record.key.startswith("payamak-raw:")
    again = await provider.fetch_inbox(LINE, batch.next_cursor, WINDOW)
    assert again.messages == () and again.unreadable == ()  # the cursor went past it


async def test_a_quarantined_record_is_read_again_by_todays_parser(
    provider: PayamakProvider,
) -> None:
    raw = json.dumps(
        {
            "MsgID": 4516399999,
            "Body": "kept",
            "SendDate": "2025-03-20T15:30:00+03:30",
            "Sender": "9127654321",
            "Receiver": LINE,
        }
    )
    sms = provider.read_unreadable(UnreadableRecord(LINE, "payamak:4516399999", raw, "old"))
    assert (sms.body, sms.sender, sms.dedupe_key) == ("kept", "+989127654321", "payamak:4516399999")
    assert sms.received_at == datetime(2025, 3, 20, 12, 0, tzinfo=UTC)
    still = UnreadableRecord(LINE, "k", json.dumps({"MsgID": 1, "SendDate": "soon"}), "old")
    with pytest.raises(ValueError, match="SendDate"):
        provider.read_unreadable(still)


def _ago(clock: FakeClock, **delta: float) -> datetime:
    return datetime.fromtimestamp(clock.now, UTC) - timedelta(**delta)


# ---------------------------------------------------------------- account


async def test_credit_prices_lines(provider: PayamakProvider, sim: PayamakSimulator) -> None:
    assert await provider.credit() == Decimal(1_000_000)
    await provider.send(LINE, MOBILES[:3], "س" * 71)  # 2 parts × 3 recipients
    assert await provider.credit() == Decimal(1_000_000 - 6)
    prices = await provider.prices()
    assert prices.ucs2_part == prices.gsm7_part == Decimal(sim.base_price)
    assert await provider.lines() == (LINE, OTHER_LINE)


async def test_every_seed_method_is_called(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    result = await provider.send(LINE, [MOBILES[0]], "x")
    await provider.delivery_statuses(result.receipts)
    await provider.fetch_inbox(LINE, None)
    await provider.credit()
    await provider.prices()
    await provider.lines()
    for method in (
        "SendSMS",
        "GetDeliveries2",
        "GetMessages",
        "GetCredit",
        "GetBasePrice",
        "GetUserNumbers",
    ):
        assert sim.calls[method] >= 1, method


# ---------------------------------------------------------------- garbled answers on reads

GARBLED: list[tuple[FaultKind, object, str]] = [
    (FaultKind.HTML, None, "HTML"),
    (FaultKind.MALFORMED_JSON, None, "malformed JSON"),
    (FaultKind.NO_ENVELOPE, None, "no Payamak envelope"),
    (FaultKind.NO_ENVELOPE, [1, 2], "no Payamak envelope"),
    (FaultKind.HTTP_STATUS, 500, "server error"),
    (FaultKind.HTTP_STATUS, 503, "server error"),
    (FaultKind.TIMEOUT, None, "timed out"),
]


@pytest.mark.parametrize(("kind", "value", "reason"), GARBLED)
async def test_garbled_answers_are_transient(
    provider: PayamakProvider, sim: PayamakSimulator, kind: FaultKind, value: object, reason: str
) -> None:
    sim.faults.inject(kind, method="GetCredit", value=value, times=None)
    with raises_category(ErrorCategory.TRANSIENT) as caught:
        await provider.credit()
    assert reason in caught.value.reason
    assert caught.value.retry_safe is True
    assert sim.calls["GetCredit"] == 2  # reads are retried (read_attempts=2)


async def test_no_envelope_text_is_kept_for_the_log(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    sim.faults.inject(FaultKind.NO_ENVELOPE, method="GetBasePrice", times=None)
    with raises_category(ErrorCategory.TRANSIENT) as caught:
        await provider.prices()
    assert "An unexpected error occured" in caught.value.provider_message


async def test_a_read_recovers_after_one_transient_fault(
    provider: PayamakProvider, sim: PayamakSimulator
) -> None:
    sim.faults.inject(FaultKind.HTML, method="GetUserNumbers")
    assert await provider.lines() == (LINE, OTHER_LINE)
    assert sim.calls["GetUserNumbers"] == 2


# ---------------------------------------------------------------- secrets


async def test_no_password_in_errors_or_logs(
    session: aiohttp.ClientSession,
    server: RunningServer,
    sim: PayamakSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = make_provider(session, server)
    wrong = make_provider(session, server, password=PASSWORD + "x")
    errors: list[BaseException] = []
    sim.faults.inject(FaultKind.HTML, times=None)
    with caplog.at_level(logging.DEBUG):
        for call in (
            lambda: provider.send(LINE, [MOBILES[0]], "x"),
            lambda: provider.credit(),
            lambda: provider.fetch_inbox(LINE, None),
            lambda: provider.delivery_statuses([Receipt("+989120000001", "3" * 19)]),
        ):
            with pytest.raises(ProviderError) as caught:
                await call()
            errors.append(caught.value)
        sim.faults.clear()
        sim.faults.inject(FaultKind.ERROR_CODE, method="SendSMS", value=1)
        await provider.send(LINE, MOBILES[:2], "x")  # logs a warning
        for call in (lambda: wrong.send(LINE, [MOBILES[0]], "x"), lambda: wrong.lines()):
            with raises_category(ErrorCategory.AUTH) as refused:
                await call()
            errors.append(refused.value)
    assert caplog.records
    for text in [caplog.text, repr(provider), *map(str, errors), *map(repr, errors)]:
        assert PASSWORD not in text
        assert "Pa55" not in text


# ---------------------------------------------------------------- recorded answer shapes

FIXTURES = Path(__file__).parents[1] / "fixtures" / "payamak" / "answers.json"
ANSWERS = json.loads(FIXTURES.read_text(encoding="utf-8"))["answers"]


@pytest.fixture
async def replay(session: aiohttp.ClientSession) -> AsyncIterator[tuple[PayamakProvider, dict]]:
    """A server answering every method with the body put in `bodies[method]`."""
    bodies: dict[str, str] = {}

    async def answer(request: web.Request) -> web.Response:
        body = bodies[request.match_info["method"]]
        kind = "text/html" if body.startswith("<") else "application/json"
        return web.Response(text=body, content_type=kind)

    app = web.Application()
    app.router.add_post("/api/{method}", answer)
    async with RunningServer(app) as running:
        settings = HttpSettings(read_attempts=1)
        provider = PayamakProvider(
            session,
            base_url=running.url + "/api",
            username=USER,
            password=PASSWORD,
            settings=settings,
        )
        yield provider, bodies


async def _call(provider: PayamakProvider, method: str, recipients: int = 2) -> object:
    if method == "SendSMS":
        return await provider.send(LINE, MOBILES[:recipients], "x")
    if method == "GetCredit":
        return await provider.credit()
    if method == "GetDeliveries2":
        return await provider.delivery_statuses([Receipt("+989120000000", "1" * 19)])
    if method == "GetMessages":
        # A cursor below every id: each listed record is new.
        return await provider.fetch_inbox("10002188", ListingCursor(0, 0).dump())
    return await provider.lines()


@pytest.mark.parametrize("case", ANSWERS, ids=[case["name"] for case in ANSWERS])
async def test_real_answer_shapes(replay: tuple[PayamakProvider, dict], case: dict) -> None:
    provider, bodies = replay
    bodies[case["method"]] = case["body"]
    expect = case["expect"]
    if "category" in expect:
        with raises_category(ErrorCategory(expect["category"])) as caught:
            await _call(provider, case["method"])
        if "code" in expect:
            assert caught.value.code == expect["code"]
        if "snippet" in expect:
            assert expect["snippet"] in caught.value.provider_message
        return
    result = await _call(provider, case["method"], case.get("recipients", 2))
    if "rec_ids" in expect:
        assert isinstance(result, SendResult)
        ids = [r.message_id for r in result.receipts if r.message_id]
        assert ids == expect["rec_ids"]
    elif "decimal" in expect:
        assert result == Decimal(expect["decimal"])
    elif "delivery" in expect:
        assert isinstance(result, list)
        assert result[0].raw_code == expect["delivery"]
    elif "messages" in expect:
        assert isinstance(result, InboxBatch)
        assert len(result.messages) == expect["messages"]
        assert result.messages[0].sender == "+989123456789"
        assert result.messages[0].dedupe_key == "payamak:4516312345"
    else:
        assert result == tuple(expect["numbers"])
