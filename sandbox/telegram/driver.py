"""The users' side of the Telegram fake, for tests in-process: users and groups, what people
write, send and press, what happens to a chat (the bot removed, a group upgraded, a chat gone),
faults to inject, and waiting for what the bot does.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import re
import time
from collections.abc import Callable
from typing import Any

from sandbox.telegram.faults import RequestMatcher
from sandbox.telegram.html import utf16_len
from sandbox.telegram.state import ChatState, FakeDocument, FakeMessage, FakeState, QueuedUpdate

log = logging.getLogger(__name__)

GROUP_OWNER_ID = (
    999_000_001  # who changes a group (removes the bot, upgrades it) if no one is named
)
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")


class UserDriver(FakeState):
    """What the people around the bot do, and what the test waits for."""

    # -- failure injection ---------------------------------------------------------------------

    def set_flood(self, enabled: bool) -> None:
        """Turn flood limits on or off (counting starts afresh)."""
        self._flood.reset(enabled)

    def fail_requests(
        self,
        status: int,
        *,
        times: int | None = None,
        seconds: float | None = None,
        methods: set[str] | None = None,
        retry_after: int = 1,
        matching: RequestMatcher | None = None,
    ) -> None:
        """Answer `status` (5xx, or 429 with `retry_after`) to the next `times` requests, or for
        `seconds` on the fake's clock, or until `clear_failures()`; only `methods` if given,
        only requests whose parameters `matching` accepts if given (say, one message's text).
        """
        self._outages.add(
            status,
            times=times,
            seconds=seconds,
            methods=methods,
            retry_after=retry_after,
            matching=matching,
        )

    def clear_failures(self) -> None:
        """End every injected outage."""
        self._outages.clear()

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
            self._chats[user_id] = ChatState(user_id, chat, is_forum=self.private_topics)
        else:
            existing.payload = chat
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        bot_is_admin: bool = False,
        forum: bool = False,
        can_manage_topics: bool = False,
    ) -> dict[str, Any]:
        """A group the bot is a member of (chat ids of groups are negative); a `forum` is a
        supergroup with topics, where the bot may manage them if an admin with
        `can_manage_topics`."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        if forum and kind != "supergroup":
            raise ValueError("only a supergroup can be a forum")
        chat: dict[str, Any] = {"id": chat_id, "type": kind, "title": title}
        if forum:
            chat["is_forum"] = True
        self._chats[chat_id] = ChatState(
            chat_id,
            chat,
            bot_is_admin=bot_is_admin,
            is_forum=forum,
            can_manage_topics=can_manage_topics,
        )
        return chat

    def enable_private_topics(self, enabled: bool = True) -> None:
        """The bot's owner turns topic mode in private chats on (or off), in every private chat:
        getMe's has_topics_enabled says so and the bot may open topics there."""
        self.private_topics = enabled
        for chat in self._chats.values():
            if chat.chat_id > 0:
                chat.is_forum = enabled

    def set_bot_rights(self, chat_id: int, *, admin: bool, can_manage_topics: bool = False) -> None:
        """A group's owner makes the bot an admin (allowed to manage topics or not), or not."""
        chat = self._group(chat_id)
        chat.bot_is_admin = admin
        chat.can_manage_topics = admin and can_manage_topics

    def close_topic(self, chat_id: int, thread_id: int, *, by: int | None = None) -> None:
        """A person closes a forum topic (its service message `forum_topic_closed` goes to
        the bot); sending into it is then 400 "TOPIC_CLOSED"."""
        chat = self._known_chat(chat_id)
        topic = chat.topics.get(thread_id)
        if topic is None or topic.deleted or topic.closed:
            raise ValueError(f"no open topic {thread_id} in chat {chat_id}")
        topic.closed = True
        message = self._add_message(
            chat,
            sender=self._actor(by),
            text="",
            html="",
            entities=[],
            extra={"forum_topic_closed": {}},
            thread_id=thread_id,
        )
        self._bot_receives(chat, message, None)

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """A person deletes a forum topic with its messages (Telegram sends no update); sending
        into it is then 400 "message thread not found"."""
        chat = self._known_chat(chat_id)
        topic = chat.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise ValueError(f"no topic {thread_id} in chat {chat_id}")
        self.forget_topic(chat, topic)

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
        supergroup = ChatState(target, payload, bot_is_admin=chat.bot_is_admin)
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

    def _group(self, chat_id: int) -> ChatState:
        if chat_id >= 0:
            raise ValueError(f"chat {chat_id} is a private chat, not a group")
        return self._known_chat(chat_id)

    def _actor(self, user_id: int | None) -> dict[str, Any]:
        """The user who changed a chat: a known one, else the chat's anonymous owner."""
        if user_id is not None:
            return self._known_user(user_id)
        return {"id": GROUP_OWNER_ID, "is_bot": False, "first_name": "Group owner"}

    def _bot_membership_changed(self, chat: ChatState, by: int | None, new: dict[str, Any]) -> None:
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
        self,
        user_id: int,
        chat_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        """The user writes `text` in the chat (in the forum topic `thread_id` if given); queue
        the `message` update; return the Message."""
        user, chat = self._sender(user_id, chat_id)
        if not text:
            raise ValueError("a user cannot send an empty message")
        payload: dict[str, Any] = {"text": text}
        command = _command(text, payload, "entities")
        message = self._user_message(user, chat, text, payload, reply_to, thread_id=thread_id)
        self._bot_receives(chat, message, command)
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
        if caption:
            payload["caption"] = caption
        command = _command(caption or "", payload, "caption_entities")
        message = self._user_message(user, chat, caption or "", payload, reply_to, document)
        self._bot_receives(chat, message, command)
        return message.raw

    def user_sends_media(
        self,
        user_id: int,
        chat_id: int,
        kind: str,
        *,
        caption: str | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
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
        message = self._user_message(
            user, chat, caption or "", payload, reply_to, thread_id=thread_id
        )
        self._bot_receives(chat, message, None)
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
        self._pending.append(QueuedUpdate(update_id, update.payload, redeliver=True))
        self._pending.sort(key=lambda u: u.update_id)
        self._changed()

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

    async def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Return once no request is being answered (long polls aside) and none has come for
        `quiet` seconds: what a killed bridge wrote just before it died is answered by then,
        so an outage cleared afterwards cannot let it through."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.answering or loop.time() - self.last_request_at < quiet:
            if loop.time() >= deadline:
                raise AssertionError(f"requests still coming after {timeout}s")
            await asyncio.sleep(quiet / 4)

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
            if loop.time() >= deadline:
                raise AssertionError(self._timeout_report(what or _describe(condition), timeout))
            await self._next_change(deadline)

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

    # -- internals ----------------------------------------------------------------------------

    def _known_user(self, user_id: int) -> dict[str, Any]:
        user = self._users.get(user_id)
        if user is None:
            raise ValueError(f"user {user_id} is unknown: add_user first")
        return user

    def _sender(self, user_id: int, chat_id: int) -> tuple[dict[str, Any], ChatState]:
        user = self._known_user(user_id)
        chat = self._known_chat(chat_id)
        if chat_id > 0 and chat_id != user_id:
            raise ValueError(f"user {user_id} cannot write in the private chat of {chat_id}")
        if chat.gone or chat.migrated_to is not None:
            raise ValueError(f"chat {chat_id} is gone (deleted or upgraded to a supergroup)")
        return user, chat

    def _bot_receives(self, chat: ChatState, message: FakeMessage, command: str | None) -> None:
        """Queue the user's message for the bot, or withhold it (privacy mode, not a member)."""
        if self._bot_sees(chat, message, command):
            self._queue_update("message", message.raw)
        else:
            self.withheld_updates.append({"message": message.raw})
            log.info(
                "telegram fake: privacy mode keeps message %s from the bot", message.message_id
            )

    def _bot_sees(self, chat: ChatState, message: FakeMessage, command: str | None) -> bool:
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
        chat: ChatState,
        text: str,
        payload: dict[str, Any],
        reply_to: int | None,
        document: FakeDocument | None = None,
        *,
        thread_id: int | None = None,
    ) -> FakeMessage:
        if reply_to is not None:
            replied = chat.by_id.get(reply_to)
            if replied is None or replied.deleted:
                raise ValueError(f"no message {reply_to} in chat {chat.chat_id} to reply to")
            if thread_id is None and replied.thread_id is not None:
                thread_id = replied.thread_id
        if thread_id is not None:
            topic = chat.topics.get(thread_id)
            if topic is None or topic.deleted:
                raise ValueError(f"no topic {thread_id} in chat {chat.chat_id} to write in")
            if topic.closed:
                raise ValueError(f"topic {thread_id} in chat {chat.chat_id} is closed")
        return self._add_message(
            chat,
            sender=user,
            text=text,
            html=text,
            entities=payload.get("entities", payload.get("caption_entities", [])),
            extra=payload,
            reply_to=reply_to,
            document=document,
            thread_id=thread_id,
        )


def _command(text: str, payload: dict[str, Any], entities_key: str) -> str | None:
    """The /command `text` starts with, its bot_command entity put in `payload` as Telegram does."""
    command = _COMMAND_RE.match(text)
    if command is None:
        return None
    length = utf16_len(command.group(0))
    payload[entities_key] = [{"type": "bot_command", "offset": 0, "length": length}]
    return command.group(0)


def _describe(condition: Callable[[], bool]) -> str:
    name = getattr(condition, "__name__", "")
    return f"condition {name}" if name and name != "<lambda>" else f"condition {condition!r}"
