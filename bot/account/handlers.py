"""`/credit`, `/lines`, `/from` in Telegram, and the chat's sender for other features."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access.handlers import asked, requires
from bot.account import service
from bot.account.service import choose_sender, credits, find_sender
from bot.context import Account, BotData, Context
from bot.texts import t
from providers.phone import to_ascii_digits
from storage.models import Role


async def chat_sender(data: BotData, chat_id: int) -> tuple[Account, str]:
    """The account and line this chat sends from: its /from choice, else the default."""
    return await service.chat_sender(data.repo, data.accounts, data.default_account, chat_id)


def command_arguments(message: Message) -> str:
    """Everything after the command, new lines kept (context.args would lose them)."""
    text = message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


@requires(Role.OPERATOR)
async def credit_command(update: Update, context: Context) -> None:
    """`/credit`: each account's credit, asked of every provider at once."""
    message, _user, lang = await asked(update, context)
    lines = [
        t(lang, "credit_line", account=c.account, credit=c.amount)
        if c.error is None
        else t(lang, "credit_error", account=c.account, reason=c.error)
        for c in await credits(context.bot_data.accounts.values())
    ]
    await message.reply_html("\n".join(lines))


@requires(Role.VIEWER)
async def lines_command(update: Update, context: Context) -> None:
    """`/lines`: each account's lines (from config), the default marked."""
    message, _user, lang = await asked(update, context)
    data = context.bot_data
    default = data.default_account.name
    text = "\n".join(
        t(
            lang,
            "lines_line",
            account=a.name,
            provider=a.config.provider,
            default=t(lang, "default_mark") if a.name == default else "",
            lines=tuple(a.lines),
        )
        for a in data.accounts.values()
    )
    await message.reply_html(text)


@requires(Role.OPERATOR)
async def from_command(update: Update, context: Context) -> None:
    """`/from <account or line>`: this chat's sending line."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    choice = to_ascii_digits(command_arguments(message).strip())
    if not choice:
        account, line = await chat_sender(data, message.chat_id)
        await message.reply_html(t(lang, "from_usage", current=f"{line} ({account.name})"))
        return
    found = find_sender(data.accounts, choice)
    if found is None:
        lines = ", ".join(f"{ln} ({a.name})" for a in data.accounts.values() for ln in a.lines)
        await message.reply_html(t(lang, "no_such_sender", name=choice, lines=lines))
        return
    account, line = found
    await choose_sender(data.repo, message.chat_id, user.id, account, line)
    await message.reply_html(t(lang, "from_set", line=line, account=account.name))


def account_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this feature."""
    return [
        CommandHandler("credit", credit_command),
        CommandHandler("lines", lines_command),
        CommandHandler("from", from_command),
    ]
