"""`/start`, `/help`, `/language`: greeting, the user's role and the commands they may use."""

from __future__ import annotations

from typing import Any, Final

from telegram import BotCommand, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access import asked, has_right, role_of
from bot.context import Context
from bot.texts import Raw, t
from storage.models import Role

# (command, the least role that may use it), in the order /help lists them.
COMMANDS: Final[tuple[tuple[str, Role], ...]] = (
    ("start", Role.VIEWER),
    ("help", Role.VIEWER),
    ("send", Role.OPERATOR),
    ("status", Role.VIEWER),
    ("history", Role.VIEWER),
    ("credit", Role.OPERATOR),
    ("lines", Role.VIEWER),
    ("from", Role.OPERATOR),
    ("language", Role.VIEWER),
    ("cancel", Role.OPERATOR),
    ("route", Role.ADMIN),
    ("unroute", Role.ADMIN),
    ("routes", Role.ADMIN),
    ("allow", Role.ADMIN),
    ("deny", Role.ADMIN),
    ("users", Role.ADMIN),
)


def command_list(lang: str, role: Role) -> str:
    """The commands `role` may use, one per line with what each does."""
    lines = [
        t(lang, "command_item", command=name, description=Raw(t(lang, f"cmd.{name}")))
        for name, needed in COMMANDS
        if has_right(role, needed)
    ]
    if has_right(role, Role.OPERATOR):
        lines.append(t(lang, "reply_hint"))
    return "\n".join(lines)


def bot_commands(lang: str) -> list[BotCommand]:
    """The menu Telegram shows (descriptions are plain text there)."""
    from html import unescape
    from re import sub

    return [
        BotCommand(name, unescape(sub(r"<[^>]+>", "", t(lang, f"cmd.{name}")))[:256])
        for name, _ in COMMANDS
    ]


async def start_command(update: Update, context: Context) -> None:
    """Greeting, the user's role, and the commands they may use."""
    message, user, lang = await asked(update, context)
    role = await role_of(context.bot_data, user.id)
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
    choice = (context.args or [""])[0].lower()
    if choice not in ("fa", "en"):
        await message.reply_html(t(lang, "language_usage"))
        return
    await context.bot_data.repo.set_user_language(user.id, choice)
    await message.reply_html(t(choice, "language_set"))


def basic_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler(["start", "help"], start_command),
        CommandHandler("language", language_command),
    ]
