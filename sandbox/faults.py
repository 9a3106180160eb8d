"""Fault injection shared by the provider simulators: per method, or for every method ("*")."""

from __future__ import annotations

import asyncio
import enum
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

ANY_METHOD = "*"
HANG_SECONDS = 3600.0  # a "timeout" answers after this long: longer than any client waits


class FaultKind(enum.StrEnum):
    """What a simulator does instead of (or after) answering normally."""

    HTTP_STATUS = "http_status"  # answer this HTTP status with a short text body
    HTML = "html"  # 200 with an HTML error page (a proxy or IIS page)
    MALFORMED_JSON = "malformed_json"  # 200 with a body that is not JSON
    NO_ENVELOPE = "no_envelope"  # 200 with valid JSON that is not the provider's envelope
    TIMEOUT = "timeout"  # hang before doing anything: the request never takes effect
    TIMEOUT_AFTER = "timeout_after"  # do the work (an SMS goes out), then hang
    DISCONNECT_AFTER = "disconnect_after"  # do the work, then drop the connection
    ERROR_CODE = "error_code"  # answer the provider's own error code `value`


@dataclass(slots=True)
class Fault:
    """One injected fault; `times` None means until cleared."""

    kind: FaultKind
    value: Any = None
    times: int | None = 1

    def to_json(self) -> dict[str, Any]:
        """The fault as the control API shows it."""
        return {"kind": self.kind.value, "value": self.value, "times": self.times}


@dataclass
class FaultInjector:
    """Per-method latency and queued faults for one simulator."""

    latency: dict[str, float] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=dict)

    def set_latency(self, seconds: float, method: str = ANY_METHOD) -> None:
        """Add `seconds` of delay to every call of `method` (or of every method)."""
        self.latency[method] = seconds

    def inject(
        self,
        kind: FaultKind,
        *,
        method: str = ANY_METHOD,
        value: Any = None,
        times: int | None = 1,
    ) -> Fault:
        """Queue a fault for the next `times` calls of `method`."""
        fault = Fault(kind, value, times)
        self.faults.setdefault(method, []).append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault and every latency."""
        self.latency.clear()
        self.faults.clear()

    def _take(self, method: str) -> Fault | None:
        for key in (method, ANY_METHOD):
            queue = self.faults.get(key)
            while queue:
                fault = queue[0]
                if fault.times is None:
                    return fault
                if fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        queue.pop(0)
                    return fault
                queue.pop(0)
        return None

    async def run(
        self,
        method: str,
        handler: Callable[[], Awaitable[web.StreamResponse]],
        error_response: Callable[[Any], web.StreamResponse],
    ) -> web.StreamResponse:
        """Apply latency and any queued fault around `handler`.

        `error_response(code)` renders the provider's own error envelope for ERROR_CODE.
        """
        delay = self.latency.get(method, self.latency.get(ANY_METHOD, 0.0))
        if delay:
            await asyncio.sleep(delay)
        fault = self._take(method)
        if fault is None:
            return await handler()
        if fault.kind is FaultKind.TIMEOUT:
            await asyncio.sleep(HANG_SECONDS)
        if fault.kind is FaultKind.TIMEOUT_AFTER:
            await handler()
            await asyncio.sleep(HANG_SECONDS)
        if fault.kind is FaultKind.DISCONNECT_AFTER:
            await handler()
            raise ConnectionResetError("sandbox: connection dropped on purpose")
        if fault.kind is FaultKind.ERROR_CODE:
            return error_response(fault.value)
        return fault_response(fault)


def fault_response(fault: Fault) -> web.Response:
    """The canned answer of the faults that replace the response."""
    if fault.kind is FaultKind.HTTP_STATUS:
        status = int(fault.value or 500)
        return web.Response(status=status, text=f"sandbox: injected HTTP {status}")
    if fault.kind is FaultKind.HTML:
        page = (
            "<!DOCTYPE html><html><head><title>Runtime Error</title></head>"
            "<body><h1>Server Error in '/' Application.</h1></body></html>"
        )
        return web.Response(status=200, text=page, content_type="text/html")
    if fault.kind is FaultKind.MALFORMED_JSON:
        return web.Response(
            status=200, text='{"Code": 0, "Result": ', content_type="application/json"
        )
    if fault.kind is FaultKind.NO_ENVELOPE:
        body = (
            fault.value if fault.value is not None else {"Message": "An unexpected error occured"}
        )
        return web.Response(status=200, text=json.dumps(body), content_type="application/json")
    raise ValueError(f"{fault.kind} has no canned response")


async def fault_control(request: web.Request, injector: FaultInjector) -> web.Response:
    """POST body `{"method": "SendSMS", "kind": "timeout", "value": …, "times": 1}`, or
    `{"latency": 0.1, "method": "*"}`, or `{"clear": true}`."""
    try:
        body = await request.json()
    except json.JSONDecodeError:
        return web.json_response({"error": "body must be JSON"}, status=400)
    if not isinstance(body, dict):
        return web.json_response({"error": "body must be a JSON object"}, status=400)
    method = str(body.get("method", ANY_METHOD))
    if body.get("clear"):
        injector.clear()
        return web.json_response({"ok": True})
    if "latency" in body:
        injector.set_latency(float(body["latency"]), method)
        return web.json_response({"ok": True})
    try:
        kind = FaultKind(str(body.get("kind")))
    except ValueError:
        kinds = ", ".join(k.value for k in FaultKind)
        return web.json_response({"error": f"kind must be one of: {kinds}"}, status=400)
    times = body.get("times", 1)
    fault = injector.inject(kind, method=method, value=body.get("value"), times=times)
    return web.json_response({"ok": True, "fault": fault.to_json()})
