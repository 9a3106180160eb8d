"""The API's logic without HTTP: keys, the rate limit, field names, the group commit of
concurrent sends (a real SQLite storage; nothing mocked)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import SecretStr

from bot.api.service import (
    AcceptedSend,
    ApiClient,
    KeyRing,
    RateLimiter,
    SendBatcher,
    accept_send,
    field_name,
)
from bot.config import ApiKeyConfig
from bot.send.service import Recipients, SendRequest, SmsText
from providers.base import SmsProvider
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

KEY = "shop-api-key-0123456789abcdef"


def test_keys_are_bearer_tokens_compared_whole() -> None:
    ring = KeyRing([ApiKeyConfig(name="shop", key=SecretStr(KEY), scopes=["read"])])
    assert ring.authenticate(f"Bearer {KEY}") == ApiClient("shop", frozenset({"read"}))
    assert ring.authenticate(f"bearer   {KEY} ") is not None
    for wrong in (None, "", KEY, f"Basic {KEY}", f"Bearer {KEY[:-1]}", f"Bearer {KEY}x", "Bearer"):
        assert ring.authenticate(wrong) is None


def test_the_rate_limit_is_a_bucket_per_client() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.retry_after("a") for _ in range(3)] == [None, None, None]
    assert limiter.retry_after("a") == 1  # half a second to the next token: whole seconds
    assert limiter.retry_after("b") is None  # its own bucket
    now[0] = 0.5
    assert limiter.retry_after("a") is None
    assert limiter.retry_after("a") == 1


def test_field_names_as_the_api_writes_them() -> None:
    assert field_name(("to", 2)) == "to[2]"
    assert field_name(("text",)) == "text"
    assert field_name(("a", "b", 0)) == "a.b[0]"
    assert field_name(()) == "body"


class _Account:
    name = "raygan"
    lines = ("50002910001080",)
    part_limit = None

    @property
    def provider(self) -> SmsProvider:
        raise AssertionError("storing never calls the provider")


def _request(key: str, number: str = "+989121234567") -> SendRequest:
    return SendRequest(
        idempotency_key=key,
        account=_Account(),
        line="50002910001080",
        recipients=Recipients((number,)),
        text=SmsText("hi", 1),
        chat_id=0,
        user_id=0,
        audit_as="api key shop",
    )


async def test_concurrent_requests_are_stored_together_each_key_once(tmp_path: Path) -> None:
    conn = await open_database(tmp_path / "b.sqlite3")
    try:
        repo = SqliteStorage(conn)
        batcher = SendBatcher(repo, max_batch=16)
        keys = [f"api:shop:{i % 30}" for i in range(60)]  # every key twice, at the same time
        answers = await asyncio.gather(*(accept_send(batcher, _request(k)) for k in keys))
        accepted = [a for a in answers if isinstance(a, AcceptedSend)]
        assert len(accepted) == 60  # the same request again is no conflict
        assert len([a for a in accepted if a.created]) == 30
        ids = {k: a.send.id for k, a in zip(keys, accepted, strict=True)}
        assert len(set(ids.values())) == 30
        async with conn.execute("SELECT count(*), count(DISTINCT detail) FROM audit_log") as cur:
            row = await cur.fetchone()
        assert row is not None and tuple(row) == (30, 30)  # each send audited once
        await batcher.close()
    finally:
        await conn.close()
