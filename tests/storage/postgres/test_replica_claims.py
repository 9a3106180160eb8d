"""Two replicas (one pool each) on one database: the claims of campaigns, scheduled sends,
usage and OTP hold between them, and a start recovers only the chunks of a replica that is
gone (a live replica's chunk in flight is its own to finish)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from storage.models import (
    CampaignRecipientInput,
    CampaignStatus,
    OtpDraft,
    SendStatus,
)
from storage.postgres import PgStorage, open_pool
from storage.postgres.leases import PgLeases

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
NUMBER = "+989121111111"
REPLICA_A, REPLICA_B = 1001, 1002


@pytest.fixture
async def pools(empty_url: str) -> AsyncIterator[list[asyncpg.Pool]]:
    """Two pools on one migrated database, as two replicas have."""
    opened = [await open_pool(empty_url, min_size=1, max_size=4) for _ in range(2)]
    try:
        yield opened
    finally:
        for pool in opened:
            await pool.close()


async def running_campaign(storage: PgStorage, chunks: int = 4) -> int:
    campaign, _ = await storage.create_campaign(
        idempotency_key="chat:1:msg:1",
        account="raygan",
        line="50002910001080",
        chat_id=-100,
        requested_by=7,
        file_name="list.csv",
        template=None,
        recipients=[
            CampaignRecipientInput(i + 2, f"+98912{i:07d}", "hi", 1, i // 2)
            for i in range(chunks * 2)
        ],
    )
    running = await storage.change_campaign_status(
        campaign.id, CampaignStatus.RUNNING, expect=[CampaignStatus.DRAFT]
    )
    assert running is not None
    return campaign.id


async def test_two_replicas_start_each_chunk_once(pools: list[asyncpg.Pool]) -> None:
    a = PgStorage(pools[0], replica_id=REPLICA_A)
    b = PgStorage(pools[1], replica_id=REPLICA_B)
    campaign_id = await running_campaign(a)
    results = await asyncio.gather(
        *(store.start_chunk(campaign_id, chunk) for chunk in range(4) for store in (a, b, a, b))
    )
    won = [r for r in results if r is not None]
    assert sorted(r.chunk for r in won) == [0, 1, 2, 3]
    assert len({r.send.id for r in won}) == 4


async def test_two_replicas_claim_each_due_scheduled_send_once(
    pools: list[asyncpg.Pool],
) -> None:
    a, b = PgStorage(pools[0]), PgStorage(pools[1])
    ids = set()
    for i in range(10):
        row, _ = await a.create_scheduled(
            idempotency_key=f"k{i}",
            chat_id=-100,
            requested_by=7,
            account="raygan",
            line="5000",
            recipients=[NUMBER],
            text="later",
            due_at=T0,
        )
        ids.add(row.id)
    now = T0 + timedelta(seconds=5)
    claims = await asyncio.gather(
        *(s.claim_due_scheduled(now, reclaim_before=T0, limit=3) for s in (a, b) * 4)
    )
    claimed = [row.id for batch in claims for row in batch]
    assert sorted(claimed) == sorted(ids)


async def test_two_replicas_share_one_usage_limit(pools: list[asyncpg.Pool]) -> None:
    a, b = PgStorage(pools[0]), PgStorage(pools[1])
    limits = [("d:1", 50), ("m:1", 7)]
    answers = await asyncio.gather(*(s.reserve_usage("raygan", 1, limits) for s in (a, b) * 8))
    assert answers.count(None) == 7
    assert await a.usage("raygan", "m:1") == 7 and await b.usage("raygan", "d:1") == 7


async def test_two_replicas_share_one_otp_limit(pools: list[asyncpg.Pool]) -> None:
    a, b = PgStorage(pools[0]), PgStorage(pools[1])
    draft = OtpDraft(
        number=NUMBER,
        mode="own",
        account="raygan",
        requested_by="api:shop",
        expires_at=T0 + timedelta(seconds=120),
        max_checks=3,
        code_hmac="ab" * 32,
        salt="salt",
    )
    issues = await asyncio.gather(
        *(s.issue_otp(draft, now=T0, per_minute=2, per_hour=10) for s in (a, b) * 4)
    )
    assert [i.created for i in issues].count(True) == 2


async def test_a_start_recovers_only_the_chunks_of_a_replica_that_is_gone(
    empty_url: str, pools: list[asyncpg.Pool]
) -> None:
    alive = PgLeases(empty_url, REPLICA_A)
    dying = PgLeases(empty_url, REPLICA_B)
    await alive.open()
    await dying.open()
    try:
        a = PgStorage(pools[0], replica_id=REPLICA_A)
        b = PgStorage(pools[1], replica_id=REPLICA_B)
        campaign_id = await running_campaign(a)
        on_a = await a.start_chunk(campaign_id, 0)
        on_b = await b.start_chunk(campaign_id, 1)
        assert on_a is not None and on_b is not None
        owners = await pools[0].fetch(
            "SELECT id, owner FROM sends WHERE id = ANY($1::bigint[]) ORDER BY id",
            [on_a.send.id, on_b.send.id],
        )
        assert [(r["id"], r["owner"]) for r in owners] == [
            (on_a.send.id, REPLICA_A),
            (on_b.send.id, REPLICA_B),
        ]

        # A third process starting (no replica lock of its own) while both live: nothing.
        starter = PgStorage(pools[1])
        assert await starter.recover_campaigns() == []
        assert await starter.mark_in_flight_unknown() == []

        await dying.close()  # replica B is gone mid-call
        (recovered,) = await starter.recover_campaigns()
        assert (recovered.campaign.id, recovered.unknown_chunks, recovered.unknown_recipients) == (
            campaign_id,
            1,
            2,
        )
        assert await starter.recover_campaigns() == []
        assert await starter.mark_in_flight_unknown() == []  # the chunk's send is done with
        gone = await starter.get_send(on_b.send.id)
        assert gone is not None and gone.status is SendStatus.UNKNOWN

        # Replica A's chunk is still its own: in flight, its send submitting, finished by A.
        still = await starter.get_send(on_a.send.id)
        assert still is not None and still.status is SendStatus.SUBMITTING
        assert [c for c, _ in await starter.pending_chunks(campaign_id, 10)] == [2, 3]
        await a.record_send_failure(on_a.send.id, error="refused")
        finished = await a.finish_chunk(campaign_id, 0)
        assert finished.status is CampaignStatus.RUNNING
        progress = await a.campaign_progress(campaign_id)
        assert progress.chunks_done == 2 and progress.chunk_count == 4
    finally:
        await alive.close()
        await dying.close()
