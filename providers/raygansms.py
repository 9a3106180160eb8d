"""The RayganSMS adapter: the REST API of providers.md §1 behind the SmsProvider interface.

Error codes (§1.4) decided here where the reference leaves it open:
- 3001 (error saving data), 3002 (error reading the message group): the provider's own trouble,
  TRANSIENT and safe to retry on reads; on a send ProviderHttp turns any TRANSIENT into
  `outcome_unknown` because the SMS may have gone before the provider failed.
- 3004 (service not defined for this operator): BAD_REQUEST, not retried: the same request will
  fail the same way; a person must pick another route.
- 2009 (error reading the account): AUTH, like the other account problems.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import aiohttp

from providers.base import (
    DEFAULT_WINDOW,
    BlacklistCheck,
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
    snippet,
    unsupported,
    with_recipients,
)
from providers.http import HttpSettings, ProviderHttp
from providers.parts import count_parts
from providers.phone import sender_to_e164, to_ascii_digits, to_provider_format
from providers.time_window import CursorError as TimeWindowCursorError
from providers.time_window import WindowCursor, WindowScan

log = logging.getLogger(__name__)

T = TypeVar("T")

PROVIDER = "raygansms"
DEFAULT_BASE_URL = "https://raygansms.com/api/smsAPI"
MAX_PARTS = 10  # per message (providers.md §1.4, code 2006)
MAX_RECIPIENTS = 50_000
MAX_PORT = 65_535
LAST_ERROR_CODE = 2000  # code methods: a number above this is a message id, at or below an error
MAX_RECEIVE_CALLS = 40  # per poll: the bound on one poll's look-back (see providers/time_window.py)
CURSOR_STEP = 300  # seconds: a steady line's cursor is rewritten at most this often


@dataclass(frozen=True, slots=True)
class _CodeInfo:
    category: ErrorCategory
    reason: str
    retry_safe: bool = False

    def error(
        self, reason: str, code: int, *, provider_message: str = "", reason_key: str = ""
    ) -> ProviderError:
        """The error this code means, worded `reason`."""
        return ProviderError(
            self.category,
            reason,
            provider=PROVIDER,
            code=str(code),
            provider_message=provider_message,
            retry_safe=self.retry_safe,
            reason_key=reason_key,
        )


# providers.md §1.4. "Our bug" = the adapter built a wrong request; "your input" = the user's.
ERROR_CODES: dict[int, _CodeInfo] = {
    401: _CodeInfo(ErrorCategory.AUTH, "credentials refused"),
    1001: _CodeInfo(ErrorCategory.BAD_REQUEST, "malformed request document (a bug in the bridge)"),
    1002: _CodeInfo(ErrorCategory.BAD_REQUEST, "invalid dedicated line (check the line number)"),
    1003: _CodeInfo(ErrorCategory.BAD_REQUEST, "malformed date (a bug in the bridge)"),
    1004: _CodeInfo(
        ErrorCategory.BAD_REQUEST, "invalid parameters for this request (check the numbers/text)"
    ),
    # A line the account does not own is the config's mistake about one line, not a refusal of
    # the account: like Payamak's 5, the request's fault (the credentials may be fine).
    2001: _CodeInfo(
        ErrorCategory.BAD_REQUEST, "the line does not belong to this account (check the config)"
    ),
    2002: _CodeInfo(ErrorCategory.AUTH, "this account may not use the web service"),
    2003: _CodeInfo(ErrorCategory.AUTH, "this machine's IP address is not allowed"),
    2004: _CodeInfo(ErrorCategory.BAD_REQUEST, "send date outside the allowed range"),
    2005: _CodeInfo(ErrorCategory.BAD_REQUEST, "too many recipients (at most 50,000)"),
    2006: _CodeInfo(ErrorCategory.BAD_REQUEST, "message too long (at most 10 parts)"),
    2007: _CodeInfo(ErrorCategory.BAD_REQUEST, "invalid port number"),
    2008: _CodeInfo(ErrorCategory.BAD_REQUEST, "invalid page number (a bug in the bridge)"),
    2009: _CodeInfo(ErrorCategory.AUTH, "the provider cannot read the account"),
    3001: _CodeInfo(ErrorCategory.TRANSIENT, "the provider failed to save data", True),
    3002: _CodeInfo(ErrorCategory.TRANSIENT, "the provider failed to read the message group", True),
    3003: _CodeInfo(ErrorCategory.CREDIT, "insufficient credit"),
    3004: _CodeInfo(
        ErrorCategory.BAD_REQUEST, "the service is not defined for the recipient's operator"
    ),
    5001: _CodeInfo(ErrorCategory.TRANSIENT, "internal server error", True),
    5002: _CodeInfo(ErrorCategory.TRANSIENT, "error while sending", True),
    5003: _CodeInfo(ErrorCategory.TRANSIENT, "error reading the send result", True),
    5004: _CodeInfo(ErrorCategory.PARTIAL, "some messages failed to send"),
}
# The code methods (SendAutoCode, SendCode) answer a bare number; 8 is their one documented error.
CODE_METHOD_ERRORS: dict[int, _CodeInfo] = {
    8: _CodeInfo(ErrorCategory.AUTH, "the web service is not enabled for this account"),
}

# providers.md §1.3, per recipient; anything else is "under review".
STATUS_STATES: dict[str, DeliveryState] = {
    "1": DeliveryState.DELIVERED,
    "2": DeliveryState.UNDELIVERED,
    "8": DeliveryState.AT_CARRIER,
    "16": DeliveryState.FAILED,
    "27": DeliveryState.BLOCKED,
    "23": DeliveryState.FAILED,
}
GROUP_FILTERED = "3"  # GroupMessageStatus.StatusCode: the whole message was filtered

_INT_TEXT = re.compile(r"-?\d+")


def status_state(raw: object) -> DeliveryState:
    """A per-recipient status code (§1.3) → our state."""
    return STATUS_STATES.get(_code_text(raw), DeliveryState.PENDING)


def _code_text(raw: object) -> str:
    text = str(raw).strip()
    return str(int(text)) if _INT_TEXT.fullmatch(text) else text


class RayganSmsProvider(SmsProvider):
    """One RayganSMS account, spoken to over its REST API with Basic auth."""

    provider_name = PROVIDER
    default_base_url = DEFAULT_BASE_URL
    max_parts = MAX_PARTS
    capabilities = frozenset(
        {
            Capability.SEND,
            Capability.SEND_EACH,
            Capability.SEND_TO_PORT,
            Capability.SCHEDULED_SEND,
            Capability.PROVIDER_OTP,
            Capability.OWN_CODE_OTP,
            Capability.DELIVERY,
            Capability.INBOX,
            Capability.CREDIT,
            Capability.PRICES,
            Capability.BLACKLIST,
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
        inbox_overlap: float = 120,
        inbox_max_calls: int = MAX_RECEIVE_CALLS,
        status_batch: int = 100,
        clock: Callable[[], float] = time.time,
    ) -> None:
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._http = ProviderHttp(
            session,
            base_url,
            PROVIDER,
            settings,
            headers={"Authorization": f"Basic {token}", "Accept": "application/json"},
        )
        self._base_url = base_url
        self._inbox_overlap = inbox_overlap
        self._inbox_max_calls = max(1, inbox_max_calls)
        self._paged_seconds: set[tuple[str, int]] = set()
        self._status_batch = max(1, status_batch)
        self._clock = clock

    def __repr__(self) -> str:
        return f"RayganSmsProvider(base_url={self._base_url!r})"

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
        """SendMessage: one text to up to 50,000 recipients; each receipt carries the GUID."""
        if flash:
            raise unsupported(PROVIDER, "RayganSMS cannot send flash messages")
        self._check_count(len(recipients))
        numbers = self._numbers(recipients)
        self._check_text(text)
        payload = {
            "PhoneNumber": line,
            "Message": text,
            "Mobiles": provider_numbers(numbers),
            "UserGroupID": _label(),
            "SendDateInTimeStamp": self._timestamp(at),
        }
        method = "SendMessage"
        result = await self._send_call(method, self._envelope_parser(method), payload, numbers)
        if isinstance(result, _Partial):
            # Only a GUID comes back: every recipient stays tracked by it, and the delivery
            # poll reports the ones that failed. Without a GUID, none can be told apart.
            guid = result.result.strip() if isinstance(result.result, str) else ""
            if guid:
                raise result.error.with_(receipts=tuple(Receipt(n, group_id=guid) for n in numbers))
            raise result.error.with_(unknown_recipients=tuple(numbers))
        if not isinstance(result, str) or not result.strip():
            raise self._lost_answer(method, "no tracking id in the answer", numbers)
        guid = result.strip()
        log.info("raygansms: SendMessage to %d recipients accepted", len(numbers))
        return SendResult(tuple(Receipt(n, group_id=guid) for n in numbers))

    async def send_each(self, line: str, messages: Sequence[OutgoingMessage]) -> SendResult:
        """SendCorrespondingMessage: a text per recipient; each receipt carries its message id."""
        return await self._send_corresponding("SendCorrespondingMessage", line, messages, {})

    async def send_to_port(
        self,
        line: str,
        messages: Sequence[OutgoingMessage],
        *,
        send_port: int,
        receive_port: int,
    ) -> SendResult:
        """SendMessageToPort: as send_each, to an application port on the handset."""
        for port in (send_port, receive_port):
            if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= MAX_PORT:
                raise self._error(2007, provider_message=f"port {port!r}")
        # `recievePortNumber` is misspelled exactly so by the provider.
        extra = {"sendPortNumber": send_port, "recievePortNumber": receive_port}
        return await self._send_corresponding("SendMessageToPort", line, messages, extra)

    async def _send_corresponding(
        self,
        method: str,
        line: str,
        messages: Sequence[OutgoingMessage],
        extra: dict[str, int],
    ) -> SendResult:
        self._check_count(len(messages))
        numbers = self._numbers([m.recipient for m in messages])
        for message in messages:
            self._check_text(message.text)
        payload: dict[str, Any] = {
            "PhoneNumber": line,
            "UserGroupID": _label(),
            "RecipientsMessage": [
                {"Id": str(index), "Message": m.text, "Mobile": mobile}
                for index, (m, mobile) in enumerate(
                    zip(messages, provider_numbers(numbers), strict=True), start=1
                )
            ],
            **extra,
        }
        result = await self._send_call(method, self._envelope_parser(method), payload, numbers)
        if isinstance(result, _Partial):
            # Those with an id went; the others may or may not have: never resend them.
            went = self._corresponding_ids(result.result, numbers)
            raise result.error.with_(
                receipts=tuple(
                    Receipt(n, message_id=went[i]) for i, n in enumerate(numbers) if i in went
                ),
                unknown_recipients=tuple(n for i, n in enumerate(numbers) if i not in went),
            )
        if not isinstance(result, list):
            raise self._lost_answer(method, "no message ids in the answer", numbers)
        ids = self._corresponding_ids(result, numbers)
        missing = [n for i, n in enumerate(numbers) if i not in ids]
        if missing:
            log.warning("raygansms: %s accepted but gave no id for %d", method, len(missing))
        log.info("raygansms: %s to %d recipients accepted", method, len(numbers))
        return SendResult(tuple(Receipt(n, message_id=ids.get(i)) for i, n in enumerate(numbers)))

    def _corresponding_ids(self, result: object, numbers: Sequence[str]) -> dict[int, str]:
        """Our index (0-based) → the provider's message id, from a corresponding answer."""
        ids: dict[int, str] = {}
        if not isinstance(result, list):
            return ids
        for item in result:
            if not isinstance(item, dict):
                continue
            our_id = _code_text(item.get("Id"))
            message_id = item.get("Result")
            if not our_id.isdigit() or message_id is None or isinstance(message_id, bool):
                continue
            index = int(our_id) - 1
            if 0 <= index < len(numbers):
                ids[index] = _code_text(message_id)
        return ids

    async def send_code(self, line: str, mobile: str, text: str) -> SendResult:
        """SendCode: our own code inside `text`. RayganSMS picks the line; `line` is unused."""
        number = self._numbers([mobile])[0]
        self._check_text(text)
        payload = {"Mobile": to_provider_format(number), "Message": text}
        method = "SendCode"
        message_id = await self._send_call(method, self._id_parser(method), payload, [number])
        return SendResult((Receipt(number, message_id=message_id),))

    async def send_auto_code(self, mobile: str, footer: str) -> str:
        """SendAutoCode: the provider makes and sends a code; returns its message id."""
        number = self._numbers([mobile])[0]
        payload = {"Mobile": to_provider_format(number), "Footer": footer}
        method = "SendAutoCode"
        return await self._send_call(method, self._id_parser(method), payload, [number])

    async def check_auto_code(self, mobile: str, code: str) -> bool:
        """CheckSendCode: whether `code` is the one the provider sent to `mobile`."""
        number = self._numbers([mobile])[0]
        payload = {"Mobile": to_provider_format(number), "Code": code}
        method = "CheckSendCode"
        return await self._http.call(
            method, self._bool_parser(method), json=payload, sends_sms=False
        )

    async def _send_call(
        self, method: str, parse: Callable[[int, str], T], payload: Any, numbers: Sequence[str]
    ) -> T:
        """A call that sends SMS; on an unknown outcome every recipient may have gone."""
        try:
            return await self._http.call(method, parse, json=payload, sends_sms=True)
        except ProviderError as exc:
            raise with_recipients(exc, numbers) from None

    def _id_parser(self, method: str) -> Callable[[int, str], str]:
        """A bare number: above 2000 the message id, at or below an error code."""
        bare = self._bare_parser(method)

        def parse(status: int, body: str) -> str:
            value = bare(status, body)
            if isinstance(value, bool):
                raise self._garbled(method, "expected a number, got true/false", body)
            if value <= LAST_ERROR_CODE:
                raise self._code_method_error(method, value)
            return str(value)

        return parse

    def _bool_parser(self, method: str) -> Callable[[int, str], bool]:
        """A bare true/false; a number there is an error code."""
        bare = self._bare_parser(method)

        def parse(status: int, body: str) -> bool:
            value = bare(status, body)
            if isinstance(value, bool):
                return value
            if value <= LAST_ERROR_CODE:
                raise self._code_method_error(method, value)
            raise self._garbled(method, "expected true or false", body)

        return parse

    def _code_method_error(self, method: str, value: int) -> ProviderError:
        info = CODE_METHOD_ERRORS.get(value) or ERROR_CODES.get(value)
        if info is None:
            # An undocumented code: the provider refused, for a reason we cannot name.
            info = _CodeInfo(ErrorCategory.TRANSIENT, "refused with an undocumented code")
        known = value in CODE_METHOD_ERRORS or value in ERROR_CODES
        return info.error(
            f"{method}: {info.reason}", value, reason_key="" if known else "unknown_code"
        )

    # ------------------------------------------------------------ delivery

    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        """CorrespondingMessageStatus in batches for message ids, GroupMessageStatus per GUID."""
        by_id: dict[str, list[Receipt]] = {}
        by_group: dict[str, list[Receipt]] = {}
        for receipt in receipts:
            if receipt.message_id is not None:
                by_id.setdefault(receipt.message_id, []).append(receipt)
            elif receipt.group_id is not None:
                by_group.setdefault(receipt.group_id, []).append(receipt)
        ids = list(by_id)
        batches = [ids[i : i + self._status_batch] for i in range(0, len(ids), self._status_batch)]
        jobs = [self._id_statuses(batch, by_id) for batch in batches]
        jobs += [self._group_statuses(guid, group) for guid, group in by_group.items()]
        outcomes = await asyncio.gather(*jobs, return_exceptions=True)
        updates: list[DeliveryUpdate] = []
        errors: list[BaseException] = []
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                errors.append(outcome)
            else:
                updates.extend(outcome)
        if errors:
            for extra in errors[1:]:
                log.warning("raygansms: another delivery poll also failed: %s", extra)
            raise errors[0]
        return updates

    async def _id_statuses(
        self, batch: list[str], by_id: dict[str, list[Receipt]]
    ) -> list[DeliveryUpdate]:
        method = "CorrespondingMessageStatus"
        result = await self._http.call(
            method, self._envelope_parser(method), json={"messageId": batch}, sends_sms=False
        )
        if not isinstance(result, list):
            raise self._garbled(method, "no status list in the answer")
        updates = []
        for item in result:
            if not isinstance(item, dict) or "MsgId" not in item or "Status" not in item:
                raise self._garbled(method, "a status without MsgId or Status")
            raw = _code_text(item["Status"])
            for receipt in by_id.get(_code_text(item["MsgId"]), ()):
                updates.append(DeliveryUpdate(receipt, status_state(raw), raw))
        return updates

    async def _group_statuses(self, guid: str, receipts: list[Receipt]) -> list[DeliveryUpdate]:
        method = "GroupMessageStatus"
        result = await self._http.call(
            method, self._envelope_parser(method), json={"GroupMessageId": guid}, sends_sms=False
        )
        if not isinstance(result, dict) or not isinstance(result.get("MessagesListState"), list):
            raise self._garbled(method, "no MessagesListState in the answer")
        filtered = _code_text(result.get("StatusCode", "")) == GROUP_FILTERED
        states: dict[str, str] = {}
        for item in result["MessagesListState"]:
            if not isinstance(item, dict) or "Mobile" not in item or "Status" not in item:
                raise self._garbled(method, "a state without Mobile or Status")
            states[_national(item["Mobile"])] = _code_text(item["Status"])
        updates = []
        for receipt in receipts:
            raw = states.get(_national(receipt.recipient))
            if raw is None:
                continue
            state = status_state(raw)
            if filtered and not state.is_final:
                state, raw = DeliveryState.BLOCKED, f"StatusCode {GROUP_FILTERED}"
            updates.append(DeliveryUpdate(receipt, state, raw))
        return updates

    async def group_message_id(self, group_id: str) -> str:
        """GetGroupMessageId: the tracking GUID for a group id."""
        method = "GetGroupMessageId"
        result = await self._http.call(
            method, self._envelope_parser(method), json={"groupId": group_id}, sends_sms=False
        )
        if not isinstance(result, str) or not result.strip():
            raise self._garbled(method, "no GUID in the answer")
        return result.strip()

    # ------------------------------------------------------------ inbox

    async def fetch_inbox(
        self, line: str, cursor: str | None, window: InboxWindow = DEFAULT_WINDOW
    ) -> InboxBatch:
        """ReceiveMessages over the look-back (hours back from the last poll), in windows that
        each fit one page, newest first (`time_window`): SMS dated long before they show up
        are fetched, a listing that shifts while read neither loses nor doubles one. At most
        `inbox_max_calls` calls per poll (plus the pages of one second holding more than a
        page); what is left is read by the next polls. No cursor: the first fetch forwards the
        window's recent SMS and keeps the older ones of the look-back as history."""
        now = int(self._clock())
        try:
            state = WindowCursor.load(cursor) if cursor is not None else None
        except TimeWindowCursorError as exc:
            raise ProviderError(ErrorCategory.BAD_REQUEST, str(exc), provider=PROVIDER) from None
        scan = WindowScan(
            state,
            now=now,
            lookback=int(window.lookback),
            overlap=int(self._inbox_overlap),
            first_start=int(window.first_start),
            max_calls=self._inbox_max_calls,
        )
        method = "ReceiveMessages"
        while (request := scan.next_request()) is not None:
            payload = {
                "PhoneNumber": line,
                "StartDate": request.start,
                "EndDate": request.end,
                "Page": request.page,
            }
            result = await self._http.call(
                method, self._envelope_parser(method), json=payload, sends_sms=False
            )
            total, records = self._receive_page(method, result)
            scan.add_answer(request, total, records)
        for second in scan.shifted_seconds:
            # Each look-back reads that second again for hours: say it once.
            if (line, second) not in self._paged_seconds:
                self._paged_seconds.add((line, second))
                log.warning(
                    "raygansms %s: more than a page of SMS dated %d, read page by page (a listing"
                    " that shifts meanwhile could double or skip one there)",
                    line,
                    second,
                )
        messages: list[IncomingSms] = []
        history: list[IncomingSms] = []
        unreadable: list[UnreadableRecord] = []
        for group in scan.groups:
            read, bad = self._incoming(line, group)
            for sms in read:
                old = scan.history_before is not None and sms.received_at.timestamp() < (
                    scan.history_before
                )
                (history if old else messages).append(sms)
            unreadable += bad
        next_cursor = scan.cursor()
        if not scan.complete:
            # A busy line's look-back spanning polls is routine; new SMS left waiting is not.
            log.log(
                logging.WARNING if scan.behind else logging.DEBUG,
                "raygansms %s: the look-back was not read whole in %d calls; the next polls go"
                " on (%d window(s) left)",
                line,
                scan.calls,
                len(next_cursor.todo),
            )
        stored = next_cursor.dump()
        if (
            state is not None
            and cursor is not None
            and not state.todo
            and scan.complete
            and now - state.top < CURSOR_STEP
            and next_cursor.plan == state.plan
        ):
            stored = cursor  # a steady line's cursor is rewritten only every few minutes
        return InboxBatch(
            tuple(messages),
            stored,
            unreadable=tuple(unreadable),
            history=tuple(history),
            # Windows are read newest first: the first poll has read the recent ones even when
            # the rest of its look-back is left to the next polls.
            first_start=state is None,
        )

    def _receive_page(self, method: str, result: object) -> tuple[int, list[Any]]:
        """TotalPage and the records of a ReceiveMessages answer (garbled: transient)."""
        if not isinstance(result, dict) or not isinstance(result.get("ReceivedMsgs"), list):
            raise self._garbled(method, "no ReceivedMsgs in the answer")
        total_page = result.get("TotalPage")
        if isinstance(total_page, bool) or not isinstance(total_page, (int, str)):
            raise self._garbled(method, "no TotalPage in the answer")
        try:
            total = int(total_page)
        except ValueError:
            raise self._garbled(method, "TotalPage is not a number") from None
        records: list[Any] = result["ReceivedMsgs"]
        return total, records

    def _incoming(
        self, line: str, records: Sequence[Any]
    ) -> tuple[list[IncomingSms], list[UnreadableRecord]]:
        """The records one call listed, as SMS and as records that cannot be read. RayganSMS
        gives no id: identical tuples are told apart by their occurrence number in the call,
        which every call covering their (shared) date counts the same way."""
        seen: Counter[str] = Counter()
        messages: list[IncomingSms] = []
        unreadable: list[UnreadableRecord] = []
        for record in records:
            try:
                sender, date, body = _read_record(record)
            except ValueError as exc:
                raw = json.dumps(record, ensure_ascii=False, sort_keys=True)
                base = _digest(line, raw)
                seen[base] += 1
                key = f"raygansms-raw:{base}#{seen[base]}"
                unreadable.append(UnreadableRecord(line, key, raw, f"ReceiveMessages: {exc}"))
                continue
            base = _digest(line, sender, str(date), body)
            seen[base] += 1
            messages.append(_sms(line, sender, date, body, seen[base]))
        return messages, unreadable

    def read_unreadable(self, record: UnreadableRecord) -> IncomingSms:
        """A quarantined ReceiveMessages record, read with today's parser (ValueError if not)."""
        try:
            raw = json.loads(record.raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"the record is not JSON: {exc}") from None
        sender, date, body = _read_record(raw)
        _, _, occurrence = record.key.rpartition("#")
        return _sms(record.line, sender, date, body, int(occurrence) if occurrence.isdigit() else 1)

    # ------------------------------------------------------------ account

    async def credit(self) -> Decimal:
        """GetCredit."""
        method = "GetCredit"
        result = await self._http.call(
            method, self._envelope_parser(method), json={}, sends_sms=False
        )
        return self._decimal(method, result)

    async def prices(self) -> Prices:
        """GetPrices: Fa_Price (UCS-2 part) and En_Price (GSM 7-bit part)."""
        method = "GetPrices"
        result = await self._http.call(
            method, self._envelope_parser(method), json={}, sends_sms=False
        )
        if not isinstance(result, dict):
            raise self._garbled(method, "no prices in the answer")
        return Prices(
            ucs2_part=self._decimal(method, result.get("Fa_Price")),
            gsm7_part=self._decimal(method, result.get("En_Price")),
        )

    async def filter_blacklist(self, numbers: Sequence[str]) -> BlacklistCheck:
        """ShowWhiteList: the provider answers the numbers NOT on the blacklist."""
        valid = self._numbers(numbers)
        if not valid:
            return BlacklistCheck((), ())
        unique = list(dict.fromkeys(valid))
        method = "ShowWhiteList"
        payload = {"MobilesList": provider_numbers(unique)}
        result = await self._http.call(
            method, self._envelope_parser(method), json=payload, sends_sms=False
        )
        if not isinstance(result, list):
            raise self._garbled(method, "no number list in the answer")
        allowed = {_national(item) for item in result}
        return BlacklistCheck(
            allowed=tuple(n for n in unique if _national(n) in allowed),
            blacklisted=tuple(n for n in unique if _national(n) not in allowed),
        )

    # ------------------------------------------------------------ helpers

    def _numbers(self, raw: Sequence[str]) -> list[str]:
        return e164_recipients(PROVIDER, raw)

    def _check_count(self, count: int) -> None:
        if count > MAX_RECIPIENTS:
            raise self._error(2005, provider_message=f"{count} recipients")

    def _check_text(self, text: str) -> None:
        if not text.strip():
            raise bad_request(PROVIDER, "empty text", "empty_text")
        parts = count_parts(text).parts
        if parts > MAX_PARTS:
            raise self._error(2006, provider_message=f"{parts} parts")

    def _timestamp(self, at: datetime | None) -> int:
        if at is None:
            return int(self._clock())
        if at.tzinfo is None:
            raise bad_request(PROVIDER, "send time must carry a time zone", "naive_time")
        return int(at.timestamp())

    def _decimal(self, method: str, value: object) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise self._garbled(method, "expected a number")
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise self._garbled(method, f"expected a number, got {snippet(str(value))}") from None

    def _error(self, code: int, *, provider_message: str = "") -> ProviderError:
        info = ERROR_CODES[code]
        return info.error(info.reason, code, provider_message=provider_message)

    def _garbled(self, method: str, reason: str, body: str = "") -> ProviderError:
        return garbled(PROVIDER, method, reason, body)

    def _lost_answer(self, method: str, reason: str, numbers: Sequence[str]) -> ProviderError:
        """A send's answer we cannot read: it may have gone to everyone."""
        return garbled(PROVIDER, method, reason).with_(
            outcome_unknown=True, retry_safe=False, unknown_recipients=tuple(numbers)
        )

    def _parse_json(self, method: str, status: int, body: str) -> Any:
        return parse_json(PROVIDER, method, status, body)

    def _envelope_parser(self, method: str) -> Callable[[int, str], Any]:
        """Parse the envelope; Result on success. Only sends may see a `_Partial` back."""

        def parse(status: int, body: str) -> Any:
            value = self._parse_json(method, status, body)
            opened = self._open_envelope(method, value, body)
            if isinstance(opened, _Partial) and not method.startswith("Send"):
                raise opened.error
            return opened

        return parse

    def _open_envelope(self, method: str, value: object, body: str) -> Any:
        if not isinstance(value, dict) or "Code" not in value:
            raise self._garbled(method, "no Code/Message/Result envelope", body)
        code = _as_int(value["Code"])
        if code is None:
            raise self._garbled(method, "Code is not a number", body)
        if code == 0:
            return value.get("Result")
        message = value.get("Message")
        text = message.strip() if isinstance(message, str) else ""
        info = ERROR_CODES.get(code) or _CodeInfo(
            ErrorCategory.TRANSIENT, "an undocumented error code", True
        )
        error = info.error(
            f"{method}: {info.reason}",
            code,
            provider_message=text,
            reason_key="" if code in ERROR_CODES else "unknown_code",
        )
        if error.category is ErrorCategory.PARTIAL:
            return _Partial(error, value.get("Result"))
        raise error

    def _bare_parser(self, method: str) -> Callable[[int, str], int | bool]:
        """A bare number or boolean; also a quoted one, or either inside the envelope."""

        def parse(status: int, body: str) -> int | bool:
            value = self._parse_json(method, status, body)
            if isinstance(value, dict):
                # A robust reading also takes the envelope form.
                value = self._open_envelope(method, value, body)
                if isinstance(value, _Partial):
                    raise value.error
            if isinstance(value, bool):
                return value
            if isinstance(value, int):
                return value
            if isinstance(value, str):
                text = value.strip()
                if _INT_TEXT.fullmatch(text):
                    return int(text)
                if text.lower() in ("true", "false"):
                    return text.lower() == "true"
            raise self._garbled(method, "not a number or true/false", body)

        return parse


def _read_record(record: object) -> tuple[str, int, str]:
    """(sender E.164 or as given, date, body) of a ReceiveMessages record; ValueError naming
    the field that cannot be read."""
    if not isinstance(record, dict):
        raise ValueError("a received message that is not an object")
    sender, date, body = record.get("Mobile"), _as_int(record.get("Date")), record.get("MsgBody")
    if isinstance(sender, bool) or not isinstance(sender, (str, int)) or not str(sender).strip():
        raise ValueError(f"Mobile {sender!r} is not a sender")
    if date is None or date < 0:
        raise ValueError(f"Date {record.get('Date')!r} is not unix seconds")
    if not isinstance(body, str):
        raise ValueError(f"MsgBody {body!r} is not text")
    return sender_to_e164(str(sender)), date, body


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _sms(line: str, sender: str, date: int, body: str, occurrence: int) -> IncomingSms:
    base = _digest(line, sender, str(date), body)
    return IncomingSms(
        line=line,
        sender=sender,
        body=body,
        received_at=datetime.fromtimestamp(date, UTC),
        dedupe_key=f"raygansms:{base}#{occurrence}",
    )


@dataclass(frozen=True, slots=True)
class _Partial:
    """Code 5004 (some messages failed) with whatever the answer's Result held."""

    error: ProviderError
    result: object


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _national(raw: object) -> str:
    """`+989…`, `989…`, `09…`, `9…` (or an int) → `9…`: a cheap key to match numbers the
    provider echoes against ours; phonenumbers costs ~50 µs a number, too much for 50,000."""
    text = to_ascii_digits(str(raw).strip()).lstrip("+")
    if text.startswith("0098"):
        return text[4:]
    if text.startswith("98") and len(text) == 12:
        return text[2:]
    return text[1:] if text.startswith("0") else text


def _label() -> str:
    """A UserGroupID of ours: numeric, like the seed's samples."""
    return str(100_000_000 + secrets.randbelow(900_000_000))
