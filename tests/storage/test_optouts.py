"""Each line's opt-out list (`OptOutStore`), and opt-outs stored with the inbox fetch."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from storage_backends import Backend

from providers.base import IncomingSms
from storage.base import Storage

LINE = "50002910001080"
OTHER = "10002188"
ALI = "+989123456789"
SARA = "+989350000001"
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


async def test_add_list_and_remove(storage_backend: Storage, clock: Any) -> None:
    assert await storage_backend.list_opt_outs() == []
    assert await storage_backend.add_opt_out(LINE, ALI)
    clock.advance(60)
    assert await storage_backend.add_opt_out(LINE, SARA, source="admin", body="asked by phone")
    assert await storage_backend.add_opt_out(OTHER, ALI)
    assert not await storage_backend.add_opt_out(LINE, ALI, body="again")  # kept as it was
    listed = await storage_backend.list_opt_outs(LINE)
    assert [(o.number, o.source, o.body) for o in listed] == [
        (SARA, "admin", "asked by phone"),  # newest first
        (ALI, "admin", ""),
    ]
    assert listed[1].created_at == T0
    assert [(o.line, o.number) for o in await storage_backend.list_opt_outs()] == [
        (OTHER, ALI),
        (LINE, SARA),
        (LINE, ALI),
    ]
    assert await storage_backend.list_opt_outs("999") == []
    assert await storage_backend.remove_opt_out(LINE, ALI)
    assert not await storage_backend.remove_opt_out(LINE, ALI)
    assert await storage_backend.opted_out_among(OTHER, [ALI]) == {ALI}
    assert await storage_backend.remove_opt_out(None, ALI)  # every line
    assert not await storage_backend.remove_opt_out(None, ALI)
    assert [o.number for o in await storage_backend.list_opt_outs()] == [SARA]


async def test_opted_out_among_is_per_line_and_scales(storage_backend: Storage) -> None:
    numbers = [f"+98912{n:07d}" for n in range(1200)]
    for number in numbers[::300]:
        await storage_backend.add_opt_out(LINE, number)
    await storage_backend.add_opt_out(OTHER, numbers[1])
    assert await storage_backend.opted_out_among(LINE, numbers + numbers[:5]) == set(numbers[::300])
    assert await storage_backend.opted_out_among(OTHER, numbers) == {numbers[1]}
    assert await storage_backend.opted_out_among(LINE, []) == set()


async def test_empty_line_or_number_is_refused(storage_backend: Storage) -> None:
    with pytest.raises(ValueError):
        await storage_backend.add_opt_out("", ALI)
    with pytest.raises(ValueError):
        await storage_backend.add_opt_out(LINE, "")


async def test_an_opt_out_sms_is_listed_with_the_inbox_fetch(storage_backend: Storage) -> None:
    asks = IncomingSms(LINE, ALI, "لغو ۱۱", T0, "k1")
    chats = IncomingSms(LINE, SARA, "سلام", T0, "k2")
    old = IncomingSms(LINE, "+989121111111", "11", T0, "k0")
    stored = await storage_backend.store_inbox(
        "raygan",
        LINE,
        [asks, chats],
        chat_ids=[-1],
        cursor="c1",
        history=[old],
        opt_out_keys={"k1", "k0"},
    )
    assert [m.dedupe_key for m in stored.new] == ["k1", "k2"]
    listed = {o.number: o for o in await storage_backend.list_opt_outs(LINE)}
    assert set(listed) == {ALI, "+989121111111"}
    assert listed[ALI].source == "sms"
    assert listed[ALI].body == "لغو ۱۱"
    assert listed[ALI].incoming_id == stored.new[0].id
    # The same SMS fetched again is not new: nothing is written (an /optin since stays).
    await storage_backend.remove_opt_out(LINE, ALI)
    again = await storage_backend.store_inbox(
        "raygan", LINE, [asks], chat_ids=[-1], cursor="c1", opt_out_keys={"k1"}
    )
    assert again.new == [] and not again.wrote
    assert await storage_backend.opted_out_among(LINE, [ALI]) == set()


async def test_an_opt_out_of_someone_already_listed_keeps_the_first(
    storage_backend: Storage,
) -> None:
    await storage_backend.add_opt_out(LINE, ALI, source="admin")
    await storage_backend.store_inbox(
        "raygan",
        LINE,
        [IncomingSms(LINE, ALI, "stop", T0, "k1")],
        chat_ids=[-1],
        cursor="c1",
        opt_out_keys={"k1"},
    )
    [kept] = await storage_backend.list_opt_outs(LINE)
    assert kept.source == "admin"


async def test_the_list_survives_a_restart(backend: Backend, tmp_path: Path) -> None:
    async with backend.open(tmp_path / "db", None) as opened:
        await opened.storage.add_opt_out(LINE, ALI)
    async with backend.open(tmp_path / "db", None) as opened:
        assert await opened.storage.opted_out_among(LINE, [ALI, SARA]) == {ALI}
