"""Scheduled work on PTB's JobQueue: inbox polling and forwarding, delivery reports, credit.

Each account has its own polling jobs, so one failing account never stops the others; every
job runs with `max_instances=1` and `coalesce`, and keeps its progress in SQLite.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import JobQueue

from bot.access.handlers import language_of
from bot.alerts.admin_chat import alert_provider_error, send_alert
from bot.context import Account, BotData, Context
from bot.render import (
    digest,
    fits_digest,
    render_confirmation,
    render_digests,
    render_incoming,
)
from bot.texts import t
from providers.base import ErrorCategory, ProviderError, Receipt
from storage.models import DeliveryReport, IncomingMessage, SendRecipient

log = logging.getLogger(__name__)

JOB_KWARGS: Final = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
FORWARD_INTERVAL = 2.0  # seconds between forwarding rounds
CONFIRMATION_INTERVAL = 3.0  # edits are coalesced to at most one per send per round
DIGEST_THRESHOLD = 5  # a chat with a longer backlog gets digests instead of one message each
FORWARD_BATCH = 400  # pending forwards read per chat per round
DELIVERY_BATCH = 500  # recipients asked about per provider round trip batch
# How often the delivery job looks for due recipients: a report waits at most one schedule gap
# plus this (SPEC §7: shown within 15 s during a send's first minute, gaps there being 10 s).
DELIVERY_TICK = 1.0
FORWARD_PASSES = 3  # passes per round: SMS handed to another chat go in the same round
# A chat Telegram refuses for good is asked again after these waits (the last repeats): once
# a minute at first instead of every round (about 60 calls a minute), hourly in the end.
REFUSED_CHAT_BACKOFF = (60.0, 300.0, 900.0, 3600.0)
# Telegram's words for a 400 about the chat rather than the message.
_CHAT_GONE = (
    "chat not found",
    "group chat was deactivated",
    "chat_write_forbidden",
    "not enough rights to send",
    "have no rights to send",
    "peer_id_invalid",
)


# ---------------------------------------------------------------- account jobs


async def _run_for_account(
    context: Context, account: Account, job: str, work: Callable[[], Awaitable[None]]
) -> None:
    """Run one account's job, counting consecutive failures and alerting on N and recovery."""
    data = context.bot_data
    threshold = data.config.alerts.failures_before_alert
    try:
        await work()
    except ProviderError as error:
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
    previous = await data.repo.record_poll_success(account.name, job)
    if previous >= threshold:
        await send_alert(
            data,
            context.bot,
            f"poll_recovered:{account.name}:{job}",
            "alert.poll_recovered",
            job=t(data.config.telegram.language, f"job.{job}"),
            account=account.name,
        )


def _account_of(context: Context) -> Account:
    job = context.job
    assert job is not None and isinstance(job.data, str)
    return context.bot_data.accounts[job.data]


async def poll_inbox(context: Context) -> None:
    """Fetch each line's new SMS from its stored cursor and store them before forwarding."""
    account = _account_of(context)
    data = context.bot_data

    async def work() -> None:
        stored = 0
        for line in account.lines:
            cursor = await data.repo.get_cursor(account.name, line)
            batch = await account.provider.fetch_inbox(line, cursor)
            chats = await data.repo.chats_for_line(line) or [data.config.telegram.admin_chat_id]
            new = await data.repo.store_incoming(
                account.name, line, batch.messages, chat_ids=chats, cursor=batch.next_cursor
            )
            stored += len(new)
        if stored:
            log.info("inbox of %s: %d new SMS stored", account.name, stored)
            _forward_soon(context)

    await _run_for_account(context, account, "inbox", work)


def next_poll_at(data: BotData, polls: int, now: datetime) -> datetime | None:
    """When to ask again after the poll made with `polls` earlier ones; None once the schedule
    has run past the give-up age, which bounds the API calls one recipient can cost.

    The first poll came `[polling] delivery` after the send (`bot.sending.first_poll_at`); the
    waits after it are `[delivery] backoff_seconds` in turn, the last one repeating.
    """
    schedule = data.config.delivery.backoff_seconds
    gap = schedule[min(polls, len(schedule) - 1)]
    # Seconds from the send to this poll on the schedule (not the clock: a late run neither
    # adds polls nor takes any away).
    waited = (
        data.config.polling.delivery
        + sum(schedule[: min(polls, len(schedule))])
        + max(0, polls - len(schedule)) * schedule[-1]
    )
    if waited + gap > data.config.delivery.give_up_hours * 3600:
        return None
    return now + timedelta(seconds=gap)


async def poll_deliveries(context: Context) -> None:
    """Ask the provider about every recipient whose next poll is due; store what changed.

    Runs every DELIVERY_TICK so each recipient is asked when its schedule says, not up to a
    whole interval later; a tick with nothing due, or while this account's previous cycle
    still runs, reads one index entry and returns.
    """
    account = _account_of(context)
    data = context.bot_data
    lock = data.delivery_locks.setdefault(account.name, asyncio.Lock())
    if lock.locked() or not await data.repo.due_recipients(account.name, datetime.now(UTC), 1):
        return
    async with lock:
        await _poll_deliveries(context, account)


async def _poll_deliveries(context: Context, account: Account) -> None:
    data = context.bot_data

    async def work() -> None:
        now = datetime.now(UTC)
        polled = changed = 0
        # Every recipient due now is asked about in this run, a batch at a time; each batch
        # moves its recipients' next poll forward, so the loop ends.
        while due := await data.repo.due_recipients(account.name, now, DELIVERY_BATCH):
            receipts = {_receipt(r): r for r in due}
            updates = await account.provider.delivery_statuses(list(receipts))
            reported = {u.receipt: u for u in updates}
            reports = []
            for receipt, recipient in receipts.items():
                update = reported.get(receipt)
                state = update.state if update else recipient.state
                raw = update.raw_code if update else recipient.raw_code
                later = None if state.is_final else next_poll_at(data, recipient.polls, now)
                reports.append(DeliveryReport(recipient.id, state, raw, later))
            changed += await data.repo.apply_deliveries(reports)
            polled += len(due)
        if polled:
            log.info("deliveries of %s: %d polled, %d changed", account.name, polled, changed)
        if changed and context.job_queue is not None:
            # Show the new states now rather than at the next confirmations round.
            context.job_queue.run_once(
                update_confirmations, 0, name="confirmations-now", job_kwargs=JOB_KWARGS
            )

    await _run_for_account(context, account, "delivery", work)


def _receipt(recipient: SendRecipient) -> Receipt:
    return Receipt(
        recipient=recipient.recipient,
        message_id=recipient.provider_message_id,
        group_id=recipient.provider_group_id,
    )


async def check_credit(context: Context) -> None:
    """Alert when an account's credit is low or gone."""
    account = _account_of(context)
    data = context.bot_data

    async def work() -> None:
        credit = await account.provider.credit()
        threshold = account.config.credit_low
        if credit <= 0:
            await send_alert(
                data,
                context.bot,
                f"credit_out:{account.name}",
                "alert.credit_out",
                account=account.name,
            )
        elif threshold is not None and credit < threshold:
            await send_alert(
                data,
                context.bot,
                f"credit_low:{account.name}",
                "alert.credit_low",
                account=account.name,
                credit=f"{credit:,}",
                threshold=f"{threshold:,}",
            )

    await _run_for_account(context, account, "credit", work)


# ---------------------------------------------------------------- forwarding


def _forward_soon(context: Context) -> None:
    if context.job_queue is not None:
        context.job_queue.run_once(forward_incoming, 0, name="forward-now", job_kwargs=JOB_KWARGS)


async def forward_incoming(context: Context) -> None:
    """Post stored SMS to their chats, in order per chat, until Telegram accepts them.

    A chat whose backlog is longer than Telegram lets through quickly gets digests. A chat
    that fails for a while is left for the next round; the others go on. A chat Telegram
    refuses for good hands its SMS on and is asked again only after a backoff; a group
    upgraded to a supergroup is followed to its new id.
    """
    data = context.bot_data
    async with data.forward_lock:
        await _forward_pending(context.bot, data)


async def _forward_pending(bot: Bot, data: BotData) -> None:
    lang = data.config.telegram.language
    # SMS handed to another chat (or followed to a supergroup) go in the same round.
    for _ in range(FORWARD_PASSES):
        if not await _forward_pass(bot, data, lang):
            return


async def _forward_pass(bot: Bot, data: BotData, lang: str) -> bool:
    """One pass over the chats with SMS waiting; True if some SMS now wait for another chat."""
    moved = await data.repo.follow_migrations() > 0
    refused = await data.repo.refused_chats()
    now = datetime.now(UTC)
    for chat_id in await data.repo.pending_forward_chats():
        known = refused.get(chat_id)
        if known is not None and now < known.retry_at:
            # Backed off: not asked again yet; what came for it meanwhile goes elsewhere.
            moved |= await _hand_over(data, chat_id)
            continue
        try:
            await _forward_chat(bot, data, lang, chat_id)
        except ChatMigrated as exc:
            await _follow_upgrade(bot, data, chat_id, int(exc.new_chat_id))
            moved = True
            continue
        except RetryAfter as exc:
            log.warning("forwarding to %s paused by Telegram: %s", chat_id, exc)
            continue
        except (BadRequest, Forbidden) as exc:
            if isinstance(exc, Forbidden) or _chat_is_gone(exc):
                moved |= await _refused_for_good(bot, data, chat_id, exc)
            else:
                log.error("forwarding to %s refused: %s", chat_id, exc)
                await send_alert(
                    data,
                    bot,
                    f"forward_refused:{chat_id}",
                    "alert.error",
                    error=f"{chat_id}: {exc}",
                )
            continue
        except TelegramError as exc:
            log.warning("forwarding to %s failed, will retry: %s", chat_id, exc)
            continue
        if known is not None and await data.repo.clear_refusal(chat_id):
            log.warning("chat %s accepts messages again", chat_id)
            await send_alert(data, bot, f"chat_back:{chat_id}", "alert.chat_back", chat_id=chat_id)
    return moved


def _chat_is_gone(error: BadRequest) -> bool:
    """A 400 about the chat itself (it does not exist, we may not write there), not about
    our message: retrying changes nothing until a person does something."""
    text = error.message.lower()
    return any(words in text for words in _CHAT_GONE)


async def _hand_over(data: BotData, chat_id: int) -> bool:
    """Hand the SMS waiting for a refused chat on; True if any now wait elsewhere."""
    handed = await data.repo.hand_over_pending(
        chat_id, fallback_chat_id=data.config.telegram.admin_chat_id
    )
    if handed:
        log.info(
            "%d SMS for refused chat %s handed to %s",
            len(handed),
            chat_id,
            sorted({h.to_chat_id for h in handed}),
        )
    return bool(handed)


async def _refused_for_good(bot: Bot, data: BotData, chat_id: int, error: TelegramError) -> bool:
    """Telegram will not take messages into the chat: back it off, hand its SMS on, and tell
    the admins the first time. True if SMS now wait for another chat."""
    state = await data.repo.record_refusal(chat_id, error.message, REFUSED_CHAT_BACKOFF)
    handed = await data.repo.hand_over_pending(
        chat_id, fallback_chat_id=data.config.telegram.admin_chat_id
    )
    count = len({h.incoming_id for h in handed})
    log.warning(
        "Telegram refuses chat %s (%s), refusal %d: %d SMS handed to %s; next try after %s",
        chat_id,
        error.message,
        state.refusals,
        count,
        sorted({h.to_chat_id for h in handed}) or "nowhere (they wait)",
        state.retry_at.isoformat(),
    )
    if state.refusals == 1:
        await send_alert(
            data,
            bot,
            f"chat_refused:{chat_id}",
            "alert.chat_refused",
            chat_id=chat_id,
            reason=error.message,
            count=count,
        )
    return bool(handed)


async def _follow_upgrade(bot: Bot, data: BotData, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: its routes and waiting SMS move there; admins are told."""
    move = await data.repo.migrate_chat(old_chat_id, new_chat_id)
    log.warning(
        "chat %s was upgraded to supergroup %s: routes of %s and %d waiting SMS moved",
        old_chat_id,
        new_chat_id,
        list(move.lines),
        move.pending,
    )
    await send_alert(
        data,
        bot,
        f"chat_migrated:{old_chat_id}",
        "alert.chat_migrated",
        old_chat_id=old_chat_id,
        new_chat_id=new_chat_id,
        lines=", ".join(move.lines) or "—",
        count=move.pending,
    )


async def _forward_chat(bot: Bot, data: BotData, lang: str, chat_id: int) -> None:
    """Post one chat's waiting SMS, oldest first: one message each, or digests for a backlog."""
    forwards = await data.repo.pending_forwards(FORWARD_BATCH, chat_id=chat_id)
    pending = [f.incoming for f in forwards]
    if len(pending) > DIGEST_THRESHOLD:
        await _forward_digests(bot, data, lang, chat_id, pending)
    else:
        for message in pending:
            await _forward_one(bot, data, lang, chat_id, message)


async def _forward_one(
    bot: Bot, data: BotData, lang: str, chat_id: int, message: IncomingMessage
) -> None:
    """One SMS as its own message, or as parts that resume at the first one not accepted."""
    parts = await data.repo.forward_parts(chat_id, message.id)
    if not parts:
        texts = render_incoming(lang, message)
        if len(texts) == 1:
            sent = await bot.send_message(chat_id, texts[0], parse_mode="HTML")
            await data.repo.mark_forwarded(chat_id, [message.id], sent.message_id)
            return
        # Stored before the first part goes, so a resume posts exactly the same parts.
        parts = await data.repo.start_forward_parts(chat_id, message.id, texts)
    for part in parts:
        if part.message_id is None:
            sent = await bot.send_message(chat_id, part.text, parse_mode="HTML")
            await data.repo.record_forward_part(chat_id, message.id, part.part, sent.message_id)


async def _forward_digests(
    bot: Bot, data: BotData, lang: str, chat_id: int, pending: Sequence[IncomingMessage]
) -> None:
    """A backlog as digests, in order: an SMS that does not fit one (or whose parts have
    begun) goes on its own between the digests of the SMS before and after it."""
    begun = await data.repo.forwards_with_parts(chat_id)
    run: list[IncomingMessage] = []

    async def post_run() -> None:
        for text, ids in render_digests(lang, run):
            sent = await bot.send_message(chat_id, text, parse_mode="HTML")
            await data.repo.mark_forwarded(chat_id, ids, sent.message_id)
        run.clear()

    for message in pending:
        if message.id not in begun and fits_digest(lang, message):
            run.append(message)
        else:
            await post_run()
            await _forward_one(bot, data, lang, chat_id, message)
    await post_run()


# ---------------------------------------------------------------- confirmations


async def update_confirmations(context: Context) -> None:
    """Edit each changed send's confirmation to its recipients' latest states, once a round."""
    data = context.bot_data
    # The repeating round and a round asked for by a delivery poll are separate jobs; two
    # rounds editing the same confirmation would get Telegram's "message is not modified".
    async with data.confirmation_lock:
        await _update_confirmations(context)


async def _update_confirmations(context: Context) -> None:
    data = context.bot_data
    for send in await data.repo.dirty_confirmations():
        if send.confirmation_chat_id is None or send.confirmation_message_id is None:
            await data.repo.mark_confirmation_rendered(
                send.id, "", version=send.confirmation_version
            )
            continue
        lang = await language_of(data, send.requested_by)
        recipients = await data.repo.get_recipients(send.id)
        text = render_confirmation(lang, send, recipients)
        fingerprint = digest(text)
        if fingerprint == await data.repo.confirmation_digest(send.id):
            await data.repo.mark_confirmation_rendered(
                send.id, fingerprint, version=send.confirmation_version
            )
            continue
        try:
            await context.bot.edit_message_text(
                text,
                chat_id=send.confirmation_chat_id,
                message_id=send.confirmation_message_id,
                parse_mode="HTML",
            )
        except (BadRequest, Forbidden, ChatMigrated) as exc:
            # Not modified / message gone / chat refused or upgraded: nothing more can be
            # shown there (retrying every round would only hammer Telegram).
            log.warning("confirmation of send %s not edited: %s", send.id, exc)
        except TelegramError as exc:
            log.warning("confirmation of send %s: will retry: %s", send.id, exc)
            continue
        await data.repo.mark_confirmation_rendered(
            send.id, fingerprint, version=send.confirmation_version
        )


# ---------------------------------------------------------------- scheduling


def schedule_jobs(queue: JobQueue[Context], data: BotData) -> None:
    """Register every job on the JobQueue, one set per account."""
    polling = data.config.polling
    per_account = (
        (poll_inbox, "inbox", polling.inbox, 1.0, JOB_KWARGS),
        (
            poll_deliveries,
            "delivery",
            min(DELIVERY_TICK, polling.delivery),
            min(DELIVERY_TICK, polling.delivery),
            # A tick during a long cycle must return at once (the cycle's lock), not be
            # skipped by APScheduler with a warning every tick.
            {**JOB_KWARGS, "max_instances": 2},
        ),
        (check_credit, "credit", polling.credit, 1.0, JOB_KWARGS),
    )
    for name in data.accounts:
        for callback, kind, interval, first, kwargs in per_account:
            queue.run_repeating(
                callback,
                interval,
                first=first,
                data=name,
                name=f"{kind}:{name}",
                job_kwargs=kwargs,
            )
    # Forwarding and edits run at least as often as the polls that feed them.
    queue.run_repeating(
        forward_incoming,
        min(FORWARD_INTERVAL, polling.inbox),
        first=0.5,
        name="forward",
        job_kwargs=JOB_KWARGS,
    )
    queue.run_repeating(
        update_confirmations,
        min(CONFIRMATION_INTERVAL, polling.delivery),
        first=1,
        name="confirmations",
        job_kwargs=JOB_KWARGS,
    )
