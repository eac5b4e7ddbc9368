"""The one HTTP layer every connector uses.

A `PlatformClient` wraps an injected `httpx.AsyncClient` and adds, per platform: explicit timeouts,
a token-bucket rate limit with bounded concurrency, authentication with one re-login on 401,
retries with jittered exponential backoff that honour Retry-After (tenacity), a circuit breaker
that stops hammering a platform that is down, and one table that turns HTTP statuses, platform error
types and transport failures into the errors of `edugateway.errors`.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from edugateway.errors import AuthError, ConnectorError, PlatformRejected, PlatformUnavailable, RateLimited
from edugateway.logs import get_logger
from edugateway.progress import progress

log = get_logger(__name__)

# Status -> what the caller must do. Platform error types (below) refine a status where they exist.
STATUS_ERRORS: Mapping[int, type[ConnectorError]] = {
    400: PlatformRejected,
    401: AuthError,
    403: AuthError,
    404: PlatformRejected,
    409: PlatformRejected,
    422: PlatformRejected,
    429: RateLimited,
    500: PlatformUnavailable,
    502: PlatformUnavailable,
    503: PlatformUnavailable,
    504: PlatformUnavailable,
    550: PlatformUnavailable,  # "технические работы": the platforms' maintenance answer
}
RETRYABLE: tuple[type[ConnectorError], ...] = (RateLimited, PlatformUnavailable)


@dataclass(frozen=True)
class HttpPolicy:
    """Limits for one platform; built from a platform's settings, never left to library defaults."""

    timeout_s: float = 30.0
    connect_timeout_s: float = 5.0
    rate_limit_rps: float = 5.0
    rate_limit_burst: int | None = None  # requests at once after a pause; None: the rate, rounded down (at least 1)
    max_concurrency: int = 4
    retries: int = 5
    backoff_min_s: float = 0.5
    backoff_max_s: float = 60.0
    breaker_failures: int = 10  # consecutive failed calls (after their retries) that open the circuit
    breaker_cooldown_s: float = 60.0


class Auth(Protocol):
    """Puts credentials on a request; `refresh` gets new ones (called once after a 401)."""

    async def apply(self, request: httpx.Request, client: PlatformClient) -> None: ...

    async def refresh(self, client: PlatformClient) -> None: ...


class NoAuth:
    async def apply(self, request: httpx.Request, client: PlatformClient) -> None:
        return None

    async def refresh(self, client: PlatformClient) -> None:
        raise AuthError("the platform asked for credentials but none are configured", platform=client.platform)


class Timer(Protocol):
    """Where the client's time comes from: a monotonic clock and a way to wait. Every wait of the client (rate
    limit, backoff, Retry-After) and every reading of the clock (rate limit, circuit breaker) goes through it,
    so a test can hand in one it controls and assert on the waits instead of spending them."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemTimer:
    """The real clock and `asyncio.sleep`."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class RateLimiter(Protocol):
    """Paces the client's requests: this process's token bucket (below) or a bucket shared by every process that
    uses the same partner token (connectors/shared_rate_limit.py)."""

    async def acquire(self) -> None: ...

    async def pause(self, seconds: float) -> None: ...


# The limiter of a client at a base URL (each address of a platform has a bucket of its own).
LimiterFactory = Callable[[str], RateLimiter]


class AsyncRateLimiter:
    """Token bucket: `rate` requests a second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int | None = None, *, timer: Timer | None = None) -> None:
        self.rate = rate
        self.capacity = float(burst or max(1, int(rate)))
        self.timer: Timer = timer or SystemTimer()
        self._tokens = self.capacity
        self._stamp = self.timer.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self.timer.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await self.timer.sleep((1 - self._tokens) / self.rate)

    async def pause(self, seconds: float) -> None:
        """The platform said Retry-After: empty the bucket so every caller waits that long."""
        self._tokens = -seconds * self.rate


@dataclass
class CircuitBreaker:
    failures_to_open: int
    cooldown_s: float
    failures: int = 0
    opened_at: float | None = None
    clock: Callable[[], float] = field(default=time.monotonic)

    def check(self, platform: str, url: str) -> None:
        if self.opened_at is None:
            return
        remaining = self.cooldown_s - (self.clock() - self.opened_at)
        if remaining > 0:
            raise PlatformUnavailable(
                f"circuit open after {self.failures} failed calls in a row; not calling for {remaining:.0f} s more. "
                "Check the platform's status page or the network, then rerun",
                platform=platform,
                url=url,
            )
        self.opened_at = None  # half-open: let one call through

    def record(self, ok: bool) -> None:
        if ok:
            self.failures = 0
            self.opened_at = None
            return
        self.failures += 1
        if self.failures >= self.failures_to_open:
            self.opened_at = self.clock()


ErrorTypeTable = Mapping[str, type[ConnectorError]]


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare on these platforms, fall back to backoff


def error_for(response: httpx.Response, platform: str, error_types: ErrorTypeTable) -> ConnectorError | None:
    """The error a response means, or None for success. One table for every connector."""
    if response.status_code < 400:
        if "text/html" in response.headers.get("content-type", "") and response.request.method != "GET":
            return PlatformUnavailable(
                "answered with an HTML page instead of data", platform=platform, url=str(response.request.url)
            )
        return None
    url = str(response.request.url)
    body: object = None
    kind: type[ConnectorError] = STATUS_ERRORS.get(
        response.status_code, PlatformUnavailable if response.status_code >= 500 else PlatformRejected
    )
    detail = f"HTTP {response.status_code}"
    content_type = response.headers.get("content-type", "")
    if "html" in content_type or response.text.lstrip().startswith("<!DOCTYPE html"):
        detail += " with an HTML error page (a proxy or the platform's front end failed)"
        if response.status_code < 500 and response.status_code != 429:
            kind = PlatformUnavailable
    else:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if isinstance(body, dict):
            etype = body.get("type") or body.get("code") or body.get("error")
            description = body.get("description") or body.get("message") or body.get("detail") or body.get("title")
            if isinstance(etype, str):
                kind = error_types.get(etype, kind)
                detail += f" {etype}"
            if isinstance(description, str):
                detail += f": {description[:300]}"
    if kind is RateLimited:
        return RateLimited(
            f"rate limited ({detail})", retry_after=retry_after_seconds(response), platform=platform, url=url
        )
    advice = {
        AuthError: "; check the credentials configured for this platform",
        PlatformUnavailable: "; the platform is failing, retry later",
        PlatformRejected: "; the platform refused this request",
    }.get(kind, "")
    return kind(detail + advice, platform=platform, url=url, body=body)


def retry_reason(exc: BaseException | None) -> str:
    """A failed try in a few words: 429, timeout, no connection, or the HTTP status."""
    if isinstance(exc, RateLimited):
        return "429"
    text = str(exc or "")
    if "no answer within" in text:
        return "timeout"
    if "cannot connect" in text:
        return "no connection"
    status = re.search(r"HTTP \d{3}", text)
    return status.group(0) if status else type(exc).__name__


class PlatformClient:
    """Calls one platform through the policy above. Connectors build on `request` and `get_json`."""

    def __init__(
        self,
        platform: str,
        base_url: str,
        *,
        policy: HttpPolicy,
        auth: Auth | None = None,
        error_types: ErrorTypeTable | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        timer: Timer | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.platform = platform
        self.timer: Timer = timer or SystemTimer()
        self.policy = policy
        self.auth: Auth = auth or NoAuth()
        self.error_types: ErrorTypeTable = error_types or {}
        self.http = httpx.AsyncClient(
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            timeout=httpx.Timeout(policy.timeout_s, connect=policy.connect_timeout_s),
            transport=transport,
            headers=dict(headers or {}),
            follow_redirects=False,
        )
        self.limiter: RateLimiter = limiter or AsyncRateLimiter(
            policy.rate_limit_rps, policy.rate_limit_burst, timer=self.timer
        )
        self.concurrency = asyncio.Semaphore(policy.max_concurrency)
        self.breaker = CircuitBreaker(policy.breaker_failures, policy.breaker_cooldown_s, clock=self.timer.monotonic)
        self.requests_sent = 0
        self._auth_lock = asyncio.Lock()
        self._auth_generation = 0  # bumped by every refresh: requests refused with an older token just resend

    async def __aenter__(self) -> PlatformClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    def _worth_retrying(self, exc: BaseException) -> bool:
        """Outages and rate limits are retried, unless the platform asks for a longer pause than this policy
        would ever wait: then the caller hears RateLimited at once (with retry_after) and retries later."""
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            return exc.retry_after <= self.policy.backoff_max_s
        return isinstance(exc, RETRYABLE)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            return min(exc.retry_after, self.policy.backoff_max_s)
        return float(
            wait_random_exponential(multiplier=self.policy.backoff_min_s, max=self.policy.backoff_max_s)(state)
        )

    def _before_sleep(self, state: RetryCallState) -> None:
        """Tells the person at a terminal why the run waits, and for how long (nothing when nobody listens)."""
        exc = state.outcome.exception() if state.outcome else None
        seconds = state.next_action.sleep if state.next_action else 0.0
        progress().retrying(self.platform, seconds, retry_reason(exc))

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Sends with rate limit, auth, retries and the breaker; returns a successful response or raises."""
        url = str(self.http.base_url.join(path.lstrip("/")))
        self.breaker.check(self.platform, url)
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(self._worth_retrying),
                stop=stop_after_attempt(self.policy.retries + 1),
                wait=self._wait,
                sleep=self.timer.sleep,
                before_sleep=self._before_sleep,
                reraise=True,
            ):
                with attempt:
                    response = await self._send_once(method, path, url, kwargs)
        except RETRYABLE:
            self.breaker.record(ok=False)
            raise
        self.breaker.record(ok=True)
        return response

    async def _send_once(self, method: str, path: str, url: str, kwargs: dict[str, Any]) -> httpx.Response:
        reauthed = False
        while True:
            async with self.concurrency:
                await self.limiter.acquire()
                request = self.http.build_request(method, path.lstrip("/"), **kwargs)
                generation = self._auth_generation
                await self.auth.apply(request, self)
                self.requests_sent += 1
                progress().request(self.platform)
                try:
                    response = await self.http.send(request)
                except httpx.TimeoutException as exc:
                    raise PlatformUnavailable(
                        f"no answer within {self.policy.timeout_s:g} s ({type(exc).__name__}); "
                        "the platform is slow or down, or timeout_s is too short",
                        platform=self.platform,
                        url=url,
                    ) from exc
                except httpx.TransportError as exc:
                    raise PlatformUnavailable(
                        f"cannot connect ({exc.__class__.__name__}: {exc}); check base_url, DNS, the network "
                        "and any proxy or firewall between this machine and the platform",
                        platform=self.platform,
                        url=url,
                    ) from exc
            error = error_for(response, self.platform, self.error_types)
            if error is None:
                return response
            if isinstance(error, RateLimited) and error.retry_after and error.retry_after <= self.policy.backoff_max_s:
                await self.limiter.pause(error.retry_after)
            if isinstance(error, AuthError) and response.status_code == 401 and not reauthed:
                reauthed = True
                log.info("re-authenticating after 401", platform=self.platform)
                async with self._auth_lock:
                    if generation == self._auth_generation:  # nobody renewed it while this request was out
                        await self.auth.refresh(self)
                        self._auth_generation += 1
                continue
            raise error

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        """GET and decode JSON; a truncated or non-JSON body is a retryable platform failure."""
        url = str(self.http.base_url.join(path.lstrip("/")))
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(_BadBody),
            stop=stop_after_attempt(self.policy.retries + 1),
            wait=wait_random_exponential(multiplier=self.policy.backoff_min_s, max=self.policy.backoff_max_s),
            sleep=self.timer.sleep,
            reraise=True,
        ):
            with attempt:
                response = await self.request("GET", path, **kwargs)
                try:
                    return response.json()
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise _BadBody(
                        f"answer is not valid JSON ({len(response.content)} bytes, truncated or an error page)",
                        platform=self.platform,
                        url=url,
                    ) from exc
        raise AssertionError("unreachable: tenacity either returns or reraises")


class _BadBody(PlatformUnavailable):
    """A 2xx whose body cannot be decoded: retried like an outage."""
