"""The access check every update passes first, the `requires` guard, and what a command
handler needs to answer (`asked`)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final, TypeVar

from telegram import Message, Update, User
from telegram.ext import ApplicationHandlerStop, filters

from bot.access import service
from bot.access.service import has_right
from bot.context import BotData, Context
from bot.texts import t
from storage.models import Role

log = logging.getLogger(__name__)

R = TypeVar("R")


async def role_of(data: BotData, user_id: int) -> Role | None:
    """The user's role under the bridge's config and storage."""
    return await service.role_of(data.repo, data.config.telegram.admins, user_id)


_CHECKED_ROLE: Final = "checked_role"  # in user_data: (update id, role) read by the check


async def sender_role(update: Update, context: Context) -> Role | None:
    """The role of the update's sender, read once per update: the access check reads it
    first, and the handlers of the same update reuse that reading."""
    user = update.effective_user
    if user is None:
        return None
    user_data = context.user_data
    checked = user_data.get(_CHECKED_ROLE) if user_data is not None else None
    if isinstance(checked, tuple) and checked[0] == update.update_id:
        role: Role | None = checked[1]
        return role
    role = await role_of(context.bot_data, user.id)
    if user_data is not None:
        user_data[_CHECKED_ROLE] = (update.update_id, role)
    return role


async def language_of(data: BotData, user_id: int | None) -> str:
    """The user's chosen language, else the configured default."""
    return await service.language_of(data.repo, data.config.telegram.language, user_id)


def role_name(lang: str, role: Role | None) -> str:
    """A role in words (`-` for none)."""
    return t(lang, f"role.{role.value}") if role else "-"


async def asked(update: Update, context: Context) -> tuple[Message, User, str]:
    """The message a command came in, who sent it, and the language to answer in."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        raise ValueError(f"update {update.update_id} has no message or no sender")
    return message, user, await language_of(context.bot_data, user.id)


async def check_access(update: Update, context: Context) -> None:
    """Handler group -2 (the first): stop every update from a user with no role (the sender
    counts, not the chat). Commands, replies and button presses get a polite refusal; other
    chatter in a group is ignored quietly."""
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    data = context.bot_data
    if await sender_role(update, context) is not None:
        return
    chat = update.effective_chat
    message = update.effective_message
    # A service message (a topic closed, a member joined…) asks nothing, whoever caused it.
    service = message is not None and bool(filters.StatusUpdate.ALL.check_update(update))
    addressed_to_bot = update.callback_query is not None or (
        message is not None
        and not service
        and (
            (chat is not None and chat.type == chat.PRIVATE)
            or bool(message.text and message.text.startswith("/"))
            or (
                message.reply_to_message is not None
                and message.reply_to_message.from_user is not None
                and message.reply_to_message.from_user.id == context.bot.id
            )
        )
    )
    if not addressed_to_bot:
        raise ApplicationHandlerStop
    chat_id = chat.id if chat else None
    what = (message.text or "")[:60] if message else "button"
    log.warning("refused user %s in chat %s: %r", user.id, chat_id, what)
    await data.repo.audit(user.id, chat_id, "refused", what)
    lang = (
        user.language_code if user.language_code in ("fa", "en") else data.config.telegram.language
    )
    text = t(lang, "refused", user_id=user.id)
    if update.callback_query is not None:
        await update.callback_query.answer(text.split("(")[0][:190], show_alert=True)
    elif message is not None:
        await message.reply_html(text)
    raise ApplicationHandlerStop


def requires(
    needed: Role,
) -> Callable[
    [Callable[[Update, Context], Coroutine[Any, Any, R]]],
    Callable[[Update, Context], Coroutine[Any, Any, R | None]],
]:
    """Decorator: the handler runs only for users whose role includes `needed`."""

    def wrap(
        handler: Callable[[Update, Context], Coroutine[Any, Any, R]],
    ) -> Callable[[Update, Context], Coroutine[Any, Any, R | None]]:
        @functools.wraps(handler)
        async def guarded(update: Update, context: Context) -> R | None:
            user = update.effective_user
            data = context.bot_data
            role = await sender_role(update, context)
            if has_right(role, needed):
                return await handler(update, context)
            lang = await language_of(data, user.id if user else None)
            log.info(
                "user %s (%s) lacks %s for %s",
                user.id if user else None,
                role,
                needed,
                handler.__name__,
            )
            refusal = t(lang, "refused_right", role=role_name(lang, role))
            if update.callback_query is not None:
                await update.callback_query.answer(refusal)
            elif update.effective_message is not None:
                await update.effective_message.reply_html(refusal)
            return None

        return guarded

    return wrap
