"""Export pages (`ExportStore`): a chat's, a topic's or a line's SMS both ways, oldest first,
in keyset pages that together hold every row once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from providers.base import IncomingSms, Receipt
from storage.base import Storage
from storage.models import ExportRow, ExportScope

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
LINE = "5000"
ALI = "+989121111111"
SARA = "+989122222222"
CHAT = -100
OTHER = -200


async def _world(storage: Storage, clock: Any) -> None:
    """Ali writes (to CHAT), we answer Ali and Sara from CHAT, Sara writes (to OTHER)."""
    clock.now = T0
    [ali] = await storage.store_incoming(
        "raygan",
        LINE,
        [IncomingSms(LINE, ALI, "سلام ۱۲۳", T0, "a")],
        chat_ids=[CHAT],
        cursor="1",
    )
    await storage.mark_forwarded(CHAT, [ali.id], 10)
    clock.now = T0 + timedelta(minutes=1)
    send, _ = await storage.create_send(
        idempotency_key="k1",
        account="raygan",
        line=LINE,
        text="جواب",
        chat_id=CHAT,
        requested_by=1,
        recipients=[ALI, SARA],
    )
    await storage.record_send_result(
        send.id, [Receipt(ALI, "m1"), Receipt(SARA, "m2")], next_poll_at=T0
    )
    await storage.store_incoming(
        "raygan",
        LINE,
        [IncomingSms(LINE, SARA, "از سارا", T0 + timedelta(minutes=2), "b")],
        chat_ids=[OTHER],
        cursor="2",
    )


def _seen(rows: list[ExportRow]) -> list[tuple[str, str, str]]:
    return [(r.kind, r.number, r.text) for r in rows]


async def test_a_chats_export_holds_what_was_sent_from_it_and_forwarded_to_it(
    storage_backend: Storage, clock: Any
) -> None:
    await _world(storage_backend, clock)
    rows = await storage_backend.export_page(ExportScope(CHAT), T0 - timedelta(days=1))
    assert _seen(rows) == [
        ("received", ALI, "سلام ۱۲۳"),
        ("sent", ALI, "جواب"),
        ("sent", SARA, "جواب"),
    ]
    assert rows[0].state is None and rows[1].state is not None
    assert rows[1].send_id is not None
    later = await storage_backend.export_page(ExportScope(CHAT), T0 + timedelta(seconds=30))
    assert _seen(later) == _seen(rows)[1:]
    # Sara's SMS waits for OTHER: not in its export until it was posted there.
    assert [r.kind for r in await storage_backend.export_page(ExportScope(OTHER), T0)] == []


async def test_a_topics_and_a_lines_export(storage_backend: Storage, clock: Any) -> None:
    await _world(storage_backend, clock)
    since = T0 - timedelta(days=1)
    sara = await storage_backend.export_page(ExportScope(OTHER, LINE, SARA), since)
    assert _seen(sara) == [("sent", SARA, "جواب"), ("received", SARA, "از سارا")]
    line = await storage_backend.export_page(ExportScope(None, LINE), since)
    assert len(line) == 4
    assert await storage_backend.export_page(ExportScope(None, "9999"), since) == []


async def test_pages_hold_every_row_once(storage_backend: Storage, clock: Any) -> None:
    await _world(storage_backend, clock)
    since = T0 - timedelta(days=1)
    everything = await storage_backend.export_page(ExportScope(None, LINE), since)
    paged: list[ExportRow] = []
    after = None
    while page := await storage_backend.export_page(ExportScope(None, LINE), since, after, 1):
        paged += page
        after = page[-1].cursor
    assert paged == everything
