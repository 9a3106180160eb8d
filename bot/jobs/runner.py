"""How every account job runs: the JobQueue options, and failure counting per account and job.

Each account has its own polling jobs, so one failing account never stops the others; its
consecutive failures are counted in SQLite, and the admins are told on the Nth and on recovery.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

from bot.alerts.admin_chat import alert_provider_error, send_alert
from bot.context import Account, Context
from bot.texts import t
from providers.base import ErrorCategory, ProviderError

log = logging.getLogger(__name__)

# A job that keeps succeeding records it at most this often (seconds): an idle poll writes
# nothing else either.
HEALTH_HEARTBEAT = 60.0

# House rule: one instance of a job at a time, missed runs coalesced into one, never dropped.
JOB_KWARGS: Final[dict[str, Any]] = {
    "max_instances": 1,
    "coalesce": True,
    "misfire_grace_time": None,
}


def account_of(context: Context) -> Account:
    """The account an account job was scheduled for (its job data is the account's name)."""
    job = context.job
    assert job is not None and isinstance(job.data, str)
    return context.bot_data.accounts[job.data]


async def run_for_account(
    context: Context, account: Account, job: str, work: Callable[[], Awaitable[None]]
) -> None:
    """Run one account's job, counting consecutive failures and alerting on N and recovery."""
    data = context.bot_data
    if not await data.leases.lead(job, account.name):
        return  # another replica polls this account (PostgreSQL); it counts the failures
    threshold = data.config.alerts.failures_before_alert
    try:
        await work()
    except ProviderError as error:
        data.poll_successes.pop((account.name, job), None)
        count = await data.repo.record_poll_failure(account.name, job)
        log.warning("%s of %s failed (%d in a row): %s", job, account.name, count, error)
        if error.category in (ErrorCategory.AUTH, ErrorCategory.CREDIT, ErrorCategory.RATE_LIMIT):
            await alert_provider_error(data, context.bot, account.name, error)
        elif count >= threshold:
            await send_alert(
                data,
                context.bot,
                f"poll_failing:{account.name}:{job}",
                "alert.poll_failing",
                job=t(data.config.telegram.language, f"job.{job}"),
                account=account.name,
                count=count,
                reason=error,
            )
        return
    key = (account.name, job)
    now = time.monotonic()
    last = data.poll_successes.get(key)
    if last is not None and now - last < HEALTH_HEARTBEAT:
        # No failure since the success recorded then: nothing to write (`sms-bridge health`
        # allows two intervals plus minutes, so one record a heartbeat says "alive" enough).
        return
    previous = await data.repo.record_poll_success(account.name, job)
    data.poll_successes[key] = now
    if previous >= threshold:
        await send_alert(
            data,
            context.bot,
            f"poll_recovered:{account.name}:{job}",
            "alert.poll_recovered",
            job=t(data.config.telegram.language, f"job.{job}"),
            account=account.name,
        )
