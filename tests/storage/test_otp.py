"""Verification codes: kept as keyed hashes only, limits counted from stored rows (so they hold
after a restart), a newer code cancels the older, checks claimed so they never exceed the
maximum, the HMAC key made once, every send and check audited."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storage_backends import Backend, Clock

from storage.base import Storage
from storage.errors import NotFoundError, StorageError
from storage.models import OtpCode, OtpDraft, OtpState

A, B = "+989121111111", "+989122222222"
START = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)  # the limits use the caller's clock


def draft(number: str = A, *, at: datetime = START, key: str | None = None) -> OtpDraft:
    return OtpDraft(
        number=number,
        mode="own",
        account="raygan",
        requested_by="tg:7",
        expires_at=at + timedelta(seconds=120),
        max_checks=3,
        code_hmac="ab" * 32,
        salt="salt",
        request_key=key,
    )


async def issue(
    storage: Storage, number: str = A, *, at: datetime = START, key: str | None = None
) -> OtpCode:
    issued = await storage.issue_otp(
        draft(number, at=at, key=key), now=at, per_minute=1, per_hour=5
    )
    assert issued.code is not None and issued.retry_after is None
    return issued.code


async def test_a_code_is_stored_active_with_its_hash_and_never_the_code(
    storage_backend: Storage,
) -> None:
    code = await issue(storage_backend)
    assert code.state is OtpState.ACTIVE
    assert (code.number, code.mode, code.account, code.checks, code.max_checks) == (
        A,
        "own",
        "raygan",
        0,
        3,
    )
    assert code.code_hmac == "ab" * 32 and code.salt == "salt"
    assert code.created_at == START and code.expires_at == START + timedelta(seconds=120)
    assert await storage_backend.latest_otp(A) == code
    assert await storage_backend.latest_otp(B) is None


@pytest.mark.parametrize(
    ("gaps", "per_minute", "per_hour", "refused_at", "retry_after"),
    [
        # 1 a minute: the second within the minute waits for the first to age out.
        ([0, 30], 1, 5, 1, 30.0),
        ([0, 60.5], 1, 5, None, None),
        # 5 an hour, one a minute apart: the sixth waits for the first to be an hour old.
        ([0, 61, 61, 61, 61, 61], 1, 5, 5, 3600.0 - 5 * 61),
        # 2 a minute: the third in the minute waits for the first.
        ([0, 10, 10], 2, 5, 2, 40.0),
    ],
)
async def test_limits_are_counted_from_stored_codes(
    storage_backend: Storage,
    gaps: list[float],
    per_minute: int,
    per_hour: int,
    refused_at: int | None,
    retry_after: float | None,
) -> None:
    at = START
    for index, gap in enumerate(gaps):
        at += timedelta(seconds=gap)
        issued = await storage_backend.issue_otp(
            draft(at=at), now=at, per_minute=per_minute, per_hour=per_hour
        )
        if index == refused_at:
            assert issued.code is None and not issued.created
            assert issued.retry_after == pytest.approx(retry_after)
        else:
            assert issued.code is not None, f"code {index} refused"


async def test_limits_are_per_number(storage_backend: Storage) -> None:
    await issue(storage_backend, A)
    await issue(storage_backend, B)
    again = await storage_backend.issue_otp(draft(A), now=START, per_minute=1, per_hour=5)
    assert again.code is None


async def test_a_newer_code_cancels_the_older(storage_backend: Storage) -> None:
    first = await issue(storage_backend)
    later = START + timedelta(seconds=61)
    second = await issue(storage_backend, at=later)
    assert await storage_backend.latest_otp(A) == second
    assert first.id != second.id
    # The old one can no longer be checked.
    assert not await storage_backend.claim_otp_check(first.id, checks_seen=0)


async def test_a_failed_code_counts_toward_no_limit_and_restores_what_it_cancelled(
    storage_backend: Storage,
) -> None:
    first = await issue(storage_backend)
    later = START + timedelta(seconds=61)
    second = await issue(storage_backend, at=later)
    await storage_backend.fail_otp(second.id, detail="no credit", now=later)
    latest = await storage_backend.latest_otp(A)
    assert latest is not None and latest.id == first.id and latest.state is OtpState.ACTIVE
    # The failed one is not counted: another may go within the same minute.
    third = await issue(storage_backend, at=later + timedelta(seconds=1))
    assert third.state is OtpState.ACTIVE
    with pytest.raises(NotFoundError):
        await storage_backend.fail_otp(9999, now=later)


async def test_the_same_request_key_returns_the_stored_code_and_stores_nothing(
    storage_backend: Storage,
) -> None:
    first = await issue(storage_backend, key="tg:-1:5")
    again = await storage_backend.issue_otp(
        draft(key="tg:-1:5"), now=START, per_minute=1, per_hour=5
    )
    assert again.code == first and not again.created and again.retry_after is None
    results = [e.result for e in await storage_backend.otp_audit(A)]
    assert results == ["issued"]


async def test_checks_are_claimed_and_never_exceed_the_maximum(storage_backend: Storage) -> None:
    code = await issue(storage_backend)
    assert await storage_backend.claim_otp_check(code.id, checks_seen=0)
    # A second claim on the same reading loses: someone else counted a check since.
    assert not await storage_backend.claim_otp_check(code.id, checks_seen=0)
    assert await storage_backend.claim_otp_check(code.id, checks_seen=1)
    assert await storage_backend.claim_otp_check(code.id, checks_seen=2)
    assert not await storage_backend.claim_otp_check(code.id, checks_seen=3)  # max is 3
    latest = await storage_backend.latest_otp(A)
    assert latest is not None and latest.checks == 3


async def test_concurrent_claims_count_each_check_once(storage_backend: Storage) -> None:
    code = await issue(storage_backend)
    won = await asyncio.gather(
        *(storage_backend.claim_otp_check(code.id, checks_seen=0) for _ in range(10))
    )
    assert won.count(True) == 1


async def test_finishing_a_check(storage_backend: Storage) -> None:
    code = await issue(storage_backend)
    assert await storage_backend.claim_otp_check(code.id, checks_seen=0)
    await storage_backend.finish_otp_check(code.id, valid=None)  # given back
    latest = await storage_backend.latest_otp(A)
    assert latest is not None and latest.checks == 0
    assert await storage_backend.claim_otp_check(code.id, checks_seen=0)
    await storage_backend.finish_otp_check(code.id, valid=False)
    latest = await storage_backend.latest_otp(A)
    assert latest is not None and (latest.checks, latest.state) == (1, OtpState.ACTIVE)
    assert await storage_backend.claim_otp_check(code.id, checks_seen=1)
    await storage_backend.finish_otp_check(code.id, valid=True)
    latest = await storage_backend.latest_otp(A)
    assert latest is not None and latest.state is OtpState.VERIFIED
    assert not await storage_backend.claim_otp_check(code.id, checks_seen=2)  # good once


async def test_set_sent_links_the_send_or_the_provider_reference(storage_backend: Storage) -> None:
    send, _ = await storage_backend.create_send(
        idempotency_key="otp:1",
        account="raygan",
        line="5000",
        text="code",
        chat_id=0,
        requested_by=0,
        recipients=[A],
    )
    code = await issue(storage_backend)
    await storage_backend.set_otp_sent(code.id, send_id=send.id)
    await storage_backend.set_otp_sent(code.id, provider_ref="2001")
    latest = await storage_backend.latest_otp(A)
    assert latest is not None and (latest.send_id, latest.provider_ref) == (send.id, "2001")
    with pytest.raises(NotFoundError):
        await storage_backend.set_otp_sent(9999, provider_ref="x")


async def test_the_key_is_made_once_and_kept(storage_backend: Storage) -> None:
    first = await storage_backend.otp_key("a" * 64)
    assert first == "a" * 64
    assert await storage_backend.otp_key("b" * 64) == first
    with pytest.raises(ValueError, match="at least 32"):
        await storage_backend.otp_key("short")


async def test_every_send_and_check_is_audited_with_who_asked(storage_backend: Storage) -> None:
    code = await issue(storage_backend)
    await storage_backend.issue_otp(draft(), now=START, per_minute=1, per_hour=5)  # refused
    await storage_backend.audit_otp(
        number=A,
        action="check",
        result="wrong",
        requested_by="api:shop",
        now=START,
        code_id=code.id,
        detail="2 checks left",
    )
    entries = await storage_backend.otp_audit(A)
    assert [(e.action, e.result, e.requested_by) for e in entries] == [
        ("send", "issued", "tg:7"),
        ("send", "rate_limited", "tg:7"),
        ("check", "wrong", "api:shop"),
    ]
    assert entries[0].code_id == code.id and entries[1].code_id is None
    assert entries[2].at == START and entries[2].detail == "2 checks left"
    assert await storage_backend.otp_audit(B) == []


async def test_limits_and_codes_survive_a_restart(
    backend: Backend, place: Path, clock: Clock
) -> None:
    async with backend.open(place, clock) as opened:
        code = await issue(opened.storage)
        key = await opened.storage.otp_key("c" * 64)
    async with backend.open(place, clock) as opened:
        again = await opened.storage.issue_otp(draft(), now=START, per_minute=1, per_hour=5)
        assert again.code is None and again.retry_after == pytest.approx(60.0)
        assert await opened.storage.latest_otp(A) == code
        assert await opened.storage.otp_key("d" * 64) == key


async def test_failover_moves_a_submitting_send_once(storage_backend: Storage) -> None:
    send, _ = await storage_backend.create_send(
        idempotency_key="k",
        account="raygan",
        line="5000",
        text="hi",
        chat_id=-1,
        requested_by=7,
        recipients=[A, B],
    )
    moved = await storage_backend.switch_send_account(
        send.id, account="meli", line="1000", reason="credit"
    )
    assert (moved.account, moved.line, moved.failover_from, moved.failover_reason) == (
        "meli",
        "1000",
        "raygan",
        "credit",
    )
    assert await storage_backend.get_send(send.id) == moved
    with pytest.raises(StorageError, match="moved once already"):
        await storage_backend.switch_send_account(send.id, account="x", line="1", reason="auth")
    with pytest.raises(NotFoundError):
        await storage_backend.switch_send_account(9999, account="x", line="1", reason="auth")
