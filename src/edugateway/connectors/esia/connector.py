"""`EsiaLookup`: find ЕСИА accounts by СНИЛС through СМЭВ 3 — SendRequest, poll GetResponse, Ack.

СНИЛС are checked first: an invalid one is never sent and comes back as a per-record error. The rest go in
batches of at most 100, each a SendRequest with a fresh lower-case UUID v1 MessageID. Answers are then polled
with a growing, jittered interval until every batch has one or the response deadline passes. Every answer
read is acknowledged, answers this lookup does not expect too (logged), so that one stray message never
blocks the sender's queue. Each call is rate limited and retried on outages and quota refusals with
jittered exponential backoff (tenacity), within the platform's settings.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from edugateway.config.settings import EsiaSettings
from edugateway.connectors.emulated import is_loopback
from edugateway.connectors.esia.client import SmevService
from edugateway.connectors.esia.document import (
    MAX_BATCH,
    AnswerError,
    lookup_request,
    read_lookup_response,
)
from edugateway.connectors.esia.errors import RETRYABLE, SmevRejected, summarise
from edugateway.connectors.esia.signer import Signer, UnsignedSigner
from edugateway.connectors.http import AsyncRateLimiter
from edugateway.domain.esia_account import EsiaAccount, current_account
from edugateway.domain.snils import check_snils
from edugateway.errors import AuthError, GatewayError, PlatformRejected, PlatformUnavailable, ValidationError
from edugateway.logs import get_logger

log = get_logger(__name__)
# AsyncProcessingStatus categories that end a request without an answer; other notices are progress reports.
FINAL_STATUSES = frozenset({"requestIsRejectedBySmev", "cancelled", "doesNotExist"})


@dataclass(frozen=True)
class LookupLimits:
    """Every limit of the exchange, explicit. Calls: from EsiaSettings; polling: СМЭВ answers take minutes."""

    timeout_s: float = 30.0
    rate_limit_rps: float = 5.0
    retries: int = 5
    backoff_min_s: float = 0.5
    backoff_max_s: float = 60.0
    poll_first_s: float = 2.0  # the first wait after sending, and again after every answer read
    poll_max_s: float = 30.0
    response_deadline_s: float = 600.0  # how long to poll for answers before giving up

    @classmethod
    def from_settings(cls, settings: EsiaSettings, **polling: float) -> LookupLimits:
        return cls(
            timeout_s=settings.timeout_s,
            rate_limit_rps=settings.rate_limit_rps,
            retries=settings.retries,
            backoff_max_s=settings.backoff_max_s,
            **polling,
        )


@dataclass(frozen=True)
class LookupResult:
    """`accounts`: 11-digit СНИЛС -> the account standing for it, None when ЕСИА has none.
    `all_accounts`: every account ЕСИА returned per СНИЛС (a deleted one and its successor, say).
    `errors`: the value as given -> why it has no answer (invalid, or refused for its batch)."""

    accounts: dict[str, EsiaAccount | None] = field(default_factory=dict)
    all_accounts: dict[str, tuple[EsiaAccount, ...]] = field(default_factory=dict)
    errors: dict[str, GatewayError] = field(default_factory=dict)


@dataclass(frozen=True)
class _Answer:
    """What a final answer said: the business document, or the provider's or СМЭВ's refusal."""

    document: etree._Element | None
    refusal_code: str | None = None
    refusal: str | None = None


class EsiaLookup:
    """Looks up ЕСИА accounts by СНИЛС over one СМЭВ endpoint as one sender (mnemonic in NodeID)."""

    def __init__(
        self,
        platform: str,
        service: SmevService,
        *,
        sender: str,
        signer: Signer,
        limits: LookupLimits,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.platform = platform
        self.service = service
        self.sender = sender
        self.signer = signer
        self.limits = limits
        self._sleep = sleep
        self._clock = clock
        self._limiter = AsyncRateLimiter(limits.rate_limit_rps)
        self._poll_lock = asyncio.Lock()  # one GetResponse+Ack at a time, so no answer is read twice
        self._expected: set[str] = set()  # MessageIDs of requests in flight, across concurrent lookups
        self._answers: dict[str, _Answer] = {}
        self._warned_unsigned = False

    @property
    def url(self) -> str:
        return self.service.address

    def close(self) -> None:
        self.service.close()

    async def find_accounts(self, snils: Sequence[str]) -> LookupResult:
        """The ЕСИА account(s) of each СНИЛС; see `LookupResult`. Raises AuthError, RateLimited or
        PlatformUnavailable when the exchange as a whole fails."""
        self._warn_if_unsigned()
        result = LookupResult()
        given: dict[str, list[str]] = {}  # 11 digits -> the values given for them
        for index, value in enumerate(snils, 1):
            verdict = check_snils(value)
            if verdict.valid and verdict.digits:
                given.setdefault(verdict.digits, []).append(value)
            else:
                result.errors[value] = ValidationError(verdict.message, field="snils", record=f"#{index}")
        numbers = list(given)
        batches = [numbers[start : start + MAX_BATCH] for start in range(0, len(numbers), MAX_BATCH)]
        sent: dict[str, list[str]] = {}
        try:
            for batch in batches:
                sent[await self._send(batch)] = batch
            answers = await self._collect(set(sent))
        finally:
            self._expected -= sent.keys()  # answers arriving later are acknowledged as unexpected
            for message_id in sent:
                self._answers.pop(message_id, None)
        for message_id, batch in sent.items():
            self._record(result, message_id, batch, answers[message_id], given)
        log.info(
            "esia.lookup.done",
            platform=self.platform,
            requested=len(numbers),
            found=sum(1 for account in result.accounts.values() if account is not None),
            not_found=sum(1 for account in result.accounts.values() if account is None),
            errors=len(result.errors),
        )
        return result

    # ---- the exchange ---------------------------------------------------------------------------------
    async def _send(self, batch: list[str]) -> str:
        message_id = str(uuid.uuid1())  # СМЭВ requires version 1, lower case (str() gives that)
        document = lookup_request(batch)
        # A retried SendRequest keeps its MessageID: MessageIsAlreadySent then means an earlier try got through.
        await self._call(
            "SendRequest", self.service.send_request, message_id, self.sender, document, done_if="MessageIsAlreadySent"
        )
        self._expected.add(message_id)
        log.info("esia.lookup.sent", platform=self.platform, message_id=message_id, count=len(batch))
        return message_id

    async def _collect(self, message_ids: set[str]) -> dict[str, _Answer]:
        started = self._clock()
        deadline = started + self.limits.response_deadline_s
        wait = self.limits.poll_first_s
        while missing := message_ids - self._answers.keys():
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise PlatformUnavailable(
                    f"no answer from ЕСИА to {len(missing)} of {len(message_ids)} request(s) after polling "
                    f"GetResponse for {self._clock() - started:.0f} s (response deadline "
                    f"{self.limits.response_deadline_s:g} s); answers through СМЭВ can take minutes: check the "
                    f"requests' status in СМЭВ (MessageID {', '.join(sorted(missing)[:3])}), that sender "
                    f"{self.sender} is registered to receive ЕСИА answers, and raise the response deadline if "
                    "answers are only slow",
                    platform=self.platform,
                    url=self.url,
                )
            await self._sleep(min(wait * random.uniform(0.75, 1.0), remaining))  # jitter: gateways drift apart
            wait = min(wait * 2, self.limits.poll_max_s)
            while await self._read_one():
                wait = self.limits.poll_first_s  # answers are coming: look again soon
        return {message_id: self._answers[message_id] for message_id in message_ids}

    async def _read_one(self) -> bool:
        """Reads and acknowledges the oldest waiting answer; False when there is none."""
        async with self._poll_lock:
            response = await self._call("GetResponse", self.service.get_response, self.sender)
            if response is None:
                return False
            answer_id = str(response.MessageMetadata.MessageId or response.SenderProvidedResponseData.MessageID)
            original = str(response.OriginalMessageId or "")
            answer = _answer_of(response.SenderProvidedResponseData)
            if original not in self._expected:
                log.warning(
                    "esia.lookup.unexpected_answer_acknowledged",
                    platform=self.platform,
                    message_id=answer_id,
                    original_message_id=original or None,
                )
            elif answer is None:
                log.info("esia.lookup.status_notice", platform=self.platform, original_message_id=original)
            else:
                self._answers[original] = answer
            # Acknowledged even when unexpected or unreadable: until then СМЭВ hands out the same message again.
            await self._call("Ack", self.service.ack, answer_id, done_if="TargetMessageIsNotFound")
            return True

    async def _call(self, operation: str, function: Callable[..., Any], *arguments: Any, done_if: str = "") -> Any:
        """One SOAP call in a worker thread, rate limited, retried on RETRYABLE errors. A retry refused with the
        fault `done_if` means the previous try was carried out, and counts as success."""
        tries = 0
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(RETRYABLE),
            stop=stop_after_attempt(self.limits.retries + 1),
            wait=wait_random_exponential(multiplier=self.limits.backoff_min_s, max=self.limits.backoff_max_s),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(operation, state),
            reraise=True,
        ):
            with attempt:
                tries += 1
                await self._limiter.acquire()
                try:
                    return await asyncio.to_thread(function, *arguments)
                except SmevRejected as exc:
                    if tries > 1 and done_if and exc.fault == done_if:
                        return None
                    raise
        raise AssertionError("unreachable: tenacity either returns or reraises")

    def _log_retry(self, operation: str, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "esia.call.retry",
            platform=self.platform,
            operation=operation,
            attempt=state.attempt_number,
            error=type(error).__name__,
            reason=str(error),
        )

    # ---- results ---------------------------------------------------------------------------------------
    def _record(
        self, result: LookupResult, message_id: str, batch: list[str], answer: _Answer, given: dict[str, list[str]]
    ) -> None:
        def fail(digits: str, reason: str) -> None:
            for value in given[digits]:
                result.errors[value] = PlatformRejected(reason, platform=self.platform, url=self.url)

        if answer.document is None:
            reason = f"ЕСИА/СМЭВ refused request {message_id} ({answer.refusal_code}): {answer.refusal}"
            if answer.refusal_code == "ACCESS_DENIED":
                raise AuthError(
                    f"{reason}; check that sender {self.sender} may ask ЕСИА for accounts",
                    platform=self.platform,
                    url=self.url,
                )
            for digits in batch:
                fail(digits, reason)
            return
        try:
            found = read_lookup_response(answer.document)
        except AnswerError as exc:
            for digits in batch:
                fail(digits, f"ЕСИА's answer to request {message_id} cannot be read: {exc}")
            return
        for digits in batch:
            if digits not in found:
                fail(digits, f"ЕСИА's answer to request {message_id} has no result for this СНИЛС")
                continue
            result.accounts[digits] = current_account(found[digits])
            result.all_accounts[digits] = tuple(found[digits])

    def _warn_if_unsigned(self) -> None:
        if isinstance(self.signer, UnsignedSigner) and not self._warned_unsigned and not is_loopback(self.url):
            self._warned_unsigned = True
            log.warning(
                "esia.unsigned_messages",
                platform=self.platform,
                url=self.url,
                advice="UnsignedSigner is for tests against the emulator; real СМЭВ refuses unsigned messages, "
                "configure a GOST signer",
            )


def _answer_of(data: Any) -> _Answer | None:
    """The final answer in SenderProvidedResponseData, or None for a progress notice."""
    content = getattr(data, "MessagePrimaryContent", None)
    if content is not None:
        return _Answer(document=content._value_1)
    rejections = getattr(data, "RequestRejected", None) or []
    if rejections:
        first = rejections[0]
        text = "; ".join(summarise(str(r.RejectionReasonDescription or "")) for r in rejections)
        return _Answer(document=None, refusal_code=str(first.RejectionReasonCode), refusal=text)
    status = getattr(data, "AsyncProcessingStatus", None)
    if status is not None and status.StatusCategory in FINAL_STATUSES:
        return _Answer(
            document=None, refusal_code=str(status.StatusCategory), refusal=summarise(str(status.StatusDetails or ""))
        )
    return None
