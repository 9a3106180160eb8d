"""The users' side over HTTP, under `/_sandbox/telegram/`, for a bridge and a test that run in
different processes: `users`, `say`, `press`, `upload`, `flood`, `groups`, `remove_bot`,
`add_bot`, `delete_chat`, `migrate`, `faults` (POST, JSON bodies); `messages`
(GET, `?chat_id=&since=`) and `requests` (GET, `?method=&chat_id=`).

A body that is not what the route needs is a 400; what the driver refuses (a ValueError) a 409.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.telegram.faults import match_request

if TYPE_CHECKING:
    from sandbox.telegram.fake import TelegramFake
    from sandbox.telegram.state import FakeMessage

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


def _str(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise _control_error(f"{key!r} must be a string")
    return value


def message_json(message: FakeMessage) -> dict[str, Any]:
    """One message as the control API shows it: its text and entities (UTF-16 offsets, as the
    Bot API gives them), who wrote it, its inline buttons, what it replies to, its edits."""
    document = message.document
    return {
        "message_id": message.message_id,
        "chat_id": message.chat_id,
        "from_bot": message.from_bot,
        "from_user_id": message.from_user_id,
        "text": message.text,
        "entities": message.entities,
        "buttons": (message.reply_markup or {}).get("inline_keyboard", []),
        "reply_to": message.reply_to,
        "edits": len(message.edits),
        "deleted": message.deleted,
        "document": None if document is None else document.file_name,
    }


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

    def users(body: dict[str, Any]) -> dict[str, Any]:
        """`{"user_id", "first_name", "language_code"?, "username"?}`: a user who started the
        bot (their private chat's id is their user id)."""
        username = body.get("username")
        user = fake.add_user(
            _int(body, "user_id"),
            str(body.get("first_name") or "User"),
            username=None if username is None else str(username),
            language_code=str(body.get("language_code") or "fa"),
        )
        return {"user": user}

    def say(body: dict[str, Any]) -> dict[str, Any]:
        """`{"user_id", "chat_id", "text", "reply_to"?}`: the user writes in a chat."""
        message = fake.user_sends(
            _int(body, "user_id"),
            _int(body, "chat_id"),
            _str(body, "text"),
            reply_to=_optional_int(body, "reply_to"),
        )
        return {"message": message}

    def press(body: dict[str, Any]) -> dict[str, Any]:
        """`{"user_id", "chat_id", "message_id", "data"}`: the user presses an inline button."""
        query_id = fake.press_button(
            _int(body, "user_id"),
            _int(body, "chat_id"),
            _int(body, "message_id"),
            _str(body, "data"),
        )
        return {"query_id": query_id}

    def upload(body: dict[str, Any]) -> dict[str, Any]:
        """`{"user_id", "chat_id", "filename", "content_base64", "caption"?, "mime_type"?,
        "reply_to"?}`: the user sends a file."""
        try:
            content = base64.b64decode(_str(body, "content_base64"), validate=True)
        except binascii.Error:
            raise _control_error("'content_base64' is not base64") from None
        caption = body.get("caption")
        mime_type = body.get("mime_type")
        message = fake.upload_document(
            _int(body, "user_id"),
            _int(body, "chat_id"),
            _str(body, "filename"),
            content,
            caption=None if caption is None else str(caption),
            mime_type=None if mime_type is None else str(mime_type),
            reply_to=_optional_int(body, "reply_to"),
        )
        return {"message": message}

    def flood(body: dict[str, Any]) -> None:
        """`{"enabled"}`: Telegram's flood limits (429 with `retry_after`) on or off."""
        enabled = body.get("enabled")
        if not isinstance(enabled, bool):
            raise _control_error("'enabled' must be true or false")
        fake.set_flood(enabled)

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

    async def messages(request: web.Request) -> web.Response:
        """`?chat_id=…&since=N`: the chat's messages (both sides) after message id N."""
        try:
            chat_id = int(request.query["chat_id"])
            since = int(request.query.get("since", "0"))
        except (KeyError, ValueError):
            raise _control_error("'chat_id' (and 'since', if given) must be integers") from None
        found = [message_json(m) for m in fake.messages(chat_id) if m.message_id > since]
        return web.json_response({"ok": True, "messages": found})

    actions: dict[str, _Action] = {
        "users": users,
        "say": say,
        "press": press,
        "upload": upload,
        "flood": flood,
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
    app.router.add_get(f"{CONTROL}/messages", messages)
