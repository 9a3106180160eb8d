"""The export as a CSV file Excel opens right: UTF-8 with a BOM (Persian shows), times both
Jalali (Tehran) and ISO 8601 (UTC), numbers and ids written as text (`="…"`, so Excel keeps
leading zeros and all digits), written row by row to a file."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from datetime import UTC, date
from typing import BinaryIO

import jdatetime

from bot.render import state_label
from bot.texts import BIDI_CONTROLS, TEHRAN, t
from providers.base import DeliveryState
from storage.models import ExportRow

COLUMNS = ("direction", "jalali", "iso", "line", "number", "text", "state", "send_id")


def as_text(value: str) -> str:
    """A number Excel must not turn into a float: its text formula."""
    return f'="{value}"'


def _plain(text: str) -> str:
    return "".join(ch for ch in text if ch not in BIDI_CONTROLS)


async def write_export(rows: AsyncIterator[ExportRow], lang: str, out: BinaryIO) -> int:
    """Write the rows as CSV to `out` (binary), page by page; how many rows were written."""
    out.write("\ufeff".encode())
    buffer = _Lines()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_plain(t(lang, f"export.col.{c}")) for c in COLUMNS])
    # Worded once, not per row: a million rows would format the same few labels a million times.
    kinds = {kind: _plain(t(lang, f"export.{kind}")) for kind in ("sent", "received")}
    states = {state: _plain(state_label(lang, state)) for state in DeliveryState}
    jalali_days: dict[date, str] = {}
    count = 0
    async for row in rows:
        local = row.at.astimezone(TEHRAN)
        day = jalali_days.get(local.date())
        if day is None:
            day = jdatetime.date.fromgregorian(date=local.date()).strftime("%Y/%m/%d")
            jalali_days[local.date()] = day
        writer.writerow(
            [
                kinds[row.kind],
                f"{day} {local:%H:%M:%S}",
                row.at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                as_text(row.line),
                as_text(row.number),
                row.text,
                "" if row.state is None else states[row.state],
                "" if row.send_id is None else as_text(str(row.send_id)),
            ]
        )
        count += 1
        if len(buffer.parts) >= 500:
            out.write(buffer.take())
    out.write(buffer.take())
    return count


class _Lines:
    """What csv.writer writes, collected until it goes to the file."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def take(self) -> bytes:
        data = "".join(self.parts).encode()
        self.parts.clear()
        return data
