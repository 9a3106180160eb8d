"""`/optouts` and `/optin <number>` (admin), `/check <numbers>` and `/prices` in Telegram."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access.handlers import asked, requires
from bot.account.handlers import chat_sender, command_arguments
from bot.account.service import all_prices, owner_of
from bot.context import Context
from bot.optout.service import NumbersCheck, check_numbers_on, opt_in, opt_in_number
from bot.render import pack_messages, shorten
from bot.send.service import Recipients, check_numbers, parse_number_list
from bot.send.shared import problem_text
from bot.texts import Raw, t
from providers.phone import display_number, to_ascii_digits
from storage.models import OptOut, Role


def _opt_out_item(lang: str, entry: OptOut) -> str:
    how = (
        t(lang, "optout.by_sms", text=shorten(entry.body, 40))
        if entry.source == "sms"
        else t(lang, "optout.by_admin")
    )
    return t(
        lang, "optout.item", number=display_number(entry.number), time=entry.created_at, how=how
    )


@requires(Role.ADMIN)
async def optouts_command(update: Update, context: Context) -> None:
    """`/optouts`: every line's opt-out list, newest first."""
    message, _user, lang = await asked(update, context)
    entries = await context.bot_data.repo.list_opt_outs()
    if not entries:
        await message.reply_html(t(lang, "optout.list_empty"))
        return
    chunks = [t(lang, "optout.list_header", count=len(entries))]
    for line, group in groupby(entries, key=lambda e: e.line):
        listed = list(group)
        chunks.append(
            "\n".join(
                [
                    t(lang, "optout.line_header", line=line, count=len(listed)),
                    *(_opt_out_item(lang, e) for e in listed),
                ]
            )
        )
    for text in pack_messages(chunks):
        await message.reply_html(text)


@requires(Role.ADMIN)
async def optin_command(update: Update, context: Context) -> None:
    """`/optin <number> [line]`: take a number off the opt-out list (of every line, or one)."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    words = command_arguments(message).split()
    if not words or len(words) > 2:
        await message.reply_html(t(lang, "optout.optin_usage"))
        return
    line: str | None = None
    if len(words) == 2:
        line = to_ascii_digits(words[1])
        if owner_of(data.accounts.values(), line) is None:
            lines = ", ".join(owned for a in data.accounts.values() for owned in a.lines)
            await message.reply_html(t(lang, "no_such_sender", name=line, lines=lines))
            return
    number = opt_in_number(words[0])
    if not await opt_in(data.repo, user.id, message.chat_id, number, line):
        await message.reply_html(t(lang, "optout.optin_not_listed", number=display_number(number)))
        return
    await message.reply_html(t(lang, "optout.optin_done", number=display_number(number)))


def _check_text(lang: str, check: NumbersCheck) -> str:
    if not check.blacklist_supported:
        blacklist = t(lang, "check.no_blacklist", account=check.account, provider=check.provider)
    elif check.blacklist_error is not None:
        blacklist = t(
            lang, "check.blacklist_failed", account=check.account, reason=check.blacklist_error
        )
    else:
        blacklist = t(lang, "check.blacklist_from", account=check.account)
    items = []
    for number in check.numbers:
        marks = []
        if check.blacklisted is not None and number in check.blacklisted:
            marks.append(t(lang, "check.blacklisted"))
        if number in check.opted_out:
            marks.append(t(lang, "check.opted_out", line=check.line))
        if not marks:
            marks.append(
                t(lang, "check.clear")
                if check.blacklisted is not None
                else t(lang, "check.not_opted_out", line=check.line)
            )
        items.append(
            t(lang, "check.item", number=display_number(number), marks=Raw(" · ".join(marks)))
        )
    return "\n".join([t(lang, "check.header", line=check.line), blacklist, "", *items])


@requires(Role.OPERATOR)
async def check_command(update: Update, context: Context) -> None:
    """`/check <numbers>`: which are on the carriers' blacklist (where the chat's account can
    tell) and which opted out of the chat's line."""
    message, _user, lang = await asked(update, context)
    data = context.bot_data
    arguments = command_arguments(message)
    recipients = check_numbers(parse_number_list(arguments))
    if not isinstance(recipients, Recipients):
        refusal = problem_text(lang, recipients)
        if not arguments.strip():
            refusal = f"{refusal}\n\n{t(lang, 'check.usage')}"
        await message.reply_html(refusal)
        return
    account, line = await chat_sender(data, message.chat_id)
    check = await check_numbers_on(data.repo, account, line, recipients.numbers)
    for text in pack_messages([_check_text(lang, check)]):
        await message.reply_html(text)


@requires(Role.OPERATOR)
async def prices_command(update: Update, context: Context) -> None:
    """`/prices`: each account's price of one SMS part (Persian and Latin)."""
    message, _user, lang = await asked(update, context)
    lines = []
    for quote in await all_prices(context.bot_data.accounts.values()):
        if quote.prices is not None:
            lines.append(
                t(
                    lang,
                    "prices.line",
                    account=quote.account,
                    persian=quote.prices.ucs2_part,
                    latin=quote.prices.gsm7_part,
                )
            )
        elif not quote.supported:
            lines.append(
                t(lang, "prices.unsupported", account=quote.account, provider=quote.provider)
            )
        else:
            lines.append(t(lang, "prices.error", account=quote.account, reason=quote.error))
    await message.reply_html("\n".join([t(lang, "prices.header"), *lines]))


def optout_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this feature."""
    return [
        CommandHandler("optouts", optouts_command),
        CommandHandler("optin", optin_command),
        CommandHandler("check", check_command),
        CommandHandler("prices", prices_command),
    ]
