"""The lease on a school and platform, on SQLite and PostgreSQL: one holder at a time, even when many ask at
once; a dead holder's lease expires and is taken over; a live holder's heartbeat keeps it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading

from edugateway.store.db import Database
from edugateway.store.job_leases import Acquired, Held, LeaseKey, LeaseStore, process_gone, this_host
from edugateway.store.job_run_log import Fire, JobRunLog
from edugateway.store.lease_heartbeat import Heartbeat
from edugateway.store.tables import JobLeaseRow
from edugateway.store.times import as_utc
from support.scheduler_support import wait_until

KEY = LeaseKey("sch1", "dnevnik")
TTL = dt.timedelta(seconds=60)


class FakeClock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 10, 20, 30, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def test_one_holder_at_a_time_until_released(database: Database) -> None:
    leases = LeaseStore(database, TTL)
    assert leases.acquire(KEY, "a", job="sync", run_id=1) == Acquired()
    held = leases.acquire(KEY, "b", job="verify", run_id=2)
    assert isinstance(held, Held)
    assert (held.holder, held.job) == ("a", "sync")
    assert "held by a (job sync, since" in held.describe()
    assert leases.acquire(LeaseKey("sch1", "ecp"), "b", job="sync", run_id=3) == Acquired()  # another platform
    assert not leases.release(KEY, "b")  # not theirs to release
    assert leases.release(KEY, "a")
    assert leases.acquire(KEY, "b", job="verify", run_id=2) == Acquired()


def test_many_asking_at_once_get_one_lease(database: Database) -> None:
    leases = LeaseStore(database, TTL)
    start = threading.Barrier(8)
    results: dict[str, Acquired | Held] = {}

    def ask(name: str) -> None:
        start.wait()
        results[name] = leases.acquire(KEY, name, job="sync", run_id=None)

    threads = [threading.Thread(target=ask, args=(f"daemon-{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [name for name, result in results.items() if isinstance(result, Acquired)]
    assert len(winners) == 1
    assert {r.holder for r in results.values() if isinstance(r, Held)} == set(winners)


def test_an_expired_lease_is_taken_over_and_its_run_abandoned(database: Database) -> None:
    clock = FakeClock()
    leases = LeaseStore(database, TTL, clock=clock)
    run_log = JobRunLog(database, clock=clock)
    dead_run = run_log.claim(Fire("sync", "sync", "sch1", "dnevnik", clock.now, "schedule"), "dead-daemon")
    assert dead_run is not None
    assert leases.acquire(KEY, "dead-daemon", job="sync", run_id=dead_run) == Acquired()

    clock.now += TTL  # the last moment of the lease: still held
    assert isinstance(leases.acquire(KEY, "b", job="sync", run_id=None), Held)
    clock.now += dt.timedelta(seconds=1)
    taken = leases.acquire(KEY, "b", job="sync", run_id=None)
    assert taken == Acquired(previous_holder="dead-daemon", previous_run_id=dead_run)
    assert not leases.renew(KEY, "dead-daemon")  # a stalled holder that wakes up learns it lost the lease
    assert run_log.abandon(dead_run, "its daemon stopped renewing the lease")
    assert not run_log.abandon(dead_run, "twice")
    (row,) = run_log.history()
    assert row.status == "abandoned"


def test_renewal_moves_the_expiry(database: Database) -> None:
    clock = FakeClock()
    leases = LeaseStore(database, TTL, clock=clock)
    leases.acquire(KEY, "a", job="sync", run_id=None)
    clock.now += dt.timedelta(seconds=50)
    assert leases.renew(KEY, "a")
    clock.now += dt.timedelta(seconds=50)  # 100 s after the start, 50 s after the renewal
    assert isinstance(leases.acquire(KEY, "b", job="sync", run_id=None), Held)
    held = leases.current(KEY)
    assert held is not None
    assert held.expires_at == clock.now + dt.timedelta(seconds=10)


def test_a_heartbeat_renews_while_the_block_runs_and_releases_at_its_end(database: Database) -> None:
    leases = LeaseStore(database, dt.timedelta(seconds=0.3))  # beats every 0.1 s
    assert leases.acquire(KEY, "a", job="sync", run_id=None) == Acquired()

    def renewed() -> bool:
        with database.session() as session:
            row = session.get(JobLeaseRow, (KEY.school, KEY.platform))
            return row is not None and as_utc(row.heartbeat_at) > as_utc(row.acquired_at)

    with Heartbeat(leases, KEY, "a") as beat:
        wait_until(renewed, what="a heartbeat")
        assert leases.current(KEY) is not None
    assert not beat.lost
    assert leases.current(KEY) is None


def test_a_lease_whose_holder_process_is_gone_is_taken_at_once(database: Database) -> None:
    gone: set[tuple[str | None, int | None]] = set()
    leases = LeaseStore(database, TTL, clock=FakeClock(), gone=lambda host, pid: (host, pid) in gone)
    assert leases.acquire(KEY, "killed-run", job="sync", run_id=None) == Acquired()
    assert isinstance(leases.acquire(KEY, "b", job="sync", run_id=None), Held)  # alive: waited out
    with database.session() as session:
        row = session.get(JobLeaseRow, (KEY.school, KEY.platform))
        assert row is not None
        assert (row.host, row.pid) == (this_host(), os.getpid())
        gone.add((row.host, row.pid))
    assert leases.acquire(KEY, "b", job="sync", run_id=None) == Acquired(previous_holder="killed-run")


def test_only_a_process_on_this_machine_that_is_provably_gone_counts_as_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    assert not process_gone(this_host(), os.getpid())
    child.wait()  # reaped: its pid is free
    assert process_gone(this_host(), child.pid)
    assert not process_gone("another-machine", child.pid)  # cannot be seen from here: waits for the TTL
    assert not process_gone(this_host(), None)
