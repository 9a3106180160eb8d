"""The export's CSV: BOM, header, Jalali and ISO times, numbers as text, read back intact."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from bot.export.csvfile import write_export
from providers.base import DeliveryState
from storage.models import ExportRow


async def _rows() -> AsyncIterator[ExportRow]:
    yield ExportRow(
        "received",
        datetime(2026, 11, 22, 10, 0, 5, tzinfo=UTC),
        "50002910001080",
        "+989123456789",
        'سلام، "۱۲۳", ok\nخط دوم',
        None,
        None,
        ("", "", 0, 0),
    )
    yield ExportRow(
        "sent",
        datetime(2026, 3, 20, 20, 31, tzinfo=UTC),  # Tehran: 1405/01/01 00:01
        "10002188",
        "09123",
        "x",
        DeliveryState.DELIVERED,
        42,
        ("", "", 0, 0),
    )


async def test_rows_read_back_with_the_csv_module() -> None:
    out = io.BytesIO()
    assert await write_export(_rows(), "en", out) == 2
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    header, received, sent = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert header == [
        "direction", "time (Jalali, Tehran)", "time (ISO, UTC)", "line", "number", "text",
        "state", "send id",
    ]  # fmt: skip
    assert received == [
        "received",
        "1405/09/01 13:30:05",
        "2026-11-22T10:00:05Z",
        '="50002910001080"',
        '="+989123456789"',
        'سلام، "۱۲۳", ok\nخط دوم',
        "",
        "",
    ]
    assert sent[:3] == ["sent", "1405/01/01 00:01:00", "2026-03-20T20:31:00Z"]
    assert sent[6:] == ["✅ delivered", '="42"']
