"""`/start`, `/help`, `/language` in Telegram, and the command menu."""

from __future__ import annotations

from html import unescape
from re import sub
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access.handlers import asked, sender_role
from bot.context import Context
from bot.help.service import COMMANDS, commands_for, may_reply, set_language
from bot.texts import Raw, t
from storage.models import Role


def command_list(lang: str, role: Role) -> str:
    """The commands `role` may use, one per line with what each does."""
    lines = [
        t(lang, "command_item", command=name, description=Raw(t(lang, f"cmd.{name}")))
        for name in commands_for(role)
    ]
    if may_reply(role):
        lines.append(t(lang, "reply_hint"))
    return "\n".join(lines)


def bot_commands(lang: str) -> list[BotCommand]:
    """The menu Telegram shows (descriptions are plain text there)."""
    return [
        BotCommand(name, unescape(sub(r"<[^>]+>", "", t(lang, f"cmd.{name}")))[:256])
        for name, _ in COMMANDS
    ]


async def start_command(update: Update, context: Context) -> None:
    """Greeting, the user's role, and the commands they may use."""
    message, user, lang = await asked(update, context)
    role = await sender_role(update, context)
    assert role is not None  # the access check let only users with a role through
    text = t(
        lang,
        "start",
        name=user.first_name,
        role=t(lang, f"role.{role.value}"),
        commands=Raw(command_list(lang, role)),
    )
    await message.reply_html(text)


async def language_command(update: Update, context: Context) -> None:
    """`/language fa|en`: the user's language for everything the bot says to them."""
    message, user, lang = await asked(update, context)
    chosen = await set_language(context.bot_data.repo, user.id, (context.args or [""])[0])
    if chosen is None:
        await message.reply_html(t(lang, "language_usage"))
        return
    await message.reply_html(t(chosen, "language_set"))


def help_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this feature."""
    return [
        CommandHandler(["start", "help"], start_command),
        CommandHandler("language", language_command),
    ]
