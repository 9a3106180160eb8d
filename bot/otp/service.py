"""Verification codes (SPEC §4 OTP, §5 "OTP can't be abused"): send one to a number, check it.

Knows nothing of Telegram: `/otp` and `/verify`, and the HTTP API's `/v1/otp` routes, call the
same `OtpService`. Who asked is a string: `telegram_requester(user_id)` or
`api_requester(key_name)`; it goes into the audit of every send and check.

Mode `own`: a `length`-digit code from `secrets`, stored only as HMAC-SHA256 under the config's
`otp.key` (else a random key the database keeps), sent with `otp.text` through the one send
path (`bot.send.service.submit_send`: stored before the provider is called, never twice,
failover included). Mode `provider`: RayganSMS `SendAutoCode` makes and sends the code and
`CheckSendCode` checks it; we keep the row (expiry, checks, limits, audit), never the code.

Decisions:
- The limits (`per_number_minute`, `per_number_hour`) count every code stored for the number
  in the window except those whose SMS surely did not go (a provider that refused with "no
  credit" must not lock a customer out); a code whose outcome is unknown counts.
- A new code cancels the number's earlier ones; if its SMS then surely fails, they are active
  again (the customer may still hold one of them).
- A check of a code that is not digits of the right length (`length` in mode own, 4 to 10
  in mode provider, whose code length is the provider's) is answered `wrong` with
  `malformed` set and counts no check: it can never match, so it tells nothing and spends
  nothing; it is still audited. The number's state is answered first (no code, expired,
  too many checks), so the answer does not hide those.
- A good code is good once: after it, the number has no code (`no_code`).
- Codes are compared in constant time (`hmac.compare_digest`); a check is counted (claimed in
  the database) before the comparison, so concurrent checks never exceed `max_checks`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal, Protocol

from bot.alerts.service import AlertSink, alert_provider_error
from bot.config.models import OTP_CODE, OtpConfig
from bot.send.service import (
    Recipients,
    SendingAccount,
    SendRequest,
    SmsText,
    check_text,
    submit_send,
)
from providers.base import Capability, ProviderError
from providers.phone import InvalidNumberError, normalize_mobile, to_ascii_digits
from storage.base import Storage
from storage.models import OtpCode, OtpDraft, OtpState, SendStatus

log = logging.getLogger(__name__)

PROVIDER_CODE_LENGTHS: Final = range(4, 11)  # mode provider: the provider picks the length
_KEY_BYTES: Final = 32
_CLAIM_ATTEMPTS: Final = 5  # concurrent checks of one code: re-read and claim again
_SPACES = re.compile(r"[\s\-\u200c\u200e\u200f]+")

TELEGRAM_PREFIX: Final = "tg:"
API_PREFIX: Final = "api:"


def telegram_requester(user_id: int) -> str:
    """Who asked, for the audit: a Telegram user."""
    return f"{TELEGRAM_PREFIX}{user_id}"


def api_requester(key_name: str) -> str:
    """Who asked, for the audit: an HTTP API key, by its name."""
    return f"{API_PREFIX}{key_name}"


def _telegram_user(requested_by: str) -> int:
    """The Telegram user id in a requester, else 0 (the sends table wants a number)."""
    rest = requested_by.removeprefix(TELEGRAM_PREFIX)
    return int(rest) if rest != requested_by and rest.lstrip("-").isdigit() else 0


class OtpAccount(SendingAccount, Protocol):
    """What codes need of the account they go from."""

    @property
    def lines(self) -> tuple[str, ...]:
        """Its lines; own-mode codes go from the first."""
        ...


# ---------------------------------------------------------------- answers


@dataclass(frozen=True, slots=True)
class OtpSent:
    """A code is on its way (or was: `created` False when its request key was seen before).

    `send_id` is the stored send that carried it (mode own; None in mode provider), `account`
    the account that sent it (the fallback's name after a failover, then `failover_from` is
    the first one). `outcome_unknown`: the provider's answer was lost, the SMS may or may not
    have gone; the code stays valid and is never resent.
    """

    id: int
    expires_at: datetime
    send_id: int | None
    account: str
    created: bool = True
    outcome_unknown: bool = False
    failover_from: str | None = None


OtpRefusalReason = Literal["rate_limited", "invalid_number", "unsupported", "send_failed"]


@dataclass(frozen=True, slots=True)
class OtpRefused:
    """No code was sent: over the per-number limits (`retry_after_seconds`, whole seconds, at
    least 1), not a mobile number (`detail` says why), an account that cannot do mode
    provider, or a send that surely did not go (`error`)."""

    reason: OtpRefusalReason
    retry_after_seconds: int | None = None
    error: ProviderError | None = None
    detail: str = ""


OtpCheckReason = Literal["wrong", "expired", "too_many_checks", "no_code"]


@dataclass(frozen=True, slots=True)
class OtpCheck:
    """The answer to a check: valid, or why not, and the checks the code has left.
    `malformed`: the code given was not digits of the right length (no check counted)."""

    valid: bool
    reason: OtpCheckReason | None
    checks_left: int
    malformed: bool = False


@dataclass(frozen=True, slots=True)
class OtpCheckFailed:
    """Nothing could be decided: not a mobile number (`detail`), or the provider's check
    failed (`error`; the check was given back)."""

    reason: Literal["invalid_number", "provider_error"]
    error: ProviderError | None = None
    detail: str = ""


# ---------------------------------------------------------------- the service


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def code_hmac(key: bytes, salt: str, number: str, code: str) -> str:
    """The keyed hash a code is stored as (hex): HMAC-SHA256 over salt, number and code."""
    message = f"{salt}:{number}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_code(length: int) -> str:
    """`length` random digits from `secrets` (leading zeros kept)."""
    return "".join(secrets.choice("0123456789") for _ in range(length))


def normalize_code(raw: str) -> str:
    """A typed code as digits: Persian/Arabic digits become Latin, spaces and dashes go."""
    return _SPACES.sub("", to_ascii_digits(raw.strip()))


class OtpService:
    """Sends and checks verification codes for one configuration and account."""

    def __init__(
        self,
        repo: Storage,
        config: OtpConfig,
        account: OtpAccount,
        alerts: AlertSink,
        *,
        poll_delay: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repo = repo
        self._config = config
        self._account = account
        self._alerts = alerts
        self._poll_delay = poll_delay
        self._clock = clock
        self._key: bytes | None = None

    @property
    def config(self) -> OtpConfig:
        """The `[otp]` settings in use."""
        return self._config

    @property
    def account(self) -> OtpAccount:
        """The account codes go from."""
        return self._account

    async def send(
        self,
        number: str,
        requested_by: str,
        now: datetime | None = None,
        *,
        idempotency_key: str | None = None,
        chat_id: int = 0,
    ) -> OtpSent | OtpRefused:
        """Send a new code to `number` (any accepted form), cancelling the number's earlier
        ones, within the per-number limits. `idempotency_key`: the same key again answers
        the first code and sends nothing (a Telegram update delivered twice, an API retry).
        `chat_id`: the chat that asked (0 for none), stored with the send."""
        moment = now or self._clock()
        try:
            mobile = normalize_mobile(number)
        except InvalidNumberError as exc:
            await self._audit_refusal(number, "send", "invalid_number", requested_by, moment)
            return OtpRefused("invalid_number", detail=exc.reason)
        config = self._config
        account = self._account
        if config.mode == "provider" and not account.provider.supports(Capability.PROVIDER_OTP):
            await self._audit_refusal(mobile, "send", "unsupported", requested_by, moment)
            return OtpRefused("unsupported", detail=account.name)
        code = new_code(config.length) if config.mode == "own" else None
        draft = await self._draft(mobile, requested_by, moment, code, idempotency_key)
        issue = await self._repo.issue_otp(
            draft,
            now=moment,
            per_minute=config.per_number_minute,
            per_hour=config.per_number_hour,
        )
        if issue.code is None:
            assert issue.retry_after is not None
            return OtpRefused("rate_limited", retry_after_seconds=_whole(issue.retry_after))
        stored = issue.code
        if not issue.created:
            log.info("otp %s: request %s seen before; nothing sent", stored.id, idempotency_key)
            return await self._seen_before(stored)
        if code is None:
            return await self._send_provider(stored, moment)
        return await self._send_own(stored, code, requested_by, chat_id, moment)

    async def verify(
        self, number: str, code: str, requested_by: str, now: datetime | None = None
    ) -> OtpCheck | OtpCheckFailed:
        """Check `code` against the number's current code: valid, wrong (checks left),
        expired, too many checks, or no code. Every check is audited."""
        moment = now or self._clock()
        try:
            mobile = normalize_mobile(number)
        except InvalidNumberError as exc:
            await self._audit_refusal(number, "check", "invalid_number", requested_by, moment)
            return OtpCheckFailed("invalid_number", detail=exc.reason)
        typed = normalize_code(code)
        for _ in range(_CLAIM_ATTEMPTS):
            stored = await self._repo.latest_otp(mobile)
            answer = _standing(stored, moment)
            if answer is not None:
                await self._audit_check(mobile, stored, answer, requested_by, moment)
                return answer
            assert stored is not None  # _standing answers when there is no code
            if not self._well_formed(stored, typed):
                answer = OtpCheck(False, "wrong", stored.max_checks - stored.checks, True)
                await self._audit_check(mobile, stored, answer, requested_by, moment)
                return answer
            if await self._repo.claim_otp_check(stored.id, checks_seen=stored.checks):
                return await self._decide(mobile, stored, typed, requested_by, moment)
        # Others kept checking this code at the same moment: its state has moved on.
        stored = await self._repo.latest_otp(mobile)
        answer = _standing(stored, moment) or OtpCheck(False, "too_many_checks", 0)
        await self._audit_check(mobile, stored, answer, requested_by, moment)
        return answer

    # ------------------------------------------------------------ sending

    async def _draft(
        self,
        mobile: str,
        requested_by: str,
        moment: datetime,
        code: str | None,
        idempotency_key: str | None,
    ) -> OtpDraft:
        config = self._config
        hashed: str | None = None
        salt: str | None = None
        if code is not None:
            salt = secrets.token_hex(16)
            hashed = code_hmac(await self._hmac_key(), salt, mobile, code)
        return OtpDraft(
            number=mobile,
            mode=config.mode,
            account=self._account.name,
            requested_by=requested_by,
            expires_at=moment + timedelta(seconds=config.ttl_seconds),
            max_checks=config.max_checks,
            code_hmac=hashed,
            salt=salt,
            request_key=idempotency_key,
        )

    async def _hmac_key(self) -> bytes:
        if self._key is None:
            configured = self._config.key.get_secret_value()
            if configured:
                self._key = configured.encode()
            else:
                stored = await self._repo.otp_key(secrets.token_hex(_KEY_BYTES))
                self._key = bytes.fromhex(stored)
        return self._key

    async def _send_own(
        self, stored: OtpCode, code: str, requested_by: str, chat_id: int, moment: datetime
    ) -> OtpSent | OtpRefused:
        account = self._account
        body = self._config.text.replace(OTP_CODE, code)
        text = check_text(account, body)
        if not isinstance(text, SmsText):
            # The config's text is checked for {code}, not against the account's part limit.
            await self._repo.fail_otp(stored.id, detail="the text does not fit", now=moment)
            return OtpRefused("send_failed", detail="otp.text is too long for the account")
        request = SendRequest(
            idempotency_key=f"otp:{stored.id}",
            account=account,
            line=account.lines[0],
            recipients=Recipients((stored.number,)),
            text=text,
            chat_id=chat_id,
            user_id=_telegram_user(requested_by),
        )
        outcome = await submit_send(self._repo, self._alerts, request, poll_delay=self._poll_delay)
        send = outcome.send
        if send.status is SendStatus.FAILED:
            detail = str(outcome.error) if outcome.error is not None else "failed"
            await self._repo.fail_otp(stored.id, detail=detail, now=moment)
            log.warning("otp %s to %s: its SMS did not go", stored.id, send.id)
            return OtpRefused("send_failed", error=outcome.error)
        await self._repo.set_otp_sent(stored.id, send_id=send.id)
        unknown = send.status is SendStatus.UNKNOWN or (
            outcome.error is not None and bool(outcome.error.unknown_recipients)
        )
        return OtpSent(
            stored.id,
            stored.expires_at,
            send.id,
            send.account,
            outcome_unknown=unknown,
            failover_from=send.failover_from,
        )

    async def _send_provider(self, stored: OtpCode, moment: datetime) -> OtpSent | OtpRefused:
        account = self._account
        try:
            reference = await account.provider.send_auto_code(stored.number, self._config.footer)
        except ProviderError as error:
            await alert_provider_error(self._alerts, account.name, error)
            if error.outcome_unknown:
                # It may have gone: the code stays checkable (the provider knows it if so).
                log.warning("otp %s: SendAutoCode outcome unknown: %s", stored.id, error)
                await self._alerts.alert(
                    f"unknown_otp:{stored.id}", "alert.unknown_otp", account=account.name
                )
                return OtpSent(
                    stored.id, stored.expires_at, None, account.name, outcome_unknown=True
                )
            await self._repo.fail_otp(stored.id, detail=str(error), now=moment)
            return OtpRefused("send_failed", error=error)
        await self._repo.set_otp_sent(stored.id, provider_ref=reference)
        return OtpSent(stored.id, stored.expires_at, None, account.name)

    async def _seen_before(self, stored: OtpCode) -> OtpSent | OtpRefused:
        if stored.state is OtpState.FAILED:
            return OtpRefused("send_failed", detail="the first request's SMS did not go")
        send = await self._repo.get_send(stored.send_id) if stored.send_id is not None else None
        return OtpSent(
            stored.id,
            stored.expires_at,
            stored.send_id,
            send.account if send is not None else stored.account,
            created=False,
            failover_from=send.failover_from if send is not None else None,
        )

    # ------------------------------------------------------------ checking

    def _well_formed(self, stored: OtpCode, typed: str) -> bool:
        if not typed.isascii() or not typed.isdigit():
            return False
        if stored.mode == "own":
            return len(typed) == self._config.length
        return len(typed) in PROVIDER_CODE_LENGTHS

    async def _decide(
        self, mobile: str, stored: OtpCode, typed: str, requested_by: str, moment: datetime
    ) -> OtpCheck | OtpCheckFailed:
        """The check is counted: compare, store the answer, audit it."""
        left = stored.max_checks - stored.checks - 1
        if stored.mode == "own":
            assert stored.code_hmac is not None and stored.salt is not None
            given = code_hmac(await self._hmac_key(), stored.salt, mobile, typed)
            valid = hmac.compare_digest(given, stored.code_hmac)
        else:
            try:
                valid = await self._account.provider.check_auto_code(mobile, typed)
            except ProviderError as error:
                await self._repo.finish_otp_check(stored.id, valid=None)
                await self._repo.audit_otp(
                    number=mobile,
                    action="check",
                    result="provider_error",
                    requested_by=requested_by,
                    now=moment,
                    code_id=stored.id,
                    detail=str(error),
                )
                return OtpCheckFailed("provider_error", error=error)
        await self._repo.finish_otp_check(stored.id, valid=valid)
        answer = OtpCheck(True, None, left) if valid else OtpCheck(False, "wrong", left)
        await self._audit_check(mobile, stored, answer, requested_by, moment)
        return answer

    async def _audit_check(
        self,
        mobile: str,
        stored: OtpCode | None,
        answer: OtpCheck,
        requested_by: str,
        moment: datetime,
    ) -> None:
        result = "valid" if answer.valid else (answer.reason or "wrong")
        await self._repo.audit_otp(
            number=mobile,
            action="check",
            result=f"{result} (malformed)" if answer.malformed else result,
            requested_by=requested_by,
            now=moment,
            code_id=stored.id if stored is not None else None,
            detail=f"{answer.checks_left} checks left",
        )

    async def _audit_refusal(
        self, number: str, action: str, result: str, requested_by: str, moment: datetime
    ) -> None:
        await self._repo.audit_otp(
            number=number[:64] or "-",
            action=action,
            result=result,
            requested_by=requested_by,
            now=moment,
        )


def _standing(stored: OtpCode | None, moment: datetime) -> OtpCheck | None:
    """The answer the code's state gives without comparing anything, or None to compare."""
    if stored is None or stored.state is not OtpState.ACTIVE:
        # Verified (good once) or, which the store never returns as latest, cancelled.
        return OtpCheck(False, "no_code", 0)
    if moment >= stored.expires_at:
        return OtpCheck(False, "expired", max(stored.max_checks - stored.checks, 0))
    if stored.checks >= stored.max_checks:
        return OtpCheck(False, "too_many_checks", 0)
    return None


def _whole(seconds: float) -> int:
    return max(1, math.ceil(seconds))


__all__: Sequence[str] = [
    "OtpAccount",
    "OtpCheck",
    "OtpCheckFailed",
    "OtpCheckReason",
    "OtpRefusalReason",
    "OtpRefused",
    "OtpSent",
    "OtpService",
    "api_requester",
    "code_hmac",
    "new_code",
    "normalize_code",
    "telegram_requester",
]
