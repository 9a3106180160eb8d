"""`/route`, `/unroute`, `/routes`, `/allow`, `/deny`, `/users` in Telegram."""

from __future__ import annotations

from typing import Any

from telegram import ChatMemberAdministrator, ChatMemberOwner, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access.handlers import asked, requires
from bot.admin.service import (
    ConfigAdmin,
    RoleSource,
    UnknownLine,
    change_route,
    grant_role,
    revoke_role,
    routes,
    users,
)
from bot.context import Context
from bot.texts import t
from bot.topics.service import ForumCheck, TopicsRefused, route_in_topics, topics_allowed
from providers.phone import to_ascii_digits
from storage.models import Role


def _user_id(raw: str) -> int | None:
    return int(raw) if raw.lstrip("-").isdigit() else None


async def _route_change(update: Update, context: Context, *, add: bool) -> None:
    message, user, lang = await asked(update, context)
    data = context.bot_data
    line = to_ascii_digits(context.args[0]) if context.args else ""
    if not line:
        await message.reply_html(t(lang, "route_usage"))
        return
    topics = add and len(context.args or []) > 1
    if topics and (context.args or [])[1:] != ["topics"]:
        await message.reply_html(t(lang, "route_topics_usage"))
        return
    lines = tuple(ln for a in data.accounts.values() for ln in a.lines)
    if topics:
        if line not in lines:
            await message.reply_html(t(lang, "route_unknown_line", line=line, lines=lines))
            return
        try:
            topics_allowed(await _forum_check(context, message.chat_id))
        except TopicsRefused as refused:
            await message.reply_html(t(lang, f"route_topics_{refused.reason}", line=line))
            return
    try:
        changed = await change_route(data.repo, lines, line, message.chat_id, user.id, add=add)
    except UnknownLine as unknown:
        await message.reply_html(
            t(lang, "route_unknown_line", line=unknown.line, lines=unknown.lines)
        )
        return
    if topics:
        await route_in_topics(data.repo, line, message.chat_id, user.id)
        await message.reply_html(t(lang, "route_topics_added", line=line))
        return
    if add:
        key = "route_added" if changed else "route_exists"
    else:
        key = "route_removed" if changed else "route_missing"
    await message.reply_html(t(lang, key, line=line))


async def _forum_check(context: Context, chat_id: int) -> ForumCheck:
    """Ask Telegram whether the chat is a forum and the bot may manage its topics."""
    chat = await context.bot.get_chat(chat_id)
    if chat.type == chat.PRIVATE:
        # A private chat has topics when the bot has topic mode on (getMe's has_topics_enabled).
        me = await context.bot.get_me()
        enabled = me.has_topics_enabled
        return ForumCheck(bool(enabled), can_manage_topics=True)
    is_forum = bool(chat.is_forum)
    member = await context.bot.get_chat_member(chat_id, context.bot.id)
    can_manage = isinstance(member, ChatMemberOwner) or (
        isinstance(member, ChatMemberAdministrator) and bool(member.can_manage_topics)
    )
    return ForumCheck(is_forum, can_manage)


@requires(Role.ADMIN)
async def route_command(update: Update, context: Context) -> None:
    """`/route <line>`: incoming SMS of the line come to this chat."""
    await _route_change(update, context, add=True)


@requires(Role.ADMIN)
async def unroute_command(update: Update, context: Context) -> None:
    """`/unroute <line>`: they no longer come here."""
    await _route_change(update, context, add=False)


@requires(Role.ADMIN)
async def routes_command(update: Update, context: Context) -> None:
    """`/routes`: every route, from config and from admins."""
    message, _user, lang = await asked(update, context)
    found = await routes(context.bot_data.repo)
    if not found:
        await message.reply_html(t(lang, "routes_empty"))
        return
    text = "\n".join(
        t(
            lang,
            "routes_item",
            line=r.line,
            chat_id=r.chat_id,
            source=t(lang, f"route_source.{r.source}"),
        )
        for r in found
    )
    await message.reply_html(text)


@requires(Role.ADMIN)
async def allow_command(update: Update, context: Context) -> None:
    """`/allow <user id> <role>`: grant or change a role."""
    message, user, lang = await asked(update, context)
    args = context.args or []
    if len(args) != 2:
        await message.reply_html(t(lang, "allow_usage"))
        return
    raw_id = to_ascii_digits(args[0])
    target = _user_id(raw_id)
    if target is None:
        await message.reply_html(t(lang, "bad_user_id", value=args[0]))
        return
    try:
        role = Role(args[1].lower())
    except ValueError:
        await message.reply_html(t(lang, "bad_role", value=args[1]))
        return
    await grant_role(context.bot_data.repo, target, role, user.id, message.chat_id)
    await message.reply_html(
        t(lang, "allow_done", user_id=raw_id, role=t(lang, f"role.{role.value}"))
    )


@requires(Role.ADMIN)
async def deny_command(update: Update, context: Context) -> None:
    """`/deny <user id>`: remove a stored role (config admins stay)."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    raw_id = to_ascii_digits(context.args[0]) if context.args else ""
    if not raw_id:
        await message.reply_html(t(lang, "deny_usage"))
        return
    target = _user_id(raw_id)
    if target is None:
        await message.reply_html(t(lang, "bad_user_id", value=raw_id))
        return
    try:
        removed = await revoke_role(
            data.repo, data.config.telegram.admins, target, user.id, message.chat_id
        )
    except ConfigAdmin:
        await message.reply_html(t(lang, "deny_config_admin", user_id=target))
        return
    await message.reply_html(t(lang, "deny_done" if removed else "deny_missing", user_id=target))


@requires(Role.ADMIN)
async def users_command(update: Update, context: Context) -> None:
    """`/users`: config admins and every stored role."""
    message, _user, lang = await asked(update, context)
    data = context.bot_data
    rows = [
        t(
            lang,
            "users_item",
            user_id=u.user_id,
            role=t(lang, f"role.{u.role.value}"),
            source=t(lang, "users_config") if u.source is RoleSource.CONFIG else "",
        )
        for u in await users(data.repo, data.config.telegram.admins)
    ]
    await message.reply_html("\n".join(rows))


def admin_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this feature."""
    return [
        CommandHandler("route", route_command),
        CommandHandler("unroute", unroute_command),
        CommandHandler("routes", routes_command),
        CommandHandler("allow", allow_command),
        CommandHandler("deny", deny_command),
        CommandHandler("users", users_command),
    ]
