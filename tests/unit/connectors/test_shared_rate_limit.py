"""The shared rate limit's slot arithmetic and its limiter, on an in-memory bucket and a clock the test holds.

Issue 19: "per-platform global rate limits shared across workers (the platform's limit is per partner token, not
per process)". The database side (the same arithmetic in one UPDATE) is tests/integration/store/test_rate_buckets.py;
several real processes are tests/integration/connectors/test_shared_rate_limit_processes.py."""

from __future__ import annotations

import threading

import httpx
import pytest

from edugateway.config.settings import Settings
from edugateway.connectors.http import HttpPolicy, PlatformClient
from edugateway.connectors.shared_limits import platform_limiters
from edugateway.connectors.shared_rate_limit import SharedRateLimiter, batch_for, bucket_key
from edugateway.store.rate_buckets import BucketKey, Grant, next_free_after
from support.fake_clock import FakeClock

KEY = bucket_key("dnevnik", "https://api.dnevnik.ru/v2/", "client_id:partner")


class MemoryBuckets:
    """The store's contract in memory: what one UPDATE does, one call at a time, on the bucket's own clock."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.next_free: dict[str, float] = {}
        self.calls = 0

    def grant(self, bucket: BucketKey, *, interval: float, burst: int, count: int) -> Grant:
        self.calls += 1
        now = self.clock.now
        floor = now - (burst - 1) * interval
        new = next_free_after(self.next_free.get(bucket.key, floor), now, interval=interval, burst=burst, count=count)
        self.next_free[bucket.key] = new
        return Grant(new - count * interval, now)

    def pause(self, bucket: BucketKey, seconds: float) -> None:
        self.calls += 1
        until = self.clock.now + seconds
        self.next_free[bucket.key] = max(self.next_free.get(bucket.key, until), until)


def test_an_idle_bucket_grants_the_burst_at_once_then_one_slot_per_interval() -> None:
    now, interval, burst = 1000.0, 0.25, 3
    next_free = 0.0  # a stale row, long in the past: harmless
    slots = []
    for _ in range(6):
        next_free = next_free_after(next_free, now, interval=interval, burst=burst, count=1)
        slots.append(next_free - interval)
    waits = [max(0.0, slot - now) for slot in slots]
    assert waits == [0.0, 0.0, 0.0, 0.25, 0.5, 0.75]


def test_a_batch_reserves_consecutive_slots_and_idle_time_is_not_saved_up_beyond_the_burst() -> None:
    after = next_free_after(500.0, 1000.0, interval=0.1, burst=5, count=4)
    assert after == pytest.approx(1000.0 - 0.4 + 0.4)  # floor now - (burst-1)·interval, plus four slots
    busy = next_free_after(1002.0, 1000.0, interval=0.1, burst=5, count=2)
    assert busy == pytest.approx(1002.2)  # a bucket booked ahead books further ahead


async def test_processes_sharing_a_bucket_together_keep_the_rate() -> None:
    clock = FakeClock()
    buckets = MemoryBuckets(clock)
    workers = [SharedRateLimiter(buckets, KEY, 4.0, 2, clock=clock, sleep=clock.sleep) for _ in range(3)]
    sent: list[float] = []
    for _ in range(10):  # the three take turns, as three busy workers would
        for limiter in workers:
            await limiter.acquire()
            sent.append(clock.now - clock.start)
    # 30 requests at 4/s with a burst of 2: the 30th goes after 28 intervals, not three times sooner.
    assert sent[1] == 0.0
    assert sent[2] == pytest.approx(0.25)
    assert sent[-1] == pytest.approx(28 * 0.25)
    for i, t in enumerate(sent):
        assert sum(1 for u in sent[i:] if u < t + 1.0) <= 4 + 2


async def test_a_high_rate_reserves_slots_in_batches_to_spare_round_trips() -> None:
    assert (batch_for(5), batch_for(10), batch_for(50), batch_for(1000)) == (1, 1, 5, 10)
    clock = FakeClock()
    buckets = MemoryBuckets(clock)
    limiter = SharedRateLimiter(buckets, KEY, 50.0, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        await limiter.acquire()
    assert buckets.calls == 20
    assert clock.now - clock.start == pytest.approx((100 - 50) / 50.0, abs=1e-3)  # the burst of 50, then 50/s


async def test_reserved_slots_left_unused_too_long_are_dropped_not_sent_late() -> None:
    clock = FakeClock()
    buckets = MemoryBuckets(clock)
    limiter = SharedRateLimiter(buckets, KEY, 50.0, 1, clock=clock, sleep=clock.sleep)
    await limiter.acquire()  # reserves 5 slots, 20 ms apart, uses the first
    clock.advance(5.0)  # the worker was busy elsewhere
    await limiter.acquire()
    assert buckets.calls == 2  # a new grant, not a slot from five seconds ago


async def test_a_retry_after_seen_by_one_process_pauses_the_others() -> None:
    clock = FakeClock()
    buckets = MemoryBuckets(clock)
    first, second = (SharedRateLimiter(buckets, KEY, 4.0, 2, clock=clock, sleep=clock.sleep) for _ in range(2))
    await first.acquire()
    await first.pause(3.0)
    before = clock.now
    await second.acquire()
    assert clock.now - before == pytest.approx(3.0)


async def test_the_client_pauses_the_shared_bucket_on_a_429_with_retry_after() -> None:
    clock = FakeClock()
    buckets = MemoryBuckets(clock)
    answers = [httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json={"ok": True})]
    transport = httpx.MockTransport(lambda request: answers.pop(0))
    limiter = SharedRateLimiter(buckets, KEY, 4.0, 2, clock=clock, sleep=clock.sleep)
    policy = HttpPolicy(rate_limit_rps=4.0, retries=2, backoff_max_s=10.0)
    async with PlatformClient(
        "dnevnik", "http://dnevnik.test/", policy=policy, transport=transport, timer=clock, limiter=limiter
    ) as client:
        assert await client.get_json("ping") == {"ok": True}
    assert buckets.next_free[KEY.key] >= clock.start + 2.0  # every process sharing the token waits it out


def test_the_bucket_key_names_the_token_by_a_hash_and_its_label_carries_no_credentials() -> None:
    key = bucket_key("dnevnik", "https://user:pw@api.dnevnik.ru/v2/?x=1", "token:s3cr3t-token")
    assert len(key.key) == 64
    assert "s3cr3t" not in key.key
    assert key.label == "dnevnik https://api.dnevnik.ru/v2/"
    assert bucket_key("dnevnik", "https://api.dnevnik.ru/v2", "token:other").key != key.key
    assert bucket_key("dnevnik", "https://api.dnevnik.ru/v2", "token:s3cr3t-token").key == key.key


def test_the_configured_scope_chooses_the_limiter() -> None:
    settings = Settings(
        database_url="sqlite:///:memory:",
        platforms={
            "own": {"kind": "dnevnik", "base_url": "http://a.test/"},
            "shared": {
                "kind": "dnevnik",
                "base_url": "http://a.test/",
                "client_id": "p",
                "rate_limit_scope": "shared",
                "rate_limit_rps": 8,
                "rate_limit_burst": 3,
            },
        },
    )
    assert platform_limiters(settings, "own", settings.school_platform("own")) is None
    limiters = platform_limiters(settings, "shared", settings.school_platform("shared"))
    assert limiters is not None
    limiter = limiters("http://a.test/")
    assert isinstance(limiter, SharedRateLimiter)
    assert (limiter.interval, limiter.burst) == (0.125, 3)
    assert limiter.bucket == bucket_key("dnevnik", "http://a.test/", "client_id:p")


async def test_the_event_loop_is_not_blocked_by_the_database() -> None:
    threads: list[str] = []

    class Recording(MemoryBuckets):
        def grant(self, bucket: BucketKey, *, interval: float, burst: int, count: int) -> Grant:
            threads.append(threading.current_thread().name)
            return super().grant(bucket, interval=interval, burst=burst, count=count)

    clock = FakeClock()
    limiter = SharedRateLimiter(Recording(clock), KEY, 4.0, clock=clock, sleep=clock.sleep)
    await limiter.acquire()
    assert threads
    assert threads[0] != "MainThread"
