"""Verification codes, their per-number limits and checks, the HMAC key, the audit (`OtpStore`).

The limits are counted from the stored rows inside the transaction that stores the new code,
after taking a transaction-scoped advisory lock on the number: two requests for one number
(on any replicas) are serialised, so they cannot both slip under the limits, while requests
for other numbers do not wait. A check is claimed by compare-and-set on its count.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Literal, cast

from storage.errors import NotFoundError
from storage.models import OtpAuditEntry, OtpCode, OtpDraft, OtpIssue, OtpMode, OtpState
from storage.postgres.core import (
    PgBase,
    PgConn,
    Row,
    _all,
    _nonempty,
    _one,
    from_db_time,
    to_db_time,
)

MINUTE = 60.0
HOUR = 3600.0
# pg_advisory_xact_lock(int, int): (OTP numbers, hashtext(number)); see storage.postgres.leases
# and storage.postgres.db for the bridge's other namespaces.
OTP_NUMBER_NAMESPACE = 0x5E5E


class PgOtp(PgBase):
    """PostgreSQL: verification codes and their audit."""

    async def otp_key(self, candidate: str) -> str:
        """The HMAC key kept in the database; `candidate` is stored if there is none yet (the
        first replica to ask wins, and every one reads the same key)."""
        if len(candidate) < 32:
            raise ValueError("an OTP key must be at least 32 characters")
        async with self._number_transaction(None) as conn:
            await conn.execute(
                "INSERT INTO otp_key (id, key, created_at) VALUES (1, ?, ?)"
                " ON CONFLICT (id) DO NOTHING",
                (candidate, self._now()),
            )
            row = await _one(conn, "SELECT key FROM otp_key WHERE id = 1")
        assert row is not None
        return str(row["key"])

    async def issue_otp(
        self, draft: OtpDraft, *, now: datetime, per_minute: int, per_hour: int
    ) -> OtpIssue:
        """Store a new code within the per-number limits, cancelling the earlier ones."""
        at = to_db_time(now)
        async with self._number_transaction(_nonempty(draft.number, "number")) as conn:
            if draft.request_key is not None:
                seen = await _one(
                    conn, "SELECT * FROM otp_codes WHERE request_key = ?", (draft.request_key,)
                )
                if seen is not None:
                    return OtpIssue(_code(seen), created=False)
            retry_after = await _limit_wait(conn, draft.number, now, per_minute, per_hour)
            if retry_after is not None:
                await _audit(
                    conn,
                    at,
                    None,
                    draft.number,
                    "send",
                    "rate_limited",
                    draft.requested_by,
                    f"retry after {retry_after:.0f} s",
                )
                return OtpIssue(None, created=False, retry_after=retry_after)
            row = await _one(
                conn,
                "INSERT INTO otp_codes (number, mode, account, code_hmac, salt, state,"
                " max_checks, requested_by, request_key, created_at, expires_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    draft.number,
                    draft.mode,
                    _nonempty(draft.account, "account"),
                    draft.code_hmac,
                    draft.salt,
                    draft.max_checks,
                    _nonempty(draft.requested_by, "requested_by"),
                    draft.request_key,
                    at,
                    to_db_time(draft.expires_at),
                    at,
                ),
            )
            assert row is not None
            await conn.execute(
                "UPDATE otp_codes SET state = 'cancelled', cancelled_by = ?, updated_at = ?"
                " WHERE number = ? AND state = 'active' AND id <> ?",
                (row["id"], at, draft.number, row["id"]),
            )
            await _audit(
                conn, at, row["id"], draft.number, "send", "issued", draft.requested_by, draft.mode
            )
        return OtpIssue(_code(row), created=True)

    async def set_otp_sent(
        self, code_id: int, *, send_id: int | None = None, provider_ref: str | None = None
    ) -> None:
        """The code's SMS went: the send that carried it, or the provider's reference."""
        changed = await self._change(
            "UPDATE otp_codes SET send_id = coalesce(?, send_id),"
            " provider_ref = coalesce(?, provider_ref), updated_at = ? WHERE id = ?",
            (send_id, provider_ref, self._now(), code_id),
        )
        if not changed:
            raise NotFoundError(f"OTP code {code_id} does not exist")

    async def fail_otp(self, code_id: int, *, detail: str = "", now: datetime) -> None:
        """The code's SMS surely did not go: failed, and what it cancelled is active again."""
        at = to_db_time(now)
        number = await self._fetchone("SELECT number FROM otp_codes WHERE id = ?", (code_id,))
        if number is None:
            raise NotFoundError(f"OTP code {code_id} does not exist")
        # Under the number's lock: an issue for the number sees the codes made active again.
        async with self._number_transaction(str(number["number"])) as conn:
            row = await _one(
                conn,
                "UPDATE otp_codes SET state = 'failed', updated_at = ? WHERE id = ? RETURNING *",
                (at, code_id),
            )
            if row is None:
                raise NotFoundError(f"OTP code {code_id} does not exist")
            await conn.execute(
                "UPDATE otp_codes SET state = 'active', cancelled_by = NULL, updated_at = ?"
                " WHERE cancelled_by = ? AND state = 'cancelled'",
                (at, code_id),
            )
            await _audit(
                conn, at, code_id, row["number"], "send", "failed", row["requested_by"], detail
            )

    async def latest_otp(self, number: str) -> OtpCode | None:
        """The number's newest code that did not fail."""
        row = await self._fetchone(
            "SELECT * FROM otp_codes WHERE number = ? AND state <> 'failed'"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (number,),
        )
        return None if row is None else _code(row)

    async def claim_otp_check(self, code_id: int, *, checks_seen: int) -> bool:
        """Count one check if nobody counted one since `checks_seen` was read (one UPDATE: a
        compare-and-set, whichever replica checks)."""
        changed = await self._change(
            "UPDATE otp_codes SET checks = checks + 1, updated_at = ?"
            " WHERE id = ? AND state = 'active' AND checks = ? AND checks < max_checks",
            (self._now(), code_id, checks_seen),
        )
        return changed == 1

    async def finish_otp_check(self, code_id: int, *, valid: bool | None) -> None:
        """Verified (True), left as it is (False), or the check given back (None)."""
        if valid is False:
            return
        if valid:
            sql = "UPDATE otp_codes SET state = 'verified', updated_at = ? WHERE id = ?"
        else:
            sql = (
                "UPDATE otp_codes SET checks = GREATEST(checks - 1, 0), updated_at = ?"
                " WHERE id = ? AND state = 'active'"
            )
        await self._change(sql, (self._now(), code_id))

    async def audit_otp(
        self,
        *,
        number: str,
        action: str,
        result: str,
        requested_by: str,
        now: datetime,
        code_id: int | None = None,
        detail: str = "",
    ) -> None:
        """Record a send or check of a code, or its refusal, and who asked."""
        async with self._pool.acquire() as raw:
            await _audit(
                PgConn(raw),
                to_db_time(now),
                code_id,
                number,
                action,
                result,
                requested_by,
                detail,
            )

    async def otp_audit(self, number: str, limit: int = 100) -> list[OtpAuditEntry]:
        """The number's latest audit entries, oldest first."""
        rows = await self._fetchall(
            "SELECT * FROM (SELECT * FROM otp_audit WHERE number = ? ORDER BY id DESC LIMIT ?)"
            " AS latest ORDER BY id",
            (number, limit),
        )
        return [
            OtpAuditEntry(
                id=r["id"],
                at=from_db_time(r["at"]),
                code_id=r["code_id"],
                number=r["number"],
                action=cast(Literal["send", "check"], r["action"]),
                result=r["result"],
                requested_by=r["requested_by"],
                detail=r["detail"],
            )
            for r in rows
        ]

    @asynccontextmanager
    async def _number_transaction(self, number: str | None) -> AsyncIterator[PgConn]:
        """A transaction holding the advisory lock of one number (None: no lock; one
        statement's own atomicity is enough)."""
        async with self._pool.acquire() as raw, raw.transaction():
            if number is not None:
                await raw.execute(
                    "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                    OTP_NUMBER_NAMESPACE,
                    number,
                )
            yield PgConn(raw)


async def _limit_wait(
    conn: PgConn, number: str, now: datetime, per_minute: int, per_hour: int
) -> float | None:
    """Seconds until the number may have another code, or None if it may now."""
    since = to_db_time(now - timedelta(seconds=HOUR))
    rows = await _all(
        conn,
        "SELECT created_at FROM otp_codes WHERE number = ? AND state <> 'failed'"
        " AND created_at > ? ORDER BY created_at",
        (number, since),
    )
    times = [from_db_time(r["created_at"]) for r in rows]
    waits: list[float] = []
    for window, limit in ((MINUTE, per_minute), (HOUR, per_hour)):
        inside = [t for t in times if t > now - timedelta(seconds=window)]
        if len(inside) >= limit:
            # The slot frees when the oldest code that keeps the count at the limit ages out.
            frees = inside[len(inside) - limit] + timedelta(seconds=window)
            waits.append(max((frees - now).total_seconds(), 0.001))
    return max(waits) if waits else None


async def _audit(
    conn: PgConn,
    at: datetime,
    code_id: int | None,
    number: str,
    action: str,
    result: str,
    requested_by: str,
    detail: str,
) -> None:
    await conn.execute(
        "INSERT INTO otp_audit (at, code_id, number, action, result, requested_by, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at, code_id, number, action, result, requested_by, detail),
    )


def _code(row: Row) -> OtpCode:
    return OtpCode(
        id=row["id"],
        number=row["number"],
        mode=cast(OtpMode, row["mode"]),
        account=row["account"],
        code_hmac=row["code_hmac"],
        salt=row["salt"],
        state=OtpState(row["state"]),
        checks=row["checks"],
        max_checks=row["max_checks"],
        cancelled_by=row["cancelled_by"],
        send_id=row["send_id"],
        provider_ref=row["provider_ref"],
        requested_by=row["requested_by"],
        request_key=row["request_key"],
        created_at=from_db_time(row["created_at"]),
        expires_at=from_db_time(row["expires_at"]),
    )
