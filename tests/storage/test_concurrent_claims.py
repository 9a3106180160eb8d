"""Work that must happen once, claimed by concurrent callers: exactly one wins each piece.

On SQLite the callers are tasks of one process; on PostgreSQL each call runs on its own pooled
connection, so the database arbitrates as it does between replicas (tests/storage/postgres/
test_replica_claims.py does the same with one pool per replica)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage_backends import Clock

from storage.base import Storage
from storage.models import (
    CampaignRecipientInput,
    CampaignStatus,
    OtpDraft,
    StartedChunk,
    WebhookEventType,
)

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
NUMBER = "+989121111111"


async def running_campaign(storage: Storage, *, recipients: int = 6, chunk_size: int = 2) -> int:
    """A running campaign of `recipients` numbers in chunks of `chunk_size`."""
    campaign, created = await storage.create_campaign(
        idempotency_key="chat:1:msg:1",
        account="raygan",
        line="50002910001080",
        chat_id=-100,
        requested_by=7,
        file_name="list.csv",
        template=None,
        recipients=[
            CampaignRecipientInput(i + 2, f"+98912{i:07d}", f"hi {i}", 1, i // chunk_size)
            for i in range(recipients)
        ],
    )
    assert created
    running = await storage.change_campaign_status(
        campaign.id, CampaignStatus.RUNNING, expect=[CampaignStatus.DRAFT]
    )
    assert running is not None
    return campaign.id


def started(results: list[StartedChunk | None]) -> list[StartedChunk]:
    return [r for r in results if r is not None]


async def test_concurrent_starts_of_one_chunk_let_one_win(storage_backend: Storage) -> None:
    campaign_id = await running_campaign(storage_backend)
    results = await asyncio.gather(*(storage_backend.start_chunk(campaign_id, 1) for _ in range(8)))
    (winner,) = started(results)
    assert winner.chunk == 1 and winner.send.recipient_count == 2
    # One send row for the chunk, and the chunk is no longer pending.
    assert await storage_backend.campaign_of_send(winner.send.id) == campaign_id
    assert [c for c, _ in await storage_backend.pending_chunks(campaign_id, 10)] == [0, 2]
    assert await storage_backend.start_chunk(campaign_id, 1) is None


async def test_concurrent_starts_of_every_chunk_start_each_once(storage_backend: Storage) -> None:
    campaign_id = await running_campaign(storage_backend, recipients=8, chunk_size=2)
    results = await asyncio.gather(
        *(storage_backend.start_chunk(campaign_id, chunk) for chunk in [0, 1, 2, 3] * 3)
    )
    chunks = sorted(s.chunk for s in started(results))
    assert chunks == [0, 1, 2, 3]
    assert len({s.send.id for s in started(results)}) == 4
    assert [c for c, _ in await storage_backend.pending_chunks(campaign_id, 10)] == []


async def schedule_due(storage: Storage, count: int) -> set[int]:
    ids: set[int] = set()
    for i in range(count):
        row, created = await storage.create_scheduled(
            idempotency_key=f"tg:-100:{i}",
            chat_id=-100,
            requested_by=7,
            account="raygan",
            line="50002910001080",
            recipients=[NUMBER],
            text="later",
            due_at=T0 + timedelta(seconds=i),
        )
        assert created
        ids.add(row.id)
    return ids


async def test_concurrent_claims_of_due_scheduled_sends_claim_each_once(
    storage_backend: Storage,
) -> None:
    ids = await schedule_due(storage_backend, 9)
    now = T0 + timedelta(minutes=1)
    claims = await asyncio.gather(
        *(storage_backend.claim_due_scheduled(now, reclaim_before=T0, limit=4) for _ in range(6))
    )
    claimed = [row.id for batch in claims for row in batch]
    assert sorted(claimed) == sorted(ids)  # every due row claimed, none twice
    for batch in claims:
        assert [r.due_at for r in batch] == sorted(r.due_at for r in batch)
        assert all(r.claimed_at == now for r in batch)
    # Claimed now: nobody claims them again until the claim is old enough to take over.
    assert await storage_backend.claim_due_scheduled(now, reclaim_before=T0, limit=50) == []


async def test_concurrent_reservations_never_go_over_a_limit(storage_backend: Storage) -> None:
    limits = [("m:1", 5), ("d:1", 100)]
    answers = await asyncio.gather(
        *(storage_backend.reserve_usage("raygan", 1, limits) for _ in range(12))
    )
    assert answers.count(None) == 5
    assert set(answers) == {None, "m:1"}
    # All or nothing: the day counted only the reservations the minute let through.
    assert await storage_backend.usage("raygan", "m:1") == 5
    assert await storage_backend.usage("raygan", "d:1") == 5


async def test_concurrent_reservations_of_several_sms_fill_a_limit_exactly(
    storage_backend: Storage,
) -> None:
    answers = await asyncio.gather(
        *(storage_backend.reserve_usage("raygan", 3, [("d:1", 10)]) for _ in range(6))
    )
    assert answers.count(None) == 3
    assert await storage_backend.usage("raygan", "d:1") == 9
    assert await storage_backend.usage("other", "d:1") == 0


def otp_draft(key: str | None = None) -> OtpDraft:
    return OtpDraft(
        number=NUMBER,
        mode="own",
        account="raygan",
        requested_by="api:shop",
        expires_at=T0 + timedelta(seconds=120),
        max_checks=3,
        code_hmac="ab" * 32,
        salt="salt",
        request_key=key,
    )


async def test_concurrent_otp_requests_for_one_number_stay_within_its_limit(
    storage_backend: Storage,
) -> None:
    issues = await asyncio.gather(
        *(
            storage_backend.issue_otp(otp_draft(), now=T0, per_minute=3, per_hour=10)
            for _ in range(10)
        )
    )
    created = [i for i in issues if i.created]
    assert len(created) == 3
    assert all(i.retry_after is not None for i in issues if not i.created)
    # Each new code cancelled the ones before it: exactly one is active.
    latest = await storage_backend.latest_otp(NUMBER)
    assert latest is not None and latest.id == max(i.code.id for i in created if i.code)
    audit = await storage_backend.otp_audit(NUMBER)
    assert sorted(e.result for e in audit) == ["issued"] * 3 + ["rate_limited"] * 7


async def test_concurrent_otp_requests_with_one_key_make_one_code(
    storage_backend: Storage,
) -> None:
    issues = await asyncio.gather(
        *(
            storage_backend.issue_otp(otp_draft("req-1"), now=T0, per_minute=5, per_hour=10)
            for _ in range(6)
        )
    )
    assert [i.created for i in issues].count(True) == 1
    assert len({i.code.id for i in issues if i.code is not None}) == 1


async def test_concurrent_webhook_claims_hand_each_event_out_once(
    storage_backend: Storage, clock: Clock
) -> None:
    stored = [
        await storage_backend.add_webhook_event(WebhookEventType.RECEIVED, {"n": i})
        for i in range(7)
    ]
    now = clock()  # the storage's clock: events are due from their creation
    claims = await asyncio.gather(
        *(storage_backend.claim_webhook_events(now, limit=3, lease_seconds=60) for _ in range(5))
    )
    claimed = [e.id for batch in claims for e in batch]
    assert sorted(claimed) == sorted(e.id for e in stored)
    assert all(e.attempts == 1 for batch in claims for e in batch)
