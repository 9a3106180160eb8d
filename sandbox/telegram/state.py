"""What the Telegram fake holds: chats and their messages, users, files, queued updates, the
requests the bot made; the messages and records tests read; and the one event every change sets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.telegram.faults import FloodLimits, Outages

FIRST_UPDATE_ID = 100_000_001
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


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
    edits: list[str] = field(default_factory=list)  # the texts it had before each edit
    edited_at: list[float] = field(default_factory=list)  # time.monotonic() of each edit
    deleted: bool = False
    document: FakeDocument | None = None
    from_user_id: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    thread_id: int | None = None  # the forum topic it was posted in

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


@dataclass
class FakeTopic:
    """A forum topic: its id is the id of the service message that opened it."""

    thread_id: int
    name: str
    icon_color: int
    created_by_bot: bool
    closed: bool = False
    deleted: bool = False

    def to_json(self) -> dict[str, Any]:
        """The Telegram ForumTopic object."""
        return {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }


@dataclass
class ChatState:
    """One chat as the fake keeps it."""

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
    is_forum: bool = False  # a supergroup with topics (or a private chat with topics enabled)
    can_manage_topics: bool = False  # the bot's admin right
    topics: dict[int, FakeTopic] = field(default_factory=dict)


@dataclass
class QueuedUpdate:
    """An update waiting for getUpdates (`redeliver`: returned again whatever the offset)."""

    update_id: int
    payload: dict[str, Any]
    redeliver: bool = False


class FakeState:
    """The state of one bot's fake, shared by its Bot API methods and the users' side."""

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
        private_topics: bool = False,
    ) -> None:
        self._token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.privacy_mode = privacy_mode
        # The bot's topic mode in private chats (getMe's has_topics_enabled).
        self.private_topics = private_topics
        self._clock = clock
        self._flood = FloodLimits(clock, enabled=flood)
        self._outages = Outages(clock)
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, ChatState] = {}
        self._files: dict[str, FakeDocument] = {}
        self._pending: list[QueuedUpdate] = []
        self._delivered: dict[int, QueuedUpdate] = {}
        self._next_update_id = FIRST_UPDATE_ID
        self._allowed_updates: frozenset[str] | None = None
        self._webhook_url = ""
        self._webhook_secret = ""
        self._webhook_task: asyncio.Task[None] | None = None
        # Where webhook updates really go (tests: a load balancer's round-robin over replicas);
        # empty: the URL setWebhook was given. `webhook_fan_out`: each update to every target.
        self.webhook_targets: list[str] = []
        self.webhook_fan_out = False
        self.webhook_posts: list[tuple[str, int, int]] = []  # (url, update_id, HTTP status)
        self.slow_methods: dict[str, float] = {}  # method → seconds its answers are late
        self._poll_generation = 0
        self._closing = False
        self._changed_event = asyncio.Event()
        self._returned: dict[int, set[int]] = {}
        self._open_queries: dict[str, dict[str, Any]] = {}
        self._next_query = 1
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.requests: list[RecordedRequest] = []
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.withheld_updates: list[dict[str, Any]] = []
        self.waiting_polls = 0  # getUpdates calls being answered now (long polls waiting)
        self.answering = 0  # other Bot API requests being answered now
        self.last_request_at = 0.0  # the loop's time when the last one came

    def _changed(self) -> None:
        """Wake whoever waits for the state to change (long polls, tests' waits)."""
        self._changed_event.set()
        self._changed_event = asyncio.Event()

    async def _next_change(self, deadline: float) -> bool:
        """Wait for the next change until `deadline` (the loop's time); False if none came."""
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            return False
        event = self._changed_event
        try:
            await asyncio.wait_for(event.wait(), remaining)
        except TimeoutError:
            return False
        return True

    # -- reading state -------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[FakeMessage]:
        """Every message in the chat in order, the user's and the bot's, deleted ones flagged."""
        chat = self._chats.get(chat_id)
        return list(chat.messages) if chat else []

    def bot_messages(self, chat_id: int) -> list[FakeMessage]:
        """The bot's messages in the chat, in order."""
        return [m for m in self.messages(chat_id) if m.from_bot]

    def topic_messages(self, chat_id: int, thread_id: int) -> list[FakeMessage]:
        """The messages of one forum topic, its opening service message first."""
        return [m for m in self.messages(chat_id) if m.thread_id == thread_id]

    def topics(self, chat_id: int) -> list[FakeTopic]:
        """The chat's forum topics in the order they were created, deleted ones flagged."""
        return list(self._known_chat(chat_id).topics.values())

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

    # -- internals: chats, messages, updates ---------------------------------------------------

    def _known_chat(self, chat_id: int) -> ChatState:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ValueError(f"chat {chat_id} is unknown: add_user or add_group first")
        return chat

    def _add_message(
        self,
        chat: ChatState,
        *,
        sender: dict[str, Any],
        text: str,
        html: str,
        entities: list[dict[str, Any]],
        extra: dict[str, Any],
        reply_to: int | None = None,
        reply_markup: dict[str, Any] | None = None,
        document: FakeDocument | None = None,
        thread_id: int | None = None,
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
        if thread_id is not None:
            raw["message_thread_id"] = thread_id
            raw["is_topic_message"] = True
            # Telegram shows a message of a topic as a reply to the topic's first message
            # unless it replies to another one.
            if reply_to is None and thread_id != message_id and thread_id in chat.by_id:
                reply_to = thread_id
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
            thread_id=thread_id,
        )
        chat.messages.append(message)
        chat.by_id[message_id] = message
        self._changed()
        return message

    def forget_topic(self, chat: ChatState, topic: FakeTopic) -> None:
        """A topic is deleted with its messages."""
        topic.deleted = True
        for message in chat.messages:
            if message.thread_id == topic.thread_id:
                message.deleted = True
        self._changed()

    def _queue_update(self, kind: str, payload: dict[str, Any]) -> None:
        allowed = self._allowed_updates
        allowed_now = kind not in DEFAULT_EXCLUDED_UPDATES if allowed is None else kind in allowed
        if not allowed_now:
            self.withheld_updates.append({kind: payload})
            return
        update = QueuedUpdate(self._next_update_id, {kind: payload})
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
