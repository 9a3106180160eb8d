"""The users' side over HTTP, under `/_sandbox/telegram/`, for a bridge and a test that run in
different processes: `groups`, `remove_bot`, `add_bot`, `delete_chat`, `migrate`, `faults`
(POST, JSON bodies) and `requests` (GET, `?method=&chat_id=`).

A body that is not what the route needs is a 400; what the driver refuses (a ValueError) a 409.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.telegram.faults import match_request

if TYPE_CHECKING:
    from sandbox.telegram.fake import TelegramFake

CONTROL = "/_sandbox/telegram"

_Action = Callable[[dict[str, Any]], dict[str, Any] | None]


def _control_error(text: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(
        text=json.dumps({"ok": False, "error": text}), content_type="application/json"
    )


async def _control_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise _control_error("the body must be JSON") from None
    if not isinstance(body, dict):
        raise _control_error("the body must be a JSON object")
    return body


def _optional_int(body: Mapping[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    return _int(body, key)


def _int(body: Mapping[str, Any], key: str) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _control_error(f"{key!r} must be an integer")
    return value


def _route(act: _Action) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A POST route running one driver action on the request's JSON body."""

    async def handle(request: web.Request) -> web.Response:
        body = await _control_body(request)
        try:
            result = act(body)
        except (ValueError, TypeError) as err:
            return web.json_response({"ok": False, "error": str(err)}, status=409)
        return web.json_response({"ok": True, **(result or {})})

    return handle


def add_control_routes(app: web.Application, fake: TelegramFake) -> None:
    """Serve `fake`'s control API on `app`."""

    def groups(body: dict[str, Any]) -> dict[str, Any]:
        """`{"chat_id", "title", "bot_is_admin"?, "forum"?, "can_manage_topics"?}`: a group
        the bot is a member of (a forum: a supergroup with topics)."""
        title = str(body.get("title") or "Group")
        chat = fake.add_group(
            _int(body, "chat_id"),
            title,
            bot_is_admin=bool(body.get("bot_is_admin")),
            forum=bool(body.get("forum")),
            can_manage_topics=bool(body.get("can_manage_topics")),
        )
        return {"chat": chat}

    def close_topic(body: dict[str, Any]) -> None:
        """`{"chat_id", "thread_id", "by"?}`: a person closes a forum topic."""
        fake.close_topic(
            _int(body, "chat_id"), _int(body, "thread_id"), by=_optional_int(body, "by")
        )

    def delete_topic(body: dict[str, Any]) -> None:
        """`{"chat_id", "thread_id"}`: a person deletes a forum topic with its messages."""
        fake.delete_topic(_int(body, "chat_id"), _int(body, "thread_id"))

    def remove_bot(body: dict[str, Any]) -> None:
        """`{"chat_id", "kicked"?: true, "by"?}`: the bot is removed from (or leaves) a group."""
        chat_id = _int(body, "chat_id")
        by = _optional_int(body, "by")
        fake.remove_bot(chat_id, kicked=bool(body.get("kicked", True)), by=by)

    def add_bot(body: dict[str, Any]) -> None:
        """`{"chat_id", "by"?}`: the bot is added back to a group."""
        chat_id = _int(body, "chat_id")
        fake.add_bot(chat_id, by=_optional_int(body, "by"))

    def delete_chat(body: dict[str, Any]) -> None:
        """`{"chat_id"}`: the chat is gone ("chat not found")."""
        fake.delete_chat(_int(body, "chat_id"))

    def migrate(body: dict[str, Any]) -> dict[str, Any]:
        """`{"chat_id", "new_chat_id"?}`: a group becomes a supergroup; answers its id."""
        chat_id = _int(body, "chat_id")
        return {"new_chat_id": fake.migrate_group(chat_id, _optional_int(body, "new_chat_id"))}

    def faults(body: dict[str, Any]) -> None:
        """`{"status", "times"?, "seconds"?, "methods"?, "retry_after"?, "chat_id"?,
        "text_contains"?}` (see `fail_requests`), or `{"clear": true}`."""
        if body.get("clear"):
            fake.clear_failures()
            return
        status = _int(body, "status")
        chat_id = _optional_int(body, "chat_id")
        needle = body.get("text_contains")
        methods = body.get("methods")
        seconds = body.get("seconds")
        fake.fail_requests(
            status,
            times=_optional_int(body, "times"),
            seconds=None if seconds is None else float(seconds),
            methods=None if methods is None else {str(m) for m in methods},
            retry_after=_optional_int(body, "retry_after") or 1,
            matching=match_request(chat_id, None if needle is None else str(needle)),
        )

    async def requests(request: web.Request) -> web.Response:
        """`?method=…&chat_id=…`: the calls the bot made (method, status, description)."""
        method = request.query.get("method")
        chat_id = request.query.get("chat_id")
        found = [
            {"method": r.method, "status": r.status, "description": r.description}
            for r in fake.requests
            if (method is None or r.method.lower() == method.lower())
            and (chat_id is None or str(r.params.get("chat_id")) == chat_id)
        ]
        return web.json_response({"ok": True, "requests": found})

    actions: dict[str, _Action] = {
        "groups": groups,
        "remove_bot": remove_bot,
        "add_bot": add_bot,
        "delete_chat": delete_chat,
        "migrate": migrate,
        "close_topic": close_topic,
        "delete_topic": delete_topic,
        "faults": faults,
    }
    for name, act in actions.items():
        app.router.add_post(f"{CONTROL}/{name}", _route(act))
    app.router.add_get(f"{CONTROL}/requests", requests)
