"""Every single-process assumption of the SQLite backend, named in one place.

The bridge on SQLite is ONE process on ONE database file, and five things rely on it:

1. **The database lock** (`storage.sqlite.db.DatabaseLock`): an exclusive `flock` on
   `<db>.lock`, so a second bridge on the same file refuses to start.
2. **The connection lock** (`connection_lock` below): one `asyncio.Lock` per aiosqlite
   connection, in a per-process registry, held around every statement and every transaction,
   so statements of concurrent coroutines never land inside each other's transactions.
3. **`BEGIN IMMEDIATE`** (`SqliteBase._transaction`): every multi-row change takes SQLite's one
   write lock up front, so a read-then-write (an idempotency key looked up, then inserted; a
   refusal counted, then stored) cannot interleave with another writer.
4. **The job locks in `bot/context.py`**: `BotData.forward_lock` (one forwarder reads and posts
   the pending forwards at a time, or two would post the same SMS twice) and
   `BotData.confirmation_lock` (one round of confirmation edits at a time), both
   `asyncio.Lock`s that exist only inside this process; and the JobQueue's `max_instances=1`
   for the inbox poll of each account.

5. **The HTTP API's per-key rate limit and the webhook receiver's failing clock**
   (`bot.api.service.RateLimiter`, `bot.webhooks.service.ReceiverWatch`) live in memory: with
   several replicas each keeps its own (the limit is per replica). Webhook events themselves
   are claimed in the database (`claim_webhook_events` pushes `next_attempt_at` past the POST's
   timeout), which becomes `FOR UPDATE SKIP LOCKED` on PostgreSQL.

The seam for a backend shared by several processes (PostgreSQL): none of these survive a
second process, so each becomes a claim the database arbitrates.

- (1) goes away: many replicas on one database is the point.
- (2) becomes a connection pool: each transaction takes its own connection, so no lock is
  needed to keep transactions apart.
- (3) becomes row claims inside the transaction: `SELECT … FOR UPDATE` on the row being
  decided (a send's idempotency key, a refused chat), or `INSERT … ON CONFLICT` doing the
  deciding on its own.
- (4) becomes work claimed row by row: `SELECT … FROM forwards WHERE message_id IS NULL …
  FOR UPDATE SKIP LOCKED` (with a claimed-until column, since posting to Telegram outlasts a
  transaction) for forwarding, the same over `sends` for dirty confirmations and over
  `send_recipients` for due delivery polls; one leader per (job, account) for inbox polling and
  credit checks with `pg_try_advisory_lock` held on a dedicated connection (or a lease row with
  a heartbeat).

The storage protocols (`storage.base`) already carry no lock: callers hold the bot's job locks
around *sequences* of protocol calls, so a backend whose protocol calls claim their own rows
lets those bot locks become no-ops without a change to the services.
"""

from __future__ import annotations

import asyncio
import weakref

import aiosqlite

_LOCKS: weakref.WeakKeyDictionary[aiosqlite.Connection, asyncio.Lock] = weakref.WeakKeyDictionary()


def connection_lock(conn: aiosqlite.Connection) -> asyncio.Lock:
    """The one lock of this process that every statement on `conn` is run under."""
    lock = _LOCKS.get(conn)
    if lock is None:
        lock = _LOCKS[conn] = asyncio.Lock()
    return lock
