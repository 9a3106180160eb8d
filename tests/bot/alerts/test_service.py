"""The alert rules without Telegram: the same key at most once per window (kept in storage),
and which provider errors need a person."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts.service import AlertDedupe, alert_provider_error
from providers.base import ErrorCategory, ProviderError
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class RecordedAlerts:
    """An alert sink that keeps the keys it was asked to post."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, str]] = []

    async def alert(self, key: str, text_key: str, /, **values: object) -> bool:
        self.posted.append((key, text_key))
        return True


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    db = await open_database(tmp_path / "db.sqlite3")
    try:
        yield SqliteStorage(db)
    finally:
        await db.close()


async def test_the_same_key_is_due_once_per_window_and_others_are_not_held_back(
    repo: SqliteStorage,
) -> None:
    dedupe = AlertDedupe(repo, window_seconds=3600)
    assert await dedupe.due("auth:raygan", NOW)
    assert not await dedupe.due("auth:raygan", NOW + timedelta(minutes=59))
    assert await dedupe.due("auth:meli", NOW + timedelta(minutes=59))
    assert await dedupe.due("auth:raygan", NOW + timedelta(minutes=60))
    # Kept in storage: a new dedupe over the same database (a restart) keeps the rule.
    assert not await AlertDedupe(repo, window_seconds=3600).due("auth:meli", NOW)


@pytest.mark.parametrize(
    ("category", "posted"),
    [
        (ErrorCategory.AUTH, [("auth:raygan", "alert.auth")]),
        (ErrorCategory.CREDIT, [("credit_out:raygan", "alert.credit_out")]),
        (ErrorCategory.RATE_LIMIT, [("limit:raygan", "alert.auth")]),
        (ErrorCategory.BAD_REQUEST, []),
        (ErrorCategory.TRANSIENT, []),
    ],
)
async def test_only_errors_that_need_a_person_alert(
    category: ErrorCategory, posted: list[tuple[str, str]]
) -> None:
    alerts = RecordedAlerts()
    await alert_provider_error(alerts, "raygan", ProviderError(category, "why"))
    assert alerts.posted == posted
