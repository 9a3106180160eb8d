"""Contract: a Telegram update is claimed once by its id, also by concurrent claimers."""

from __future__ import annotations

import asyncio

from storage.base import Storage


async def test_an_update_is_claimed_once(storage_backend: Storage) -> None:
    assert await storage_backend.claim_update(1001) is True
    assert await storage_backend.claim_update(1001) is False
    assert await storage_backend.claim_update(1002) is True


async def test_concurrent_claims_of_one_update_let_one_win(storage_backend: Storage) -> None:
    results = await asyncio.gather(*(storage_backend.claim_update(77) for _ in range(8)))
    assert results.count(True) == 1


async def test_old_claims_are_forgotten(storage_backend: Storage, clock: object) -> None:
    assert await storage_backend.claim_update(5)
    advance = clock.advance  # type: ignore[attr-defined]
    advance(2 * 86400)
    assert await storage_backend.claim_update(100)  # a multiple of 100 prunes
    assert await storage_backend.claim_update(5)  # forgotten: claimable again
