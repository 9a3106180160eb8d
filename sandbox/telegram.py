"""A faithful fake of the Telegram Bot API server, and a driver to play the users' side.

Point python-telegram-bot at it with `base_url=f"{url}/bot"` and `base_file_url=f"{url}/file/bot"`
(serve `TelegramFake(token).build_app()` with `sandbox.server.RunningServer`).

What is faithful: the `{ok, result}` / `{ok: false, error_code, description, parameters}`
envelope with the HTTP status equal to `error_code`; parameters read from the query string,
form-encoded or multipart bodies (non-string values JSON-serialised, as PTB sends them) or a
JSON body; parameters checked against the Bot API data in `sandbox/data/telegram-bot-api.json`;
HTML parse_mode parsed like Telegram (`sandbox.telegram_html`); the 4096-character limit counted
in UTF-16 after entity parsing; callback_data ≤ 64 bytes; "message is not modified"; getUpdates
offset, limit, timeout and allowed_updates semantics; 409 when two getUpdates overlap;
privacy mode in groups; flood limits with 429 and `retry_after`; chats the bot cannot post to:
removed from a group (403 "bot was kicked from the supergroup chat" / "bot is not a member of
the supergroup chat", with the `my_chat_member` update), a chat that does not exist (400 "chat
not found"), a group upgraded to a supergroup (400 with `parameters.migrate_to_chat_id`, which
PTB raises as ChatMigrated, and both service messages).

Tests drive the users' side in-process (`user_sends`, `remove_bot`, `migrate_group`,
`fail_requests`, …) or over HTTP through the control API under `/_sandbox/telegram/`: `groups`,
`remove_bot`, `add_bot`, `delete_chat`, `migrate`, `faults` (POST, JSON bodies) and `requests`
(GET, `?method=&chat_id=`).

Where the fake is stricter than Telegram, on purpose, to catch our bugs:
- a parameter the method does not have is a 400 (Telegram ignores it);
- a bare `&` that starts no HTML entity is a 400 (Telegram keeps it as text);
- parse_mode Markdown/MarkdownV2 is refused (only HTML is implemented).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import math
import mimetypes
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox import telegram_html
from sandbox.telegram_html import HtmlParseError, ParsedText

log = logging.getLogger(__name__)

SPEC_RESOURCE = "data/telegram-bot-api.json"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_UPLOAD = 50 * 1024 * 1024
FIRST_UPDATE_ID = 100_000_001
GROUP_OWNER_ID = (
    999_000_001  # who changes a group (removes the bot, upgrades it) if no one is named
)
CONTROL = "/_sandbox/telegram"
# Flood limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
GLOBAL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
CHAT_PER_SECOND = 1.0
CHAT_BURST = 3
FLOOD_METHODS = frozenset({"sendmessage", "editmessagetext", "senddocument"})
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_MISSING_WORDING = {
    "chat_id": "Bad Request: chat_id is empty",
    "text": "Bad Request: message text is empty",
    "message_id": "Bad Request: message identifier is not specified",
    "document": "Bad Request: there is no document in the request",
}
_PRIMITIVES = frozenset({"Integer", "String", "Boolean", "Float"})
_INT_RE = re.compile(r"-?\d{1,19}")
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")
_BOT_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"


# ---------------------------------------------------------------------------------------------
# The Bot API as data


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method, or one field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class ApiSpec:
    """Methods and types of the Bot API: name → fields by name."""

    version: str
    methods: dict[str, dict[str, FieldSpec]]
    types: dict[str, dict[str, FieldSpec]]
    by_lower_name: dict[str, str]


def trim_spec(full: Mapping[str, Any]) -> dict[str, Any]:
    """The part of the full Bot API data the fake uses: names, and per field types and required."""

    def trim(entries: Mapping[str, Any]) -> dict[str, Any]:
        return {
            name: {
                "name": entry["name"],
                "fields": [
                    {"name": f["name"], "types": list(f["types"]), "required": bool(f["required"])}
                    for f in entry.get("fields", [])
                ],
            }
            for name, entry in entries.items()
        }

    return {
        "version": full.get("version", ""),
        "methods": trim(full["methods"]),
        "types": trim(full["types"]),
    }


def dump_spec(trimmed: Mapping[str, Any]) -> str:
    """Trimmed data as JSON with one field per line (small, and readable in a diff)."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{", f' "version": {dumps(trimmed["version"])},']
    for group in ("methods", "types"):
        lines.append(f' "{group}": {{')
        entries = list(trimmed[group].items())
        for index, (name, entry) in enumerate(entries):
            lines.append(f'  {dumps(name)}: {{"name": {dumps(entry["name"])}, "fields": [')
            fields = [f"   {dumps(f)}" for f in entry["fields"]]
            if fields:
                lines.append(",\n".join(fields))
            lines.append("  ]}" + ("," if index < len(entries) - 1 else ""))
        lines.append(" }" + ("," if group == "methods" else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _fields(entry: Mapping[str, Any]) -> dict[str, FieldSpec]:
    return {
        f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"]))
        for f in entry["fields"]
    }


def spec_from_data(data: Mapping[str, Any]) -> ApiSpec:
    """Build an ApiSpec from trimmed (or full) Bot API data."""
    trimmed = trim_spec(data)
    methods = {name: _fields(entry) for name, entry in trimmed["methods"].items()}
    types = {name: _fields(entry) for name, entry in trimmed["types"].items()}
    return ApiSpec(
        version=str(trimmed["version"]),
        methods=methods,
        types=types,
        by_lower_name={name.lower(): name for name in methods},
    )


@functools.cache
def load_spec() -> ApiSpec:
    """The Bot API data shipped with the sandbox (read once, on first use)."""
    text = resources.files("sandbox").joinpath(SPEC_RESOURCE).read_text(encoding="utf-8")
    return spec_from_data(json.loads(text))


# ---------------------------------------------------------------------------------------------
# What tests read


@dataclass
class FakeDocument:
    """A stored file: what was uploaded, by a user or by the bot."""

    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    content: bytes
    file_path: str

    @property
    def file_size(self) -> int:
        """Size in bytes."""
        return len(self.content)

    def to_json(self) -> dict[str, Any]:
        """The Telegram Document object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": self.file_size,
        }


# Unicode directional marks, embeddings and isolates: they change layout, not what one reads.
BIDI_CONTROLS = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


@dataclass
class FakeMessage:
    """One message in a chat, as a person sees it (`text`) and as it was sent (`html`)."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str
    html: str
    reply_markup: dict[str, Any] | None = None
    reply_to: int | None = None
    edits: list[str] = field(default_factory=list)
    deleted: bool = False
    document: FakeDocument | None = None
    from_user_id: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        """`text` as a person reads it: without its invisible direction marks and isolates."""
        return "".join(ch for ch in self.text if ch not in BIDI_CONTROLS)

    def buttons(self) -> list[dict[str, Any]]:
        """Every inline keyboard button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


@dataclass(frozen=True)
class RecordedRequest:
    """One call the bot made: canonical method name (or the path's name if unknown)."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None = None


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    content: bytes


class ApiError(Exception):
    """A Telegram error answer."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class _Chat:
    chat_id: int
    payload: dict[str, Any]
    next_message_id: int = 1
    messages: list[FakeMessage] = field(default_factory=list)
    by_id: dict[int, FakeMessage] = field(default_factory=dict)
    blocked: bool = False
    bot_is_admin: bool = False
    # The bot's membership of a group: "member", "kicked" (removed by someone) or "left".
    bot_status: str = "member"
    migrated_to: int | None = None  # a group upgraded to the supergroup with this id
    gone: bool = False  # deleted: Telegram no longer knows the chat


@dataclass
class _Update:
    update_id: int
    payload: dict[str, Any]
    redeliver: bool = False


@dataclass
class _Outage:
    status: int
    times: int | None
    until: float | None
    methods: frozenset[str] | None
    retry_after: int
    # Only requests whose (typed) parameters this accepts; checked after they are read.
    matching: Callable[[dict[str, Any]], bool] | None = None


@dataclass
class _Bucket:
    tokens: float
    updated: float


# ---------------------------------------------------------------------------------------------
# Parameters


class _TypeMismatch(Exception):
    def __init__(self, where: str, expected: str) -> None:
        super().__init__(f"{where} must be {expected}")
        self.where = where
        self.expected = expected


def _coerce(spec: ApiSpec, value: Any, types: tuple[str, ...], where: str, top: bool) -> Any:
    """`value` converted to the first of `types` it fits; raise _TypeMismatch if none."""
    deeper: _TypeMismatch | None = None
    for type_name in types:
        try:
            return _coerce_one(spec, value, type_name, where, top)
        except _TypeMismatch as err:
            if len(types) == 1:
                raise
            if deeper is None and err.where != where:
                deeper = err  # the value had the right shape; say what inside it is wrong
    raise deeper or _TypeMismatch(where, " or ".join(types))


def _coerce_one(spec: ApiSpec, value: Any, type_name: str, where: str, top: bool) -> Any:
    if type_name == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
            return int(value)
        raise _TypeMismatch(where, "Integer")
    if type_name == "Float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise _TypeMismatch(where, "Float") from None
        raise _TypeMismatch(where, "Float")
    if type_name == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
            return value.lower() in {"true", "1"}
        raise _TypeMismatch(where, "Boolean")
    if type_name == "String":
        if isinstance(value, str):
            return value
        raise _TypeMismatch(where, "String")
    if type_name == "InputFile":
        if isinstance(value, UploadedFile):
            return value
        raise _TypeMismatch(where, "InputFile")
    # Objects and arrays arrive JSON-serialised in form bodies, natively in JSON bodies.
    if isinstance(value, str) and top:
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise _TypeMismatch(where, f"a JSON-serialized {type_name}") from None
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            raise _TypeMismatch(where, f"a JSON array ({type_name})")
        inner = (type_name.removeprefix("Array of "),)
        return [_coerce(spec, item, inner, f"{where}[{i}]", False) for i, item in enumerate(value)]
    if not isinstance(value, dict):
        raise _TypeMismatch(where, f"a JSON object ({type_name})")
    fields = spec.types.get(type_name)
    if not fields:  # an abstract type (one of several subtypes): its shape is not checked
        return value
    for name, field_spec in fields.items():
        if name in value:
            if field_spec.types == ("InputFile",) or "InputFile" in field_spec.types:
                continue  # attach://… strings or file ids: resolved by the method
            value[name] = _coerce(spec, value[name], field_spec.types, f"{where}.{name}", False)
        elif field_spec.required:
            raise _TypeMismatch(f"{where}.{name}", f"present ({type_name} requires it)")
    return value


def check_params(
    spec: ApiSpec, method: str, raw: dict[str, Any], files: dict[str, UploadedFile]
) -> dict[str, Any]:
    """The parameters of `method` typed, or ApiError 400 with Telegram-like wording."""
    fields = spec.methods[method]
    attached = {
        value.removeprefix("attach://")
        for value in raw.values()
        if isinstance(value, str) and value.startswith("attach://")
    }
    for name in raw:
        if name not in fields:
            raise _bad(
                f'unknown parameter "{name}" for method {method} '
                "(the fake refuses parameters Telegram would ignore)"
            )
    for name in files:
        if name not in fields and name not in attached:
            raise _bad(f'unknown file part "{name}" for method {method}')
    merged: dict[str, Any] = {**{k: v for k, v in raw.items() if v != ""}}
    for name, upload in files.items():
        if name in fields:
            merged[name] = upload
    params: dict[str, Any] = {}
    for name, field_spec in fields.items():
        if name not in merged:
            if field_spec.required:
                raise ApiError(
                    400, _MISSING_WORDING.get(name, f'Bad Request: parameter "{name}" is required')
                )
            continue
        value = merged[name]
        if (
            isinstance(value, str)
            and value.startswith("attach://")
            and "InputFile" in (field_spec.types)
        ):
            value = files.get(value.removeprefix("attach://"), value)
        try:
            params[name] = _coerce(spec, value, field_spec.types, name, True)
        except _TypeMismatch as err:
            if err.where == name:
                raise _bad(f'parameter "{name}" must be {err.expected}') from None
            raise _bad(f"can't parse {name} JSON object: {err}") from None
    return params


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.body_exists:
        return params, files
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise _bad("can't parse JSON encoded request body") from None
        if not isinstance(body, dict):
            raise _bad("JSON request body must be an object")
        params.update(body)
        return params, files
    post = await request.post()
    for key, value in post.items():
        if isinstance(value, web.FileField):
            files[key] = UploadedFile(
                value.filename or key,
                value.content_type or "application/octet-stream",
                value.file.read(),
            )
        else:
            params[key] = value
    return params, files


def _for_record(params: Mapping[str, Any]) -> dict[str, Any]:
    recorded: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, UploadedFile):
            recorded[key] = f"<file {value.filename}, {len(value.content)} bytes>"
        else:
            recorded[key] = value
    return recorded


# ---------------------------------------------------------------------------------------------
# The fake


class TelegramFake:
    """The Bot API server for one bot, plus the users' side (see the module docstring).

    Stricter than Telegram on purpose: unknown parameters and bare `&` in HTML are 400s.
    `clock` (monotonic seconds) drives flood limits and timed outages; inject one in tests.
    `privacy_mode` (Telegram's default): in groups where the bot is not an admin, the bot gets
    only commands, replies to its own messages and button presses.
    """

    def __init__(
        self,
        token: str,
        *,
        flood: bool = False,
        bot_id: int = 7000000001,
        bot_username: str = "sms_bridge_bot",
        bot_name: str = "SMS Bridge",
        privacy_mode: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._token = token
        self._flood = flood
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.privacy_mode = privacy_mode
        self._clock = clock
        self._spec: ApiSpec | None = None
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, _Chat] = {}
        self._files: dict[str, FakeDocument] = {}
        self._pending: list[_Update] = []
        self._delivered: dict[int, _Update] = {}
        self._next_update_id = FIRST_UPDATE_ID
        self._allowed_updates: frozenset[str] | None = None
        self._webhook_url = ""
        self._poll_generation = 0
        self._closing = False
        self._changed_event = asyncio.Event()
        self._returned: dict[int, set[int]] = {}
        self._open_queries: dict[str, dict[str, Any]] = {}
        self._next_query = 1
        self._outages: list[_Outage] = []
        self._global_sends: deque[float] = deque()
        self._group_sends: dict[int, deque[float]] = {}
        self._chat_buckets: dict[int, _Bucket] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.requests: list[RecordedRequest] = []
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.withheld_updates: list[dict[str, Any]] = []
        self.waiting_polls = 0  # getUpdates calls being answered now (long polls waiting)
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
        }

    # -- serving ------------------------------------------------------------------------------

    @property
    def spec(self) -> ApiSpec:
        """The Bot API data the parameters are checked against."""
        if self._spec is None:
            self._spec = load_spec()
        return self._spec

    def build_app(self) -> web.Application:
        """The aiohttp application: `/bot<token>/<method>` and `/file/bot<token>/<path>`."""
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("GET", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("POST", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._handle_file)
        for name, handler in (
            ("groups", self._control_groups),
            ("remove_bot", self._control_remove_bot),
            ("add_bot", self._control_add_bot),
            ("delete_chat", self._control_delete_chat),
            ("migrate", self._control_migrate),
            ("faults", self._control_faults),
        ):
            app.router.add_post(f"{CONTROL}/{name}", handler)
        app.router.add_get(f"{CONTROL}/requests", self._control_requests)
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def _on_startup(self, app: web.Application) -> None:
        self._closing = False

    async def _on_shutdown(self, app: web.Application) -> None:
        # Long polls would otherwise hold the server's graceful shutdown for their whole timeout.
        self._closing = True
        self._changed()

    def _changed(self) -> None:
        self._changed_event.set()
        self._changed_event = asyncio.Event()

    async def _handle_api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        if request.match_info["token"] != self._token:
            return self._answer(name, {}, ApiError(401, "Unauthorized"))
        method = self.spec.by_lower_name.get(name.lower())
        params: dict[str, Any] = {}
        try:
            self._check_outage(method or name)
            if method is None:
                raise ApiError(404, "Not Found")
            raw, files = await _read_params(request)
            params = {**raw, **files}
            params = check_params(self.spec, method, raw, files)
            self._check_outage(method, params)
            handler = self._handlers.get(method)
            result = True if handler is None else await _maybe_await(handler(params))
        except ApiError as err:
            return self._answer(method or name, params, err)
        self.requests.append(RecordedRequest(method, _for_record(params), 200))
        log.debug("telegram fake: %s answered", method)
        self._changed()
        return web.json_response({"ok": True, "result": result})

    def _answer(self, method: str, raw: Mapping[str, Any], err: ApiError) -> web.Response:
        self.requests.append(RecordedRequest(method, _for_record(raw), err.code, err.description))
        log.debug("telegram fake: %s refused: %s", method, err.description)
        body: dict[str, Any] = {
            "ok": False,
            "error_code": err.code,
            "description": err.description,
        }
        if err.parameters:
            body["parameters"] = err.parameters
        self._changed()
        return web.json_response(body, status=err.code)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self._token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        path = request.match_info["file_path"]
        for document in self._files.values():
            if document.file_path == path:
                return web.Response(body=document.content, content_type="application/octet-stream")
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    # -- control API (the driver over HTTP, for a bridge and a test in different processes) ---

    @staticmethod
    def _control_error(text: str) -> web.HTTPBadRequest:
        return web.HTTPBadRequest(
            text=json.dumps({"ok": False, "error": text}), content_type="application/json"
        )

    @classmethod
    async def _control_body(cls, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise cls._control_error("the body must be JSON") from None
        if not isinstance(body, dict):
            raise cls._control_error("the body must be a JSON object")
        return body

    @classmethod
    def _control_int(
        cls, body: Mapping[str, Any], key: str, *, required: bool = True
    ) -> int | None:
        value = body.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise cls._control_error(f"{key!r} must be an integer")
        return value

    async def _control_call(
        self, request: web.Request, act: Callable[[dict[str, Any]], Any]
    ) -> web.Response:
        """Run one driver action; what the driver refuses (a ValueError) is a 409."""
        body = await self._control_body(request)
        try:
            result = act(body)
        except (ValueError, TypeError) as err:
            return web.json_response({"ok": False, "error": str(err)}, status=409)
        return web.json_response({"ok": True, **(result or {})})

    async def _control_groups(self, request: web.Request) -> web.Response:
        """`{"chat_id", "title", "bot_is_admin"?}`: a group the bot is a member of."""

        def act(body: dict[str, Any]) -> dict[str, Any]:
            chat_id = self._control_int(body, "chat_id")
            assert chat_id is not None
            title = str(body.get("title") or "Group")
            return {
                "chat": self.add_group(chat_id, title, bot_is_admin=bool(body.get("bot_is_admin")))
            }

        return await self._control_call(request, act)

    async def _control_remove_bot(self, request: web.Request) -> web.Response:
        """`{"chat_id", "kicked"?: true, "by"?}`: the bot is removed from (or leaves) a group."""

        def act(body: dict[str, Any]) -> None:
            chat_id = self._control_int(body, "chat_id")
            assert chat_id is not None
            by = self._control_int(body, "by", required=False)
            self.remove_bot(chat_id, kicked=bool(body.get("kicked", True)), by=by)

        return await self._control_call(request, act)

    async def _control_add_bot(self, request: web.Request) -> web.Response:
        """`{"chat_id", "by"?}`: the bot is added back to a group."""

        def act(body: dict[str, Any]) -> None:
            chat_id = self._control_int(body, "chat_id")
            assert chat_id is not None
            self.add_bot(chat_id, by=self._control_int(body, "by", required=False))

        return await self._control_call(request, act)

    async def _control_delete_chat(self, request: web.Request) -> web.Response:
        """`{"chat_id"}`: the chat is gone ("chat not found")."""

        def act(body: dict[str, Any]) -> None:
            chat_id = self._control_int(body, "chat_id")
            assert chat_id is not None
            self.delete_chat(chat_id)

        return await self._control_call(request, act)

    async def _control_migrate(self, request: web.Request) -> web.Response:
        """`{"chat_id", "new_chat_id"?}`: a group becomes a supergroup; answers its id."""

        def act(body: dict[str, Any]) -> dict[str, Any]:
            chat_id = self._control_int(body, "chat_id")
            assert chat_id is not None
            target = self._control_int(body, "new_chat_id", required=False)
            return {"new_chat_id": self.migrate_group(chat_id, target)}

        return await self._control_call(request, act)

    async def _control_faults(self, request: web.Request) -> web.Response:
        """`{"status", "times"?, "seconds"?, "methods"?, "retry_after"?, "chat_id"?,
        "text_contains"?}` (see `fail_requests`), or `{"clear": true}`."""

        def act(body: dict[str, Any]) -> None:
            if body.get("clear"):
                self.clear_failures()
                return
            status = self._control_int(body, "status")
            assert status is not None
            chat_id = self._control_int(body, "chat_id", required=False)
            needle = body.get("text_contains")
            matching = None
            if chat_id is not None or needle is not None:

                def matching(params: dict[str, Any]) -> bool:
                    if chat_id is not None and str(params.get("chat_id")) != str(chat_id):
                        return False
                    return needle is None or str(needle) in str(params.get("text", ""))

            methods = body.get("methods")
            seconds = body.get("seconds")
            self.fail_requests(
                status,
                times=self._control_int(body, "times", required=False),
                seconds=None if seconds is None else float(seconds),
                methods=None if methods is None else {str(m) for m in methods},
                retry_after=self._control_int(body, "retry_after", required=False) or 1,
                matching=matching,
            )

        return await self._control_call(request, act)

    async def _control_requests(self, request: web.Request) -> web.Response:
        """`?method=…&chat_id=…`: the calls the bot made (method, status, description)."""
        method = request.query.get("method")
        chat_id = request.query.get("chat_id")
        found = [
            {"method": r.method, "status": r.status, "description": r.description}
            for r in self.requests
            if (method is None or r.method.lower() == method.lower())
            and (chat_id is None or str(r.params.get("chat_id")) == chat_id)
        ]
        return web.json_response({"ok": True, "requests": found})

    # -- failure injection ---------------------------------------------------------------------

    def set_flood(self, enabled: bool) -> None:
        """Turn flood limits on or off (counting starts afresh)."""
        self._flood = enabled
        self._global_sends.clear()
        self._group_sends.clear()
        self._chat_buckets.clear()

    def fail_requests(
        self,
        status: int,
        *,
        times: int | None = None,
        seconds: float | None = None,
        methods: set[str] | None = None,
        retry_after: int = 1,
        matching: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Answer `status` (5xx, or 429 with `retry_after`) to the next `times` requests, or for
        `seconds` on the fake's clock, or until `clear_failures()`; only `methods` if given,
        only requests whose parameters `matching` accepts if given (say, one message's text).
        """
        if status < 400:
            raise ValueError("fail_requests needs an error status (429 or 5xx)")
        self._outages.append(
            _Outage(
                status=status,
                times=times,
                until=None if seconds is None else self._clock() + seconds,
                methods=None if methods is None else frozenset(m.lower() for m in methods),
                retry_after=retry_after,
                matching=matching,
            )
        )

    def clear_failures(self) -> None:
        """End every injected outage."""
        self._outages.clear()

    def _check_outage(self, method: str, params: dict[str, Any] | None = None) -> None:
        """Raise the first outage that applies: before the parameters are read (`params` None)
        those that look at no parameter, after it those that do."""
        now = self._clock()
        self._outages = [o for o in self._outages if o.until is None or now < o.until]
        for outage in self._outages:
            if outage.methods is not None and method.lower() not in outage.methods:
                continue
            if (outage.matching is None) != (params is None):
                continue
            if outage.matching is not None and not outage.matching(params or {}):
                continue
            if outage.times is not None:
                outage.times -= 1
                if outage.times <= 0:
                    self._outages.remove(outage)
            if outage.status == 429:
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {outage.retry_after}",
                    {"retry_after": outage.retry_after},
                )
            try:
                phrase = HTTPStatus(outage.status).phrase
            except ValueError:
                phrase = "Error"
            raise ApiError(outage.status, phrase)

    def _check_flood(self, chat_id: int) -> None:
        if not self._flood:
            return
        now = self._clock()
        waits: list[float] = []
        while self._global_sends and self._global_sends[0] <= now - 1.0:
            self._global_sends.popleft()
        if len(self._global_sends) >= GLOBAL_PER_SECOND:
            waits.append(self._global_sends[0] + 1.0 - now)
        if chat_id < 0:
            group = self._group_sends.setdefault(chat_id, deque())
            while group and group[0] <= now - 60.0:
                group.popleft()
            if len(group) >= GROUP_PER_MINUTE:
                waits.append(group[0] + 60.0 - now)
        bucket = self._refill(chat_id, now)
        if bucket.tokens < 1.0:
            waits.append((1.0 - bucket.tokens) / CHAT_PER_SECOND)
        if waits:
            retry_after = max(1, math.ceil(max(waits)))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )

    def _count_flood(self, chat_id: int) -> None:
        if not self._flood:
            return
        now = self._clock()
        self._global_sends.append(now)
        if chat_id < 0:
            self._group_sends.setdefault(chat_id, deque()).append(now)
        self._refill(chat_id, now).tokens -= 1.0

    def _refill(self, chat_id: int, now: float) -> _Bucket:
        bucket = self._chat_buckets.get(chat_id)
        if bucket is None:
            bucket = self._chat_buckets[chat_id] = _Bucket(float(CHAT_BURST), now)
        bucket.tokens = min(
            float(CHAT_BURST), bucket.tokens + (now - bucket.updated) * CHAT_PER_SECOND
        )
        bucket.updated = now
        return bucket

    # -- the users' side -----------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str = "fa",
    ) -> dict[str, Any]:
        """A user who has started the bot; their private chat's id is `user_id`."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        user["language_code"] = language_code
        self._users[user_id] = user
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if username:
            chat["username"] = username
        existing = self._chats.get(user_id)
        if existing is None:
            self._chats[user_id] = _Chat(user_id, chat)
        else:
            existing.payload = chat
        return user

    def add_group(self, chat_id: int, title: str, *, bot_is_admin: bool = False) -> dict[str, Any]:
        """A group the bot is a member of (chat ids of groups are negative)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat = {"id": chat_id, "type": kind, "title": title}
        self._chats[chat_id] = _Chat(chat_id, chat, bot_is_admin=bot_is_admin)
        return chat

    def block_bot(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sending to them is then 403."""
        self._known_chat(user_id).blocked = blocked

    def remove_bot(self, chat_id: int, *, kicked: bool = True, by: int | None = None) -> None:
        """The bot is removed from a group (`kicked`) or leaves it: every call naming the chat
        is then 403 ("bot was kicked from the supergroup chat" / "bot is not a member of the
        supergroup chat"), the bot gets nothing from it, and a `my_chat_member` update says so.
        """
        chat = self._group(chat_id)
        if chat.bot_status != "member":
            raise ValueError(f"the bot is not a member of chat {chat_id}")
        new: dict[str, Any] = {"status": "kicked" if kicked else "left", "user": self._bot_user()}
        if kicked:
            new["until_date"] = 0
        self._bot_membership_changed(chat, by, new)
        chat.bot_status = str(new["status"])

    def add_bot(self, chat_id: int, *, by: int | None = None) -> None:
        """The bot is added back to a group it was removed from (a `my_chat_member` update)."""
        chat = self._group(chat_id)
        if chat.bot_status == "member":
            raise ValueError(f"the bot is already a member of chat {chat_id}")
        chat.bot_status = "member"
        self._bot_membership_changed(chat, by, {"status": "member", "user": self._bot_user()})

    def delete_chat(self, chat_id: int) -> None:
        """The chat is gone (deleted, or never existed under this id): every call naming it is
        400 "chat not found". Its messages stay readable through `messages`."""
        self._known_chat(chat_id).gone = True

    def migrate_group(self, chat_id: int, new_chat_id: int | None = None) -> int:
        """A group is upgraded to a supergroup (its members and title carried over); returns
        the supergroup's id. Calls naming the old id are then 400 "group chat was upgraded to
        a supergroup chat" with `parameters.migrate_to_chat_id` (PTB raises ChatMigrated);
        both chats get their service message (`migrate_to_chat_id` / `migrate_from_chat_id`).
        """
        chat = self._group(chat_id)
        if chat.payload["type"] != "group" or chat.migrated_to is not None:
            raise ValueError(f"chat {chat_id} is not a group that can be upgraded")
        target = new_chat_id if new_chat_id is not None else int(f"-100{-chat_id}")
        if not str(target).startswith("-100") or target in self._chats:
            raise ValueError(f"{target} cannot be the id of a new supergroup")
        payload = {"id": target, "type": "supergroup", "title": chat.payload["title"]}
        supergroup = _Chat(target, payload, bot_is_admin=chat.bot_is_admin)
        supergroup.bot_status = chat.bot_status
        self._chats[target] = supergroup
        who = self._actor(None)
        for where, extra in (
            (chat, {"migrate_to_chat_id": target}),
            (supergroup, {"migrate_from_chat_id": chat_id}),
        ):
            message = self._add_message(
                where, sender=who, text="", html="", entities=[], extra=extra
            )
            if where.bot_status == "member":
                self._queue_update("message", message.raw)
        chat.migrated_to = target
        return target

    def _group(self, chat_id: int) -> _Chat:
        if chat_id >= 0:
            raise ValueError(f"chat {chat_id} is a private chat, not a group")
        return self._known_chat(chat_id)

    def _actor(self, user_id: int | None) -> dict[str, Any]:
        """The user who changed a chat: a known one, else the chat's anonymous owner."""
        if user_id is not None:
            user = self._users.get(user_id)
            if user is None:
                raise ValueError(f"user {user_id} is unknown: add_user first")
            return user
        return {"id": GROUP_OWNER_ID, "is_bot": False, "first_name": "Group owner"}

    def _bot_membership_changed(self, chat: _Chat, by: int | None, new: dict[str, Any]) -> None:
        old: dict[str, Any] = {"status": chat.bot_status, "user": self._bot_user()}
        if old["status"] == "kicked":
            old["until_date"] = 0
        self._queue_update(
            "my_chat_member",
            {
                "chat": chat.payload,
                "from": self._actor(by),
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": new,
            },
        )

    def user_sends(
        self, user_id: int, chat_id: int, text: str, *, reply_to: int | None = None
    ) -> dict[str, Any]:
        """The user writes `text` in the chat; queue the `message` update; return the Message."""
        user, chat = self._sender(user_id, chat_id)
        if not text:
            raise ValueError("a user cannot send an empty message")
        payload: dict[str, Any] = {"text": text}
        command = _COMMAND_RE.match(text)
        if command:
            length = telegram_html.utf16_len(command.group(0))
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        message = self._user_message(user, chat, text, payload, reply_to)
        if self._bot_sees(chat, message, command.group(0) if command else None):
            self._queue_update("message", message.raw)
        else:
            self.withheld_updates.append({"message": message.raw})
            log.info(
                "telegram fake: privacy mode keeps message %s from the bot", message.message_id
            )
        return message.raw

    def upload_document(
        self,
        user_id: int,
        chat_id: int,
        filename: str,
        content: bytes,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """The user sends a file (a document) to the chat; queue the update; return the Message.

        A caption starting with a /command carries its bot_command entity, as Telegram does.
        """
        user, chat = self._sender(user_id, chat_id)
        guessed = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        document = self._store_file(filename, guessed, content)
        payload: dict[str, Any] = {"document": document.to_json()}
        command = _COMMAND_RE.match(caption or "")
        if caption:
            payload["caption"] = caption
        if command:
            length = telegram_html.utf16_len(command.group(0))
            payload["caption_entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        message = self._user_message(user, chat, caption or "", payload, reply_to, document)
        if self._bot_sees(chat, message, command.group(0) if command else None):
            self._queue_update("message", message.raw)
        else:
            self.withheld_updates.append({"message": message.raw})
        return message.raw

    def user_sends_media(
        self,
        user_id: int,
        chat_id: int,
        kind: str,
        *,
        caption: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo or a sticker (no text); queue the update; return the Message.

        Shaped as Telegram sends them: a photo is a list of sizes and may carry a caption, a
        sticker has its type, size and emoji.
        """
        user, chat = self._sender(user_id, chat_id)
        number = len(self._files) + len(chat.messages) + 1
        ids = {"file_id": f"AgACAgQAAxkBAAI{number:010d}", "file_unique_id": f"AQADmedia{number}"}
        payload: dict[str, Any]
        if kind == "photo":
            sizes = [(90, 67, 1200), (320, 240, 16000), (800, 600, 61000)]
            payload = {
                "photo": [
                    {
                        **ids,
                        "file_unique_id": f"{ids['file_unique_id']}{w}",
                        "width": w,
                        "height": h,
                        "file_size": size,
                    }
                    for w, h, size in sizes
                ]
            }
            if caption:
                payload["caption"] = caption
        elif kind == "sticker":
            if caption:
                raise ValueError("a sticker has no caption")
            payload = {
                "sticker": {
                    **ids,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": "\U0001f44d",
                    "file_size": 24000,
                }
            }
        else:
            raise ValueError(f"unknown media kind {kind!r} (photo or sticker)")
        message = self._user_message(user, chat, caption or "", payload, reply_to)
        if self._bot_sees(chat, message, None):
            self._queue_update("message", message.raw)
        else:
            self.withheld_updates.append({"message": message.raw})
        return message.raw

    def press_button(
        self, user_id: int, chat_id: int, message_id: int, data: str, *, check: bool = True
    ) -> str:
        """The user presses the inline button carrying `data`; return the callback query id.

        With `check`, the message must exist and currently show a button with that data.
        """
        user, chat = self._sender(user_id, chat_id)
        message = chat.by_id.get(message_id)
        if check:
            if message is None or message.deleted:
                raise ValueError(f"no message {message_id} in chat {chat_id} to press a button on")
            datas = [b.get("callback_data") for b in message.buttons()]
            if data not in datas:
                raise ValueError(
                    f"message {message_id} in chat {chat_id} has no button with data {data!r}; "
                    f"its buttons carry {datas!r}"
                )
        query_id = f"{self.bot_id}{self._next_query:08d}"
        self._next_query += 1
        query: dict[str, Any] = {
            "id": query_id,
            "from": user,
            "chat_instance": f"{chat_id & 0xFFFFFFFF}{self.bot_id}",
            "data": data,
        }
        if message is not None:
            query["message"] = message.raw
        self._open_queries[query_id] = query
        self._queue_update("callback_query", query)
        return query_id

    def deliver_again(self, update_id: int) -> None:
        """Queue an already delivered update once more, as Telegram does when the bot did not
        confirm it; the next getUpdates returns it whatever its offset."""
        update = self._delivered.get(update_id)
        if update is None:
            raise ValueError(f"update {update_id} was never delivered")
        if any(u.update_id == update_id for u in self._pending):
            return
        self._pending.append(_Update(update_id, update.payload, redeliver=True))
        self._pending.sort(key=lambda u: u.update_id)
        self._changed()

    # -- reading state -------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[FakeMessage]:
        """Every message in the chat in order, the user's and the bot's, deleted ones flagged."""
        chat = self._chats.get(chat_id)
        return list(chat.messages) if chat else []

    def bot_messages(self, chat_id: int) -> list[FakeMessage]:
        """The bot's messages in the chat, in order."""
        return [m for m in self.messages(chat_id) if m.from_bot]

    def message(self, chat_id: int, message_id: int) -> FakeMessage:
        """One message by id (KeyError if there is none)."""
        return self._known_chat(chat_id).by_id[message_id]

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        return [{"update_id": u.update_id, **u.payload} for u in self._pending]

    def document_content(self, file_id: str) -> bytes:
        """The bytes of a stored file."""
        return self._files[file_id].content

    def calls(self, method: str, *, chat_id: int | None = None) -> list[RecordedRequest]:
        """Recorded requests of one method (case-insensitive), to one chat if given."""
        return [
            r
            for r in self.requests
            if r.method.lower() == method.lower()
            and (chat_id is None or str(r.params.get("chat_id")) == str(chat_id))
        ]

    def commands(self, language_code: str = "", scope: str = "default") -> list[dict[str, Any]]:
        """The command list the bot set for a scope type and language."""
        return list(self._commands.get((scope, language_code), []))

    # -- waiting -------------------------------------------------------------------------------

    async def wait_for_bot_message(
        self,
        chat_id: int,
        *,
        predicate: Callable[[FakeMessage], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - the tests' own bound, part of the driver's API
    ) -> FakeMessage:
        """The next bot message in the chat not returned by an earlier wait, matching
        `predicate`; AssertionError after `timeout` seconds."""
        returned = self._returned.setdefault(chat_id, set())

        def find() -> FakeMessage | None:
            for message in self.bot_messages(chat_id):
                if message.message_id in returned:
                    continue
                if predicate is None or predicate(message):
                    return message
            return None

        found: list[FakeMessage] = []

        def arrived() -> bool:
            message = find()
            if message is not None:
                found.append(message)
            return message is not None

        what = f"a bot message in chat {chat_id}"
        if predicate is not None:
            what += f" matching {getattr(predicate, '__name__', repr(predicate))}"
        await self.wait_until(arrived, timeout, what=what)
        returned.add(found[0].message_id)
        return found[0]

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109 - the tests' own bound, part of the driver's API
        *,
        what: str | None = None,
    ) -> None:
        """Return once `condition()` holds, re-checked whenever the fake's state changes;
        AssertionError naming what was awaited after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(self._timeout_report(what or _describe(condition), timeout))
            event = self._changed_event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue

    def _timeout_report(self, what: str, timeout: float) -> str:
        recent = [
            f"{r.method} -> {r.status}" + (f" ({r.description})" if r.description else "")
            for r in self.requests[-8:]
        ]
        sent = [
            f"chat {m.chat_id} #{m.message_id}: {m.text[:60]!r}"
            for chat in self._chats.values()
            for m in chat.messages[-3:]
            if m.from_bot
        ]
        return (
            f"timed out after {timeout}s waiting for {what}; "
            f"last requests: {recent or 'none'}; last bot messages: {sent or 'none'}"
        )

    # -- internals: chats, messages, updates ---------------------------------------------------

    def _known_chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ValueError(f"chat {chat_id} is unknown: add_user or add_group first")
        return chat

    def _sender(self, user_id: int, chat_id: int) -> tuple[dict[str, Any], _Chat]:
        user = self._users.get(user_id)
        if user is None:
            raise ValueError(f"user {user_id} is unknown: add_user first")
        chat = self._known_chat(chat_id)
        if chat_id > 0 and chat_id != user_id:
            raise ValueError(f"user {user_id} cannot write in the private chat of {chat_id}")
        if chat.gone or chat.migrated_to is not None:
            raise ValueError(f"chat {chat_id} is gone (deleted or upgraded to a supergroup)")
        return user, chat

    def _bot_sees(self, chat: _Chat, message: FakeMessage, command: str | None) -> bool:
        if chat.bot_status != "member":
            return False
        if chat.chat_id > 0 or not self.privacy_mode or chat.bot_is_admin:
            return True
        if command is not None:
            target = command.partition("@")[2]
            return not target or target.lower() == self.bot_username.lower()
        if message.reply_to is not None:
            replied = chat.by_id.get(message.reply_to)
            return replied is not None and replied.from_bot
        return False

    def _user_message(
        self,
        user: dict[str, Any],
        chat: _Chat,
        text: str,
        payload: dict[str, Any],
        reply_to: int | None,
        document: FakeDocument | None = None,
    ) -> FakeMessage:
        if reply_to is not None:
            replied = chat.by_id.get(reply_to)
            if replied is None or replied.deleted:
                raise ValueError(f"no message {reply_to} in chat {chat.chat_id} to reply to")
        return self._add_message(
            chat,
            sender=user,
            text=text,
            html=text,
            entities=payload.get("entities", payload.get("caption_entities", [])),
            extra=payload,
            reply_to=reply_to,
            document=document,
        )

    def _add_message(
        self,
        chat: _Chat,
        *,
        sender: dict[str, Any],
        text: str,
        html: str,
        entities: list[dict[str, Any]],
        extra: dict[str, Any],
        reply_to: int | None = None,
        reply_markup: dict[str, Any] | None = None,
        document: FakeDocument | None = None,
    ) -> FakeMessage:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        raw: dict[str, Any] = {
            "message_id": message_id,
            "from": sender,
            "chat": chat.payload,
            "date": int(time.time()),
            **extra,
        }
        if reply_to is not None:
            replied = dict(chat.by_id[reply_to].raw)
            # Telegram does not nest replies: the replied message carries no reply of its own.
            replied.pop("reply_to_message", None)
            raw["reply_to_message"] = replied
        if reply_markup is not None:
            raw["reply_markup"] = reply_markup
        message = FakeMessage(
            message_id=message_id,
            chat_id=chat.chat_id,
            from_bot=sender.get("is_bot", False) is True and sender["id"] == self.bot_id,
            text=text,
            html=html,
            reply_markup=reply_markup,
            reply_to=reply_to,
            document=document,
            from_user_id=int(sender["id"]),
            entities=entities,
            raw=raw,
        )
        chat.messages.append(message)
        chat.by_id[message_id] = message
        self._changed()
        return message

    def _queue_update(self, kind: str, payload: dict[str, Any]) -> None:
        allowed = self._allowed_updates
        allowed_now = kind not in DEFAULT_EXCLUDED_UPDATES if allowed is None else kind in allowed
        if not allowed_now:
            self.withheld_updates.append({kind: payload})
            return
        update = _Update(self._next_update_id, {kind: payload})
        self._next_update_id += 1
        self._pending.append(update)
        self._changed()

    def _store_file(self, filename: str, mime_type: str, content: bytes) -> FakeDocument:
        number = len(self._files) + 1
        suffix = Path(filename).suffix
        document = FakeDocument(
            file_id=f"BQACAgQAAxkBAAI{number:010d}",
            file_unique_id=f"AgADfake{number}",
            file_name=filename,
            mime_type=mime_type,
            content=content,
            file_path=f"documents/file_{number}{suffix}",
        )
        self._files[document.file_id] = document
        return document

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def _target_chat(self, chat_id: Any) -> _Chat:
        chat: _Chat | None = None
        if isinstance(chat_id, int):
            chat = self._chats.get(chat_id)
        elif isinstance(chat_id, str) and _INT_RE.fullmatch(chat_id):
            chat = self._chats.get(int(chat_id))
        if chat is None or chat.gone:
            raise _bad("chat not found")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.bot_status != "member":
            kind = chat.payload["type"]
            if chat.bot_status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return chat

    def _text(
        self, text: str, parse_mode: str | None, entities: list[Any] | None, what: str
    ) -> ParsedText:
        mode = (parse_mode or "").strip()
        if entities is not None:
            parsed = ParsedText(text, list(entities))
        elif not mode:
            parsed = ParsedText(text, [])
        elif mode.lower() == "html":
            try:
                parsed = telegram_html.parse_html(text)
            except HtmlParseError as err:
                raise _bad(f"can't parse entities: {err}") from None
        else:
            raise _bad(f"unsupported parse_mode {mode!r} (the fake implements only HTML)")
        parsed = telegram_html.trim(parsed)
        limit = MAX_CAPTION if what == "caption" else MAX_TEXT
        if what == "text" and not parsed.text:
            raise _bad("message text is empty")
        if telegram_html.utf16_len(parsed.text) > limit:
            raise _bad("message is too long" if what == "text" else "message caption is too long")
        return parsed

    @staticmethod
    def _markup(markup: Any) -> dict[str, Any] | None:
        if markup is None:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(data.encode("utf-8")) > MAX_CALLBACK_DATA:
                    raise _bad("BUTTON_DATA_INVALID")
                if set(button) <= {"text", "icon_custom_emoji_id", "style"}:
                    raise _bad(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
        return dict(markup)

    @staticmethod
    def _reply_to(chat: _Chat, parameters: dict[str, Any] | None) -> int | None:
        if not parameters:
            return None
        replied = chat.by_id.get(int(parameters["message_id"]))
        other_chat = parameters.get("chat_id")
        if other_chat is not None and str(other_chat) != str(chat.chat_id):
            raise _bad("replying to messages of other chats is not supported by the fake")
        if replied is None or replied.deleted:
            if parameters.get("allow_sending_without_reply"):
                return None
            raise _bad("message to be replied not found")
        return replied.message_id

    def _bot_message(self, chat: _Chat, message_id: Any, missing: str) -> FakeMessage:
        message = chat.by_id.get(int(message_id))
        if message is None or message.deleted:
            raise _bad(missing)
        return message

    # -- methods ------------------------------------------------------------------------------

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._changed()  # wakes an earlier long poll, which then answers 409
        if "allowed_updates" in params:
            self._allowed_updates = frozenset(params["allowed_updates"]) or None
        offset = int(params.get("offset", 0))
        if offset > 0:
            self._pending = [u for u in self._pending if u.update_id >= offset or u.redeliver]
        elif offset < 0:
            self._pending = self._pending[offset:]
        limit = min(int(params.get("limit") or 100), 100)
        if limit < 1:
            limit = 100
        timeout = max(int(params.get("timeout", 0)), 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self.waiting_polls += 1
        try:
            while not self._pending and not self._closing and generation == self._poll_generation:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                event = self._changed_event
                try:
                    await asyncio.wait_for(event.wait(), remaining)
                except TimeoutError:
                    break
        finally:
            self.waiting_polls -= 1
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        batch = self._pending[:limit]
        for update in batch:
            update.redeliver = False
            self._delivered[update.update_id] = update
        return [{"update_id": u.update_id, **u.payload} for u in batch]

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        self._webhook_url = params["url"]
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params["chat_id"])
        parsed = self._text(
            params["text"], params.get("parse_mode"), params.get("entities"), "text"
        )
        markup = self._markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params.get("reply_parameters"))
        self._check_flood(chat.chat_id)
        self._count_flood(chat.chat_id)
        extra: dict[str, Any] = {"text": parsed.text}
        if parsed.entities:
            extra["entities"] = parsed.entities
        message = self._add_message(
            chat,
            sender=self._bot_user(),
            text=parsed.text,
            html=params["text"],
            entities=parsed.entities,
            extra=extra,
            reply_to=reply_to,
            reply_markup=markup,
        )
        return message.raw

    def _editable(self, params: dict[str, Any]) -> tuple[_Chat, FakeMessage]:
        if "inline_message_id" in params:
            raise _bad("MESSAGE_ID_INVALID (the fake has no inline messages)")
        if "chat_id" not in params:
            raise _bad("chat_id is empty")
        if "message_id" not in params:
            raise _bad("message identifier is not specified")
        chat = self._target_chat(params["chat_id"])
        message = self._bot_message(chat, params["message_id"], "message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        return chat, message

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._editable(params)
        if message.document is not None:
            raise _bad("there is no text in the message to edit")
        if not params.get("text"):
            raise _bad("message text is empty")
        parsed = self._text(
            params["text"], params.get("parse_mode"), params.get("entities"), "text"
        )
        markup = self._markup(params.get("reply_markup"))
        if (
            parsed.text == message.text
            and parsed.entities == message.entities
            and markup == message.reply_markup
        ):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        self._check_flood(chat.chat_id)
        self._count_flood(chat.chat_id)
        message.edits.append(message.text)
        message.text = parsed.text
        message.html = params["text"]
        message.entities = parsed.entities
        message.reply_markup = markup
        raw = dict(message.raw)
        raw["text"] = parsed.text
        raw["edit_date"] = int(time.time())
        _set_or_drop(raw, "entities", parsed.entities or None)
        _set_or_drop(raw, "reply_markup", markup)
        message.raw = raw
        self._changed()
        return raw

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        _, message = self._editable(params)
        markup = self._markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message.reply_markup = markup
        raw = dict(message.raw)
        raw["edit_date"] = int(time.time())
        _set_or_drop(raw, "reply_markup", markup)
        message.raw = raw
        self._changed()
        return raw

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._target_chat(params["chat_id"])
        message = self._bot_message(chat, params["message_id"], "message to delete not found")
        message.deleted = True
        self._changed()
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = params["callback_query_id"]
        if query_id not in self._open_queries or query_id in self.callback_answers:
            raise ApiError(400, _QUERY_INVALID)
        self.callback_answers[query_id] = CallbackAnswer(
            callback_query_id=query_id,
            text=params.get("text"),
            show_alert=bool(params.get("show_alert", False)),
            url=params.get("url"),
        )
        self._changed()
        return True

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if len(commands) > 100:
            raise _bad("too many commands")
        for command in commands:
            if not _BOT_COMMAND_RE.fullmatch(command["command"]):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (self._scope(params), params.get("language_code", ""))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands(params.get("language_code", ""), self._scope(params))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop((self._scope(params), params.get("language_code", "")), None)
        return True

    @staticmethod
    def _scope(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return str(scope.get("type", "default"))

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params["chat_id"])
        document = self._document(params["document"])
        parsed = self._text(
            params.get("caption", ""),
            params.get("parse_mode"),
            params.get("caption_entities"),
            "caption",
        )
        markup = self._markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params.get("reply_parameters"))
        self._check_flood(chat.chat_id)
        self._count_flood(chat.chat_id)
        extra: dict[str, Any] = {"document": document.to_json()}
        if parsed.text:
            extra["caption"] = parsed.text
        if parsed.entities:
            extra["caption_entities"] = parsed.entities
        message = self._add_message(
            chat,
            sender=self._bot_user(),
            text=parsed.text,
            html=params.get("caption", ""),
            entities=parsed.entities,
            extra=extra,
            reply_to=reply_to,
            reply_markup=markup,
            document=document,
        )
        return message.raw

    def _document(self, value: Any) -> FakeDocument:
        if isinstance(value, UploadedFile):
            if not value.content:
                raise _bad("file must be non-empty")
            if len(value.content) > MAX_UPLOAD:
                raise ApiError(413, "Request Entity Too Large")
            mime = value.content_type
            if mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or mime
            return self._store_file(value.filename, mime, value.content)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        raise _bad(_WRONG_FILE.removeprefix("Bad Request: "))

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        document = self._files.get(params["file_id"])
        if document is None:
            raise _bad("wrong file_id or the file is temporarily unavailable")
        if document.file_size > MAX_DOWNLOAD:
            raise _bad("file is too big")
        return {
            "file_id": document.file_id,
            "file_unique_id": document.file_unique_id,
            "file_size": document.file_size,
            "file_path": document.file_path,
        }

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        chat = self._target_chat(params["chat_id"])
        if params["action"] not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((chat.chat_id, params["action"]))
        return True


def _set_or_drop(raw: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        raw.pop(key, None)
    else:
        raw[key] = value


def _describe(condition: Callable[[], bool]) -> str:
    name = getattr(condition, "__name__", "")
    return f"condition {name}" if name and name != "<lambda>" else f"condition {condition!r}"


async def _maybe_await(value: Any) -> Any:
    if asyncio.iscoroutine(value):
        return await value
    return value


def main(argv: list[str] | None = None) -> None:
    """`python -m sandbox.telegram SRC [DST]`: write the trimmed Bot API data the fake ships."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("source", type=Path, help="the full telegram-bot-api.json")
    default = Path(__file__).parent / SPEC_RESOURCE
    parser.add_argument("target", type=Path, nargs="?", default=default)
    args = parser.parse_args(argv)
    trimmed = trim_spec(json.loads(args.source.read_text(encoding="utf-8")))
    args.target.parent.mkdir(parents=True, exist_ok=True)
    args.target.write_text(dump_spec(trimmed), encoding="utf-8")


if __name__ == "__main__":
    main()
