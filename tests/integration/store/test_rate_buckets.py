"""The shared rate limit's bucket in the database, on SQLite and PostgreSQL: one UPDATE grants slots atomically,
a stale row grants at once, a Retry-After pause moves the bucket forward for everyone and never back.

Issue 19: "per-platform global rate limits shared across workers (the platform's limit is per partner token, not
per process)"."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from edugateway.connectors.shared_rate_limit import bucket_key
from edugateway.store.db import Database
from edugateway.store.rate_buckets import RateBucketStore, next_free_after
from edugateway.store.tables import RateBucketRow

KEY = bucket_key("ecp", "https://dnevnik.egov66.ru/api/", "login:school-42")
NOW = 1_800_000_000.0


def test_the_first_grant_creates_the_row_and_grants_the_burst_at_once(database: Database) -> None:
    store = RateBucketStore(database)
    slots = [store.grant(KEY, now=NOW, interval=0.5, burst=2, count=1).first for _ in range(4)]
    assert [slot - NOW for slot in slots] == pytest.approx([-0.5, 0.0, 0.5, 1.0])
    with database.session() as session:
        row = session.scalars(select(RateBucketRow)).one()
    assert (row.key, row.label) == (KEY.key, "ecp https://dnevnik.egov66.ru/api/")
    assert row.next_free == pytest.approx(next_free_after(NOW + 1.0, NOW, interval=0.5, burst=2, count=1))


def test_a_stale_row_grants_at_once(database: Database) -> None:
    store = RateBucketStore(database)
    store.grant(KEY, now=NOW - 86_400, interval=0.5, burst=2, count=10)  # yesterday's run left the row behind
    assert store.grant(KEY, now=NOW, interval=0.5, burst=2, count=1).first <= NOW


def test_a_pause_moves_the_bucket_to_its_end_for_everyone_and_never_back(database: Database) -> None:
    store = RateBucketStore(database)
    store.grant(KEY, now=NOW, interval=0.5, burst=2, count=1)
    store.pause(KEY, 29, now=NOW + 1)
    assert store.grant(KEY, now=NOW + 1, interval=0.5, burst=2, count=1).first == pytest.approx(NOW + 30)
    store.pause(KEY, 4, now=NOW + 1)  # an older, shorter Retry-After does not shorten the pause
    assert store.grant(KEY, now=NOW + 1, interval=0.5, burst=2, count=1).first == pytest.approx(NOW + 30.5)
    other = bucket_key("ecp", "https://dnevnik.egov66.ru/api/", "login:school-43")
    store.pause(other, 60, now=NOW)  # a pause may be the bucket's first use
    assert store.grant(other, now=NOW, interval=0.5, burst=2, count=1).first == pytest.approx(NOW + 60)


def test_concurrent_grants_never_hand_out_one_slot_twice(database: Database) -> None:
    """Four threads (four connections) grant at the same instant: the row lock orders them, every slot differs."""
    store = RateBucketStore(database)

    def grants(_: int) -> list[float]:
        return [store.grant(KEY, now=NOW, interval=0.1, burst=1, count=2).first for _ in range(15)]

    with ThreadPoolExecutor(4) as pool:
        firsts = sorted(slot for batch in pool.map(grants, range(4)) for slot in batch)
    assert len(firsts) == 60
    gaps = [b - a for a, b in itertools.pairwise(firsts)]
    assert min(gaps) == pytest.approx(0.2)  # each batch of two slots follows the previous one, none overlap
    assert firsts[-1] - firsts[0] == pytest.approx(59 * 0.2)


def test_without_a_given_time_the_database_clock_grants(database: Database) -> None:
    """Processes on machines whose clocks disagree still share one schedule: the statement reads the time."""
    store = RateBucketStore(database)
    first = store.grant(KEY, interval=0.5, burst=1, count=1)
    second = store.grant(KEY, interval=0.5, burst=1, count=1)
    assert abs(first.now - time.time()) < 60  # the database's clock, in seconds since the epoch
    assert first.first <= first.now
    assert second.first == pytest.approx(first.first + 0.5)
