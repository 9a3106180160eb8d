"""Delivery polling: due recipients, reports, confirmations to re-render (`DeliveryStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from providers.base import DeliveryState
from storage.errors import NotFoundError
from storage.models import DeliveryReport, Send, SendRecipient, WebhookEventType
from storage.postgres.core import PgBase, _all, to_db_time
from storage.postgres.sends import _BUMP_CONFIRMATION, _recipient, _send
from storage.postgres.webhooks import queue_events, status_data

_FINAL_STATES = tuple(s.value for s in DeliveryState if s.is_final)

_FINAL_SQL = "(" + ", ".join(f"'{s}'" for s in _FINAL_STATES) + ")"


class PgDeliveries(PgBase):
    """PostgreSQL: delivery reports and the confirmations that show them."""

    async def due_recipients(
        self, account: str, now: datetime, limit: int = 500
    ) -> list[SendRecipient]:
        """Tracked, non-final recipients of `account` whose next poll is due, oldest first."""
        rows = await self._fetchall(
            "SELECT * FROM send_recipients WHERE account = ? AND next_poll_at IS NOT NULL"
            f" AND next_poll_at <= ? AND state NOT IN {_FINAL_SQL}"
            " AND (provider_message_id IS NOT NULL OR provider_group_id IS NOT NULL)"
            " ORDER BY next_poll_at, id LIMIT ?",
            (account, to_db_time(now), limit),
        )
        return [_recipient(r) for r in rows]

    async def apply_deliveries(self, reports: Sequence[DeliveryReport]) -> int:
        """`apply_delivery` for many recipients in one transaction (a poll cycle's batch);
        returns how many changed state. Unknown recipient ids change nothing and raise."""
        if not reports:
            return 0
        now = self._now()
        ids = [r.recipient_id for r in reports]
        async with self._transaction() as conn:
            current: dict[int, tuple[int, DeliveryState]] = {}
            numbers: dict[int, tuple[str, str]] = {}  # recipient id → (number, account)
            for row in await _all(
                conn,
                "SELECT id, send_id, state, recipient, account FROM send_recipients"
                " WHERE id = ANY(?::bigint[])",
                (sorted(set(ids)),),
            ):
                current[int(row["id"])] = (int(row["send_id"]), DeliveryState(row["state"]))
                numbers[int(row["id"])] = (str(row["recipient"]), str(row["account"]))
            missing = sorted(set(ids) - set(current))
            if missing:
                raise NotFoundError(f"send recipients {missing[:10]} do not exist")
            updates: list[tuple[Any, ...]] = []
            moved_sends: set[int] = set()
            events: list[tuple[WebhookEventType, dict[str, Any]]] = []
            for report in reports:
                send_id, state = current[report.recipient_id]
                new = DeliveryState(report.state)
                moves = state.can_move_to(new)
                result = new if moves else state
                poll_at = None if report.next_poll_at is None else to_db_time(report.next_poll_at)
                if result.is_final:
                    poll_at = None
                updates.append(
                    (result.value, moves, report.raw_code, poll_at, now, report.recipient_id)
                )
                current[report.recipient_id] = (send_id, result)
                if moves:
                    moved_sends.add(send_id)
                    if result is not state:
                        number, account = numbers[report.recipient_id]
                        events.append(
                            (
                                WebhookEventType.STATUS,
                                status_data(
                                    send_id=send_id,
                                    account=account,
                                    recipient_id=report.recipient_id,
                                    recipient=number,
                                    previous=state.value,
                                    state=result.value,
                                    now=now,
                                ),
                            )
                        )
            await conn.executemany(
                "UPDATE send_recipients SET state = ?, raw_code = CASE WHEN ? THEN ? ELSE raw_code"
                " END, polls = polls + 1, next_poll_at = ?, updated_at = ? WHERE id = ?",
                updates,
            )
            await conn.executemany(
                f"UPDATE sends SET updated_at = ?, {_BUMP_CONFIRMATION} WHERE id = ?",
                [(now, send_id) for send_id in sorted(moved_sends)],
            )
            if self._webhook_events:
                await queue_events(conn, now, events)
        return sum(1 for u in updates if u[1])

    async def dirty_confirmations(self, limit: int = 50) -> list[Send]:
        """Sends whose confirmation message no longer shows their state, oldest first."""
        rows = await self._fetchall(
            "SELECT * FROM sends WHERE confirmation_version > confirmation_rendered_version"
            " ORDER BY id LIMIT ?",
            (limit,),
        )
        return [_send(r) for r in rows]

    async def mark_confirmation_rendered(
        self, send_id: int, text_digest: str, *, version: int | None = None
    ) -> None:
        """The confirmation now shows the text with `text_digest`.

        `version` is the `Send.confirmation_version` read before rendering; with it, a change
        stored while rendering keeps the confirmation dirty. Without it, every change so far
        counts as shown.
        """
        changed = await self._change(
            "UPDATE sends SET confirmation_digest = ?, confirmation_rendered_version ="
            " GREATEST(confirmation_rendered_version, LEAST(confirmation_version, coalesce(?::int,"
            " confirmation_version))) WHERE id = ?",
            (text_digest, version, send_id),
        )
        if changed == 0:
            raise NotFoundError(f"send {send_id} does not exist")

    async def confirmation_digest(self, send_id: int) -> str | None:
        """The digest of the text the confirmation message shows now."""
        row = await self._fetchone("SELECT confirmation_digest FROM sends WHERE id = ?", (send_id,))
        return None if row is None else row["confirmation_digest"]

    async def overdue_recipient_counts(self, due_before: datetime) -> dict[str, int]:
        """Per account, the tracked non-final recipients whose poll was due before
        `due_before` and has not happened (delivery polling that is stuck leaves these)."""
        rows = await self._fetchall(
            "SELECT account, count(*) AS n FROM send_recipients WHERE next_poll_at IS NOT NULL"
            f" AND next_poll_at <= ? AND state NOT IN {_FINAL_SQL}"
            " AND (provider_message_id IS NOT NULL OR provider_group_id IS NOT NULL)"
            " GROUP BY account",
            (to_db_time(due_before),),
        )
        return {r["account"]: int(r["n"]) for r in rows}
