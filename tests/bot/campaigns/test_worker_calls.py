"""How the campaign worker spreads a campaign over provider calls: never more than `parallel`
calls at once, the next chunk marked (stored in flight) while they are out so its call goes the
moment one returns, and every chunk sent once. The provider is a fake at the boundary whose
calls wait until the test answers them; SQLite is real."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from held_provider import HeldProvider

from bot.campaigns.service import CampaignWorker, pause_campaign
from providers.base import Receipt, SendResult, SmsProvider
from storage.models import CampaignRecipientInput, CampaignStatus
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

PARALLEL = 3
CHUNKS = 8
PER_CHUNK = 2


class GatedProvider(HeldProvider):
    """Each send waits until the test answers it; counts the calls out at once."""

    provider_name = "gated"

    def __init__(self) -> None:
        super().__init__()
        self.out: list[tuple[list[str], asyncio.Future[None]]] = []
        self.most_at_once = 0
        self.sent: list[str] = []
        self.changed = asyncio.Event()

    async def send(
        self,
        line: str,
        recipients: Sequence[str],
        text: str,
        *,
        at: datetime | None = None,
        flash: bool = False,
    ) -> SendResult:
        answer: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        call = (list(recipients), answer)
        self.out.append(call)
        self.most_at_once = max(self.most_at_once, len(self.out))
        self.changed.set()
        try:
            await answer
        finally:
            self.out.remove(call)
        self.sent += recipients
        return SendResult(tuple(Receipt(n, message_id=f"m{n}") for n in recipients))

    async def wait_for(self, calls: int) -> None:
        """Until exactly `calls` calls are out."""
        while len(self.out) != calls:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 5)

    def answer_oldest(self) -> None:
        """Let the call out longest (and not answered yet) return."""
        next(answer for _, answer in self.out if not answer.done()).set_result(None)


@dataclass(frozen=True)
class GatedAccount:
    """An account as campaigns see it."""

    name: str
    provider: SmsProvider
    part_limit: int | None = None
    max_per_minute: int | None = None
    daily_limit: int = 0


class NoAlerts:
    """None is expected; one would fail the test."""

    async def alert(self, key: str, text_key: str, /, **values: object) -> bool:
        raise AssertionError(f"unexpected alert {key}")


@dataclass
class Store:
    repo: SqliteStorage
    path: Path

    def in_flight(self, campaign_id: int) -> int:
        """Chunks of the campaign marked in flight, read from the file as another reader."""
        with sqlite3.connect(self.path) as db:
            row = db.execute(
                "SELECT count(*) FROM campaign_chunks WHERE campaign_id = ?"
                " AND state = 'in_flight'",
                (campaign_id,),
            ).fetchone()
        return int(row[0])


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    path = tmp_path / "bridge.sqlite3"
    conn = await open_database(path)
    try:
        yield Store(SqliteStorage(conn), path)
    finally:
        await conn.close()


async def _running_campaign(repo: SqliteStorage) -> tuple[int, list[CampaignRecipientInput]]:
    recipients = [
        CampaignRecipientInput(i + 2, f"+98912{i:07d}", "hi", 1, i // PER_CHUNK)
        for i in range(CHUNKS * PER_CHUNK)
    ]
    campaign, _ = await repo.create_campaign(
        idempotency_key="k",
        account="gated",
        line="1000",
        chat_id=-100,
        requested_by=7,
        file_name="list.csv",
        template="hi",
        recipients=recipients,
    )
    await repo.change_campaign_status(
        campaign.id, CampaignStatus.RUNNING, expect=[CampaignStatus.DRAFT]
    )
    return campaign.id, recipients


def _worker(repo: SqliteStorage, provider: GatedProvider) -> CampaignWorker:
    return CampaignWorker(
        repo,
        NoAlerts(),
        {"gated": GatedAccount("gated", provider)},
        clock=lambda: datetime.now(UTC),
        quiet_hours=None,
        poll_delay=10.0,
        parallel=PARALLEL,
    )


async def _marked_ahead(store: Store, campaign_id: int, provider: GatedProvider) -> None:
    """Until the calls are all out and one chunk more is marked in flight."""
    await provider.wait_for(PARALLEL)
    for _ in range(100):
        if store.in_flight(campaign_id) == PARALLEL + 1:
            break
        await asyncio.sleep(0.01)
    assert store.in_flight(campaign_id) == PARALLEL + 1
    assert len(provider.out) == PARALLEL


async def _answer_all(provider: GatedProvider, turn: asyncio.Task[object]) -> None:
    while not turn.done():
        if any(not answer.done() for _, answer in provider.out):
            provider.answer_oldest()
        await asyncio.sleep(0.005)


async def test_parallel_calls_at_most_and_the_next_chunk_marked_while_they_are_out(
    store: Store,
) -> None:
    repo = store.repo
    campaign_id, recipients = await _running_campaign(repo)
    provider = GatedProvider()
    turn = asyncio.create_task(_worker(repo, provider).run_once())
    # Three calls out, a fourth chunk already marked in flight, waiting for a free call.
    await _marked_ahead(store, campaign_id, provider)
    # One returns: the marked chunk's call goes, still three at once.
    provider.answer_oldest()
    await provider.wait_for(PARALLEL)
    await _answer_all(provider, turn)
    assert (await turn)[campaign_id].chunks_sent == CHUNKS
    assert provider.most_at_once == PARALLEL
    assert sorted(provider.sent) == sorted(r.recipient for r in recipients)  # each once
    done = await repo.get_campaign(campaign_id)
    assert done is not None and done.status is CampaignStatus.DONE


async def test_a_pause_stops_the_chunk_marked_ahead_before_its_call(store: Store) -> None:
    repo = store.repo
    campaign_id, recipients = await _running_campaign(repo)
    provider = GatedProvider()
    turn = asyncio.create_task(_worker(repo, provider).run_once())
    await _marked_ahead(store, campaign_id, provider)
    assert await pause_campaign(repo, campaign_id) is not None
    await _answer_all(provider, turn)
    await turn
    # The three calls out finished; the chunk marked ahead went back unsent, nothing after it.
    assert sorted(provider.sent) == sorted(r.recipient for r in recipients[: PARALLEL * PER_CHUNK])
    assert store.in_flight(campaign_id) == 0
    paused = await repo.get_campaign(campaign_id)
    assert paused is not None and paused.status is CampaignStatus.PAUSED
    pending = await repo.pending_chunks(campaign_id, CHUNKS)
    assert [chunk for chunk, _ in pending] == list(range(PARALLEL, CHUNKS))
