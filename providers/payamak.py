"""Payamak Panel (Melipayamak) REST adapter, wire format per providers.md §2.

Bodies go form-encoded UTF-8; every answer is the `{"Value", "RetStatus", "StrRetStatus"}`
envelope (wrapped in `MyBase` for GetMessages and GetUserNumbers) with HTTP 200 even for errors.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from providers.base import (
    DEFAULT_WINDOW,
    Capability,
    DeliveryState,
    DeliveryUpdate,
    ErrorCategory,
    InboxBatch,
    InboxWindow,
    IncomingSms,
    OutgoingMessage,
    Prices,
    ProviderError,
    Receipt,
    SendResult,
    SmsProvider,
    UnreadableRecord,
)
from providers.common import (
    bad_request,
    e164_recipients,
    garbled,
    parse_json,
    provider_numbers,
    unsupported,
)
from providers.common import snippet as _snippet
from providers.http import HttpSettings, ProviderHttp
from providers.offset_listing import CursorError, ListingCursor, ListingScan
from providers.phone import sender_to_e164, to_ascii_digits

log = logging.getLogger(__name__)

PROVIDER = "payamak"
DEFAULT_BASE_URL = "https://rest.payamak-panel.com/api/SendSMS"
MAX_RECIPIENTS = 100  # per SendSMS call (providers.md §2.4)
PAGE_SIZE = 100  # per GetMessages call
# GetMessages calls per fetch_inbox, so one poll stays bounded; the cursor resumes. When nothing
# is new a poll makes 1 call while the listing keeps its order, at most IDLE_CALLS (5) whatever
# it does (providers/offset_listing.py).
MAX_INBOX_CALLS = 50
DELIVERY_WINDOW = 1000  # GetDeliveries2 calls scheduled at once (the semaphore bounds the rest)
TEHRAN = ZoneInfo("Asia/Tehran")

_REC_IDS = re.compile(r"^\d{15,}(?:,\d{15,})*$")
_SHORT_CODE = re.compile(r"^-?\d{1,14}$")
_SEND_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)

# SendSMS `Value` codes (providers.md §2.2) → our category and a plain-English reason.
VALUE_CODES: dict[str, tuple[ErrorCategory, str]] = {
    "0": (ErrorCategory.AUTH, "wrong user name or password"),
    "2": (ErrorCategory.CREDIT, "insufficient credit"),
    "3": (ErrorCategory.RATE_LIMIT, "the daily sending limit is reached"),
    "4": (ErrorCategory.RATE_LIMIT, "the sending volume limit is reached"),
    "5": (ErrorCategory.BAD_REQUEST, "the sender line is not valid for this account"),
    "6": (ErrorCategory.TRANSIENT, "the provider's system is being updated"),
    "7": (ErrorCategory.BAD_REQUEST, "the text contains a filtered word"),
    "9": (ErrorCategory.BAD_REQUEST, "public lines cannot send through the web service"),
    "10": (ErrorCategory.AUTH, "the user is not active"),
    "11": (ErrorCategory.TRANSIENT, "the provider did not send the message"),
    "12": (ErrorCategory.AUTH, "the account's documents are incomplete"),
    "14": (ErrorCategory.BAD_REQUEST, "the text contains a link"),
    "15": (
        ErrorCategory.BAD_REQUEST,
        "a text to several recipients must end with the opt-out phrase 'لغو11'",
    ),
    "16": (ErrorCategory.BAD_REQUEST, "no valid recipient number"),
    "17": (ErrorCategory.BAD_REQUEST, "the text is empty"),
    "35": (ErrorCategory.BAD_REQUEST, "a number is on the carriers' blacklist"),
}
# Codes that say for sure the SMS did not go out, so a send failing with them is not `unknown`.
NOT_SENT_CODES = frozenset({"6", "11"})

# GetMessages and GetUserNumbers answer `Value` null on failure: their StrRetStatus is all we have.
# "InvalidData" is what the real server answers to wrong credentials.
STATUS_NAMES: dict[str, str] = {
    "InvalidData": "0",
    "InvalidUserPass": "0",
    "CreditNotEnough": "2",
    "UserNotActive": "10",
    "DocumentsIncomplete": "12",
    "SystemUpdating": "6",
}

# GetDeliveries2 `Value` (providers.md §2.3) → our state.
DELIVERY_CODES: dict[str, DeliveryState] = {
    "0": DeliveryState.AT_CARRIER,
    "1": DeliveryState.DELIVERED,
    "2": DeliveryState.UNDELIVERED,
    "3": DeliveryState.FAILED,
    "5": DeliveryState.FAILED,
    "8": DeliveryState.AT_CARRIER,
    "16": DeliveryState.FAILED,
    "35": DeliveryState.BLOCKED,
    "100": DeliveryState.PENDING,
    "200": DeliveryState.SENT,
    "300": DeliveryState.BLOCKED,
    "400": DeliveryState.QUEUED,
    "500": DeliveryState.FAILED,
    "-1": DeliveryState.PENDING,
}


@dataclass(frozen=True, slots=True)
class _Answer:
    """A successful envelope: its `Value`, and `Data` for the wrapped methods."""

    value: Any
    data: Any = None


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Up to 100 recipients sharing one text: positions in the caller's order, E.164 numbers."""

    text: str
    positions: tuple[int, ...]
    recipients: tuple[str, ...]


def parse_envelope(method: str, status: int, body: str) -> _Answer:
    """Check HTTP status and envelope; return the success answer or raise the error it means."""
    document = parse_json(PROVIDER, method, status, body)
    data: Any = None
    envelope = document
    if isinstance(document, dict) and isinstance(document.get("MyBase"), dict):
        envelope = document["MyBase"]
        data = document.get("Data")
    if not isinstance(envelope, dict) or "RetStatus" not in envelope:
        raise _garbled(method, "the answer has no Payamak envelope", body)
    value = envelope.get("Value")
    if str(envelope["RetStatus"]).strip() == "1":
        return _Answer(value, data)
    code = str(value).strip() if value is not None else ""
    if not _SHORT_CODE.match(code):
        code = STATUS_NAMES.get(str(envelope.get("StrRetStatus", "")), "")
    raise code_error(method, code, str(envelope.get("StrRetStatus", "")), body)


def code_error(method: str, code: str, provider_message: str, body: str) -> ProviderError:
    """The error a provider `Value` code means (table VALUE_CODES); unknown codes are transient."""
    known = VALUE_CODES.get(code)
    if known is None:
        return ProviderError(
            ErrorCategory.TRANSIENT,
            f"{method}: the provider refused with an unknown code",
            provider=PROVIDER,
            code=code or None,
            provider_message=provider_message or _snippet(body),
            retry_safe=True,
            reason_key="unknown_code",
        )
    category, reason = known
    return ProviderError(
        category,
        f"{method}: {reason}",
        provider=PROVIDER,
        code=code,
        provider_message=provider_message,
        # A definite refusal changes nothing at the provider, so asking again is safe.
        retry_safe=category in (ErrorCategory.TRANSIENT, ErrorCategory.RATE_LIMIT),
        nothing_sent=code in NOT_SENT_CODES,
    )


def _garbled(method: str, reason: str, body: str) -> ProviderError:
    return garbled(PROVIDER, method, reason, body)


def parse_send_date(raw: str) -> datetime:
    """`2017-06-05T15:42:58.68` (Tehran wall time, no zone, as documented) or the same with an
    offset (`+03:30`, `Z`, as some answers carry) → an aware UTC datetime."""
    match = _SEND_DATE.match(raw.strip())
    if match is None:
        raise ValueError(f"unexpected SendDate {raw!r}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0").ljust(6, "0")[:6])
    zone = TEHRAN if offset is None else _zone(offset)
    local = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, zone
    )
    return local.astimezone(UTC)


def _zone(offset: str) -> tzinfo:
    if offset == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    if minutes >= 24 * 60:
        raise ValueError(f"offset {offset!r} is not a time zone")
    return timezone(sign * timedelta(minutes=minutes))


def _line_key(line: str) -> str:
    digits = "".join(ch for ch in to_ascii_digits(line) if ch.isdigit()).lstrip("0")
    if digits.startswith("98") and len(digits) > 10:
        digits = digits[2:]
    return digits


class PayamakProvider(SmsProvider):
    """One Payamak Panel account over its REST API."""

    provider_name = PROVIDER
    default_base_url = DEFAULT_BASE_URL
    max_parts = None  # providers.md §2 sets no limit of parts
    capabilities = frozenset(
        {
            Capability.SEND,
            Capability.SEND_EACH,
            Capability.OWN_CODE_OTP,
            Capability.DELIVERY,
            Capability.INBOX,
            Capability.CREDIT,
            Capability.PRICES,
            Capability.LINES,
        }
    )

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str = DEFAULT_BASE_URL,
        username: str,
        password: str,
        settings: HttpSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = ProviderHttp(session, base_url, PROVIDER, settings)
        self._username = username
        self._password = password
        self._clock = clock

    def __repr__(self) -> str:
        return f"PayamakProvider(username={self._username!r})"

    # ------------------------------------------------------------ sending

    async def send(
        self,
        line: str,
        recipients: Sequence[str],
        text: str,
        *,
        at: datetime | None = None,
        flash: bool = False,
    ) -> SendResult:
        """Send one text to many: SendSMS calls of up to 100 numbers, run concurrently."""
        if at is not None:
            raise unsupported(
                PROVIDER, "payamak cannot hold a message until a time; schedule it locally"
            )
        numbers = self._normalise([(text, recipient) for recipient in recipients])
        return await self._send_chunks(line, numbers, flash=flash)

    async def send_each(self, line: str, messages: Sequence[OutgoingMessage]) -> SendResult:
        """A different text per recipient: one SendSMS (chunked) per distinct text."""
        numbers = self._normalise([(message.text, message.recipient) for message in messages])
        return await self._send_chunks(line, numbers, flash=False)

    async def send_code(self, line: str, mobile: str, text: str) -> SendResult:
        """Send our own verification text through SendSMS."""
        return await self.send(line, [mobile], text)

    def _normalise(self, items: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """(text, number) → (text, E.164), refusing the whole send before any call if one is bad."""
        if items and any(not text.strip() for text, _ in items):
            raise self._bad_request("the text is empty", "empty_text")
        numbers = e164_recipients(PROVIDER, [raw for _, raw in items])
        return [(text, number) for (text, _), number in zip(items, numbers, strict=True)]

    def _bad_request(self, reason: str, reason_key: str = "") -> ProviderError:
        return bad_request(PROVIDER, reason, reason_key)

    def _chunks(self, numbers: list[tuple[str, str]]) -> list[_Chunk]:
        by_text: dict[str, list[int]] = {}
        for position, (text, _) in enumerate(numbers):
            by_text.setdefault(text, []).append(position)
        chunks: list[_Chunk] = []
        for text, positions in by_text.items():
            for start in range(0, len(positions), MAX_RECIPIENTS):
                part = tuple(positions[start : start + MAX_RECIPIENTS])
                chunks.append(_Chunk(text, part, tuple(numbers[p][1] for p in part)))
        return chunks

    async def _send_chunks(
        self, line: str, numbers: list[tuple[str, str]], *, flash: bool
    ) -> SendResult:
        chunks = self._chunks(numbers)
        outcomes = await asyncio.gather(
            *(self._send_chunk(line, chunk, flash) for chunk in chunks), return_exceptions=True
        )
        receipts: list[Receipt | None] = [None] * len(numbers)
        errors: list[ProviderError] = []
        unknown: list[str] = []
        for chunk, outcome in zip(chunks, outcomes, strict=True):
            if isinstance(outcome, ProviderError):
                errors.append(outcome)
                if outcome.outcome_unknown:
                    unknown.extend(chunk.recipients)
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                for position, receipt in zip(chunk.positions, outcome, strict=True):
                    receipts[position] = receipt
        went = tuple(receipt for receipt in receipts if receipt is not None)
        if not errors:
            return SendResult(went)
        first = errors[0]
        if not went:
            raise first.with_(unknown_recipients=tuple(unknown), outcome_unknown=bool(unknown))
        raise ProviderError(
            ErrorCategory.PARTIAL,
            f"SendSMS: {len(went)} of {len(numbers)} recipients accepted; "
            f"{len(unknown)} may have gone; first failure: {first.reason}",
            provider=PROVIDER,
            code=first.code,
            provider_message=first.provider_message,
            outcome_unknown=bool(unknown),
            receipts=went,
            unknown_recipients=tuple(unknown),
            reason_key=first.reason_key,
        )

    async def _send_chunk(self, line: str, chunk: _Chunk, flash: bool) -> list[Receipt]:
        form = {
            "username": self._username,
            "password": self._password,
            "to": ",".join(provider_numbers(chunk.recipients)),
            "from": line.strip(),
            "text": chunk.text,
            "isFlash": "true" if flash else "false",
        }
        answer = await self._http.call("SendSMS", self._parse_send, form=form, sends_sms=True)
        return self._match_ids(chunk, answer)

    @staticmethod
    def _parse_send(status: int, body: str) -> list[str]:
        answer = parse_envelope("SendSMS", status, body)
        value = str(answer.value if answer.value is not None else "").strip()
        if _REC_IDS.match(value):
            return value.split(",")
        if value == "1":
            return []  # the old "request succeeded": it went, with no id to track
        if _SHORT_CODE.match(value):
            # A short code is never a recId, whatever RetStatus says.
            raise code_error("SendSMS", value, "", body)
        raise _garbled("SendSMS", "the answer holds no recId", body)

    def _match_ids(self, chunk: _Chunk, ids: list[str]) -> list[Receipt]:
        if len(ids) == len(chunk.recipients):
            return [
                Receipt(recipient, message_id=rec_id)
                for recipient, rec_id in zip(chunk.recipients, ids, strict=True)
            ]
        # Ids cannot be paired with numbers when the counts differ: a wrong pairing would report
        # one person's delivery as another's. The numbers went but are untrackable.
        log.warning(
            "payamak SendSMS returned %d recId(s) for %d recipients; they stay untracked: %s",
            len(ids),
            len(chunk.recipients),
            ",".join(ids[:5]) + ("…" if len(ids) > 5 else ""),
        )
        return [Receipt(recipient) for recipient in chunk.recipients]

    # ------------------------------------------------------------ delivery

    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        """GetDeliveries2 per recId, concurrently; receipts without an id are omitted."""
        tracked = [receipt for receipt in receipts if receipt.message_id]
        updates: list[DeliveryUpdate] = []
        failures: list[ProviderError] = []
        for start in range(0, len(tracked), DELIVERY_WINDOW):
            window = tracked[start : start + DELIVERY_WINDOW]
            outcomes = await asyncio.gather(
                *(self._delivery(receipt) for receipt in window), return_exceptions=True
            )
            for outcome in outcomes:
                if isinstance(outcome, ProviderError):
                    if outcome.category in (ErrorCategory.AUTH, ErrorCategory.CREDIT):
                        raise outcome
                    failures.append(outcome)
                elif isinstance(outcome, BaseException):
                    raise outcome
                else:
                    updates.append(outcome)
        if failures:
            if not updates:
                raise failures[0]
            # Those receipts are simply asked again on the next poll.
            log.warning(
                "payamak GetDeliveries2 failed for %d of %d receipts: %s",
                len(failures),
                len(tracked),
                failures[0],
            )
        return updates

    async def _delivery(self, receipt: Receipt) -> DeliveryUpdate:
        form = {
            "UserName": self._username,
            "PassWord": self._password,
            "recID": str(receipt.message_id),
        }
        code = await self._http.call(
            "GetDeliveries2", self._parse_delivery, form=form, sends_sms=False
        )
        state = DELIVERY_CODES.get(code)
        if state is None:
            log.warning("payamak GetDeliveries2: unknown status code %r, taken as pending", code)
            state = DeliveryState.PENDING
        return DeliveryUpdate(receipt, state, code)

    @staticmethod
    def _parse_delivery(status: int, body: str) -> str:
        answer = parse_envelope("GetDeliveries2", status, body)
        code = str(answer.value if answer.value is not None else "").strip()
        if not _SHORT_CODE.match(code):
            raise _garbled("GetDeliveries2", "the answer holds no status code", body)
        return code

    # ------------------------------------------------------------ inbox

    async def fetch_inbox(
        self, line: str, cursor: str | None, window: InboxWindow = DEFAULT_WINDOW
    ) -> InboxBatch:
        """GetMessages (received), whatever order it lists in: the SMS whose MsgID is above
        the cursor's, read as `offset_listing` plans (1 call when nothing is new and the order
        holds, at most 5 when nothing is new, at most 50 in all). No cursor: the first fetch
        takes the SMS of the window's recent minutes, and the cursor starts above the rest."""
        try:
            state = ListingCursor.load(cursor) if cursor is not None else None
        except CursorError as exc:
            raise self._bad_request(str(exc)) from None
        first = state is None
        since = datetime.fromtimestamp(self._clock() - window.first_start, UTC) if first else None
        scan = ListingScan(
            state,
            page=PAGE_SIZE,
            max_calls=MAX_INBOX_CALLS,
            id_of=_msg_id,
            date_of=_send_date,
            since=since,
        )
        while (index := scan.next_index()) is not None:
            form = {
                "username": self._username,
                "password": self._password,
                "location": "1",
                "index": str(index),
                "count": str(PAGE_SIZE),
            }
            records = await self._http.call(
                "GetMessages", self._parse_messages, form=form, sends_sms=False
            )
            scan.add_page(index, records)
        found = scan.result()
        if not found.complete:
            # Out of calls with new SMS half read is worth a warning; a poll that met nothing
            # new in a few calls of a changing order is routine.
            log.log(
                logging.WARNING if scan.met_new else logging.DEBUG,
                "payamak %s: the inbox listing was not read to the end in %d calls; the next"
                " poll goes on",
                line,
                scan.calls,
            )
        wanted = _line_key(line)
        messages: list[IncomingSms] = []
        unreadable: list[UnreadableRecord] = []
        for record in (*found.records, *found.idless):
            if _line_key(str(record.get("Receiver", ""))) != wanted:
                continue
            try:
                messages.append(self._incoming(line, record))
            except ValueError as exc:
                unreadable.append(_unreadable(line, record, str(exc)))
        next_cursor = None if found.cursor is None else found.cursor.dump()
        return InboxBatch(
            tuple(messages),
            next_cursor,
            unreadable=tuple(unreadable),
            first_start=first and found.complete,
        )

    def read_unreadable(self, record: UnreadableRecord) -> IncomingSms:
        """A quarantined GetMessages record, read with today's parser (ValueError if not)."""
        try:
            raw = json.loads(record.raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"the record is not JSON: {exc}") from None
        if not isinstance(raw, dict):
            raise ValueError("the record is not an object")
        return self._incoming(record.line, raw)

    @staticmethod
    def _parse_messages(status: int, body: str) -> list[dict[str, Any]]:
        answer = parse_envelope("GetMessages", status, body)
        data = answer.data if answer.data is not None else []
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise _garbled("GetMessages", "Data is not a list of messages", body)
        return data

    @staticmethod
    def _incoming(line: str, record: dict[str, Any]) -> IncomingSms:
        """One GetMessages record as an SMS; ValueError naming the field that cannot be read."""
        msg_id = _msg_id(record)
        if msg_id is None:
            raise ValueError(f"MsgID {record.get('MsgID')!r} is not a message id")
        date = record.get("SendDate")
        if not isinstance(date, str):
            raise ValueError(f"SendDate {date!r} is not a date")
        received_at = parse_send_date(date)
        sender = record.get("Sender")
        if not isinstance(sender, (str, int)) or isinstance(sender, bool) or not str(sender):
            raise ValueError(f"Sender {sender!r} is not a sender")
        body = record.get("Body")
        if body is not None and not isinstance(body, str):
            raise ValueError(f"Body {body!r} is not text")
        return IncomingSms(line, sender_to_e164(str(sender)), body or "", received_at, _key(msg_id))

    # ------------------------------------------------------------ account

    def _credentials(self) -> dict[str, str]:
        return {"UserName": self._username, "PassWord": self._password}

    async def credit(self) -> Decimal:
        """GetCredit: the account's remaining credit."""
        return await self._http.call(
            "GetCredit",
            lambda status, body: _decimal("GetCredit", status, body),
            form=self._credentials(),
            sends_sms=False,
        )

    async def prices(self) -> Prices:
        """GetBasePrice: Payamak has one base price for both encodings."""
        price = await self._http.call(
            "GetBasePrice",
            lambda status, body: _decimal("GetBasePrice", status, body),
            form=self._credentials(),
            sends_sms=False,
        )
        return Prices(ucs2_part=price, gsm7_part=price)

    async def lines(self) -> tuple[str, ...]:
        """GetUserNumbers: the account's dedicated lines."""
        return await self._http.call(
            "GetUserNumbers", _parse_numbers, form=self._credentials(), sends_sms=False
        )


def _key(msg_id: int) -> str:
    return f"payamak:{msg_id}"


def _msg_id(record: dict[str, Any]) -> int | None:
    """The record's MsgID, or None when it is not a positive whole number."""
    value = record.get("MsgID")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _send_date(record: dict[str, Any]) -> datetime | None:
    """The record's SendDate, or None when it cannot be read."""
    value = record.get("SendDate")
    if not isinstance(value, str):
        return None
    try:
        return parse_send_date(value)
    except ValueError:
        return None


def _unreadable(line: str, record: dict[str, Any], reason: str) -> UnreadableRecord:
    raw = json.dumps(record, ensure_ascii=False, sort_keys=True)
    msg_id = _msg_id(record)
    # A record without a usable id is known again by its content.
    key = _key(msg_id) if msg_id is not None else "payamak-raw:" + _digest(raw)
    return UnreadableRecord(line, key, raw, f"GetMessages: {reason}")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _decimal(method: str, status: int, body: str) -> Decimal:
    answer = parse_envelope(method, status, body)
    try:
        return Decimal(str(answer.value).strip())
    except InvalidOperation:
        raise _garbled(method, "the answer holds no number", body) from None


def _parse_numbers(status: int, body: str) -> tuple[str, ...]:
    answer = parse_envelope("GetUserNumbers", status, body)
    data = answer.data if answer.data is not None else []
    if not isinstance(data, list):
        raise _garbled("GetUserNumbers", "Data is not a list", body)
    numbers: list[str] = []
    for item in data:
        if not isinstance(item, dict) or item.get("Number") in (None, ""):
            raise _garbled("GetUserNumbers", "an entry has no Number", body)
        numbers.append(str(item["Number"]))
    return tuple(numbers)
