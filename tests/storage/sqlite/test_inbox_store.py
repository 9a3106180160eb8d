"""Storing one inbox fetch: history kept but never queued, unreadable records quarantined once
and brought back when read, and a fetch that brings nothing new writes nothing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import aiosqlite
import pytest

from providers.base import IncomingSms, UnreadableRecord
from storage.errors import NotFoundError
from storage.sqlite import SqliteStorage

LINE = "50002910001080"
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def sms(key: str, body: str = "سلام", seconds: int = 0) -> IncomingSms:
    return IncomingSms(LINE, "+989121234567", body, T0 + timedelta(seconds=seconds), key)


def odd(key: str, raw: str = '{"MsgBody": null}') -> UnreadableRecord:
    return UnreadableRecord(LINE, key, raw, "ReceiveMessages: MsgBody None is not text")


async def changes(conn: aiosqlite.Connection) -> int:
    return conn.total_changes


async def test_history_is_stored_for_dedupe_but_queued_for_no_chat(repo: SqliteStorage) -> None:
    stored = await repo.store_inbox(
        "raygan",
        LINE,
        [sms("new")],
        chat_ids=[-1],
        cursor="c1",
        history=[sms("old-1"), sms("old-2")],
    )
    assert [m.dedupe_key for m in stored.new] == ["new"]
    assert [p.incoming.dedupe_key for p in await repo.pending_forwards()] == ["new"]
    # A later look-back reads the history again: it is known, so nothing is queued.
    again = await repo.store_inbox(
        "raygan", LINE, [sms("old-1"), sms("old-2"), sms("new")], chat_ids=[-1], cursor="c2"
    )
    assert again.new == []
    assert [p.incoming.dedupe_key for p in await repo.pending_forwards()] == ["new"]


async def test_an_unreadable_record_is_quarantined_once_and_the_cursor_moves(
    repo: SqliteStorage,
) -> None:
    first = await repo.store_inbox(
        "raygan", LINE, [sms("a")], chat_ids=[-1], cursor="c1", unreadable=[odd("k1")]
    )
    assert [q.record_key for q in first.quarantined] == ["k1"]
    assert first.quarantined[0].raw == '{"MsgBody": null}'
    assert await repo.get_cursor("raygan", LINE) == "c1"
    again = await repo.store_inbox(
        "raygan", LINE, [], chat_ids=[-1], cursor="c2", unreadable=[odd("k1"), odd("k2")]
    )
    assert [q.record_key for q in again.quarantined] == ["k2"]
    assert [q.record_key for q in await repo.open_quarantine("raygan")] == ["k1", "k2"]
    assert await repo.open_quarantine("meli") == []


async def test_a_fetch_with_nothing_new_writes_nothing(
    repo: SqliteStorage, conn: aiosqlite.Connection
) -> None:
    await repo.store_inbox(
        "raygan", LINE, [sms("a")], chat_ids=[-1], cursor="c1", unreadable=[odd("k")]
    )
    before = await changes(conn)
    for cursor in ("c1", None):
        stored = await repo.store_inbox(
            "raygan", LINE, [sms("a")], chat_ids=[-1], cursor=cursor, unreadable=[odd("k")]
        )
        assert (stored.new, stored.quarantined, stored.wrote) == ([], [], False)
    empty = await repo.store_inbox("raygan", LINE, [], chat_ids=[-1], cursor="c1")
    assert not empty.wrote
    assert await changes(conn) == before
    moved = await repo.store_inbox("raygan", LINE, [], chat_ids=[-1], cursor="c2")
    assert moved.wrote and await repo.get_cursor("raygan", LINE) == "c2"


async def test_no_cursor_leaves_the_stored_one(repo: SqliteStorage) -> None:
    await repo.store_inbox("meli", LINE, [], chat_ids=[-1], cursor="c1")
    await repo.store_inbox("meli", LINE, [sms("a")], chat_ids=[-1], cursor=None)
    assert await repo.get_cursor("meli", LINE) == "c1"
    assert await repo.get_cursor("meli", "30001") is None


async def test_messages_stored_before_are_logged_at_debug_not_info(
    repo: SqliteStorage, caplog: pytest.LogCaptureFixture
) -> None:
    await repo.store_inbox("raygan", LINE, [sms("a")], chat_ids=[-1], cursor="c1")
    caplog.set_level(logging.DEBUG, logger="storage.sqlite.inbox")
    await repo.store_inbox("raygan", LINE, [sms("a")], chat_ids=[-1], cursor="c1")
    (record,) = [r for r in caplog.records if "stored before" in r.getMessage()]
    assert record.levelno == logging.DEBUG
    assert record.getMessage() == f"raygan {LINE}: 1 of 1 fetched messages were stored before"


async def test_thousands_of_known_keys_are_looked_up_in_a_few_queries(
    repo: SqliteStorage, conn: aiosqlite.Connection
) -> None:
    many = [sms(f"k{n}", seconds=n) for n in range(1_600)]
    first = await repo.store_inbox("raygan", LINE, many, chat_ids=[-1], cursor="c1")
    assert len(first.new) == 1_600
    before = await changes(conn)
    again = await repo.store_inbox(
        "raygan", LINE, [*many, sms("k-new")], chat_ids=[-1], cursor="c1"
    )
    assert [m.dedupe_key for m in again.new] == ["k-new"]
    assert await changes(conn) == before + 2  # the one SMS and its one forward


async def test_a_quarantined_record_read_later_is_stored_queued_and_closed(
    repo: SqliteStorage,
) -> None:
    (record,) = (
        await repo.store_inbox(
            "meli", LINE, [], chat_ids=[-1], cursor="c1", unreadable=[odd("payamak:7")]
        )
    ).quarantined
    assert [q.id for q in await repo.unreported_quarantine("meli")] == [record.id]
    await repo.mark_quarantine_reported(record.id)
    assert await repo.unreported_quarantine("meli") == []
    new = await repo.resolve_quarantine(record.id, sms("payamak:7", "read now"), chat_ids=[-1, -2])
    assert new is not None and new.body == "read now"
    assert sorted(p.chat_id for p in await repo.pending_forwards()) == [-2, -1]
    assert await repo.open_quarantine("meli") == []


async def test_a_record_read_before_it_was_reported_is_not_reported(repo: SqliteStorage) -> None:
    (record,) = (
        await repo.store_inbox(
            "meli", LINE, [], chat_ids=[-1], cursor="c1", unreadable=[odd("payamak:8")]
        )
    ).quarantined
    await repo.resolve_quarantine(record.id, sms("payamak:8"), chat_ids=[-1])
    assert await repo.unreported_quarantine("meli") == []


async def test_a_quarantined_record_already_stored_is_closed_without_a_second_forward(
    repo: SqliteStorage,
) -> None:
    await repo.store_inbox("meli", LINE, [sms("payamak:7")], chat_ids=[-1], cursor="c1")
    (record,) = (
        await repo.store_inbox(
            "meli", LINE, [], chat_ids=[-1], cursor="c2", unreadable=[odd("raw-7")]
        )
    ).quarantined
    assert await repo.resolve_quarantine(record.id, sms("payamak:7"), chat_ids=[-1]) is None
    assert len(await repo.pending_forwards()) == 1
    assert await repo.open_quarantine() == []
    with pytest.raises(NotFoundError):
        await repo.resolve_quarantine(999, sms("x"), chat_ids=[-1])


async def test_a_record_of_another_line_is_refused(repo: SqliteStorage) -> None:
    other = UnreadableRecord("30001", "k", "{}", "x")
    with pytest.raises(ValueError, match="30001"):
        await repo.store_inbox("raygan", LINE, [], chat_ids=[-1], cursor="c", unreadable=[other])
