"""The one place every job is registered on PTB's JobQueue, each with `max_instances=1` and
`coalesce` (`JOB_KWARGS`): one set of polling jobs per account, forwarding and confirmations."""

from __future__ import annotations

import logging

from telegram.ext import JobQueue

from bot.account.jobs import check_credit
from bot.campaigns.jobs import PROGRESS_INTERVAL, WORKER_INTERVAL, run_campaigns, show_campaigns
from bot.context import BotData, Context
from bot.delivery.jobs import (
    CONFIRMATION_INTERVAL,
    DELIVERY_TICK,
    poll_deliveries,
    update_confirmations,
)
from bot.forwarding.jobs import FORWARD_INTERVAL, forward_incoming
from bot.inbox.jobs import poll_inbox
from bot.jobs.replicas import IN_FLIGHT_INTERVAL, take_over_in_flight
from bot.jobs.runner import JOB_KWARGS
from bot.schedule.jobs import run_scheduled
from bot.schedule.service import SCHEDULE_TICK
from bot.webhooks.jobs import WEBHOOK_INTERVAL, send_webhooks

# APScheduler's words when a job comes due while its previous run still goes on (a
# WARNING on this logger, the job and max_instances as its arguments).
SCHEDULER_LOGGER = "apscheduler.scheduler"
SKIP_MESSAGE = 'Execution of job "%s" skipped: maximum number of running instances reached (%d)'
DELIVERY_JOB = "delivery"  # the kind of the delivery ticks: their names are delivery:<account>


class DeliveryTickSkips(logging.Filter):
    """Drops APScheduler's skip warning for the delivery ticks, and only for them.

    The delivery job ticks every second so a due recipient is asked at once, and a cycle (a
    big Payamak send is one call per recipient) can last much longer; a tick meanwhile has
    nothing to do, since the running cycle takes whatever is due. Its skip is the design, not
    a fault; any other job's skip still warns.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """False for exactly the skip warning of a delivery tick."""
        if record.msg != SKIP_MESSAGE or not isinstance(record.args, tuple) or not record.args:
            return True
        name = getattr(record.args[0], "name", None)
        return not (isinstance(name, str) and name.startswith(f"{DELIVERY_JOB}:"))


_DELIVERY_TICK_SKIPS = DeliveryTickSkips()


def schedule_jobs(queue: JobQueue[Context], data: BotData) -> None:
    """Register every job on the JobQueue, one set per account."""
    polling = data.config.polling
    tick = min(DELIVERY_TICK, polling.delivery)
    per_account = (
        (poll_inbox, "inbox", polling.inbox, min(1.0, polling.inbox)),
        (poll_deliveries, DELIVERY_JOB, tick, tick),
        (check_credit, "credit", polling.credit, 1.0),
    )
    # addFilter adds one instance once, however many applications are built in a process.
    logging.getLogger(SCHEDULER_LOGGER).addFilter(_DELIVERY_TICK_SKIPS)
    for name in data.accounts:
        for callback, kind, interval, first in per_account:
            queue.run_repeating(
                callback,
                interval,
                first=first,
                data=name,
                name=f"{kind}:{name}",
                job_kwargs=JOB_KWARGS,
            )
    # Forwarding and edits run at least as often as the polls that feed them.
    queue.run_repeating(
        forward_incoming,
        min(FORWARD_INTERVAL, polling.inbox),
        first=0.5,
        name="forward",
        job_kwargs=JOB_KWARGS,
    )
    if data.config.storage.is_postgres:
        # Replicas: a dead one's in-flight sends are marked unknown by another.
        queue.run_repeating(
            take_over_in_flight,
            IN_FLIGHT_INTERVAL,
            first=IN_FLIGHT_INTERVAL,
            name="in_flight",
            job_kwargs=JOB_KWARGS,
        )
    queue.run_repeating(
        update_confirmations,
        min(CONFIRMATION_INTERVAL, polling.delivery),
        first=1,
        name="confirmations",
        job_kwargs=JOB_KWARGS,
    )
    # Scheduled sends: the first run at start sends what came due while the bridge was down.
    queue.run_repeating(
        run_scheduled, SCHEDULE_TICK, first=1, name="scheduled", job_kwargs=JOB_KWARGS
    )
    # Campaigns: the worker's turn, and their progress messages (edited at most every 3 s).
    queue.run_repeating(
        run_campaigns, WORKER_INTERVAL, first=1, name="campaigns", job_kwargs=JOB_KWARGS
    )
    queue.run_repeating(
        show_campaigns,
        PROGRESS_INTERVAL,
        first=PROGRESS_INTERVAL,
        name="campaign-progress",
        job_kwargs=JOB_KWARGS,
    )
    if data.webhook_sender is not None:
        queue.run_repeating(
            send_webhooks, WEBHOOK_INTERVAL, first=0.2, name="webhooks", job_kwargs=JOB_KWARGS
        )
