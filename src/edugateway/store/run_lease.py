"""Every run on a school and platform holds their lease while it runs, whoever started it: the scheduler, a
command, the demo. A second run is refused (`Busy`) or waits for the first; so only one process at a time writes
a school's outbox, links and journal for a platform, and a run that finds another run of the same school and
platform still marked running knows that run's process is gone (sync/engine.py marks it abandoned).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from edugateway.errors import Busy, StoreError
from edugateway.logs import get_logger
from edugateway.store.db import Database
from edugateway.store.job_leases import Acquired, Held, LeaseKey, LeaseStore, this_host
from edugateway.store.lease_heartbeat import Heartbeat
from edugateway.store.sync_run_log import abandon_running

log = get_logger(__name__)

WAIT_POLL_S = 2.0


def process_holder(role: str) -> str:
    """The name a command's run holds a lease under: what it is, who ran it, where, which process."""
    return f"{role}:{getpass.getuser()}@{this_host()}:{os.getpid()}"


@dataclass(frozen=True)
class HeldLease:
    holder: str
    acquired: Acquired
    abandoned_runs: tuple[int, ...]  # sync runs of the school and platform left running by dead processes


def take_over_dead_runs(db: Database, key: LeaseKey, holder: str) -> tuple[int, ...]:
    """Run by whoever has just taken the lease: a sync run of the school and platform still `running` now was
    left by a process that died, since every run holds the lease while it runs. Marks each abandoned."""
    found = abandon_running(db, key.school, key.platform, found_by=f"found by {holder}, the next holder of the lease")
    for run_id in found:
        log.error("run.abandoned", school=key.school, platform=key.platform, abandoned_run_id=run_id)
    return tuple(found)


@contextmanager
def hold_lease(
    db: Database,
    key: LeaseKey,
    *,
    job: str,
    ttl: dt.timedelta,
    holder: str | None = None,
    wait: bool = False,
    on_wait: Callable[[Held], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[HeldLease]:
    """Takes the lease (or raises Busy, or with `wait` waits until it is free), marks the runs a dead holder left
    running abandoned, renews the lease while the block runs, and releases it after."""
    leases = LeaseStore(db, ttl)
    name = holder or process_holder(job)
    told = False
    while True:
        got = leases.acquire(key, name, job=job, run_id=None)
        if isinstance(got, Acquired):
            break
        if not wait:
            raise Busy(
                f"{key.school} with {key.platform} is busy: the lease is {got.describe()}; wait for that run to "
                "end, or run again with --wait"
            )
        if not told and on_wait is not None:
            on_wait(got)
            told = True
        sleep(WAIT_POLL_S)
    if got.previous_holder is not None:
        log.warning("run.lease_taken_over", school=key.school, platform=key.platform, previous=got.previous_holder)
    with Heartbeat(leases, key, name):
        yield HeldLease(name, got, take_over_dead_runs(db, key, name))


def require_lease(db: Database, key: LeaseKey, holder: str, *, ttl: dt.timedelta) -> None:
    """For a caller that says it already holds the lease (the scheduler's runner): refuses if it does not."""
    current = LeaseStore(db, ttl).current(key)
    if current is None or current.holder != holder:
        seen = current.describe() if current is not None else "not held by anyone"
        raise StoreError(f"{key.school} with {key.platform}: the run should hold the lease as {holder}; it is {seen}")
