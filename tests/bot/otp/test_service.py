"""`OtpService` without Telegram: a real SQLite file, the real adapters over HTTP to the
provider simulators, and a clock the test moves. Nothing of ours is mocked."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import make_provider
from bot.config import Config
from bot.context import Account
from bot.otp.service import (
    OtpCheck,
    OtpCheckFailed,
    OtpRefused,
    OtpSent,
    OtpService,
    api_requester,
    telegram_requester,
)
from sandbox.bridge_config import bridge_config, with_overrides
from sandbox.faults import FaultKind
from sandbox.server import ProviderSandbox, RunningServer
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

NUMBER = "+989121111111"
TYPED = "0912 111 1111"
OTHER = "09122222222"
START = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
WHO = telegram_requester(222)


class RecordedAlerts:
    """An alert sink that keeps what it was asked to post."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    async def alert(self, key: str, text_key: str, /, **values: object) -> bool:
        self.keys.append(key)
        return True


class Clock:
    """Time that moves only when the test says."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Rig:
    """The service's world: simulators, database, adapters, clock."""

    sandbox: ProviderSandbox
    repo: SqliteStorage
    db_path: Path
    accounts: dict[str, Account]
    clock: Clock
    alerts: RecordedAlerts
    config: Config

    def service(self, account: str = "raygan", **otp: Any) -> OtpService:
        """An OtpService over this world with `[otp]` keys changed."""
        settings = self.config.otp.model_copy(update=otp)
        return OtpService(
            self.repo,
            settings,
            self.accounts[account],
            self.alerts,
            poll_delay=60,
            clock=self.clock,
        )

    def sent_codes(self) -> list[str]:
        """The digits of every code SMS the RayganSMS simulator sent, in order."""
        found = [re.search(r"\d{4,10}", sms.text) for sms in self.sandbox.raygan.sent]
        return [m.group(0) for m in found if m is not None]

    def rows(self, sql: str) -> list[sqlite3.Row]:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            return list(conn.execute(sql))
        finally:
            conn.close()


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    sandbox = ProviderSandbox()
    async with RunningServer(sandbox.build_app()) as server, aiohttp.ClientSession() as session:
        data = bridge_config(
            token="1:abc",
            sandbox_url=server.url,
            db_path=tmp_path / "db.sqlite3",
            admins=[1],
            admin_chat_id=-1,
            account_settings={"timeout_seconds": 0.5, "read_attempts": 1},
        )
        config = Config.model_validate(with_overrides(data, {}))
        accounts = {a.name: Account(a, make_provider(session, a)) for a in config.accounts}
        db = await open_database(tmp_path / "db.sqlite3")
        try:
            yield Rig(
                sandbox,
                SqliteStorage(db),
                tmp_path / "db.sqlite3",
                accounts,
                Clock(),
                RecordedAlerts(),
                config,
            )
        finally:
            await db.close()


async def sent(service: OtpService, number: str = TYPED, who: str = WHO) -> OtpSent:
    answer = await service.send(number, who)
    assert isinstance(answer, OtpSent), answer
    return answer


async def check(service: OtpService, code: str, number: str = TYPED) -> OtpCheck:
    answer = await service.verify(number, code, WHO)
    assert isinstance(answer, OtpCheck), answer
    return answer


def wrong_code(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


# ---------------------------------------------------------------- mode own


async def test_a_code_goes_through_the_send_service_and_is_stored_only_as_a_hash(
    rig: Rig,
) -> None:
    service = rig.service()
    answer = await sent(service)
    assert answer.account == "raygan" and answer.send_id is not None and answer.created
    assert answer.expires_at == START + timedelta(seconds=120)
    [code] = rig.sent_codes()
    assert len(code) == 6
    [sms] = rig.sandbox.raygan.sent
    assert sms.method == "SendMessage" and sms.mobile == "09121111111"
    assert sms.text == rig.config.otp.text.replace("{code}", code)
    # Stored as the one send path stores any SMS, keyed on the code's id.
    [send] = rig.rows("SELECT * FROM sends")
    assert (send["id"], send["idempotency_key"], send["status"]) == (
        answer.send_id,
        f"otp:{answer.id}",
        "submitted",
    )
    # Never the code itself in any OTP table; the hash is not the code's plain hash either.
    for table in ("otp_codes", "otp_audit", "otp_key"):
        for row in rig.rows(f"SELECT * FROM {table}"):
            assert not any(code in str(value) for value in tuple(row)), table
    [row] = rig.rows("SELECT * FROM otp_codes")
    assert row["code_hmac"] and len(row["code_hmac"]) == 64 and row["salt"]


# (what the test does, in order) → the answers expected; `code` is the right code, `wrong`
# a wrong one of the right length; "+N" moves the clock N seconds.
CHECKS: list[tuple[str, list[str], list[tuple[bool, str | None, int, bool]]]] = [
    ("right at once", ["code"], [(True, None, 4, False)]),
    ("good once", ["code", "code"], [(True, None, 4, False), (False, "no_code", 0, False)]),
    (
        "wrong then right",
        ["wrong", "code"],
        [(False, "wrong", 4, False), (True, None, 3, False)],
    ),
    (
        "max checks",
        ["wrong", "wrong", "wrong", "wrong", "wrong", "code"],
        [
            (False, "wrong", 4, False),
            (False, "wrong", 3, False),
            (False, "wrong", 2, False),
            (False, "wrong", 1, False),
            (False, "wrong", 0, False),
            (False, "too_many_checks", 0, False),
        ],
    ),
    ("expired", ["+120", "code"], [(False, "expired", 5, False)]),
    ("just in time", ["+119", "code"], [(True, None, 4, False)]),
    (
        "too short, letters, too long: not counted",
        ["12345", "12a456", "1234567", "code"],
        [
            (False, "wrong", 5, True),
            (False, "wrong", 5, True),
            (False, "wrong", 5, True),
            (True, None, 4, False),
        ],
    ),
    ("persian digits and spaces", ["persian"], [(True, None, 4, False)]),
]


@pytest.mark.parametrize(("steps", "expected"), [c[1:] for c in CHECKS], ids=[c[0] for c in CHECKS])
async def test_checks(
    rig: Rig, steps: list[str], expected: list[tuple[bool, str | None, int, bool]]
) -> None:
    service = rig.service()
    await sent(service)
    [code] = rig.sent_codes()
    typed: dict[str, Callable[[], str]] = {
        "code": lambda: code,
        "wrong": lambda: wrong_code(code),
        "persian": lambda: (
            " ".join(code[:3].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))) + code[3:]
        ),
    }
    answers: list[tuple[bool, str | None, int, bool]] = []
    for step in steps:
        if step.startswith("+"):
            rig.clock.advance(float(step[1:]))
            continue
        given = typed[step]() if step in typed else step
        a = await check(service, given)
        answers.append((a.valid, a.reason, a.checks_left, a.malformed))
    assert answers == expected


async def test_a_check_with_no_code_sent(rig: Rig) -> None:
    answer = await check(rig.service(), "123456")
    assert (answer.valid, answer.reason, answer.checks_left) == (False, "no_code", 0)
    [entry] = await rig.repo.otp_audit(NUMBER)
    assert (entry.action, entry.result, entry.requested_by) == ("check", "no_code", WHO)


async def test_a_new_code_cancels_the_old_one(rig: Rig) -> None:
    service = rig.service()
    await sent(service)
    rig.clock.advance(61)
    await sent(service)
    old, new = rig.sent_codes()
    if old != new:
        assert (await check(service, old)).reason == "wrong"
    assert (await check(service, new)).valid


@pytest.mark.parametrize(
    ("gaps", "refused"),
    [
        ([0, 1], {1: 59}),
        ([0, 59.5, 0.5], {1: 1}),
        # One a minute for an hour's limit of five: the sixth and seventh wait for the first.
        ([0, 61, 61, 61, 61, 61, 1], {5: 3600 - 305, 6: 3600 - 306}),
        # An hour after the first, the sixth goes.
        ([0, 61, 61, 61, 61, 3600 - 244 + 1], {}),
    ],
)
async def test_per_number_limits_with_retry_after(
    rig: Rig, gaps: list[float], refused: dict[int, int]
) -> None:
    service = rig.service()
    for index, gap in enumerate(gaps):
        rig.clock.advance(gap)
        answer = await service.send(TYPED, WHO)
        if index in refused:
            assert isinstance(answer, OtpRefused) and answer.reason == "rate_limited"
            assert answer.retry_after_seconds == refused[index]
        else:
            assert isinstance(answer, OtpSent), (index, answer)
    assert len(rig.sandbox.raygan.sent) == len(gaps) - len(refused)
    # Another number is not held back.
    assert isinstance(await service.send(OTHER, WHO), OtpSent)


async def test_the_limits_hold_for_a_new_service_on_the_same_database(rig: Rig) -> None:
    await sent(rig.service())
    again = await rig.service().send(TYPED, api_requester("shop"))
    assert isinstance(again, OtpRefused) and again.retry_after_seconds == 60


async def test_the_database_key_is_made_once_and_shared(rig: Rig) -> None:
    await sent(rig.service())
    [code] = rig.sent_codes()
    # Another service (another replica, or after a restart) checks with the stored key.
    assert (await check(rig.service(), code)).valid
    [row] = rig.rows("SELECT key FROM otp_key")
    assert len(row["key"]) == 64


async def test_a_configured_key_is_used_instead(rig: Rig) -> None:
    keyed = rig.service(key=SecretStr("configured-key-0123456789"))
    await sent(keyed)
    [code] = rig.sent_codes()
    assert rig.rows("SELECT key FROM otp_key") == []  # none was made
    # The database key (made now) does not produce the same hash: wrong.
    assert (await check(rig.service(), code)).reason == "wrong"
    assert (await check(keyed, code)).valid


async def test_the_same_request_key_sends_once(rig: Rig) -> None:
    service = rig.service()
    first = await service.send(TYPED, WHO, idempotency_key="tg:-100:7")
    again = await service.send(TYPED, WHO, idempotency_key="tg:-100:7")
    assert isinstance(first, OtpSent) and isinstance(again, OtpSent)
    assert (again.id, again.send_id, again.created) == (first.id, first.send_id, False)
    assert len(rig.sandbox.raygan.sent) == 1


async def test_a_send_that_surely_failed_counts_toward_no_limit(rig: Rig) -> None:
    service = rig.service()
    rig.sandbox.raygan.accounts["demo"].credit = 0
    failed = await service.send(TYPED, WHO)
    assert isinstance(failed, OtpRefused) and failed.reason == "send_failed"
    assert failed.error is not None and failed.error.category.value == "credit"
    assert "credit_out:raygan" in rig.alerts.keys
    rig.sandbox.raygan.accounts["demo"].credit = 1_000_000
    assert isinstance(await service.send(TYPED, WHO), OtpSent)  # not held back a minute
    results = [e.result for e in await rig.repo.otp_audit(NUMBER)]
    assert results == ["issued", "failed", "issued"]


async def test_an_unknown_outcome_keeps_the_code_and_sends_nothing_again(rig: Rig) -> None:
    service = rig.service()
    rig.sandbox.raygan.faults.inject(FaultKind.TIMEOUT_AFTER, method="SendMessage")
    answer = await sent(service)
    assert answer.outcome_unknown
    [code] = rig.sent_codes()  # it did go
    assert (await check(service, code)).valid
    assert rig.sandbox.raygan.calls["SendMessage"] == 1


async def test_a_number_that_is_not_a_mobile_is_refused_and_audited(rig: Rig) -> None:
    service = rig.service()
    refused = await service.send("02188888888", WHO)
    assert isinstance(refused, OtpRefused) and refused.reason == "invalid_number"
    assert refused.detail == "not a mobile number"
    failed = await service.verify("hello", "123456", WHO)
    assert isinstance(failed, OtpCheckFailed) and failed.reason == "invalid_number"
    assert rig.sandbox.raygan.sent == []
    assert [e.result for e in await rig.repo.otp_audit("02188888888")] == ["invalid_number"]


async def test_own_mode_on_payamak_goes_through_sendsms(rig: Rig) -> None:
    service = rig.service("meli", length=4)
    answer = await sent(service)
    assert answer.account == "meli"
    [sms] = rig.sandbox.payamak.sent
    code = re.search(r"\d{4}", sms.text)
    assert code is not None
    assert (await check(service, code.group(0))).valid


async def test_every_send_and_check_is_audited_with_who_asked(rig: Rig) -> None:
    service = rig.service()
    shop = api_requester("shop")
    await sent(service, who=shop)
    await service.send(TYPED, WHO)  # refused: a minute
    [code] = rig.sent_codes()
    await service.verify(TYPED, wrong_code(code), shop)
    await service.verify(TYPED, "12", WHO)
    await service.verify(TYPED, code, shop)
    entries = await rig.repo.otp_audit(NUMBER)
    assert [(e.action, e.result, e.requested_by) for e in entries] == [
        ("send", "issued", "api:shop"),
        ("send", "rate_limited", "tg:222"),
        ("check", "wrong", "api:shop"),
        ("check", "wrong (malformed)", "tg:222"),
        ("check", "valid", "api:shop"),
    ]
    assert all(e.at == START for e in entries)


# ---------------------------------------------------------------- mode provider


async def test_provider_mode_sends_with_sendautocode_and_checks_with_checksendcode(
    rig: Rig,
) -> None:
    service = rig.service(mode="provider", footer="Shop")
    answer = await sent(service)
    assert answer.send_id is None and answer.account == "raygan"
    code = rig.sandbox.raygan.auto_code(NUMBER)
    assert code is not None
    [sms] = rig.sandbox.raygan.sent
    assert sms.method == "SendAutoCode" and sms.text.endswith("Shop")
    [row] = rig.rows("SELECT * FROM otp_codes")
    assert row["code_hmac"] is None and row["provider_ref"] == str(sms.message_id)
    assert (await check(service, wrong_code(code))).reason == "wrong"
    assert (await check(service, "12a4")).malformed
    assert rig.sandbox.raygan.calls["CheckSendCode"] == 1  # the malformed one never went
    good = await check(service, code)
    assert (good.valid, good.checks_left) == (True, 3)
    assert (await check(service, code)).reason == "no_code"


async def test_provider_mode_limits_and_expiry_are_ours(rig: Rig) -> None:
    service = rig.service(mode="provider")
    await sent(service)
    refused = await service.send(TYPED, WHO)
    assert isinstance(refused, OtpRefused) and refused.retry_after_seconds == 60
    code = rig.sandbox.raygan.auto_code(NUMBER)
    assert code is not None
    rig.clock.advance(121)
    assert (await check(service, code)).reason == "expired"
    assert rig.sandbox.raygan.calls["CheckSendCode"] == 0


async def test_provider_mode_on_an_account_without_it_is_refused(rig: Rig) -> None:
    refused = await rig.service("meli", mode="provider").send(TYPED, WHO)
    assert isinstance(refused, OtpRefused) and refused.reason == "unsupported"
    assert rig.sandbox.payamak.sent == [] and rig.rows("SELECT * FROM otp_codes") == []


async def test_provider_mode_refusal_by_the_provider(rig: Rig) -> None:
    rig.sandbox.raygan.accounts["demo"].webservice = False  # SendAutoCode answers 8
    refused = await rig.service(mode="provider").send(TYPED, WHO)
    assert isinstance(refused, OtpRefused) and refused.reason == "send_failed"
    assert refused.error is not None and refused.error.code == "8"
    assert "auth:raygan" in rig.alerts.keys


async def test_provider_mode_a_failed_check_gives_the_check_back(rig: Rig) -> None:
    service = rig.service(mode="provider")
    await sent(service)
    code = rig.sandbox.raygan.auto_code(NUMBER)
    assert code is not None
    rig.sandbox.raygan.faults.inject(FaultKind.HTTP_STATUS, method="CheckSendCode", value=500)
    failed = await service.verify(TYPED, code, WHO)
    assert isinstance(failed, OtpCheckFailed) and failed.reason == "provider_error"
    good = await check(service, code)
    assert (good.valid, good.checks_left) == (True, 4)  # the failed check was given back
