"""Admin commands: routes of incoming SMS to chats, and users' roles."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access import asked, requires
from bot.context import Context
from bot.texts import t
from providers.phone import to_ascii_digits
from storage.models import Role

log = logging.getLogger(__name__)


def _all_lines(context: Context) -> tuple[str, ...]:
    return tuple(line for a in context.bot_data.accounts.values() for line in a.lines)


async def _route_change(update: Update, context: Context, *, add: bool) -> None:
    message, user, lang = await asked(update, context)
    data = context.bot_data
    line = to_ascii_digits(context.args[0]) if context.args else ""
    if not line:
        await message.reply_html(t(lang, "route_usage"))
        return
    if data.account_for_line(line) is None:
        await message.reply_html(
            t(lang, "route_unknown_line", line=line, lines=_all_lines(context))
        )
        return
    if add:
        changed = await data.repo.add_route(line, message.chat_id, user.id)
        key = "route_added" if changed else "route_exists"
    else:
        changed = await data.repo.remove_route(line, message.chat_id)
        key = "route_removed" if changed else "route_missing"
    if changed:
        await data.repo.audit(user.id, message.chat_id, "route" if add else "unroute", line)
    await message.reply_html(t(lang, key, line=line))


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
    data = context.bot_data
    routes = await data.repo.list_routes()
    if not routes:
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
        for r in routes
    )
    await message.reply_html(text)


@requires(Role.ADMIN)
async def allow_command(update: Update, context: Context) -> None:
    """`/allow <user id> <role>`: grant or change a role."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    args = context.args or []
    if len(args) != 2:
        await message.reply_html(t(lang, "allow_usage"))
        return
    raw_id, raw_role = to_ascii_digits(args[0]), args[1].lower()
    if not raw_id.lstrip("-").isdigit():
        await message.reply_html(t(lang, "bad_user_id", value=args[0]))
        return
    try:
        role = Role(raw_role)
    except ValueError:
        await message.reply_html(t(lang, "bad_role", value=args[1]))
        return
    await data.repo.set_role(int(raw_id), role, user.id)
    await data.repo.audit(user.id, message.chat_id, "allow", f"{raw_id} {role.value}")
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
    if not raw_id.lstrip("-").isdigit():
        await message.reply_html(t(lang, "bad_user_id", value=raw_id))
        return
    target = int(raw_id)
    if target in data.config.telegram.admins:
        await message.reply_html(t(lang, "deny_config_admin", user_id=target))
        return
    removed = await data.repo.remove_user(target)
    if removed:
        await data.repo.audit(user.id, message.chat_id, "deny", raw_id)
    await message.reply_html(t(lang, "deny_done" if removed else "deny_missing", user_id=target))


@requires(Role.ADMIN)
async def users_command(update: Update, context: Context) -> None:
    """`/users`: config admins and every stored role."""
    message, _user, lang = await asked(update, context)
    data = context.bot_data
    config_admins = data.config.telegram.admins
    rows = [
        t(
            lang,
            "users_item",
            user_id=uid,
            role=t(lang, "role.admin"),
            source=t(lang, "users_config"),
        )
        for uid in config_admins
    ]
    rows += [
        t(lang, "users_item", user_id=u.user_id, role=t(lang, f"role.{u.role.value}"), source="")
        for u in await data.repo.list_users()
        if u.user_id not in config_admins
    ]
    await message.reply_html("\n".join(rows))


def admin_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("route", route_command),
        CommandHandler("unroute", unroute_command),
        CommandHandler("routes", routes_command),
        CommandHandler("allow", allow_command),
        CommandHandler("deny", deny_command),
        CommandHandler("users", users_command),
    ]
