"""The Bot API over HTTP: `/bot<token>/<method>` and `/file/bot<token>/<path>`.

Each call is read (query string, form, multipart or JSON body), checked against the Bot API
data, passed through the injected outages, answered by its method, and recorded; the answer is
Telegram's envelope, `{ok, result}` or `{ok: false, error_code, description, parameters}` with
the HTTP status equal to `error_code`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from sandbox.telegram.methods import BotApiMethods
from sandbox.telegram.spec import ApiError, ApiSpec, UploadedFile, bad, check_params, load_spec
from sandbox.telegram.state import RecordedRequest

log = logging.getLogger(__name__)


class ApiServer(BotApiMethods):
    """The HTTP side of the fake's Bot API."""

    @property
    def spec(self) -> ApiSpec:
        """The Bot API data the parameters are checked against."""
        return load_spec()

    def add_api_routes(self, app: web.Application) -> None:
        """Serve the Bot API and its files on `app`."""
        app.router.add_route("GET", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("POST", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._handle_file)
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)

    async def _on_startup(self, app: web.Application) -> None:
        self._closing = False

    async def _on_shutdown(self, app: web.Application) -> None:
        # Long polls would otherwise hold the server's graceful shutdown for their whole timeout.
        self._closing = True
        self._changed()
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["method"].lower() == "getupdates":
            return await self._answer_api(request)
        self.answering += 1
        self.last_request_at = asyncio.get_running_loop().time()
        self._changed()
        try:
            return await self._answer_api(request)
        finally:
            self.answering -= 1

    async def _answer_api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        if request.match_info["token"] != self._token:
            return self._answer(name, {}, ApiError(401, "Unauthorized"))
        method = self.spec.by_lower_name.get(name.lower())
        params: dict[str, Any] = {}
        try:
            self._outages.check(method or name)
            if method is None:
                raise ApiError(404, "Not Found")
            raw, files = await read_params(request)
            params = {**raw, **files}
            params = check_params(self.spec, method, raw, files)
            self._outages.check(method, params)
            handler = self.method_handlers.get(method)
            result = True if handler is None else await maybe_await(handler(params))
            # A slow Telegram: the answer comes late, after the work is done (as a real
            # server's answer can), so a caller may not know yet what it already did.
            await asyncio.sleep(self.slow_methods.get(method, 0.0))
        except ApiError as err:
            return self._answer(method or name, params, err)
        self.requests.append(RecordedRequest(method, for_record(params), 200))
        log.debug("telegram fake: %s answered", method)
        self._changed()
        return web.json_response({"ok": True, "result": result})

    def _answer(self, method: str, raw: Mapping[str, Any], err: ApiError) -> web.Response:
        self.requests.append(RecordedRequest(method, for_record(raw), err.code, err.description))
        log.debug("telegram fake: %s refused: %s", method, err.description)
        body: dict[str, Any] = {
            "ok": False,
            "error_code": err.code,
            "description": err.description,
        }
        if err.parameters:
            body["parameters"] = err.parameters
        self._changed()
        return web.json_response(body, status=err.code)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self._token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        path = request.match_info["file_path"]
        for document in self._files.values():
            if document.file_path == path:
                return web.Response(body=document.content, content_type="application/octet-stream")
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """The parameters of a call (query string and body) and its uploaded files."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.body_exists:
        return params, files
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise bad("can't parse JSON encoded request body") from None
        if not isinstance(body, dict):
            raise bad("JSON request body must be an object")
        params.update(body)
        return params, files
    post = await request.post()
    for key, value in post.items():
        if isinstance(value, web.FileField):
            files[key] = UploadedFile(
                value.filename or key,
                value.content_type or "application/octet-stream",
                value.file.read(),
            )
        else:
            params[key] = value
    return params, files


def for_record(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as they are recorded: an uploaded file as its name and size."""
    recorded: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, UploadedFile):
            recorded[key] = f"<file {value.filename}, {len(value.content)} bytes>"
        else:
            recorded[key] = value
    return recorded


async def maybe_await(value: Any) -> Any:
    """`value`, awaited if it is a coroutine (methods may be sync or async)."""
    if asyncio.iscoroutine(value):
        return await value
    return value
