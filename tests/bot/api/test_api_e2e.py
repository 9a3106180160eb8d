"""The HTTP API over real HTTP against the real bridge and the simulators: each route's happy
path and every bad input of SPEC §8 (each a JSON answer that changes nothing)."""

from __future__ import annotations

import asyncio
import sqlite3

import aiohttp
import pytest
from api_support import (
    READER_KEY,
    SHOP_KEY,
    ApiWorld,
    WebhookReceiver,
    api_section,
    call,
    free_port,
)
from bridge_harness import RAYGAN_LINE, World, wait_for

NUMBER = "09121234567"
E164 = "+989121234567"


def sends(api: ApiWorld) -> list[sqlite3.Row]:
    with api.world.db() as db:
        return db.execute("SELECT * FROM sends ORDER BY id").fetchall()


def sent_sms(api: ApiWorld) -> list[str]:
    """What the RayganSMS simulator sent, as mobile numbers."""
    return [s.mobile for s in api.world.sandbox.raygan.sent]


async def post(api: ApiWorld, body: object, key: str | None = "k1", **kw: object) -> object:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return await call(
        api.http, "POST", api.url("/v1/messages"), json_body=body, headers=headers, **kw
    )  # type: ignore[arg-type]


async def test_a_send_is_accepted_sent_once_and_its_states_read(api: ApiWorld) -> None:
    answer = await call(
        api.http,
        "POST",
        api.url("/v1/messages"),
        json_body={"to": [NUMBER, "+98 912 765 4321"], "text": "کد سفارش ۱۲"},
        headers={"Idempotency-Key": "order-12"},
    )
    assert answer.status == 202
    send_id = answer.body["id"]
    assert answer.body == {
        "id": send_id,
        "recipients": [
            {"to": E164, "state": "queued"},
            {"to": "+989127654321", "state": "queued"},
        ],
    }
    await wait_for(lambda: len(sent_sms(api)) == 2, what="the provider call")
    assert sorted(sent_sms(api)) == ["09121234567", "09127654321"]
    assert api.world.sandbox.raygan.sent[0].line == RAYGAN_LINE

    async def delivered() -> bool:
        status = await call(api.http, "GET", api.url(f"/v1/messages/{send_id}"))
        assert status.status == 200
        return {r["state"] for r in status.body["recipients"]} == {"delivered"}

    for _ in range(100):
        if await delivered():
            break
        await asyncio.sleep(0.2)
    status = await call(api.http, "GET", api.url(f"/v1/messages/{send_id}"))
    assert status.body["id"] == send_id and status.body["state"] == "submitted"
    assert [r["to"] for r in status.body["recipients"]] == [E164, "+989127654321"]
    assert {r["state"] for r in status.body["recipients"]} == {"delivered"}
    assert all(r["updated_at"].endswith("Z") for r in status.body["recipients"])
    with api.world.db() as db:
        (audit,) = db.execute("SELECT * FROM audit_log WHERE action = 'send'").fetchall()
    assert audit["detail"] == f"#{send_id} to 2 by api key shop"


async def test_the_same_idempotency_key_answers_the_same_and_sends_nothing(
    api: ApiWorld,
) -> None:
    body = {"to": [NUMBER], "text": "once"}
    first = await post(api, body, "same-key")
    await wait_for(lambda: len(sent_sms(api)) == 1, what="the provider call")
    again = await post(api, body, "same-key")
    assert (again.status, again.body) == (first.status, first.body)  # type: ignore[attr-defined]
    assert again.headers["Idempotent-Replayed"] == "true"  # type: ignore[attr-defined]
    # Another client's same key is another message.
    other = await post(api, {"to": [NUMBER], "text": "other"}, "different-key")
    assert other.body["id"] != first.body["id"]  # type: ignore[attr-defined]
    await wait_for(lambda: len(sent_sms(api)) == 2, what="the second send")
    assert len(sends(api)) == 2


async def test_a_key_reused_for_another_message_is_refused(api: ApiWorld) -> None:
    await post(api, {"to": [NUMBER], "text": "first"}, "k")
    answer = await post(api, {"to": [NUMBER], "text": "second"}, "k")
    assert answer.status == 409  # type: ignore[attr-defined]
    assert answer.body["errors"][0]["field"] == "Idempotency-Key"  # type: ignore[attr-defined]
    await wait_for(lambda: len(sent_sms(api)) == 1, what="the first send")
    assert len(sends(api)) == 1


async def test_account_and_line_choose_the_sender(api: ApiWorld) -> None:
    answer = await post(api, {"to": [NUMBER], "text": "از ملی", "account": "meli"})
    assert answer.status == 202  # type: ignore[attr-defined]
    await wait_for(lambda: len(api.world.sandbox.payamak.sent) == 1, what="the Payamak send")
    by_line = await post(api, {"to": [NUMBER], "text": "x", "line": RAYGAN_LINE}, "k2")
    assert by_line.status == 202  # type: ignore[attr-defined]
    assert [(s["account"], s["line"]) for s in sends(api)] == [
        ("meli", "10002188"),
        ("raygan", RAYGAN_LINE),
    ]


BAD_BODIES = [
    (
        {"to": [NUMBER, "09127654321", "02188776655"], "text": "x"},
        [{"field": "to[2]", "message": "not a mobile number"}],
    ),
    ({"to": [NUMBER], "text": ""}, [{"field": "text", "message": "must not be empty"}]),
    ({"to": [NUMBER], "text": "   "}, [{"field": "text", "message": "must not be empty"}]),
    (
        {"to": [f"0912{n:07d}" for n in range(101)], "text": "x"},
        [{"field": "to", "message": "too many recipients: at most 100 in one message"}],
    ),
    ({"to": [], "text": "x"}, [{"field": "to", "message": "at least one number is needed"}]),
    (
        {"to": [NUMBER], "text": "x", "account": "nope"},
        [{"field": "account", "message": "no such account 'nope' (the accounts: meli, raygan)"}],
    ),
    (
        {"to": [NUMBER], "text": "x", "line": "3000999"},
        [{"field": "line", "message": "no such line: '3000999'"}],
    ),
    (
        {"to": [NUMBER], "text": "x", "account": "meli", "line": RAYGAN_LINE},
        [{"field": "line", "message": f"no such line of account 'meli': '{RAYGAN_LINE}'"}],
    ),
    ({"text": "x"}, [{"field": "to", "message": "required"}]),
    ({"to": [NUMBER], "text": "x", "from": "me"}, [{"field": "from", "message": "unknown field"}]),
    ({"to": [12], "text": "x"}, [{"field": "to[0]", "message": "Input should be a valid string"}]),
    ([NUMBER], [{"field": "body", "message": "must be a JSON object"}]),
]


@pytest.mark.parametrize(("body", "errors"), BAD_BODIES, ids=[str(e[1][0]) for e in BAD_BODIES])
async def test_a_bad_body_is_422_naming_the_field_and_sends_nothing(
    api: ApiWorld, body: object, errors: list[dict[str, str]]
) -> None:
    answer = await post(api, body)
    assert (answer.status, answer.body) == (422, {"errors": errors})  # type: ignore[attr-defined]
    assert sends(api) == [] and sent_sms(api) == []


async def test_keys_and_scopes(api: ApiWorld) -> None:
    body = {"to": [NUMBER], "text": "x"}
    url = api.url("/v1/messages")
    headers = {"Idempotency-Key": "k"}
    none = await call(api.http, "POST", url, key=None, json_body=body, headers=headers)
    assert none.status == 401 and none.body["errors"][0]["field"] == "Authorization"
    assert none.headers["WWW-Authenticate"].startswith("Bearer")
    bad = await call(api.http, "POST", url, key=SHOP_KEY + "x", json_body=body, headers=headers)
    assert bad.status == 401
    basic = await call(
        api.http,
        "POST",
        url,
        key=None,
        json_body=body,
        headers={**headers, "Authorization": f"Basic {SHOP_KEY}"},
    )
    assert basic.status == 401
    reader = await call(api.http, "POST", url, key=READER_KEY, json_body=body, headers=headers)
    assert reader.status == 403
    assert reader.body == {
        "errors": [
            {"field": "Authorization", "message": "the key 'reader' has no 'sms:send' scope"}
        ]
    }
    assert sends(api) == [] and sent_sms(api) == []
    with api.world.db() as db:
        refused = db.execute("SELECT detail FROM audit_log WHERE action = 'api_refused'")
        assert [r[0] for r in refused] == ["POST /v1/messages by api key reader: no sms:send"]


async def test_a_missing_idempotency_key_malformed_json_and_a_big_body(api: ApiWorld) -> None:
    missing = await post(api, {"to": [NUMBER], "text": "x"}, key=None)
    assert (missing.status, missing.body) == (  # type: ignore[attr-defined]
        422,
        {"errors": [{"field": "Idempotency-Key", "message": "required"}]},
    )
    url = api.url("/v1/messages")
    headers = {"Idempotency-Key": "k", "Content-Type": "application/json"}
    broken = await call(api.http, "POST", url, data=b'{"to": ["0912', headers=headers)
    assert broken.status == 400 and broken.body["errors"][0]["field"] == "body"
    assert broken.body["errors"][0]["message"].startswith("not valid JSON")
    big = b'{"to": ["09121234567"], "text": "' + b"x" * 70_000 + b'"}'
    too_big = await call(api.http, "POST", url, data=big, headers=headers)
    assert (too_big.status, too_big.body) == (
        413,
        {"errors": [{"field": "body", "message": "larger than 65536 bytes"}]},
    )

    async def chunks() -> object:  # no Content-Length: the cap still holds
        for _ in range(20):
            yield b"x" * 8192

    chunked = await call(api.http, "POST", url, data=chunks(), headers=headers)  # type: ignore[arg-type]
    assert chunked.status == 413
    assert sends(api) == [] and sent_sms(api) == []


async def test_a_flood_is_429_with_retry_after(api: ApiWorld) -> None:
    # The fixture's limit: 10 at once, 5 a second after.
    answers = [await call(api.http, "GET", api.url("/v1/messages/999999")) for _ in range(30)]
    statuses = [a.status for a in answers]
    assert statuses.count(404) >= 10 and 429 in statuses
    limited = next(a for a in answers if a.status == 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.body["errors"][0]["message"].startswith("too many requests from 'shop'")
    # Another key has its own bucket.
    other = await call(api.http, "GET", api.url("/v1/messages/999999"), key=READER_KEY)
    assert other.status == 404


async def test_a_key_reads_only_its_own_messages(api: ApiWorld) -> None:
    sent = await post(api, {"to": [NUMBER], "text": "mine"})
    send_id = sent.body["id"]  # type: ignore[attr-defined]
    mine = await call(api.http, "GET", api.url(f"/v1/messages/{send_id}"))
    assert mine.status == 200
    theirs = await call(api.http, "GET", api.url(f"/v1/messages/{send_id}"), key=READER_KEY)
    assert (theirs.status, theirs.body) == (
        404,
        {"errors": [{"field": "id", "message": f"no message {send_id}"}]},
    )
    with api.world.db() as db:
        reads = [r[0] for r in db.execute("SELECT detail FROM audit_log WHERE action = 'api_read'")]
    assert reads == [
        f"#{send_id} by api key shop",
        f"#{send_id} by api key reader (none of its own)",
    ]


async def test_health_and_json_for_unknown_routes_and_methods(api: ApiWorld) -> None:
    health = await call(api.http, "GET", api.url("/v1/health"), key=None)
    assert (health.status, health.body) == (200, {"ok": True})
    unknown = await call(api.http, "GET", api.url("/v1/nothing"), key=None)
    assert (unknown.status, unknown.body) == (
        404,
        {"errors": [{"field": "", "message": "no such route"}]},
    )
    wrong = await call(api.http, "DELETE", api.url("/v1/messages"), key=None)
    assert wrong.status == 405 and wrong.headers["Allow"] == "POST"


async def test_the_accounts_daily_cap_holds_for_api_sends(
    world: World, receiver: WebhookReceiver
) -> None:
    # The cap every send of the account shares: the second API send is refused, not sent.
    accounts = [dict(a) for a in world.config_data()["accounts"]]
    accounts[0]["daily_limit"] = 1
    port = free_port()
    world.overrides["accounts"] = accounts
    world.overrides["api"] = api_section(port, receiver.url)
    await world.start_bridge()
    try:
        async with aiohttp.ClientSession() as http:
            api = ApiWorld(world, f"http://127.0.0.1:{port}", http, receiver)
            first = await post(api, {"to": [NUMBER], "text": "one"}, "cap-1")
            second = await post(api, {"to": ["09127654321"], "text": "two"}, "cap-2")
            assert (first.status, second.status) == (202, 202)  # type: ignore[attr-defined]

            def finished() -> bool:
                rows = sends(api)
                return len(rows) == 2 and all(s["status"] != "submitting" for s in rows)

            await wait_for(finished, what="both sends' outcomes")
            rows = {s["idempotency_key"].rsplit(":", 1)[-1]: s for s in sends(api)}
            assert sent_sms(api) == [NUMBER]
            assert rows["cap-2"]["status"] == "failed"
            assert "daily limit" in rows["cap-2"]["error"]
    finally:
        await world.stop_bridge()
