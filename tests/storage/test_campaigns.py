"""Campaigns: stored whole, chunks marked before their call and made sends, recovered after a
crash as unknown (never resent), paused, counted; per-account usage for throttles."""

from __future__ import annotations

from pathlib import Path

import pytest
from storage_backends import Backend, StorageProbe, apply_delivery

from providers.base import DeliveryState, Receipt
from storage.base import Storage
from storage.errors import NotFoundError
from storage.models import (
    CampaignRecipientInput,
    CampaignStatus,
    SendStatus,
)


def _recipients(count: int, chunk_size: int, skipped: int = 0) -> list[CampaignRecipientInput]:
    items = [
        CampaignRecipientInput(i + 2, f"+98912{i:07d}", f"hi {i}", 1, i // chunk_size)
        for i in range(count)
    ]
    items += [
        CampaignRecipientInput(count + 2 + j, f"+98935{j:07d}", "x", 1, None, "blacklisted")
        for j in range(skipped)
    ]
    return items


async def _campaign(storage: Storage, count: int = 5, chunk_size: int = 2, skipped: int = 1) -> int:
    campaign, created = await storage.create_campaign(
        idempotency_key="chat:1:msg:9",
        account="raygan",
        line="50002910001080",
        chat_id=-100,
        requested_by=7,
        file_name="list.csv",
        template="hi {name}",
        recipients=_recipients(count, chunk_size, skipped),
    )
    assert created
    return campaign.id


async def _run(storage: Storage, campaign_id: int) -> None:
    started = await storage.change_campaign_status(
        campaign_id, CampaignStatus.RUNNING, expect=[CampaignStatus.DRAFT]
    )
    assert started is not None


async def test_a_campaign_is_stored_whole_as_a_draft_once_per_key(
    storage_backend: Storage,
) -> None:
    campaign_id = await _campaign(storage_backend)
    again, created = await storage_backend.create_campaign(
        idempotency_key="chat:1:msg:9",
        account="raygan",
        line="1",
        chat_id=-100,
        requested_by=7,
        file_name="other.csv",
        template=None,
        recipients=_recipients(1, 1),
    )
    assert (again.id, created, again.file_name) == (campaign_id, False, "list.csv")
    campaign = await storage_backend.get_campaign(campaign_id)
    assert campaign is not None
    assert (campaign.status, campaign.recipient_count, campaign.chunk_count) == (
        CampaignStatus.DRAFT,
        6,
        3,
    )
    progress = await storage_backend.campaign_progress(campaign_id)
    assert (progress.waiting, progress.skipped, progress.chunk_count) == (5, {"blacklisted": 1}, 3)
    # A draft sends nothing: no chunk can start before Send.
    assert await storage_backend.start_chunk(campaign_id, 0) is None


async def test_a_chunk_is_a_send_from_the_moment_it_is_marked(
    storage_backend: Storage, probe: StorageProbe
) -> None:
    campaign_id = await _campaign(storage_backend)
    await _run(storage_backend, campaign_id)
    assert [c for c, _ in await storage_backend.pending_chunks(campaign_id, 10)] == [0, 1, 2]
    started = await storage_backend.start_chunk(campaign_id, 0)
    assert started is not None
    assert started.messages == (("+989120000000", "hi 0"), ("+989120000001", "hi 1"))
    assert started.send.status is SendStatus.SUBMITTING
    assert await storage_backend.start_chunk(campaign_id, 0) is None  # marked once
    assert await storage_backend.campaign_of_send(started.send.id) == campaign_id
    assert [c for c, _ in await storage_backend.pending_chunks(campaign_id, 10)] == [1, 2]
    await storage_backend.record_send_result(
        started.send.id,
        [Receipt(n, message_id=f"m{i}") for i, (n, _) in enumerate(started.messages)],
        next_poll_at=started.send.created_at,
    )
    campaign = await storage_backend.finish_chunk(campaign_id, 0)
    assert campaign.status is CampaignStatus.RUNNING
    progress = await storage_backend.campaign_progress(campaign_id)
    assert (progress.states, progress.waiting, progress.chunks_done) == (
        {DeliveryState.SENT: 2},
        3,
        1,
    )
    # Delivery reports of the chunk's send flow into the campaign's counts.
    first = (await storage_backend.get_recipients(started.send.id))[0]
    assert await apply_delivery(
        storage_backend, first.id, DeliveryState.DELIVERED, "1", next_poll_at=None
    )
    progress = await storage_backend.campaign_progress(campaign_id)
    assert progress.states == {DeliveryState.SENT: 1, DeliveryState.DELIVERED: 1}


async def test_a_chunks_answer_and_its_close_are_stored_in_one_step(
    storage_backend: Storage,
) -> None:
    campaign_id = await _campaign(storage_backend, count=3, chunk_size=2, skipped=0)
    await _run(storage_backend, campaign_id)
    assert await storage_backend.pending_chunks(campaign_id, 10) == [(0, 2), (1, 1)]
    assert await storage_backend.pending_chunks(campaign_id, 1) == [(0, 2)]
    first = await storage_backend.start_chunk(campaign_id, 0)
    assert first is not None
    poll_at = first.send.created_at
    # A receipt for a number not in the chunk: refused, and nothing of it is written.
    with pytest.raises(ValueError, match="no recipient"):
        await storage_backend.record_chunk_result(
            campaign_id, 0, [Receipt("+989350000000", message_id="x")], next_poll_at=poll_at
        )
    send = await storage_backend.get_send(first.send.id)
    assert send is not None and send.status is SendStatus.SUBMITTING
    # One receipt of two: that one sent with its id, the other unknown (never resent).
    campaign = await storage_backend.record_chunk_result(
        campaign_id, 0, [Receipt("+989120000000", message_id="m0")], next_poll_at=poll_at
    )
    assert campaign.status is CampaignStatus.RUNNING
    send = await storage_backend.get_send(first.send.id)
    assert send is not None and send.status is SendStatus.SUBMITTED
    recipients = await storage_backend.get_recipients(first.send.id)
    assert [(r.recipient, r.state, r.provider_message_id) for r in recipients] == [
        ("+989120000000", DeliveryState.SENT, "m0"),
        ("+989120000001", DeliveryState.UNKNOWN, None),
    ]
    assert recipients[0].next_poll_at == poll_at and recipients[1].next_poll_at is None
    assert await storage_backend.pending_chunks(campaign_id, 10) == [(1, 1)]
    # A chunk that is not in flight, or is closed already, has no answer to store.
    for chunk in (0, 1):
        with pytest.raises(NotFoundError):
            await storage_backend.record_chunk_result(campaign_id, chunk, [], next_poll_at=poll_at)
    last = await storage_backend.start_chunk(campaign_id, 1)
    assert last is not None
    campaign = await storage_backend.record_chunk_result(
        campaign_id, 1, [Receipt("+989120000002", group_id="g1")], next_poll_at=poll_at
    )
    assert campaign.status is CampaignStatus.DONE
    progress = await storage_backend.campaign_progress(campaign_id)
    assert (progress.chunks_done, progress.waiting) == (2, 0)
    assert progress.states == {DeliveryState.SENT: 2, DeliveryState.UNKNOWN: 1}


async def test_the_last_chunk_finishes_the_campaign_and_the_report_has_everyone(
    storage_backend: Storage,
) -> None:
    campaign_id = await _campaign(storage_backend, count=3, chunk_size=2)
    await _run(storage_backend, campaign_id)
    for chunk in (0, 1):
        started = await storage_backend.start_chunk(campaign_id, chunk)
        assert started is not None
        if chunk == 0:
            await storage_backend.record_send_result(
                started.send.id,
                [Receipt(n, message_id="1") for n, _ in started.messages],
                next_poll_at=started.send.created_at,
            )
        else:
            await storage_backend.record_send_failure(started.send.id, error="refused")
        campaign = await storage_backend.finish_chunk(campaign_id, chunk)
    assert campaign.status is CampaignStatus.DONE
    report = await storage_backend.campaign_report(campaign_id)
    assert [(r.row_number, r.outcome) for r in report] == [
        (2, "sent"),
        (3, "sent"),
        (4, "failed"),
        (5, "skipped:blacklisted"),
    ]
    assert await storage_backend.claim_summary(campaign_id)
    assert not await storage_backend.claim_summary(campaign_id)
    # A summary that could not be posted is released: the next claim posts it, once.
    await storage_backend.release_summary(campaign_id)
    assert await storage_backend.claim_summary(campaign_id)
    assert not await storage_backend.claim_summary(campaign_id)


async def test_a_chunk_in_flight_at_a_crash_is_unknown_never_resent(
    backend: Backend, place: Path
) -> None:
    async with backend.open(place, None) as opened:
        storage = opened.storage
        campaign_id = await _campaign(storage)
        await _run(storage, campaign_id)
        done = await storage.start_chunk(campaign_id, 0)
        assert done is not None
        await storage.record_send_result(
            done.send.id,
            [Receipt(n, message_id="1") for n, _ in done.messages],
            next_poll_at=done.send.created_at,
        )
        # the process dies here, before finish_chunk: the chunk did go
        flying = await storage.start_chunk(campaign_id, 1)
        assert flying is not None
        # …and here during chunk 1's provider call
    async with backend.open(place, None) as opened:
        storage = opened.storage
        (recovered,) = await storage.recover_campaigns()
        assert (recovered.campaign.id, recovered.unknown_chunks, recovered.unknown_recipients) == (
            campaign_id,
            1,
            2,
        )
        assert await storage.recover_campaigns() == []
        assert await storage.mark_in_flight_unknown() == []  # one alert: the campaign's
        send = await storage.get_send(flying.send.id)
        assert send is not None and send.status is SendStatus.UNKNOWN
        assert [c for c, _ in await storage.pending_chunks(campaign_id, 10)] == [2]
        progress = await storage.campaign_progress(campaign_id)
        assert progress.states == {DeliveryState.SENT: 2, DeliveryState.UNKNOWN: 2}


async def test_a_released_chunk_waits_paused_and_goes_again_after_resume(
    storage_backend: Storage,
) -> None:
    campaign_id = await _campaign(storage_backend)
    await _run(storage_backend, campaign_id)
    started = await storage_backend.start_chunk(campaign_id, 0)
    assert started is not None
    paused = await storage_backend.release_chunk(
        campaign_id, 0, pause_reason="rate_limit", error="code 3"
    )
    assert (paused.status, paused.pause_reason) == (CampaignStatus.PAUSED, "rate_limit")
    assert await storage_backend.get_send(started.send.id) is None
    assert await storage_backend.start_chunk(campaign_id, 0) is None  # paused: nothing starts
    resumed = await storage_backend.change_campaign_status(
        campaign_id, CampaignStatus.RUNNING, expect=[CampaignStatus.PAUSED]
    )
    assert resumed is not None and resumed.pause_reason is None
    again = await storage_backend.start_chunk(campaign_id, 0)
    assert again is not None
    assert again.send.idempotency_key != started.send.idempotency_key
    assert again.messages == started.messages


async def test_status_changes_only_from_what_is_expected(storage_backend: Storage) -> None:
    campaign_id = await _campaign(storage_backend)
    assert (
        await storage_backend.change_campaign_status(
            campaign_id, CampaignStatus.PAUSED, expect=[CampaignStatus.RUNNING]
        )
        is None
    )
    cancelled = await storage_backend.change_campaign_status(
        campaign_id, CampaignStatus.CANCELLED, expect=[CampaignStatus.DRAFT]
    )
    assert cancelled is not None and cancelled.status is CampaignStatus.CANCELLED
    assert (
        await storage_backend.change_campaign_status(
            campaign_id,
            CampaignStatus.RUNNING,
            expect=[CampaignStatus.DRAFT, CampaignStatus.PAUSED],
        )
        is None
    )
    assert await storage_backend.runnable_campaigns(cancelled.updated_at) == []


async def test_a_wait_is_shown_and_cleared(storage_backend: Storage) -> None:
    campaign_id = await _campaign(storage_backend)
    await _run(storage_backend, campaign_id)
    campaign = await storage_backend.get_campaign(campaign_id)
    assert campaign is not None
    await storage_backend.set_campaign_wait(campaign_id, "quiet_hours", campaign.created_at)
    waiting = await storage_backend.get_campaign(campaign_id)
    assert waiting is not None
    assert (waiting.wait_reason, waiting.wait_until) == ("quiet_hours", campaign.created_at)
    await storage_backend.set_campaign_wait(campaign_id, None, None)
    cleared = await storage_backend.get_campaign(campaign_id)
    assert cleared is not None and cleared.wait_reason is None


@pytest.mark.parametrize("count", [1, 3])
async def test_usage_is_counted_only_within_every_limit(
    storage_backend: Storage, count: int
) -> None:
    limits = [("m:1", 5), ("d:1", 8)]
    assert await storage_backend.reserve_usage("raygan", count, limits) is None
    assert await storage_backend.usage("raygan", "m:1") == count
    assert await storage_backend.reserve_usage("raygan", 5, limits) == "m:1"
    assert await storage_backend.usage("raygan", "d:1") == count  # refused: nothing counted
    assert await storage_backend.reserve_usage("raygan", 5 - count, limits) is None
    assert await storage_backend.reserve_usage("raygan", 4, [("m:2", 5), ("d:1", 8)]) == "d:1"
    assert await storage_backend.reserve_usage("meli", 5, limits) is None  # per account


async def test_usage_survives_a_restart(backend: Backend, place: Path) -> None:
    async with backend.open(place, None) as opened:
        assert await opened.storage.reserve_usage("raygan", 4, [("m:1", 5)]) is None
    async with backend.open(place, None) as opened:
        assert await opened.storage.reserve_usage("raygan", 2, [("m:1", 5)]) == "m:1"
