"""Each line's opt-out list (`OptOutStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.models import OptOut, OptOutSource
from storage.postgres.core import PgBase, PgConn, Row, _nonempty, from_db_time


def _opt_out(row: Row) -> OptOut:
    source: OptOutSource = "sms" if row["source"] == "sms" else "admin"
    return OptOut(
        str(row["line"]),
        str(row["number"]),
        source,
        None if row["incoming_id"] is None else int(row["incoming_id"]),
        str(row["body"]),
        from_db_time(row["created_at"]),
    )


async def insert_opt_out(
    conn: PgConn,
    line: str,
    number: str,
    *,
    source: OptOutSource,
    incoming_id: int | None,
    body: str,
    now: datetime,
) -> bool:
    """Put a number on a line's list inside the caller's transaction; False if it was there."""
    changed = await conn.execute(
        "INSERT INTO opt_outs (line, number, source, incoming_id, body, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (line, number) DO NOTHING",
        (_nonempty(line, "line"), _nonempty(number, "number"), source, incoming_id, body, now),
    )
    return changed.rowcount > 0


class PgOptOuts(PgBase):
    """PostgreSQL: the opt-out list of each line."""

    async def add_opt_out(
        self,
        line: str,
        number: str,
        *,
        source: OptOutSource = "admin",
        incoming_id: int | None = None,
        body: str = "",
    ) -> bool:
        """Put `number` on `line`'s list; False if it was there already (kept as it was)."""
        now = self._now()
        async with self._transaction() as conn:
            return await insert_opt_out(
                conn, line, number, source=source, incoming_id=incoming_id, body=body, now=now
            )

    async def remove_opt_out(self, line: str | None, number: str) -> bool:
        """Take `number` off `line`'s list (None: off every line's); False if it was on none."""
        if line is None:
            changed = await self._change("DELETE FROM opt_outs WHERE number = ?", (number,))
        else:
            changed = await self._change(
                "DELETE FROM opt_outs WHERE line = ? AND number = ?", (line, number)
            )
        return changed > 0

    async def list_opt_outs(self, line: str | None = None) -> list[OptOut]:
        """The list of one line (None: of every line), by line then newest first."""
        where, params = ("", ()) if line is None else (" WHERE line = ?", (line,))
        rows = await self._fetchall(
            f"SELECT * FROM opt_outs{where} ORDER BY line, created_at DESC, number", params
        )
        return [_opt_out(r) for r in rows]

    async def opted_out_among(self, line: str, numbers: Sequence[str]) -> set[str]:
        """Which of `numbers` are on `line`'s list (cheap for a campaign's thousands)."""
        unique = list(dict.fromkeys(numbers))
        if not unique:
            return set()
        rows = await self._fetchall(
            "SELECT number FROM opt_outs WHERE line = ? AND number = ANY(?::text[])",
            (line, unique),
        )
        return {str(r["number"]) for r in rows}
