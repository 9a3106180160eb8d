"""The OpenAPI document is a valid OpenAPI 3.1 document, lists exactly the routes the server
has, and each route answers as it documents (status and body schema), over real HTTP."""

from __future__ import annotations

import re
from typing import Any

from api_support import ApiWorld, call
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate


async def document(api: ApiWorld) -> dict[str, Any]:
    answer = await call(api.http, "GET", api.url("/v1/openapi.json"), key=None)
    assert answer.status == 200
    doc: dict[str, Any] = answer.body
    return doc


def check_answer(doc: dict[str, Any], path: str, method: str, status: int, body: Any) -> None:
    """`status` is documented for the operation and `body` matches its schema."""
    responses = doc["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method} {path} answered {status}, not documented"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    # The refs point into the document's components: validate with them at the root.
    OAS31Validator({**schema, "components": doc["components"]}).validate(body)


async def test_the_document_is_valid_openapi_3_1(api: ApiWorld) -> None:
    doc = await document(api)
    validate(doc)
    assert doc["openapi"].startswith("3.1")


async def test_the_document_lists_exactly_the_routes_the_server_has(api: ApiWorld) -> None:
    doc = await document(api)
    assert api.world.bridge is not None
    server = api.world.bridge.data.api_server
    assert server is not None
    served = set()
    for route in server.app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or re.sub(r"\{(\w+):[^}]*\}", r"{\1}", info.get("formatter", ""))
        served.add((route.method.lower(), path))
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert served == documented


async def test_each_documented_route_answers_as_documented(api: ApiWorld) -> None:
    doc = await document(api)
    example = {"to": ["09121234567"], "text": "سلام"}
    sent = await call(
        api.http,
        "POST",
        api.url("/v1/messages"),
        json_body=example,
        headers={"Idempotency-Key": "doc-1"},
    )
    check_answer(doc, "/v1/messages", "post", sent.status, sent.body)
    assert sent.status == 202
    replay = await call(
        api.http,
        "POST",
        api.url("/v1/messages"),
        json_body=example,
        headers={"Idempotency-Key": "doc-1"},
    )
    check_answer(doc, "/v1/messages", "post", replay.status, replay.body)
    assert (
        "Idempotent-Replayed" in doc["paths"]["/v1/messages"]["post"]["responses"]["202"]["headers"]
    )
    status = await call(api.http, "GET", api.url(f"/v1/messages/{sent.body['id']}"))
    check_answer(doc, "/v1/messages/{id}", "get", status.status, status.body)
    otp = await call(api.http, "POST", api.url("/v1/otp"), json_body={"to": "09127654321"})
    check_answer(doc, "/v1/otp", "post", otp.status, otp.body)
    assert otp.status == 202
    limited = await call(api.http, "POST", api.url("/v1/otp"), json_body={"to": "09127654321"})
    check_answer(doc, "/v1/otp", "post", limited.status, limited.body)
    assert limited.status == 429
    verdict = await call(
        api.http,
        "POST",
        api.url("/v1/otp/verify"),
        json_body={"to": "09127654321", "code": "12"},
    )
    check_answer(doc, "/v1/otp/verify", "post", verdict.status, verdict.body)
    assert verdict.status == 200 and verdict.body["valid"] is False
    health = await call(api.http, "GET", api.url("/v1/health"), key=None)
    check_answer(doc, "/v1/health", "get", health.status, health.body)
    # Every secured operation documents its 401, and answers it without a key.
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if not op["security"]:
                continue
            url = api.url(path.replace("{id}", str(sent.body["id"])))
            refused = await call(api.http, method.upper(), url, key=None, json_body={})
            check_answer(doc, path, method, refused.status, refused.body)
            assert refused.status == 401
    # A 422 and a 413 as documented.
    bad = await call(
        api.http,
        "POST",
        api.url("/v1/messages"),
        json_body={"to": ["02188776655"], "text": "x"},
        headers={"Idempotency-Key": "doc-2"},
    )
    check_answer(doc, "/v1/messages", "post", bad.status, bad.body)
    assert bad.status == 422


async def test_the_request_schema_is_the_one_the_server_validates_with(api: ApiWorld) -> None:
    doc = await document(api)
    schema = doc["components"]["schemas"]["SendMessageRequest"]
    assert schema["required"] == ["to", "text"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["to"]["maxItems"] == 100
