"""A Payamak Panel (Melipayamak) REST simulator, faithful to providers.md §2.

It takes form-encoded (UTF-8) and JSON bodies, matches field and method names without regard to
case, answers errors with HTTP 200 and the provider's code in `Value`, and wraps `GetMessages` and
`GetUserNumbers` as `{"MyBase": {...}, "Data": [...]}`.

Choices where the provider's documents are silent (documented here so tests can rely on them):
- More than 100 numbers in one `SendSMS` answers code 4 ("sending volume limit reached"), the
  closest code the provider has; a `to` that holds no valid mobile answers 16.
- Any blacklisted number refuses the whole `SendSMS` call with code 35.
- Credit is counted in SMS parts: a send costs parts × recipients.
- `GetMessages` lists messages in the order they reached the simulator, oldest first, unless
  `set_listing_order` says otherwise (`newest_first`, `alternate`: each call flips, starting
  newest first, or `random`): the real order is undocumented, so the adapter must cope with any.
  `MsgID`s grow with arrival. Received messages are location 1, each accepted `SendSMS` call is
  one sent message (location 2).
- An injected message may carry `raw` fields that replace its record's fields as listed (a
  `SendDate` with an offset, a null `Body`, a `MsgID` that is not a number), to show what an
  unreadable or unusual record does to a client.
- `GetDeliveries2` for a recId the account never got answers 100 ("unknown").
- A body the ASP.NET model binder would refuse (a `recID` or `location` that is not a number, an
  `isFlash` that is not a boolean) answers HTTP 400 `{"Message": "The request is invalid."}`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from providers.parts import count_parts
from providers.phone import InvalidNumberError, normalize_mobile, to_ascii_digits
from sandbox.faults import FaultInjector, fault_control

log = logging.getLogger(__name__)

TEHRAN = ZoneInfo("Asia/Tehran")
MAX_RECIPIENTS = 100
MAX_PAGE = 100
DEFAULT_USER = "demo"
DEFAULT_PASSWORD = "demo"
DEFAULT_LINE = "10002188"
DEFAULT_CREDIT = 1_000_000
BASE_PRICE = 150  # Rials for one part

# Value code → (RetStatus, StrRetStatus). Codes 0 and 5 copy answers seen from the real server.
ERROR_STATUS: dict[int, tuple[int, str]] = {
    0: (35, "InvalidData"),
    1: (1, "Ok"),  # the old "request succeeded": no recId
    2: (0, "CreditNotEnough"),
    3: (0, "DailyLimit"),
    4: (0, "VolumeLimit"),
    5: (9, "InvalidNumber"),
    6: (0, "SystemUpdating"),
    7: (0, "FilteredWord"),
    9: (0, "PublicLine"),
    10: (0, "UserNotActive"),
    11: (0, "NotSent"),
    12: (0, "DocumentsIncomplete"),
    14: (0, "LinkInText"),
    15: (0, "OptOutRequired"),
    16: (0, "NoRecipient"),
    17: (0, "EmptyText"),
    35: (0, "Blacklisted"),
}

# Named outcomes for `set_outcome`: the final GetDeliveries2 code.
OUTCOME_CODES: dict[str, int] = {
    "delivered": 1,
    "undelivered": 2,
    "failed": 3,
    "blocked": 35,
    "filtered": 300,
    "rejected": 500,
    "at_carrier": 8,
    "pending": -1,
}
CODE_SENT = 200
CODE_AT_CARRIER = 8
CODE_NOT_REPORTED = -1
CODE_UNKNOWN = 100

# How GetMessages lists: the provider does not document its order.
LISTING_ORDERS = ("oldest_first", "newest_first", "alternate", "random")

_MOBILE = re.compile(r"^(?:\+98|0098|98|0)?(9\d{9})$")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
_REC_ID_BASE = 2_000_000_000_000_000_000  # 19 digits: recIds are "15+ digit" longs
_MSG_ID_BASE = 4_516_300_000


class _BindError(Exception):
    """A body the real server's model binder would refuse (answers HTTP 400)."""


@dataclass(slots=True)
class Account:
    """One simulated Payamak account."""

    username: str
    password: str
    lines: list[str]
    credit: int


@dataclass(frozen=True, slots=True)
class SentSms:
    """One accepted `SendSMS` call."""

    username: str
    line: str
    to: tuple[str, ...]  # as the caller wrote them
    text: str
    flash: bool
    rec_ids: tuple[int, ...]
    at: float  # the simulator's clock

    def to_json(self) -> dict[str, Any]:
        """The send as the control API shows it."""
        return {
            "username": self.username,
            "from": self.line,
            "to": list(self.to),
            "text": self.text,
            "isFlash": self.flash,
            "recIds": [str(rec_id) for rec_id in self.rec_ids],
            "at": self.at,
        }


@dataclass(slots=True)
class _Delivery:
    username: str
    mobile: str  # E.164
    sent_at: float


@dataclass(slots=True)
class _StoredMessage:
    msg_id: int
    location: int  # 1 received, 2 sent
    sender: str
    receiver: str
    body: str
    when: datetime  # aware
    rec_count: int = 1
    raw: dict[str, Any] = field(default_factory=dict)  # fields listed instead of ours

    def to_json(self) -> dict[str, Any]:
        record = {
            "MsgID": self.msg_id,
            "Body": self.body,
            "SendDate": tehran_timestamp(self.when),
            "Sender": self.sender,
            "Receiver": self.receiver,
            "FirstLocation": self.location,
            "CurrentLocation": self.location,
            "Parts": count_parts(self.body).parts,
            "RecCount": self.rec_count,
            "RecFailed": 0,
            "RecSuccess": self.rec_count if self.location == 2 else 0,
            "IsUnicode": not self.body.isascii(),
        }
        return {**record, **self.raw}


def tehran_timestamp(when: datetime) -> str:
    """`2017-06-05T15:42:58.68`: Tehran wall time, no zone, fraction trimmed as .NET does."""
    local = when.astimezone(TEHRAN)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{local.microsecond // 10_000:02d}".rstrip("0")
    return f"{text}.{fraction}" if fraction else text


def _envelope(value: str | None, code: int = 1) -> dict[str, Any]:
    ret_status, name = ERROR_STATUS.get(code, (0, "Error")) if code != 1 else (1, "Ok")
    return {"Value": value, "RetStatus": ret_status, "StrRetStatus": name}


def _ok(value: str) -> web.Response:
    return web.json_response(_envelope(value))


def _error(code: int) -> web.Response:
    return web.json_response(_envelope(str(code), code))


def _wrapped_ok(data: list[dict[str, Any]]) -> web.Response:
    return web.json_response({"MyBase": _envelope("Ok"), "Data": data})


def _wrapped_error(code: int) -> web.Response:
    return web.json_response({"MyBase": _envelope(None, code), "Data": None})


def _bind_error() -> web.Response:
    return web.json_response({"Message": "The request is invalid."}, status=400)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_as_text(item) for item in value)
    return "" if value is None else str(value)


def _parse_int(fields: Mapping[str, str], name: str, default: int | None = None) -> int:
    raw = fields.get(name, "").strip()
    if not raw:
        if default is None:
            raise _BindError(name)
        return default
    try:
        return int(to_ascii_digits(raw))
    except ValueError:
        raise _BindError(name) from None


def _fast_mobile(raw: str) -> str | None:
    """E.164 of an Iranian mobile in any plain form, by shape only: the bench pushes 50,000
    numbers through here and phonenumbers would cost seconds."""
    match = _MOBILE.match(to_ascii_digits(raw.strip()))
    return "+98" + match.group(1) if match else None


def _ends_with_opt_out(text: str) -> bool:
    # «لغو11» at the end, in any digits and spacing, as the provider checks it.
    tail = re.sub(r"\s+", "", text.translate(_PERSIAN_DIGITS))[-5:]
    return tail == "لغو11"


_PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def _mobile_key(raw: str) -> str:
    fast = _fast_mobile(raw)
    if fast is not None:
        return fast
    try:
        return normalize_mobile(raw)
    except InvalidNumberError:
        return to_ascii_digits(raw.strip())


class PayamakSimulator:
    """The Payamak Panel REST API and a control API, state in memory."""

    METHODS = (
        "SendSMS",
        "GetDeliveries2",
        "GetMessages",
        "GetCredit",
        "GetBasePrice",
        "GetUserNumbers",
        "BaseServiceNumber",
    )

    def __init__(
        self, *, delivery_step: float = 1.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.delivery_step = delivery_step
        self.clock = clock
        self.faults = FaultInjector()
        self.calls: Counter[str] = Counter()
        self.blacklist: set[str] = set()
        self.reject_links = False  # code 14 is optional at the real provider too
        # Code 15: a send to several recipients must end with the opt-out phrase (service lines).
        self.require_opt_out = False
        self.base_price = BASE_PRICE
        self.accounts: dict[str, Account] = {}
        self.sent: list[SentSms] = []
        self._deliveries: dict[int, _Delivery] = {}
        self._outcomes: dict[str, int] = {}
        self._messages: dict[str, list[_StoredMessage]] = {}
        self._inflight: set[asyncio.Task[Any]] = set()
        self.listing_order = "oldest_first"
        self._listing_calls = 0
        self._listing_random = random.Random(0)
        # Ids keep counting across reset() so no id is ever handed out twice in one process.
        self._next_rec_id = _REC_ID_BASE
        self._next_msg_id = _MSG_ID_BASE
        self._handlers: dict[str, Callable[[Account, dict[str, str]], web.Response]] = {
            "SendSMS": self._send_sms,
            "GetDeliveries2": self._get_deliveries,
            "GetMessages": self._get_messages,
            "GetCredit": self._get_credit,
            "GetBasePrice": self._get_base_price,
            "GetUserNumbers": self._get_user_numbers,
            "BaseServiceNumber": self._base_service_number,
        }
        self._by_lower = {name.lower(): name for name in self.METHODS}
        self.reset()

    # ------------------------------------------------------------ python API

    def reset(self) -> None:
        """Back to one account `demo`/`demo` with line 10002188, no messages, no faults."""
        self.faults.clear()
        self.calls.clear()
        self.blacklist.clear()
        self.reject_links = False
        self.base_price = BASE_PRICE
        self.accounts.clear()
        self.sent.clear()
        self._deliveries.clear()
        self._outcomes.clear()
        self._messages.clear()
        self.set_listing_order("oldest_first")
        self.add_account(DEFAULT_USER, DEFAULT_PASSWORD, lines=[DEFAULT_LINE])

    def set_listing_order(self, order: str, *, seed: int = 0) -> None:
        """How GetMessages lists from now on: one of LISTING_ORDERS (`random` seeded)."""
        if order not in LISTING_ORDERS:
            raise ValueError(f"order must be one of: {', '.join(LISTING_ORDERS)}")
        self.listing_order = order
        self._listing_calls = 0
        self._listing_random = random.Random(seed)

    def _newest_first_now(self) -> bool:
        """Whether this GetMessages call lists newest first."""
        self._listing_calls += 1
        if self.listing_order == "alternate":
            return self._listing_calls % 2 == 1
        if self.listing_order == "random":
            return self._listing_random.random() < 0.5
        return self.listing_order == "newest_first"

    def add_account(
        self, username: str, password: str, *, lines: list[str], credit: int = DEFAULT_CREDIT
    ) -> Account:
        """Add (or replace) an account owning `lines`."""
        account = Account(username, password, list(lines), credit)
        self.accounts[username] = account
        self._messages.setdefault(username, [])
        return account

    def set_outcome(self, mobile: str, outcome: str | int) -> None:
        """Script the final delivery code of `mobile`: a name from OUTCOME_CODES or a raw code."""
        if isinstance(outcome, str) and not outcome.lstrip("-").isdigit():
            if outcome not in OUTCOME_CODES:
                names = ", ".join(OUTCOME_CODES)
                raise ValueError(f"outcome must be a delivery code or one of: {names}")
            code = OUTCOME_CODES[outcome]
        else:
            code = int(outcome)
        self._outcomes[_mobile_key(mobile)] = code

    def inject_incoming(
        self,
        line: str,
        sender: str,
        body: str,
        when: datetime | None = None,
        *,
        raw: Mapping[str, Any] | None = None,
    ) -> int:
        """An SMS from `sender` reaches our `line`; returns its MsgID. Naive `when` is UTC.
        `raw` fields replace the record's own as GetMessages lists it (unreadable records)."""
        account = self._account_for_line(line)
        if when is None:
            when = datetime.fromtimestamp(self.clock(), tz=UTC)
        elif when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        shown = sender.strip()
        if shown.startswith("+98"):
            shown = shown[3:]  # the provider shows mobiles without the country code
        message = _StoredMessage(
            self._new_msg_id(), 1, shown, line, body, when, raw=dict(raw or {})
        )
        self._messages[account.username].append(message)
        return message.msg_id

    def install(self, app: web.Application, *, api_prefix: str, control_prefix: str) -> None:
        """Add the REST API under `api_prefix` and the control API under `control_prefix`."""
        api = api_prefix.rstrip("/")
        control = control_prefix.rstrip("/")
        app.router.add_post(api + "/{method}", self._dispatch)
        app.router.add_post(control + "/incoming", self._control_incoming)
        app.router.add_post(control + "/outcome", self._control_outcome)
        app.router.add_post(control + "/faults", self._control_faults)
        app.router.add_post(control + "/accounts", self._control_accounts)
        app.router.add_post(control + "/blacklist", self._control_blacklist)
        app.router.add_post(control + "/reset", self._control_reset)
        app.router.add_post(control + "/inbox", self._control_inbox)
        app.router.add_get(control + "/sent", self._control_sent)
        app.router.add_get(control + "/calls", self._control_calls)
        app.on_shutdown.append(self._cancel_inflight)

    # ------------------------------------------------------------ plumbing

    def _account_for_line(self, line: str) -> Account:
        for account in self.accounts.values():
            if line in account.lines:
                return account
        raise ValueError(
            f"no account owns line {line!r}: add it first with POST …/accounts"
            ' {"username", "password", "lines": [...]}'
        )

    def _new_msg_id(self) -> int:
        self._next_msg_id += 1
        return self._next_msg_id

    async def _cancel_inflight(self, _app: web.Application) -> None:
        # Requests hung on purpose (timeout faults) would hold the server's shutdown for a minute.
        current = asyncio.current_task()
        for task in list(self._inflight):
            if task is not current:
                task.cancel()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        method = self._by_lower.get(request.match_info["method"].lower())
        if method is None:
            message = f"No HTTP resource was found that matches the request URI '{request.url}'."
            return web.json_response({"Message": message}, status=404)
        self.calls[method] += 1
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            return await self.faults.run(
                method,
                lambda: self._handle(method, request),
                lambda code: self._error_for(method, code),
            )
        finally:
            if task is not None:
                self._inflight.discard(task)

    def _error_for(self, method: str, code: Any) -> web.Response:
        number = int(code) if code is not None else 11
        if method in ("GetMessages", "GetUserNumbers"):
            return _wrapped_error(number)
        return _error(number)

    async def _handle(self, method: str, request: web.Request) -> web.Response:
        try:
            fields = await self._read_fields(request)
        except (_BindError, ValueError, UnicodeDecodeError):
            return _bind_error()
        account = self.accounts.get(fields.get("username", ""))
        if account is None or account.password != fields.get("password", ""):
            return self._error_for(method, 0)
        try:
            return self._handlers[method](account, fields)
        except _BindError:
            return _bind_error()

    async def _read_fields(self, request: web.Request) -> dict[str, str]:
        """Field names lower-cased; repeated form fields and JSON lists joined with `,`."""
        fields: dict[str, str] = {}
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise _BindError("body")
            for key, value in body.items():
                fields[str(key).lower()] = _as_text(value)
            return fields
        form = await request.post()
        for key, value in form.items():
            if not isinstance(value, str):
                raise _BindError(key)
            name = key.lower()
            fields[name] = f"{fields[name]},{value}" if name in fields else value
        return fields

    # ------------------------------------------------------------ API methods

    def _send_sms(self, account: Account, fields: dict[str, str]) -> web.Response:
        flash_raw = fields.get("isflash", "").strip().lower()
        if flash_raw and flash_raw not in _BOOLEANS:
            raise _BindError("isFlash")
        flash = _BOOLEANS.get(flash_raw, False)
        line = fields.get("from", "").strip()
        text = fields.get("text", "")
        numbers = [item.strip() for item in fields.get("to", "").split(",") if item.strip()]
        if line not in account.lines:
            return _error(5)
        if not numbers:
            return _error(16)
        if len(numbers) > MAX_RECIPIENTS:
            return _error(4)
        mobiles = [_fast_mobile(number) for number in numbers]
        if None in mobiles:
            return _error(16)
        if not text.strip():
            return _error(17)
        if self.reject_links and any(mark in text.lower() for mark in ("http://", "https://")):
            return _error(14)
        if self.require_opt_out and len(mobiles) > 1 and not _ends_with_opt_out(text):
            return _error(15)
        if self.blacklist and not {_mobile_key(b) for b in self.blacklist}.isdisjoint(mobiles):
            return _error(35)
        cost = count_parts(text).parts * len(mobiles)
        if cost > account.credit:
            return _error(2)
        account.credit -= cost
        now = self.clock()
        first = self._next_rec_id + 1
        self._next_rec_id += len(mobiles)
        rec_ids = tuple(range(first, first + len(mobiles)))
        for rec_id, mobile in zip(rec_ids, mobiles, strict=True):
            self._deliveries[rec_id] = _Delivery(account.username, str(mobile), now)
        self.sent.append(SentSms(account.username, line, tuple(numbers), text, flash, rec_ids, now))
        sent_message = _StoredMessage(
            self._new_msg_id(),
            2,
            line,
            ",".join(numbers),
            text,
            datetime.fromtimestamp(now, tz=UTC),
            rec_count=len(numbers),
        )
        self._messages[account.username].append(sent_message)
        return _ok(",".join(str(rec_id) for rec_id in rec_ids))

    def _get_deliveries(self, account: Account, fields: dict[str, str]) -> web.Response:
        rec_id = _parse_int(fields, "recid")
        delivery = self._deliveries.get(rec_id)
        if delivery is None or delivery.username != account.username:
            return _ok(str(CODE_UNKNOWN))
        return _ok(str(self._delivery_code(delivery)))

    def _delivery_code(self, delivery: _Delivery) -> int:
        final = self._outcomes.get(delivery.mobile, OUTCOME_CODES["delivered"])
        if final == CODE_NOT_REPORTED:
            return CODE_NOT_REPORTED
        elapsed = self.clock() - delivery.sent_at
        if elapsed < self.delivery_step:
            return CODE_SENT
        if elapsed < 2 * self.delivery_step:
            return CODE_AT_CARRIER
        return final

    def _get_messages(self, account: Account, fields: dict[str, str]) -> web.Response:
        location = _parse_int(fields, "location")
        index = _parse_int(fields, "index", 0)
        count = _parse_int(fields, "count", MAX_PAGE)
        if location not in (1, 2, -1) or index < 0 or not 0 < count <= MAX_PAGE:
            failure = {"Value": None, "RetStatus": 0, "StrRetStatus": "InvalidParameters"}
            return web.json_response({"MyBase": failure, "Data": None})
        sender = fields.get("from", "").strip()
        sender_key = _mobile_key(sender) if sender else ""
        selected = [
            message
            for message in self._messages[account.username]
            if (location == -1 or message.location == location)
            and (not sender_key or _mobile_key(message.sender) == sender_key)
        ]
        if self._newest_first_now():
            selected.reverse()
        return _wrapped_ok([message.to_json() for message in selected[index : index + count]])

    def _get_credit(self, account: Account, fields: dict[str, str]) -> web.Response:
        return _ok(str(account.credit))

    def _get_base_price(self, account: Account, fields: dict[str, str]) -> web.Response:
        return _ok(str(self.base_price))

    def _get_user_numbers(self, account: Account, fields: dict[str, str]) -> web.Response:
        return _wrapped_ok([{"Number": line} for line in account.lines])

    def _base_service_number(self, account: Account, fields: dict[str, str]) -> web.Response:
        # Pattern sending is out of scope (providers.md §2.1); say so instead of pretending.
        return web.json_response(
            {"Value": "-10", "RetStatus": 0, "StrRetStatus": "NotSimulated: BaseServiceNumber"}
        )

    # ------------------------------------------------------------ control API

    async def _control_json(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise web.HTTPBadRequest(
                text=json.dumps({"error": "body must be JSON"}), content_type="application/json"
            ) from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(
                text=json.dumps({"error": "body must be a JSON object"}),
                content_type="application/json",
            )
        return body

    async def _control_incoming(self, request: web.Request) -> web.Response:
        """`{"line", "sender", "body", "when"?: ISO 8601, "raw"?: {field: value}}` →
        `{"ok": true, "msg_id": …}`; a line no account owns is refused with a 400."""
        body = await self._control_json(request)
        raw = body.get("raw")
        if raw is not None and not isinstance(raw, dict):
            return web.json_response({"error": "raw must be an object of fields"}, status=400)
        try:
            when = datetime.fromisoformat(body["when"]) if body.get("when") else None
            msg_id = self.inject_incoming(
                str(body["line"]), str(body["sender"]), str(body["body"]), when, raw=raw
            )
        except KeyError as exc:
            return web.json_response(
                {"error": f"bad incoming message: {exc} is required"}, status=400
            )
        except ValueError as exc:
            return web.json_response({"error": f"bad incoming message: {exc}"}, status=400)
        return web.json_response({"ok": True, "msg_id": msg_id})

    async def _control_inbox(self, request: web.Request) -> web.Response:
        """`{"order": "oldest_first" | "newest_first" | "alternate" | "random", "seed"?}`."""
        body = await self._control_json(request)
        try:
            self.set_listing_order(str(body.get("order")), seed=int(body.get("seed", 0)))
        except (TypeError, ValueError) as exc:
            return web.json_response({"error": f"bad inbox settings: {exc}"}, status=400)
        return web.json_response({"ok": True, "order": self.listing_order})

    async def _control_outcome(self, request: web.Request) -> web.Response:
        """`{"mobile": "0912…", "outcome": "delivered" | <code>}`."""
        body = await self._control_json(request)
        try:
            self.set_outcome(str(body["mobile"]), body["outcome"])
        except (KeyError, ValueError) as exc:
            return web.json_response({"error": f"bad outcome: {exc}"}, status=400)
        return web.json_response({"ok": True})

    async def _control_faults(self, request: web.Request) -> web.Response:
        return await fault_control(request, self.faults)

    async def _control_accounts(self, request: web.Request) -> web.Response:
        """`{"username", "password", "lines": [...], "credit"?}`."""
        body = await self._control_json(request)
        try:
            self.add_account(
                str(body["username"]),
                str(body["password"]),
                lines=[str(line) for line in body["lines"]],
                credit=int(body.get("credit", DEFAULT_CREDIT)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            return web.json_response({"error": f"bad account: {exc}"}, status=400)
        return web.json_response({"ok": True})

    async def _control_blacklist(self, request: web.Request) -> web.Response:
        """`{"mobile": "0912…"}` adds a number to the carriers' blacklist."""
        body = await self._control_json(request)
        if "mobile" not in body:
            return web.json_response({"error": "mobile is required"}, status=400)
        self.blacklist.add(str(body["mobile"]))
        return web.json_response({"ok": True})

    async def _control_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})

    async def _control_sent(self, request: web.Request) -> web.Response:
        """`{"count", "sent"}` as the RayganSMS simulator answers; `?since=N` skips the first N."""
        try:
            since = int(request.query.get("since", "0"))
        except ValueError:
            return web.json_response({"error": "since must be an integer"}, status=400)
        items = [sms.to_json() for sms in self.sent[max(0, since) :]]
        return web.json_response({"count": len(self.sent), "sent": items})

    async def _control_calls(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.calls))
