"""The campaign service with no Telegram: the real adapters against both simulators, SQLite,
and a clock the test moves. Preview counts, per-row texts on the wire, grouping by text on
Payamak, the blacklist, pause/resume/cancel, provider limits, quiet hours and the throttle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
from sim_support import serve_simulator

from bot.campaigns.files import CampaignFile, RenderedCampaign, read_campaign_file, render_campaign
from bot.campaigns.service import (
    CampaignWorker,
    NothingToSend,
    Preview,
    cancel_campaign,
    pause_campaign,
    prepare_campaign,
    resume_campaign,
    start_campaign,
)
from bot.throttle.service import Window
from providers.base import SmsProvider
from providers.http import HttpSettings
from providers.payamak import PayamakProvider
from providers.raygansms import RayganSmsProvider
from sandbox.faults import FaultKind
from sandbox.payamak import PayamakSimulator
from sandbox.raygansms import RayganSimulator
from sandbox.server import PAYAMAK_API, RAYGAN_API
from storage.models import CampaignStatus
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

FAST = HttpSettings(backoff_base=0.0, read_attempts=1)
RAYGAN_LINE, PAYAMAK_LINE = "50002910001080", "10002188"
# 23:00 in Tehran (UTC+3:30) on 2026-11-22
TEHRAN_23 = datetime(2026, 11, 22, 19, 30, tzinfo=UTC)
TEHRAN_NOON = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)


class MovedClock:
    """A clock that only moves when the test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordedAlerts:
    """An alert sink that keeps what it was asked to post."""

    def __init__(self) -> None:
        self.alerts: list[tuple[str, str]] = []

    async def alert(self, key: str, text_key: str, /, **values: object) -> bool:
        self.alerts.append((key, text_key))
        return True


@dataclass(frozen=True)
class SimAccount:
    """A configured account as campaigns see it."""

    name: str
    provider: SmsProvider
    part_limit: int | None
    max_per_minute: int | None = None
    daily_limit: int = 0


@dataclass
class Setup:
    repo: SqliteStorage
    raygan_sim: RayganSimulator
    payamak_sim: PayamakSimulator
    raygan: SimAccount
    payamak: SimAccount
    alerts: RecordedAlerts
    clock: MovedClock

    def worker(self, account: SimAccount, quiet: Window | None = None) -> CampaignWorker:
        return CampaignWorker(
            self.repo,
            self.alerts,
            {account.name: account},
            clock=self.clock,
            quiet_hours=quiet,
            poll_delay=10.0,
        )


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    raygan_sim, payamak_sim = RayganSimulator(), PayamakSimulator()
    conn = await open_database(tmp_path / "bridge.sqlite3")
    async with (
        serve_simulator(raygan_sim) as raygan_server,
        serve_simulator(payamak_sim) as payamak_server,
        aiohttp.ClientSession() as session,
    ):
        raygan = RayganSmsProvider(
            session,
            base_url=raygan_server.url + RAYGAN_API,
            username="demo",
            password="demo",
            settings=FAST,
        )
        payamak = PayamakProvider(
            session,
            base_url=payamak_server.url + PAYAMAK_API,
            username="demo",
            password="demo",
            settings=FAST,
        )
        try:
            yield Setup(
                SqliteStorage(conn),
                raygan_sim,
                payamak_sim,
                SimAccount("raygan", raygan, 10),
                SimAccount("meli", payamak, None),
                RecordedAlerts(),
                MovedClock(TEHRAN_NOON),
            )
        finally:
            await conn.close()


def _file(rows: list[list[str]]) -> CampaignFile:
    data = "\n".join(",".join(row) for row in rows).encode()
    result = read_campaign_file("list.csv", data, max_rows=1000)
    assert isinstance(result, CampaignFile)
    return result


def _render(file: CampaignFile, template: str | None, suffix: str = "") -> RenderedCampaign:
    rendered = render_campaign(file, template, suffix=suffix, part_limit=10)
    assert isinstance(rendered, RenderedCampaign)
    return rendered


NAMES = [
    ["mobile", "name"],
    ["09121111111", "Ali"],
    ["09122222222", "Sara"],
    ["09121111111", "Ali again"],
    ["0912", "short"],
    ["09123333333", "Reza"],
]


async def _preview(
    setup: Setup,
    account: SimAccount,
    rows: list[list[str]] = NAMES,
    template: str | None = "Hi {name}",
    suffix: str = "",
    key: str = "k1",
) -> Preview:
    file = _file(rows)
    line = RAYGAN_LINE if account.provider is setup.raygan.provider else PAYAMAK_LINE
    preview = await prepare_campaign(
        setup.repo,
        account,
        line=line,
        file=file,
        file_name="list.csv",
        rendered=_render(file, template, suffix),
        template=template,
        opted_out=(),
        idempotency_key=key,
        chat_id=-100,
        user_id=7,
    )
    assert isinstance(preview, Preview)
    return preview


async def test_the_preview_counts_and_prices_without_sending(setup: Setup) -> None:
    setup.raygan_sim.blacklist.add("09122222222")
    preview = await _preview(setup, setup.raygan)
    assert (preview.rows_read, preview.valid, preview.invalid_count, preview.duplicates) == (
        5,
        3,
        1,
        1,
    )
    assert [(i.row, i.raw) for i in preview.invalid] == [(5, "0912")]
    assert (preview.blacklisted, preview.blacklist_checked, preview.to_send) == (1, True, 2)
    assert (preview.parts_per_message, preview.total_parts) == ((1, 1), 2)
    en_price = setup.raygan_sim.accounts["demo"].en_price
    assert preview.cost == Decimal(2 * en_price)
    assert preview.credit == Decimal(setup.raygan_sim.accounts["demo"].credit)
    assert preview.enough_credit
    assert preview.example == "Hi Ali"
    assert preview.campaign.status is CampaignStatus.DRAFT
    assert setup.raygan_sim.sent == []


async def test_payamak_has_no_blacklist_check_and_prices_with_its_base_price(
    setup: Setup,
) -> None:
    preview = await _preview(setup, setup.payamak, template="سلام {name}")
    assert (preview.blacklist_checked, preview.blacklisted, preview.to_send) == (False, 0, 3)
    assert preview.cost == Decimal(3 * setup.payamak_sim.base_price)


async def test_not_enough_credit_is_shown(setup: Setup) -> None:
    setup.raygan_sim.accounts["demo"].credit = 1
    preview = await _preview(setup, setup.raygan)
    assert preview.credit == Decimal(1) and not preview.enough_credit


async def test_every_number_blacklisted_is_nothing_to_send(setup: Setup) -> None:
    setup.raygan_sim.blacklist.update({"09121111111", "09122222222", "09123333333"})
    file = _file(NAMES)
    result = await prepare_campaign(
        setup.repo,
        setup.raygan,
        line=RAYGAN_LINE,
        file=file,
        file_name="list.csv",
        rendered=_render(file, "Hi {name}"),
        template="Hi {name}",
        opted_out=(),
        idempotency_key="k",
        chat_id=-100,
        user_id=7,
    )
    assert result == NothingToSend(3, 0)


async def test_raygan_gets_each_rows_own_text_once(setup: Setup) -> None:
    setup.raygan_sim.blacklist.add("09122222222")
    preview = await _preview(setup, setup.raygan, suffix="لغو11")
    assert await start_campaign(setup.repo, preview.campaign.id) is not None
    await setup.worker(setup.raygan).run_once()
    sent = sorted((s.method, s.mobile, s.text) for s in setup.raygan_sim.sent)
    assert sent == [
        ("SendCorrespondingMessage", "09121111111", "Hi Ali\nلغو11"),
        ("SendCorrespondingMessage", "09123333333", "Hi Reza\nلغو11"),
    ]
    campaign = await setup.repo.get_campaign(preview.campaign.id)
    assert campaign is not None and campaign.status is CampaignStatus.DONE
    report = await setup.repo.campaign_report(preview.campaign.id)
    assert [(r.row_number, r.outcome) for r in report] == [
        (2, "sent"),
        (3, "skipped:blacklisted"),
        (6, "sent"),
    ]
    await setup.worker(setup.raygan).run_once()
    assert len(setup.raygan_sim.sent) == 2  # nothing twice


async def test_payamak_sends_one_sendsms_per_distinct_text_with_the_suffix(
    setup: Setup,
) -> None:
    setup.payamak_sim.require_opt_out = True
    rows = [["mobile", "text"]] + [[f"0912{i:07d}", "A" if i % 2 else "B"] for i in range(250)]
    preview = await _preview(setup, setup.payamak, rows=rows, template=None, suffix="لغو11")
    await start_campaign(setup.repo, preview.campaign.id)
    await setup.worker(setup.payamak).run_once()
    calls = [(s.text, len(s.to)) for s in setup.payamak_sim.sent]
    # Texts in order of first appearance; at most 100 numbers a call; never code 15.
    assert calls == [("B\nلغو11", 100), ("B\nلغو11", 25), ("A\nلغو11", 100), ("A\nلغو11", 25)]
    progress = await setup.repo.campaign_progress(preview.campaign.id)
    assert progress.waiting == 0 and sum(progress.states.values()) == 250


async def test_without_the_suffix_payamak_refuses_several_recipients(setup: Setup) -> None:
    setup.payamak_sim.require_opt_out = True
    rows = [["mobile"], ["09121111111"], ["09122222222"]]
    preview = await _preview(setup, setup.payamak, rows=rows, template="hello")
    await start_campaign(setup.repo, preview.campaign.id)
    await setup.worker(setup.payamak).run_once()
    assert setup.payamak_sim.sent == []
    report = await setup.repo.campaign_report(preview.campaign.id)
    assert {r.outcome for r in report} == {"failed"}


async def test_payamak_limit_codes_pause_and_alert_then_resume_sends_each_once(
    setup: Setup,
) -> None:
    rows = [["mobile", "text"]] + [[f"0912{i:07d}", f"t{i % 3}"] for i in range(9)]
    preview = await _preview(setup, setup.payamak, rows=rows, template=None)
    await start_campaign(setup.repo, preview.campaign.id)
    setup.payamak_sim.faults.inject(FaultKind.ERROR_CODE, method="SendSMS", value=3, times=None)
    worker = setup.worker(setup.payamak)
    outcome = await worker.run_once()
    assert outcome[preview.campaign.id].paused == "rate_limit"
    campaign = await setup.repo.get_campaign(preview.campaign.id)
    assert campaign is not None
    assert (campaign.status, campaign.pause_reason) == (CampaignStatus.PAUSED, "rate_limit")
    assert ("campaign_paused:1:rate_limit", "alert.campaign_paused") in setup.alerts.alerts
    assert setup.payamak_sim.sent == []
    setup.payamak_sim.faults.clear()
    assert await worker.run_once() == {}  # paused: nothing runs
    await resume_campaign(setup.repo, preview.campaign.id)
    await worker.run_once()
    numbers = sorted(n for s in setup.payamak_sim.sent for n in s.to)
    assert numbers == sorted(f"0912{i:07d}" for i in range(9))
    campaign = await setup.repo.get_campaign(preview.campaign.id)
    assert campaign is not None and campaign.status is CampaignStatus.DONE


async def test_pause_and_cancel_take_effect_before_the_next_chunk(setup: Setup) -> None:
    preview = await _preview(setup, setup.raygan)
    campaign_id = preview.campaign.id
    await start_campaign(setup.repo, campaign_id)
    assert await pause_campaign(setup.repo, campaign_id) is not None
    await setup.worker(setup.raygan).run_once()
    assert setup.raygan_sim.sent == []
    assert await cancel_campaign(setup.repo, campaign_id) is not None
    assert await resume_campaign(setup.repo, campaign_id) is None  # cancelled is final
    await setup.worker(setup.raygan).run_once()
    assert setup.raygan_sim.sent == []
    report = await setup.repo.campaign_report(campaign_id)
    assert {r.outcome for r in report} == {"not_sent"}


async def test_quiet_hours_hold_the_campaign_until_they_end(setup: Setup) -> None:
    setup.clock.now = TEHRAN_23
    preview = await _preview(setup, setup.raygan)
    await start_campaign(setup.repo, preview.campaign.id)
    worker = setup.worker(setup.raygan, quiet=((22, 0), (8, 0)))
    outcome = await worker.run_once()
    assert outcome[preview.campaign.id].waiting == "quiet_hours"
    campaign = await setup.repo.get_campaign(preview.campaign.id)
    assert campaign is not None and campaign.wait_reason == "quiet_hours"
    assert campaign.wait_until == datetime(2026, 11, 23, 4, 30, tzinfo=UTC)  # 08:00 Tehran
    assert setup.raygan_sim.sent == []
    setup.clock.now = datetime(2026, 11, 23, 4, 29, tzinfo=UTC)
    await worker.run_once()
    assert setup.raygan_sim.sent == []
    setup.clock.now = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    await worker.run_once()
    assert len(setup.raygan_sim.sent) == 3
    campaign = await setup.repo.get_campaign(preview.campaign.id)
    assert campaign is not None and campaign.wait_reason is None


async def test_the_per_minute_throttle_makes_the_campaign_wait_for_the_next_minute(
    setup: Setup,
) -> None:
    throttled = SimAccount("raygan", setup.raygan.provider, 10, max_per_minute=2)
    rows = [["mobile"]] + [[f"0912{i:07d}"] for i in range(5)]
    preview = await _preview(setup, throttled, rows=rows, template="hi")
    assert preview.campaign.chunk_count == 3  # no call carries more than a minute's worth
    await start_campaign(setup.repo, preview.campaign.id)
    # Another send of the account already used one of this minute's two.
    assert await setup.repo.reserve_usage("raygan", 1, [("m:2026-11-22T08:30", 2)]) is None
    worker = setup.worker(throttled)
    outcome = await worker.run_once()
    assert outcome[preview.campaign.id].waiting == "throttle"
    assert setup.raygan_sim.sent == []
    setup.clock.advance(60)
    outcome = await worker.run_once()
    assert (outcome[preview.campaign.id].chunks_sent, len(setup.raygan_sim.sent)) == (1, 2)
    campaign = await setup.repo.get_campaign(preview.campaign.id)
    assert campaign is not None and campaign.wait_reason == "throttle"
    assert campaign.wait_until == datetime(2026, 11, 22, 8, 32, tzinfo=UTC)
    setup.clock.advance(60)
    await worker.run_once()
    setup.clock.advance(60)
    await worker.run_once()
    assert len(setup.raygan_sim.sent) == 5


async def test_the_daily_limit_waits_for_the_next_tehran_day(setup: Setup) -> None:
    capped = SimAccount("raygan", setup.raygan.provider, 10, daily_limit=3)
    rows = [["mobile"]] + [[f"0912{i:07d}"] for i in range(5)]
    preview = await _preview(setup, capped, rows=rows, template="hi")
    await start_campaign(setup.repo, preview.campaign.id)
    worker = setup.worker(capped)
    await worker.run_once()
    assert len(setup.raygan_sim.sent) == 3
    campaign = await setup.repo.get_campaign(preview.campaign.id)
    assert campaign is not None and campaign.wait_reason == "daily_limit"
    assert campaign.wait_until == datetime(2026, 11, 22, 20, 30, tzinfo=UTC)  # Tehran midnight
    setup.clock.now = datetime(2026, 11, 22, 20, 30, tzinfo=UTC)
    await worker.run_once()
    assert len(setup.raygan_sim.sent) == 5


async def test_a_scheduled_campaign_does_not_start_before_its_time(setup: Setup) -> None:
    preview = await _preview(setup, setup.raygan)
    at = TEHRAN_NOON + timedelta(hours=2)
    await start_campaign(setup.repo, preview.campaign.id, not_before=at)
    await setup.worker(setup.raygan).run_once()
    assert setup.raygan_sim.sent == []
    setup.clock.now = at
    await setup.worker(setup.raygan).run_once()
    assert len(setup.raygan_sim.sent) == 3
