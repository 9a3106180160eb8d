"""What an export holds, without Telegram: the day count checked, the scope (this chat, this
topic's conversation, or a whole line for admins) and the rows, read page by page so an export
of millions never sits in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Final

from providers.phone import to_ascii_digits
from storage.base import Storage
from storage.models import ExportRow, ExportScope, Topic

EXPORT_DEFAULT_DAYS: Final = 30
EXPORT_MAX_DAYS: Final = 3650  # ten years: more is a typo, not a wish
EXPORT_PAGE: Final = 2000


class BadDays(ValueError):
    """A day count that is not a whole number from 1 to EXPORT_MAX_DAYS."""

    def __init__(self, raw: str) -> None:
        super().__init__(f"bad day count {raw!r}")
        self.raw = raw


class UnknownExportLine(LookupError):
    """An admin asked for a line no account owns."""

    def __init__(self, line: str) -> None:
        super().__init__(f"no account owns line {line}")
        self.line = line


def export_days(raw: str | None) -> int:
    """The day count of `/export [days]` (Persian digits too); BadDays if it is not 1…3650."""
    if raw is None or not raw.strip():
        return EXPORT_DEFAULT_DAYS
    text = to_ascii_digits(raw.strip())
    if not text.isdigit() or not 1 <= int(text) <= EXPORT_MAX_DAYS:
        raise BadDays(raw)
    return int(text)


def export_scope(
    chat_id: int, topic: Topic | None, line: str | None, lines: tuple[str, ...]
) -> ExportScope:
    """A whole line (asked by an admin), this topic's conversation, or this chat."""
    if line is not None:
        if line not in lines:
            raise UnknownExportLine(line)
        return ExportScope(None, line)
    if topic is not None:
        return ExportScope(chat_id, topic.line, topic.number)
    return ExportScope(chat_id)


async def export_rows(
    repo: Storage, scope: ExportScope, days: int, now: datetime
) -> AsyncIterator[ExportRow]:
    """Every SMS of the scope in the last `days`, oldest first, a page at a time."""
    since = now - timedelta(days=days)
    after: tuple[str, str, int, int] | None = None
    while page := await repo.export_page(scope, since, after, EXPORT_PAGE):
        for row in page:
            yield row
        after = page[-1].cursor
