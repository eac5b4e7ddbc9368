"""A platform's rate limit shared by every process that calls it with one partner token (`rate_limit_scope =
"shared"`): request slots come from a bucket row in the database (store/rate_buckets.py) instead of a token bucket
in this process, so N workers together send at the platform's rate, not N times it.

Each grant is one database round trip, run in a thread so the event loop keeps serving the other requests. Above
10 requests a second a grant reserves several slots at once (about 100 ms of the rate, at most 10), so the round
trips stay near 10 a second per process whatever the rate. A reserved slot not used within one interval of its
time (the process was busy) is dropped, never sent late into the slots of others.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

import httpx

from edugateway.store.rate_buckets import BucketKey, Grant


class Buckets(Protocol):
    def grant(self, bucket: BucketKey, *, interval: float, burst: int, count: int) -> Grant: ...

    def pause(self, bucket: BucketKey, seconds: float) -> None: ...


def bucket_key(kind: str, base_url: str, identity: str) -> BucketKey:
    """The bucket of one partner token at one platform address. `identity` (a client id, login or token) only
    enters the hash; the label keeps the kind and the URL without any credentials in it."""
    address = str(httpx.URL(base_url).copy_with(username=None, password=None, query=None, fragment=None))
    digest = hashlib.sha256("\n".join((kind, address.rstrip("/"), identity)).encode()).hexdigest()
    return BucketKey(digest, f"{kind} {address}")


def batch_for(rate: float) -> int:
    """Slots reserved per round trip: one up to 10 requests a second, then about 100 ms worth, at most 10."""
    return max(1, min(10, int(rate / 10)))


class SharedRateLimiter:
    """The `RateLimiter` of connectors/http.py over a shared bucket. The bucket keeps the database's time; this
    process turns a grant into waits on its own `clock`, so machines need not agree on the time."""

    def __init__(
        self,
        buckets: Buckets,
        bucket: BucketKey,
        rate: float,
        burst: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        batch: int | None = None,
    ) -> None:
        self.buckets = buckets
        self.bucket = bucket
        self.interval = 1.0 / rate
        self.burst = burst or max(1, int(rate))
        self.batch = batch or batch_for(rate)
        self.clock = clock
        self.sleep = sleep
        self.round_trips = 0
        self._held: deque[float] = deque()  # reserved slots not used yet, earliest first, on `clock`
        self._granted_at = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            now = self.clock()
            while self._held and now > max(self._held[0], self._granted_at) + self.interval:
                self._held.popleft()  # too late to send in its place: dropped, the bucket only loses a slot
            if not self._held:
                grant = await asyncio.to_thread(
                    self.buckets.grant, self.bucket, interval=self.interval, burst=self.burst, count=self.batch
                )
                self.round_trips += 1
                self._granted_at = self.clock()
                first = self._granted_at + (grant.first - grant.now)
                self._held.extend(first + i * self.interval for i in range(self.batch))
            wait = self._held.popleft() - self.clock()
            if wait > 0:
                await self.sleep(wait)

    async def pause(self, seconds: float) -> None:
        """The platform said Retry-After: no process sends on this token before then."""
        self._held.clear()
        self.round_trips += 1
        await asyncio.to_thread(self.buckets.pause, self.bucket, seconds)
