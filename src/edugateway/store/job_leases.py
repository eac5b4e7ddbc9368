"""A lease on a school and platform, kept in the database, so that one job at a time runs on them across daemons.

- acquire: INSERT the row (its primary key refuses a second), else take over an expired row with one
  `UPDATE … WHERE holder = <the holder seen> AND expires_at < now`. The database decides which daemon wins,
  on SQLite (one writer at a time) and PostgreSQL (the second UPDATE re-reads the row it waited for) alike.
- renew: the holder moves `expires_at` forward; a heartbeat thread does it while the job runs.
- release: the holder deletes the row. A process that dies leaves its row to expire after the TTL, or to be
  taken over at once by a process on the same machine that sees the holder's process is gone (its host and pid
  are on the row): a `kill -9` of a run does not block the next one for a whole TTL.

Daemons compare their own clocks with `expires_at`: keep their machines on NTP, far within the TTL. The heartbeat
that renews a lease while a run goes on is store/lease_heartbeat.py; store/run_lease.py holds one around a run.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from edugateway.store.db import Database
from edugateway.store.rows import rows_changed
from edugateway.store.tables import JobLeaseRow
from edugateway.store.times import Clock, as_utc, utc_now

# An insert and a takeover can both lose to a release or a renewal in between; a few rounds settle it.
_ROUNDS = 3


def this_host() -> str:
    return socket.gethostname()


def process_gone(host: str | None, pid: int | None) -> bool:
    """True only when the process is provably gone: on this machine, with no such pid (or a zombie). A process on
    another machine, or one this process may not signal, counts as alive: its lease waits for the TTL."""
    if host != this_host() or pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child its parent has not reaped yet still answers signal 0
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]


@dataclass(frozen=True)
class LeaseKey:
    school: str
    platform: str


@dataclass(frozen=True)
class Acquired:
    """The lease is ours. `previous_*` name the holder whose expired lease was taken over, if any."""

    previous_holder: str | None = None
    previous_run_id: int | None = None


@dataclass(frozen=True)
class Held:
    """Someone else holds the lease."""

    holder: str
    job: str
    since: dt.datetime
    expires_at: dt.datetime

    def describe(self) -> str:
        return f"held by {self.holder} (job {self.job}, since {self.since:%Y-%m-%d %H:%M:%S} UTC)"


class LeaseStore:
    def __init__(
        self,
        db: Database,
        ttl: dt.timedelta,
        *,
        clock: Clock = utc_now,
        gone: Callable[[str | None, int | None], bool] = process_gone,
    ) -> None:
        self.db = db
        self.ttl = ttl
        self.clock = clock
        self.gone = gone  # asked about a live-looking holder's host and pid: may its lease be taken now?

    def _now(self) -> dt.datetime:
        return self.clock().astimezone(dt.UTC)  # SQLite stores wall-clock text: compare UTC with UTC only

    def _holding(self, job: str, holder: str, run_id: int | None, now: dt.datetime) -> dict[str, object]:
        """The columns of a lease held by `holder` from `now`, in this process on this machine."""
        return {
            "job": job,
            "holder": holder,
            "run_id": run_id,
            "host": this_host(),
            "pid": os.getpid(),
            "acquired_at": now,
            "heartbeat_at": now,
            "expires_at": now + self.ttl,
        }

    def acquire(self, key: LeaseKey, holder: str, *, job: str, run_id: int | None) -> Acquired | Held:
        seen: Held | None = None
        for _ in range(_ROUNDS):
            now = self._now()
            try:
                with self.db.session() as session:
                    session.execute(
                        insert(JobLeaseRow).values(
                            school=key.school, platform=key.platform, **self._holding(job, holder, run_id, now)
                        )
                    )
                return Acquired()
            except IntegrityError:
                pass  # a row exists: held, or expired and ours to take over
            with self.db.session() as session:
                row = session.get(JobLeaseRow, (key.school, key.platform))
                if row is None:
                    continue  # released between our insert and this read
                seen = Held(row.holder, row.job, as_utc(row.acquired_at), as_utc(row.expires_at))
                previous_run = row.run_id
                dead = self.gone(row.host, row.pid)
            if seen.expires_at >= now and not dead:
                return seen
            # Taken only from the holder just seen, and only if it is still expired (or its process gone).
            still_takeable = JobLeaseRow.expires_at < now if not dead else JobLeaseRow.holder == seen.holder
            with self.db.session() as session:
                taken = rows_changed(
                    session,
                    update(JobLeaseRow)
                    .where(
                        JobLeaseRow.school == key.school,
                        JobLeaseRow.platform == key.platform,
                        JobLeaseRow.holder == seen.holder,
                        still_takeable,
                    )
                    .values(**self._holding(job, holder, run_id, now)),
                )
            if taken == 1:
                return Acquired(previous_holder=seen.holder, previous_run_id=previous_run)
        if seen is None:  # inserted and released by others every round: treat as busy, not as ours
            now = self._now()
            return Held("another daemon (the lease changed hands while we asked)", "-", now, now)
        return seen

    def renew(self, key: LeaseKey, holder: str) -> bool:
        """Moves the expiry forward; False when the lease is no longer ours (it expired and was taken)."""
        now = self._now()
        with self.db.session() as session:
            renewed = rows_changed(
                session,
                update(JobLeaseRow)
                .where(
                    JobLeaseRow.school == key.school,
                    JobLeaseRow.platform == key.platform,
                    JobLeaseRow.holder == holder,
                )
                .values(heartbeat_at=now, expires_at=now + self.ttl),
            )
        return renewed == 1

    def release(self, key: LeaseKey, holder: str) -> bool:
        with self.db.session() as session:
            released = rows_changed(
                session,
                delete(JobLeaseRow).where(
                    JobLeaseRow.school == key.school,
                    JobLeaseRow.platform == key.platform,
                    JobLeaseRow.holder == holder,
                ),
            )
        return released == 1

    def current(self, key: LeaseKey) -> Held | None:
        with self.db.session() as session:
            row = session.scalars(
                select(JobLeaseRow).where(JobLeaseRow.school == key.school, JobLeaseRow.platform == key.platform)
            ).first()
            if row is None:
                return None
            return Held(row.holder, row.job, as_utc(row.acquired_at), as_utc(row.expires_at))
