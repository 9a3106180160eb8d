"""The Bot API methods the fake implements, each refusing what Telegram refuses with its wording.

A method gets its parameters already typed by `sandbox.telegram.spec.check_params` and answers
the `result` of the envelope, or raises `ApiError`. A method of the Bot API that is not here
answers `true` (see `ApiServer`).
"""

from __future__ import annotations

import asyncio
import functools
import mimetypes
import re
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from sandbox.telegram import html
from sandbox.telegram.html import HtmlParseError, ParsedText
from sandbox.telegram.spec import INT_RE, ApiError, UploadedFile, bad
from sandbox.telegram.state import (
    CallbackAnswer,
    ChatState,
    FakeDocument,
    FakeMessage,
    FakeState,
    FakeTopic,
)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_UPLOAD = 50 * 1024 * 1024
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
_BOT_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"
TOPIC_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
MAX_TOPIC_NAME = 128

MethodHandler = Callable[[dict[str, Any]], Any]


class BotApiMethods(FakeState):
    """The implemented methods over the fake's state."""

    @functools.cached_property
    def method_handlers(self) -> dict[str, MethodHandler]:
        """Canonical method name → its implementation (sync or async)."""
        return {
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
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "createForumTopic": self._create_forum_topic,
            "editForumTopic": self._edit_forum_topic,
            "closeForumTopic": self._close_forum_topic,
            "reopenForumTopic": self._reopen_forum_topic,
            "deleteForumTopic": self._delete_forum_topic,
        }

    # -- helpers ------------------------------------------------------------------------------

    def _target_chat(self, chat_id: Any) -> ChatState:
        chat: ChatState | None = None
        if isinstance(chat_id, int):
            chat = self._chats.get(chat_id)
        elif isinstance(chat_id, str) and INT_RE.fullmatch(chat_id):
            chat = self._chats.get(int(chat_id))
        if chat is None or chat.gone:
            raise bad("chat not found")
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
                parsed = html.parse_html(text)
            except HtmlParseError as err:
                raise bad(f"can't parse entities: {err}") from None
        else:
            raise bad(f"unsupported parse_mode {mode!r} (the fake implements only HTML)")
        parsed = html.trim(parsed)
        limit = MAX_CAPTION if what == "caption" else MAX_TEXT
        if what == "text" and not parsed.text:
            raise bad("message text is empty")
        if html.utf16_len(parsed.text) > limit:
            raise bad("message is too long" if what == "text" else "message caption is too long")
        return parsed

    @staticmethod
    def _markup(markup: Any) -> dict[str, Any] | None:
        if markup is None:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(data.encode("utf-8")) > MAX_CALLBACK_DATA:
                    raise bad("BUTTON_DATA_INVALID")
                if set(button) <= {"text", "icon_custom_emoji_id", "style"}:
                    raise bad(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
        return dict(markup)

    @staticmethod
    def _reply_to(chat: ChatState, parameters: dict[str, Any] | None) -> int | None:
        if not parameters:
            return None
        replied = chat.by_id.get(int(parameters["message_id"]))
        other_chat = parameters.get("chat_id")
        if other_chat is not None and str(other_chat) != str(chat.chat_id):
            raise bad("replying to messages of other chats is not supported by the fake")
        if replied is None or replied.deleted:
            if parameters.get("allow_sending_without_reply"):
                return None
            raise bad("message to be replied not found")
        return replied.message_id

    def _bot_message(self, chat: ChatState, message_id: Any, missing: str) -> FakeMessage:
        message = chat.by_id.get(int(message_id))
        if message is None or message.deleted:
            raise bad(missing)
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
            "has_topics_enabled": self.private_topics,
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
                if not await self._next_change(deadline):
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
        self._webhook_secret = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._changed()  # the poster sees the webhook gone and stops
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params["url"])
        if not url.startswith(("https://", "http://")):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = str(params.get("secret_token", ""))
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad("bad webhook: secret token contains unallowed characters")
        self._webhook_url = url
        self._webhook_secret = secret
        if "allowed_updates" in params:
            self._allowed_updates = frozenset(params["allowed_updates"]) or None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._poll_generation += 1  # a long poll waiting now answers 409
        self._changed()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._post_updates())
        return True

    async def _post_updates(self) -> None:
        """While a webhook is set: post each pending update, oldest first, to the webhook
        (round-robin over `webhook_targets` if set; to all of them with `webhook_fan_out`)
        with the secret token header; an update stays pending until a post answers 2xx, as
        Telegram retries."""
        turn = 0
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while self._webhook_url and not self._closing:
                if not self._pending:
                    await self._next_change(loop.time() + 1.0)
                    continue
                update = self._pending[0]
                targets = self.webhook_targets or [self._webhook_url]
                chosen = targets if self.webhook_fan_out else [targets[turn % len(targets)]]
                turn += 1
                body = {"update_id": update.update_id, **update.payload}
                headers = {"X-Telegram-Bot-Api-Secret-Token": self._webhook_secret}
                results = await asyncio.gather(
                    *(self._post_one(session, url, body, headers) for url in chosen)
                )
                for url, status in zip(chosen, results, strict=True):
                    self.webhook_posts.append((url, update.update_id, status))
                if any(200 <= status < 300 for status in results):
                    if self._pending and self._pending[0] is update:
                        self._pending.pop(0)
                    self._delivered[update.update_id] = update
                    self._changed()
                else:
                    await asyncio.sleep(0.2)

    async def _post_one(
        self,
        session: aiohttp.ClientSession,
        url: str,
        body: dict[str, Any],
        headers: dict[str, str],
    ) -> int:
        try:
            async with session.post(url, json=body, headers=headers) as response:
                await response.read()
                status: int = response.status
                return status
        except (aiohttp.ClientError, TimeoutError, OSError):
            return 0  # unreachable: tried again (on the next target)

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params["chat_id"])
        return self._post(chat, params, "text", "entities")

    def _editable(self, params: dict[str, Any]) -> tuple[ChatState, FakeMessage]:
        if "inline_message_id" in params:
            raise bad("MESSAGE_ID_INVALID (the fake has no inline messages)")
        if "chat_id" not in params:
            raise bad("chat_id is empty")
        if "message_id" not in params:
            raise bad("message identifier is not specified")
        chat = self._target_chat(params["chat_id"])
        message = self._bot_message(chat, params["message_id"], "message to edit not found")
        if not message.from_bot:
            raise bad("message can't be edited")
        return chat, message

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._editable(params)
        if message.document is not None:
            raise bad("there is no text in the message to edit")
        if not params.get("text"):
            raise bad("message text is empty")
        parsed = self._text(
            params["text"], params.get("parse_mode"), params.get("entities"), "text"
        )
        markup = self._markup(params.get("reply_markup"))
        if (
            parsed.text == message.text
            and parsed.entities == message.entities
            and markup == message.reply_markup
        ):
            raise bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        self._flood.check(chat.chat_id)
        self._flood.count(chat.chat_id)
        message.edits.append(message.text)
        message.edited_at.append(time.monotonic())
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
            raise bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
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
            raise bad("too many commands")
        for command in commands:
            if not _BOT_COMMAND_RE.fullmatch(command["command"]):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
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
        return self._post(chat, params, "caption", "caption_entities", document)

    def _post(
        self,
        chat: ChatState,
        params: dict[str, Any],
        text_key: str,
        entities_key: str,
        document: FakeDocument | None = None,
    ) -> dict[str, Any]:
        """A bot's message (its `text` or a document's `caption`) checked, counted and added."""
        html_text = params.get(text_key, "")
        parsed = self._text(html_text, params.get("parse_mode"), params.get(entities_key), text_key)
        markup = self._markup(params.get("reply_markup"))
        thread_id = self._thread(chat, params.get("message_thread_id"))
        reply_to = self._reply_to(chat, params.get("reply_parameters"))
        self._flood.check(chat.chat_id)
        self._flood.count(chat.chat_id)
        extra: dict[str, Any] = {} if document is None else {"document": document.to_json()}
        if parsed.text or document is None:
            extra[text_key] = parsed.text
        if parsed.entities:
            extra[entities_key] = parsed.entities
        message = self._add_message(
            chat,
            sender=self._bot_user(),
            text=parsed.text,
            html=html_text,
            entities=parsed.entities,
            extra=extra,
            reply_to=reply_to,
            reply_markup=markup,
            document=document,
            thread_id=thread_id,
        )
        return message.raw

    @staticmethod
    def _thread(chat: ChatState, thread_id: Any) -> int | None:
        """The forum topic a message goes to (None: the chat itself, or its General topic)."""
        if thread_id is None or not chat.is_forum:
            # Telegram ignores message_thread_id outside forums.
            return None
        topic = chat.topics.get(int(thread_id))
        if topic is None or topic.deleted:
            raise bad("message thread not found")
        if topic.closed:
            raise bad("TOPIC_CLOSED")
        return topic.thread_id

    def _forum(self, params: dict[str, Any], right: bool = True) -> ChatState:
        chat = self._target_chat(params["chat_id"])
        if not chat.is_forum:
            raise bad("the chat is not a forum")
        if right and chat.chat_id < 0 and not (chat.bot_is_admin and chat.can_manage_topics):
            raise bad("not enough rights to manage topics")
        return chat

    def _topic(self, chat: ChatState, params: dict[str, Any]) -> FakeTopic:
        topic = chat.topics.get(int(params["message_thread_id"]))
        if topic is None or topic.deleted:
            raise bad("message thread not found")
        return topic

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params["chat_id"])
        info = {**chat.payload, "accent_color_id": 0, "max_reaction_count": 11}
        if chat.is_forum and chat.chat_id < 0:
            info["is_forum"] = True
        return info

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params["chat_id"])
        user_id = int(params["user_id"])
        if user_id != self.bot_id:
            user = self._users.get(user_id)
            if user is None:
                raise bad("user not found")
            return {"status": "member", "user": user}
        if not chat.bot_is_admin:
            return {"status": "member", "user": self._bot_user()}
        return {
            "status": "administrator",
            "user": self._bot_user(),
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": True,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
            "can_pin_messages": True,
            "can_manage_topics": chat.can_manage_topics,
        }

    def _create_forum_topic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._forum(params)
        name = params["name"]
        if not 1 <= len(name) <= MAX_TOPIC_NAME:
            raise bad("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        color = params.get("icon_color", TOPIC_ICON_COLORS[0])
        if color not in TOPIC_ICON_COLORS:
            raise bad("ICON_COLOR_INVALID")
        self._flood.check(chat.chat_id)
        self._flood.count(chat.chat_id)
        created = {"forum_topic_created": {"name": name, "icon_color": color}}
        thread_id = chat.next_message_id
        topic = FakeTopic(thread_id, name, color, created_by_bot=True)
        chat.topics[thread_id] = topic
        self._add_message(
            chat,
            sender=self._bot_user(),
            text="",
            html="",
            entities=[],
            extra=created,
            thread_id=thread_id,
        )
        return topic.to_json()

    def _edit_forum_topic(self, params: dict[str, Any]) -> bool:
        chat = self._forum(params, right=False)
        topic = self._topic(chat, params)
        if not topic.created_by_bot and not chat.can_manage_topics:
            raise bad("not enough rights to manage topics")
        name = params.get("name") or topic.name
        if len(name) > MAX_TOPIC_NAME:
            raise bad("TOPIC_TITLE_TOO_LONG")
        if name == topic.name:
            raise bad("TOPIC_NOT_MODIFIED")
        topic.name = name
        self._changed()
        return True

    def _close_forum_topic(self, params: dict[str, Any]) -> bool:
        return self._set_closed(params, closed=True)

    def _reopen_forum_topic(self, params: dict[str, Any]) -> bool:
        return self._set_closed(params, closed=False)

    def _set_closed(self, params: dict[str, Any], *, closed: bool) -> bool:
        chat = self._forum(params, right=False)
        topic = self._topic(chat, params)
        if not topic.created_by_bot and not chat.can_manage_topics:
            raise bad("not enough rights to manage topics")
        if topic.closed == closed:
            raise bad("TOPIC_NOT_MODIFIED")
        topic.closed = closed
        self._changed()
        return True

    def _delete_forum_topic(self, params: dict[str, Any]) -> bool:
        chat = self._forum(params)
        topic = self._topic(chat, params)
        self.forget_topic(chat, topic)
        return True

    def _document(self, value: Any) -> FakeDocument:
        if isinstance(value, UploadedFile):
            if not value.content:
                raise bad("file must be non-empty")
            if len(value.content) > MAX_UPLOAD:
                raise ApiError(413, "Request Entity Too Large")
            mime = value.content_type
            if mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or mime
            return self._store_file(value.filename, mime, value.content)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        raise bad(_WRONG_FILE.removeprefix("Bad Request: "))

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        document = self._files.get(params["file_id"])
        if document is None:
            raise bad("wrong file_id or the file is temporarily unavailable")
        if document.file_size > MAX_DOWNLOAD:
            raise bad("file is too big")
        return {
            "file_id": document.file_id,
            "file_unique_id": document.file_unique_id,
            "file_size": document.file_size,
            "file_path": document.file_path,
        }

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        chat = self._target_chat(params["chat_id"])
        if params["action"] not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        self.chat_actions.append((chat.chat_id, params["action"]))
        return True


def _set_or_drop(raw: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        raw.pop(key, None)
    else:
        raw[key] = value
