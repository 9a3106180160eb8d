"""schedule_jobs: every job with max_instances=1 and coalesce, one set per account; a delivery
tick that comes while its account's cycle still runs is skipped, starts no second cycle, and
logs no APScheduler warning (other jobs' skips still warn)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, JobEvent
from held_provider import HeldProvider
from telegram.ext import Application, ContextTypes

from bot.config import Config
from bot.context import Account, BotData
from bot.jobs.schedule import SCHEDULER_LOGGER, SKIP_MESSAGE, DeliveryTickSkips, schedule_jobs
from providers.base import DeliveryState, Receipt
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database
from storage.sqlite.leases import SqliteLeases

LINE = "10002188"
WAIT = 10.0

App = Application[Any, Any, Any, Any, BotData, Any]


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    """An application that is never started: only its JobQueue runs (nothing calls Telegram)."""
    config = Config.model_validate(
        {
            "telegram": {"token": "1:abc", "admins": [1], "admin_chat_id": -1},
            "accounts": [
                {
                    "name": "meli",
                    "provider": "payamak",
                    "username": "u",
                    "password": "p",
                    "lines": [LINE],
                }
            ],
            # A tick every 0.2 s, so a held cycle sees several ticks come and go.
            "polling": {"delivery": 0.2},
        }
    )
    application: App = (
        Application.builder().token("1:abc").context_types(ContextTypes(bot_data=BotData)).build()
    )
    db = await open_database(tmp_path / "db.sqlite3")
    data = application.bot_data
    data.config = config
    data.db = db
    data.repo = SqliteStorage(db)
    data.leases = SqliteLeases()
    data.accounts = {"meli": Account(config.accounts[0], HeldProvider())}
    try:
        yield application
    finally:
        await db.close()


def test_every_job_runs_one_instance_at_a_time_and_coalesces(app: App) -> None:
    assert app.job_queue is not None
    schedule_jobs(app.job_queue, app.bot_data)
    jobs = app.job_queue.jobs()
    assert {j.name for j in jobs} == {
        "inbox:meli",
        "delivery:meli",
        "credit:meli",
        "forward",
        "confirmations",
        "scheduled",
        "campaigns",
        "campaign-progress",
    }
    for job in jobs:
        assert (job.name, job.job.max_instances, job.job.coalesce) == (job.name, 1, True)


async def test_a_delivery_tick_during_a_running_cycle_is_skipped_without_a_warning(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    queue, data = app.job_queue, app.bot_data
    assert queue is not None
    held = data.accounts["meli"].provider
    assert isinstance(held, HeldProvider)
    send, _ = await data.repo.create_send(
        idempotency_key="k",
        account="meli",
        line=LINE,
        text="t",
        chat_id=-1,
        requested_by=1,
        recipients=["+989121112222"],
    )
    due = datetime.now(UTC) - timedelta(seconds=1)
    await data.repo.record_send_result(send.id, [Receipt("+989121112222", "1")], next_poll_at=due)
    schedule_jobs(queue, data)
    [delivery] = queue.get_jobs_by_name("delivery:meli")
    skips: list[JobEvent] = []
    two_skipped, cycle_done = asyncio.Event(), asyncio.Event()

    def on_event(event: JobEvent) -> None:
        if event.job_id != delivery.job.id:
            return
        if event.code == EVENT_JOB_MAX_INSTANCES:
            skips.append(event)
            if len(skips) >= 2:
                two_skipped.set()
        elif held.release.is_set():
            cycle_done.set()

    queue.scheduler.add_listener(on_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_EXECUTED)
    caplog.set_level(logging.WARNING, logger="apscheduler")
    await queue.start()
    try:
        await asyncio.wait_for(held.asked.wait(), WAIT)
        await asyncio.wait_for(two_skipped.wait(), WAIT)  # ticks came while the cycle ran
        held.release.set()
        await asyncio.wait_for(cycle_done.wait(), WAIT)
    finally:
        await queue.stop()
    assert held.status_calls == 1, "no second cycle of the same recipients"
    [recipient] = await data.repo.get_recipients(send.id)
    assert recipient.state is DeliveryState.DELIVERED and recipient.polls == 1
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("apscheduler")]
    assert warnings == []


def test_only_the_delivery_ticks_skip_quietly(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger(SCHEDULER_LOGGER)
    quiet = DeliveryTickSkips()
    logger.addFilter(quiet)
    try:
        with caplog.at_level(logging.WARNING, logger="apscheduler"):
            for name in ("delivery:meli", "inbox:meli", "forward", "confirmations"):
                logger.warning(SKIP_MESSAGE, SimpleNamespace(name=name), 1)
            logger.warning('Run time of job "%s" was missed by %s', "delivery:meli", "0:00:01")
    finally:
        logger.removeFilter(quiet)
    assert [r.getMessage() for r in caplog.records] == [
        "Execution of job \"namespace(name='inbox:meli')\" skipped: maximum number of running "
        "instances reached (1)",
        "Execution of job \"namespace(name='forward')\" skipped: maximum number of running "
        "instances reached (1)",
        "Execution of job \"namespace(name='confirmations')\" skipped: maximum number of running "
        "instances reached (1)",
        'Run time of job "delivery:meli" was missed by 0:00:01',
    ]
