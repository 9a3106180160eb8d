"""A RayganSMS simulator: the REST API of providers.md §1, answered as the real service does.

Basic auth, JSON bodies, the `{"Code","Message","Result"}` envelope (bare JSON for the three
code methods), the error codes of §1.4, credit charged per part × recipient, deliveries that
progress with a clock, an inbox by time window in pages of 100, and a control API for tests.

The inbox can misbehave as a real one may (each documented in the README's sandbox table):
- an SMS may be dated well before it shows up (`late_by`: a lagging provider queue or clock);
- an SMS may show up only after a number of `ReceiveMessages` calls (`appear_after_calls`),
  which shifts the pages of a listing being read page by page;
- `page_shift` serves every page after the first shifted by that many records (a positive shift
  repeats the previous page's last records, a negative one skips records), as a listing that is
  not one snapshot does;
- `raw` fields replace a record's own as listed (a `MsgBody` of null, a `Date` that is text), to
  show what an unreadable record does to a client.
"""

from __future__ import annotations

import base64
import binascii
import collections
import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.parts import Encoding, count_parts
from providers.raygansms import MAX_PARTS as MAX_PARTS_RAYGAN
from sandbox.faults import FaultInjector, fault_control

log = logging.getLogger(__name__)

DEFAULT_USER = "demo"
DEFAULT_PASSWORD = "demo"
DEFAULT_LINE = "50002910001080"
DEFAULT_CREDIT = 1_000_000
FA_PRICE = 112
EN_PRICE = 275
MAX_RECIPIENTS = 50_000
INBOX_PAGE_SIZE = 100
MAX_SCHEDULE_AHEAD = 366 * 24 * 3600  # further ahead than this is "outside the range" (2004)

ENVELOPE_METHODS = (
    "SendMessage",
    "SendCorrespondingMessage",
    "SendMessageToPort",
    "GroupMessageStatus",
    "CorrespondingMessageStatus",
    "GetGroupMessageId",
    "ReceiveMessages",
    "GetCredit",
    "GetPrices",
    "ShowWhiteList",
)
CODE_METHODS = ("SendAutoCode", "CheckSendCode", "SendCode")
METHODS = ENVELOPE_METHODS + CODE_METHODS

# The provider's own texts (seed, "تفسیر کد های خروجی").
CODE_MESSAGES: dict[int, str] = {
    0: "عملیات با موفقیت انجام شد",
    1001: "فرمت سند ارسالی صحیح نمی باشد",
    1002: "شماره اختصاصی وارد شده معتبر نمی باشد",
    1003: "فرمت تاریخ ارسالی صحیح نمی باشد",
    1004: "پارامتر های ارسالی برای درخواست مورد نظر معتبر نمی باشد",
    2001: "مالکیت شماره اختصاصی مورد نظر برای کاربری وارد شده معتبر نمی باشد",
    2002: "کاربری مورد نظر مجوز استفاده از وب سرویس را ندارد",
    2003: "آدرس آی پی ، درخواست دهنده غیر مجاز می باشد",
    2004: "تاریخ ارسال در نظر گرفته شده در محدوده مجاز نمی باشد",
    2005: "تعداد مخاطبین حداکثر می تواند 50000 عدد باشد",
    2006: "طول پیام نمی تواند بیش از 10 پیام باشد",
    2007: "مقدار وارد شده برای شماره پورت غیر مجار می باشد",
    2008: "مقدار وارد شده برای شماره صفحه غیر مجاز می باشد",
    2009: "خطا در واکشی اطلاعات کاربری",
    3001: "خطا در ثبت اطلاعات",
    3002: "خطا در دریافت گروه پیام",
    3003: "اعتبار کافی نمی باشد",
    3004: "سرویس مورد نظر برای اپراتور مد نظر ، تعریف نشده است",
    5001: "به دلیل خطای داخلی ، سرور قادر به پاسخگویی نیست",
    5002: "در هنگام ارسال پیام خطایی رخ داده است",
    5003: "در هنگام دریافت نتیجه ارسال پیام خطایی رخ داده است",
    5004: "برخی پیام ها در هنگام ارسال با خطا مواجه شده اند",
}

# The code methods answer a bare number; 2000 or below is an error. The seed documents only 8
# (web service not enabled); the others are this simulator's choice, all kept at or below 2000
# so that no error can be read as a message id.
CODE_WEBSERVICE_DISABLED = 8
CODE_BAD_DOCUMENT = 1001
CODE_BAD_PARAMETERS = 1004
CODE_FIRST_ID = 2001  # a code method's answer above 2000 is a message id
CODE_NO_CREDIT = 3  # undocumented for the code methods; any value ≤ 2000 means "not sent"

OUTCOMES: dict[str, int] = {
    "delivered": 1,
    "undelivered": 2,
    "at_carrier": 8,
    "failed": 16,
    "busy": 23,
    "blocked": 27,
    "pending": 0,
}
STATUS_UNDER_REVIEW = 0
STATUS_AT_CARRIER = 8
STATUS_BLOCKED = 27

_MOBILE = re.compile(r"9\d{8,9}")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_JSON = "application/json"


def canonical_mobile(value: object) -> str | None:
    """A mobile as RayganSMS takes it (`09…`, `9…`, `98…`, `+98…`, `0098…`) → `09…`; else None.

    Lenient on length (9–10 digits after the 9) because the seed's own sample sends
    `0911111111`, and the simulator must accept the seed's samples.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    if text.startswith("+"):
        text = text[1:]
    if text.startswith("0098"):
        text = text[4:]
    elif text.startswith("98") and len(text) >= 11:
        text = text[2:]
    elif text.startswith("0"):
        text = text[1:]
    if not _MOBILE.fullmatch(text):
        return None
    return "0" + text


def _as_int(value: object) -> int | None:
    """An int or a string of digits (the seed sends both) → int; anything else → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


@dataclass(slots=True)
class Account:
    """One RayganSMS account."""

    username: str
    password: str
    lines: list[str]
    credit: int = DEFAULT_CREDIT
    webservice: bool = True
    fa_price: int = FA_PRICE
    en_price: int = EN_PRICE

    def price(self, text: str) -> tuple[int, int]:
        """(parts, price of the whole text to one recipient)."""
        count = count_parts(text)
        unit = self.fa_price if count.encoding is Encoding.UCS2 else self.en_price
        return count.parts, count.parts * unit


@dataclass(frozen=True, slots=True)
class SentSms:
    """One SMS that went out (one recipient). `at` is when it goes (later when scheduled)."""

    username: str
    method: str
    line: str
    mobile: str  # 09…
    text: str
    at: float
    group_id: str | None = None  # the GUID of a SendMessage
    message_id: int | None = None  # corresponding sends and code methods
    blocked: bool = False  # on the blacklist when it was sent

    def to_json(self) -> dict[str, Any]:
        """The SMS as the control API shows it."""
        return {
            "username": self.username,
            "method": self.method,
            "line": self.line,
            "mobile": self.mobile,
            "text": self.text,
            "at": self.at,
            "group_id": self.group_id,
            "message_id": self.message_id,
            "blocked": self.blocked,
        }


@dataclass(frozen=True, slots=True)
class _Group:
    """A SendMessage: its recipients are `sent[start:start + count]`."""

    username: str
    guid: str
    user_group_id: str
    start: int
    count: int
    at: float


@dataclass(frozen=True, slots=True)
class IncomingRecord:
    """An SMS received on a line, as ReceiveMessages reports it."""

    line: str
    sender: str  # 98… for mobiles, as the seed's sample shows
    date: int
    body: str
    visible_after: int = 0  # ReceiveMessages calls answered before it shows
    raw: dict[str, Any] = field(default_factory=dict)  # fields listed instead of ours

    def to_json(self) -> dict[str, Any]:
        """The record as ReceiveMessages lists it."""
        return {"Mobile": self.sender, "Date": self.date, "MsgBody": self.body, **self.raw}


class _Refused(Exception):
    """Internal: answer this provider code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class RayganSimulator:
    """The RayganSMS REST API in memory, with a clock for delivery progress."""

    def __init__(
        self, *, delivery_step: float = 1.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.delivery_step = delivery_step
        self.clock = clock
        self.accounts: dict[str, Account] = {}
        self.sent: list[SentSms] = []
        self.incoming: list[IncomingRecord] = []
        self.outcomes: dict[str, int] = {}  # 09… → final status code
        self.blacklist: set[str] = set()  # numbers in any accepted form
        self.auto_codes: dict[tuple[str, str], str] = {}  # (username, 09…) → code
        self.faults = FaultInjector()
        self.calls: collections.Counter[str] = collections.Counter()
        self._groups: dict[str, _Group] = {}
        self._by_message_id: dict[int, SentSms] = {}
        self._next_message_id = 1
        self.page_shift = 0
        self._receive_calls = 0
        self.reset()

    # ------------------------------------------------------------ the Python API

    def reset(self) -> None:
        """Back to the default state: the demo account only, nothing sent, no faults."""
        self.accounts.clear()
        self.sent.clear()
        self.incoming.clear()
        self.outcomes.clear()
        self.blacklist.clear()
        self.auto_codes.clear()
        self.faults.clear()
        self.calls.clear()
        self._groups.clear()
        self._by_message_id.clear()
        self._next_message_id = 1
        self.page_shift = 0
        self._receive_calls = 0
        self.add_account(DEFAULT_USER, DEFAULT_PASSWORD, lines=[DEFAULT_LINE])

    def add_account(
        self,
        username: str,
        password: str,
        *,
        lines: Iterable[str],
        credit: int = DEFAULT_CREDIT,
        webservice: bool = True,
        fa_price: int = FA_PRICE,
        en_price: int = EN_PRICE,
    ) -> Account:
        """Create (or replace) an account."""
        account = Account(username, password, list(lines), credit, webservice, fa_price, en_price)
        self.accounts[username] = account
        return account

    def inject_incoming(
        self,
        line: str,
        sender: str,
        body: str,
        date: int | None = None,
        *,
        late_by: int = 0,
        appear_after_calls: int = 0,
        raw: dict[str, Any] | None = None,
    ) -> IncomingRecord:
        """An SMS from `sender` arrives on `line`, dated `date` (default now, less `late_by`
        seconds), listed only after `appear_after_calls` more ReceiveMessages calls, with
        `raw` fields replacing its own. A line no account owns is refused (ValueError)."""
        if not any(line in account.lines for account in self.accounts.values()):
            raise ValueError(
                f"no account owns line {line!r}: add it first with POST …/accounts"
                ' {"username", "password", "lines": [...]}'
            )
        mobile = canonical_mobile(sender)
        shown = "98" + mobile[1:] if mobile is not None else sender
        when = (int(self.clock()) if date is None else int(date)) - int(late_by)
        visible_after = self._receive_calls + max(0, int(appear_after_calls))
        record = IncomingRecord(line, shown, when, body, visible_after, dict(raw or {}))
        self.incoming.append(record)
        return record

    def set_outcome(self, mobile: str, outcome: str | int) -> None:
        """Script the final delivery outcome of SMS to `mobile` (a name of OUTCOMES or a code)."""
        number = canonical_mobile(mobile)
        if number is None:
            raise ValueError(f"not a mobile number: {mobile!r}")
        if isinstance(outcome, str):
            if outcome not in OUTCOMES:
                raise ValueError(f"outcome must be one of: {', '.join(OUTCOMES)}")
            self.outcomes[number] = OUTCOMES[outcome]
        else:
            self.outcomes[number] = int(outcome)

    def auto_code(self, mobile: str, username: str = DEFAULT_USER) -> str | None:
        """The code SendAutoCode last made for `mobile` (for tests)."""
        number = canonical_mobile(mobile)
        return self.auto_codes.get((username, number or ""))

    def group_labels(self) -> dict[str, str]:
        """Every SendMessage so far: GUID → the UserGroupID it was sent with."""
        return {guid: group.user_group_id for guid, group in self._groups.items()}

    def status_of(self, sms: SentSms) -> int:
        """The per-recipient status code the provider reports for `sms` now."""
        if sms.blocked:
            return STATUS_BLOCKED
        final = self.outcomes.get(sms.mobile, OUTCOMES["delivered"])
        elapsed = self.clock() - sms.at
        if final == STATUS_UNDER_REVIEW or elapsed < self.delivery_step:
            return STATUS_UNDER_REVIEW
        if elapsed < 2 * self.delivery_step:
            return STATUS_AT_CARRIER
        return final

    # ------------------------------------------------------------ wiring

    def install(self, app: web.Application, *, api_prefix: str, control_prefix: str) -> None:
        """Add the API routes and the control routes to `app`."""
        api = api_prefix.rstrip("/")
        for method in METHODS:
            app.router.add_post(f"{api}/{method}", self._endpoint(method))
        control = control_prefix.rstrip("/")
        app.router.add_post(f"{control}/incoming", self._control_incoming)
        app.router.add_post(f"{control}/inbox", self._control_inbox)
        app.router.add_post(f"{control}/outcome", self._control_outcome)
        app.router.add_post(f"{control}/blacklist", self._control_blacklist)
        app.router.add_get(f"{control}/blacklist", self._control_blacklist_get)
        app.router.add_get(f"{control}/sent", self._control_sent)
        app.router.add_post(f"{control}/faults", self._control_faults)
        app.router.add_get(f"{control}/calls", self._control_calls)
        app.router.add_post(f"{control}/reset", self._control_reset)
        app.router.add_post(f"{control}/accounts", self._control_add_account)
        app.router.add_get(f"{control}/accounts", self._control_accounts)

    def _endpoint(self, method: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        bare = method in CODE_METHODS
        work: Callable[[Account, dict[str, Any]], Any] = getattr(self, f"_do_{method}")

        async def handle(request: web.Request) -> web.StreamResponse:
            self.calls[method] += 1

            async def handler() -> web.StreamResponse:
                return await self._answer(request, work, bare=bare)

            def error_response(code: Any) -> web.StreamResponse:
                number = int(code)
                return _bare(number) if bare else _envelope(number)

            return await self.faults.run(method, handler, error_response)

        return handle

    async def _answer(
        self,
        request: web.Request,
        work: Callable[[Account, dict[str, Any]], Any],
        *,
        bare: bool,
    ) -> web.StreamResponse:
        account = self._authenticate(request)
        if account is None:
            return web.Response(
                status=401, text="401 - Unauthorized: Access is denied due to invalid credentials."
            )
        if not account.webservice:
            return _bare(CODE_WEBSERVICE_DISABLED) if bare else _envelope(2002)
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        if not isinstance(body, dict):
            return _bare(CODE_BAD_DOCUMENT) if bare else _envelope(1001)
        try:
            result = work(account, body)
        except _Refused as refused:
            return _bare(refused.code) if bare else _envelope(refused.code)
        return _bare(result) if bare else _envelope(0, result)

    def _authenticate(self, request: web.Request) -> Account | None:
        header = request.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, sep, password = decoded.partition(":")
        account = self.accounts.get(username)
        if (
            not sep
            or account is None
            or not secrets.compare_digest(account.password.encode(), password.encode())
        ):
            return None
        return account

    # ------------------------------------------------------------ validation helpers

    def _own_line(self, account: Account, value: object) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip().isdigit():
            raise _Refused(1002)
        line = value.strip()
        if line not in account.lines:
            raise _Refused(2001)
        return line

    def _mobile(self, value: object) -> str:
        mobile = canonical_mobile(value)
        if mobile is None:
            raise _Refused(1004)
        return mobile

    def _text(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _Refused(1004)
        if count_parts(value).parts > MAX_PARTS_RAYGAN:
            raise _Refused(2006)
        return value

    def _label(self, body: dict[str, Any]) -> str:
        value = body.get("UserGroupID", "")
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise _Refused(1004)
        return str(value)

    def _send_time(self, body: dict[str, Any], now: float) -> float:
        if body.get("SendDateInTimeStamp") is None:
            return now
        stamp = _as_int(body["SendDateInTimeStamp"])
        if stamp is None or stamp < 0:
            raise _Refused(1003)
        if stamp > now + MAX_SCHEDULE_AHEAD:
            raise _Refused(2004)
        # A time already past means "send now" (seed, SendMessage notes).
        return max(float(stamp), now)

    def _charge(self, account: Account, cost: int) -> None:
        if cost > account.credit:
            raise _Refused(3003)
        account.credit -= cost

    def _blacklisted(self) -> set[str]:
        return {m for m in map(canonical_mobile, self.blacklist) if m is not None}

    def _new_message_id(self, minimum: int = 1) -> int:
        # One sequence for every message id, so ids never collide; the code methods must
        # answer a number above 2000, so they jump the sequence there when it is lower.
        message_id = max(self._next_message_id, minimum)
        self._next_message_id = message_id + 1
        return message_id

    def _record(self, sms: SentSms) -> None:
        self.sent.append(sms)
        if sms.message_id is not None:
            self._by_message_id[sms.message_id] = sms

    # ------------------------------------------------------------ envelope methods

    def _do_SendMessage(self, account: Account, body: dict[str, Any]) -> str:
        line = self._own_line(account, body.get("PhoneNumber"))
        text = self._text(body.get("Message"))
        raw_mobiles = body.get("Mobiles")
        if not isinstance(raw_mobiles, list) or not raw_mobiles:
            raise _Refused(1004)
        if len(raw_mobiles) > MAX_RECIPIENTS:
            raise _Refused(2005)
        mobiles = [self._mobile(m) for m in raw_mobiles]
        label = self._label(body)
        now = self.clock()
        at = self._send_time(body, now)
        _, unit_cost = account.price(text)
        self._charge(account, unit_cost * len(mobiles))
        guid = str(uuid.uuid4())
        blocked = self._blacklisted()
        start = len(self.sent)
        username = account.username
        self.sent.extend(
            SentSms(username, "SendMessage", line, m, text, at, guid, None, m in blocked)
            for m in mobiles
        )
        self._groups[guid] = _Group(username, guid, label, start, len(mobiles), at)
        return guid

    def _corresponding(self, account: Account, body: dict[str, Any], method: str) -> Any:
        line = self._own_line(account, body.get("PhoneNumber"))
        items = body.get("RecipientsMessage")
        if not isinstance(items, list) or not items:
            raise _Refused(1004)
        if len(items) > MAX_RECIPIENTS:
            raise _Refused(2005)
        self._label(body)
        if method == "SendMessageToPort":
            for key in ("sendPortNumber", "recievePortNumber"):
                port = _as_int(body.get(key))
                if port is None or not 0 <= port <= 65535:
                    raise _Refused(2007)
        parsed: list[tuple[object, str, str, str]] = []
        cost = 0
        for item in items:
            if not isinstance(item, dict):
                raise _Refused(1004)
            our_id = item.get("Id")
            if isinstance(our_id, bool) or not isinstance(our_id, (str, int)):
                raise _Refused(1004)
            given = item.get("Mobile")
            mobile = self._mobile(given)
            text = self._text(item.get("Message"))
            cost += account.price(text)[1]
            parsed.append((our_id, str(given), mobile, text))
        now = self.clock()
        at = self._send_time(body, now)
        self._charge(account, cost)
        blocked = self._blacklisted()
        result = []
        for our_id, given, mobile, text in parsed:
            message_id = self._new_message_id()
            self._record(
                SentSms(
                    account.username,
                    method,
                    line,
                    mobile,
                    text,
                    at,
                    None,
                    message_id,
                    mobile in blocked,
                )
            )
            as_int = _as_int(our_id)
            result.append(
                {
                    "Id": as_int if as_int is not None else our_id,
                    "Mobile": given,
                    "Result": message_id,
                }
            )
        return result

    def _do_SendCorrespondingMessage(self, account: Account, body: dict[str, Any]) -> Any:
        return self._corresponding(account, body, "SendCorrespondingMessage")

    def _do_SendMessageToPort(self, account: Account, body: dict[str, Any]) -> Any:
        return self._corresponding(account, body, "SendMessageToPort")

    def _find_group(self, account: Account, key: object) -> _Group:
        if isinstance(key, int) and not isinstance(key, bool):
            key = str(key)
        if not isinstance(key, str) or not key.strip():
            raise _Refused(1004)
        key = key.strip()
        group = self._groups.get(key.lower())
        if group is None and not _GUID.fullmatch(key):
            # The seed's samples pass a UserGroupID ("16") here: take the latest send so labelled.
            for candidate in reversed(self._groups.values()):
                if candidate.username == account.username and candidate.user_group_id == key:
                    group = candidate
                    break
        if group is None or group.username != account.username:
            raise _Refused(3002)
        return group

    def _do_GroupMessageStatus(self, account: Account, body: dict[str, Any]) -> Any:
        group = self._find_group(account, body.get("GroupMessageId"))
        states = [
            {"Mobile": sms.mobile[1:], "Status": str(self.status_of(sms))}
            for sms in self.sent[group.start : group.start + group.count]
        ]
        # 1 sent, 2 in the queue (scheduled, not yet due), 3 filtered (never, here).
        status = "2" if group.at > self.clock() else "1"
        return {"StatusCode": status, "MessagesListState": states}

    def _do_CorrespondingMessageStatus(self, account: Account, body: dict[str, Any]) -> Any:
        ids = body.get("messageId")
        if not isinstance(ids, list) or not ids:
            raise _Refused(1004)
        result = []
        for raw in ids:
            number = _as_int(raw)
            if number is None:
                raise _Refused(1004)
            sms = self._by_message_id.get(number)
            if sms is None or sms.username != account.username:
                continue  # not this account's: not reported
            result.append({"MsgId": str(number), "Status": str(self.status_of(sms))})
        return result

    def _do_GetGroupMessageId(self, account: Account, body: dict[str, Any]) -> str:
        return self._find_group(account, body.get("groupId")).guid

    def _do_ReceiveMessages(self, account: Account, body: dict[str, Any]) -> Any:
        line = self._own_line(account, body.get("PhoneNumber"))
        start = _as_int(body.get("StartDate"))
        end = _as_int(body.get("EndDate"))
        if start is None or end is None or start < 0 or end < start:
            raise _Refused(1003)
        page = _as_int(body.get("Page"))
        if page is None or page < 1:
            raise _Refused(2008)
        calls, self._receive_calls = self._receive_calls, self._receive_calls + 1
        found = [
            r
            for r in self.incoming
            if r.line == line and start <= r.date <= end and r.visible_after <= calls
        ]
        found.sort(key=lambda r: r.date)
        total = max(1, -(-len(found) // INBOX_PAGE_SIZE))
        if page > total:
            raise _Refused(2008)
        first = (page - 1) * INBOX_PAGE_SIZE - (self.page_shift if page > 1 else 0)
        chunk = found[max(0, first) : max(0, first + INBOX_PAGE_SIZE)]
        return {
            "Page": page,
            "TotalPage": total,
            "ReceivedMsgs": [r.to_json() for r in chunk],
        }

    def _do_GetCredit(self, account: Account, body: dict[str, Any]) -> int:
        return account.credit

    def _do_GetPrices(self, account: Account, body: dict[str, Any]) -> Any:
        return {"Fa_Price": account.fa_price, "En_Price": account.en_price}

    def _do_ShowWhiteList(self, account: Account, body: dict[str, Any]) -> Any:
        # The seed's table says `Mobiles`, its sample and the official samples `MobilesList`.
        raw = body.get("MobilesList", body.get("Mobiles"))
        if not isinstance(raw, list) or not raw:
            raise _Refused(1004)
        mobiles = [self._mobile(m) for m in raw]
        blocked = self._blacklisted()
        return [int(m[1:]) for m in mobiles if m not in blocked]

    # ------------------------------------------------------------ code methods (bare answers)

    def _code_sms(self, account: Account, method: str, mobile: str, text: str) -> int:
        _, cost = account.price(text)
        if cost > account.credit:
            raise _Refused(CODE_NO_CREDIT)
        account.credit -= cost
        message_id = self._new_message_id(minimum=CODE_FIRST_ID)
        line = account.lines[0] if account.lines else ""
        blocked = mobile in self._blacklisted()
        now = self.clock()
        self._record(
            SentSms(account.username, method, line, mobile, text, now, None, message_id, blocked)
        )
        return message_id

    def _code_text(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _Refused(CODE_BAD_PARAMETERS)
        if count_parts(value).parts > MAX_PARTS_RAYGAN:
            raise _Refused(CODE_BAD_PARAMETERS)
        return value

    def _code_mobile(self, value: object) -> str:
        mobile = canonical_mobile(value)
        if mobile is None:
            raise _Refused(CODE_BAD_PARAMETERS)
        return mobile

    def _do_SendAutoCode(self, account: Account, body: dict[str, Any]) -> int:
        mobile = self._code_mobile(body.get("Mobile"))
        footer = body.get("Footer", "")
        if not isinstance(footer, str):
            raise _Refused(CODE_BAD_PARAMETERS)
        code = f"{secrets.randbelow(900_000) + 100_000}"
        text = f"کد فعالسازی شما: {code}\n{footer}".rstrip()
        message_id = self._code_sms(account, "SendAutoCode", mobile, text)
        self.auto_codes[(account.username, mobile)] = code
        return message_id

    def _do_CheckSendCode(self, account: Account, body: dict[str, Any]) -> bool:
        mobile = self._code_mobile(body.get("Mobile"))
        given = body.get("Code", body.get("code"))
        if isinstance(given, int) and not isinstance(given, bool):
            given = str(given)
        if not isinstance(given, str):
            raise _Refused(CODE_BAD_PARAMETERS)
        expected = self.auto_codes.get((account.username, mobile))
        if expected is None or not secrets.compare_digest(expected, given.strip()):
            return False
        del self.auto_codes[(account.username, mobile)]  # a code is good once
        return True

    def _do_SendCode(self, account: Account, body: dict[str, Any]) -> int:
        mobile = self._code_mobile(body.get("Mobile"))
        text = self._code_text(body.get("Message"))
        return self._code_sms(account, "SendCode", mobile, text)

    # ------------------------------------------------------------ control API

    async def _control_incoming(self, request: web.Request) -> web.Response:
        body = await _control_body(request)
        raw = body.get("raw")
        if raw is not None and not isinstance(raw, dict):
            raise _bad_control("raw must be an object of fields")
        try:
            line, sender, text = str(body["line"]), str(body["sender"]), str(body["body"])
        except KeyError as exc:
            raise _bad_control(f"line, sender and body are required: {exc} is missing") from exc
        try:
            date = body.get("date")
            record = self.inject_incoming(
                line,
                sender,
                text,
                None if date is None else int(date),
                late_by=int(body.get("late_by", 0)),
                appear_after_calls=int(body.get("appear_after_calls", 0)),
                raw=raw,
            )
        except (TypeError, ValueError) as exc:
            raise _bad_control(f"bad incoming message: {exc}") from exc
        return web.json_response(
            {"ok": True, "sender": record.sender, "date": record.date}, dumps=_dumps
        )

    async def _control_inbox(self, request: web.Request) -> web.Response:
        """`{"page_shift": k}`: pages after the first are served shifted by k records."""
        body = await _control_body(request)
        try:
            self.page_shift = int(body.get("page_shift", 0))
        except (TypeError, ValueError) as exc:
            raise _bad_control(f"page_shift must be an integer: {exc}") from exc
        return web.json_response({"ok": True, "page_shift": self.page_shift})

    async def _control_outcome(self, request: web.Request) -> web.Response:
        body = await _control_body(request)
        try:
            self.set_outcome(str(body["mobile"]), body["outcome"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _bad_control(f"mobile and outcome are required: {exc}") from exc
        return web.json_response({"ok": True})

    async def _control_blacklist(self, request: web.Request) -> web.Response:
        body = await _control_body(request)
        if body.get("clear"):
            self.blacklist.clear()
        add = body.get("mobiles", [])
        remove = body.get("remove", [])
        if not isinstance(add, list) or not isinstance(remove, list):
            raise _bad_control("mobiles and remove must be lists")
        self.blacklist.update(str(m) for m in add)
        self.blacklist.difference_update(str(m) for m in remove)
        return web.json_response({"ok": True, "blacklist": sorted(self.blacklist)})

    async def _control_blacklist_get(self, request: web.Request) -> web.Response:
        return web.json_response({"blacklist": sorted(self.blacklist)})

    async def _control_sent(self, request: web.Request) -> web.Response:
        try:
            since = int(request.query.get("since", "0"))
        except ValueError:
            raise _bad_control("since must be an integer") from None
        items = [sms.to_json() for sms in self.sent[since:]]
        return web.json_response({"count": len(self.sent), "sent": items}, dumps=_dumps)

    async def _control_faults(self, request: web.Request) -> web.Response:
        return await fault_control(request, self.faults)

    async def _control_calls(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.calls))

    async def _control_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})

    async def _control_add_account(self, request: web.Request) -> web.Response:
        body = await _control_body(request)
        try:
            account = self.add_account(
                str(body["username"]),
                str(body["password"]),
                lines=[str(line) for line in body["lines"]],
                credit=int(body.get("credit", DEFAULT_CREDIT)),
                webservice=bool(body.get("webservice", True)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise _bad_control(f"username, password and lines are required: {exc}") from exc
        return web.json_response({"ok": True, "username": account.username})

    async def _control_accounts(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                name: {"lines": a.lines, "credit": a.credit, "webservice": a.webservice}
                for name, a in self.accounts.items()
            }
        )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _envelope(code: int, result: Any = None) -> web.Response:
    message = CODE_MESSAGES.get(code, "خطای نامشخص")
    return web.Response(
        text=_dumps({"Code": code, "Message": message, "Result": result}),
        content_type=_JSON,
        charset="utf-8",
    )


def _bare(value: Any) -> web.Response:
    return web.Response(text=_dumps(value), content_type=_JSON, charset="utf-8")


async def _control_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise _bad_control("body must be JSON") from None
    if not isinstance(body, dict):
        raise _bad_control("body must be a JSON object")
    return body


def _bad_control(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=_dumps({"error": message}), content_type=_JSON)
