"""Rate buckets in the database: request slots of one platform token granted to every process that shares it.

The bucket is a GCRA ("generic cell rate algorithm") kept as one number, `next_free`: the time the bucket's next
slot is free. A grant of `count` slots is one conditional UPDATE … RETURNING

    next_free = max(next_free, now - (burst - 1) · interval) + count · interval

and the granted slots are the `count` intervals just before the new value. PostgreSQL's row lock and SQLite's write
lock make the UPDATE atomic, so every process together stays at `rate` with bursts of at most `burst`. A stale row
(next_free long past) grants at once: the floor `now - (burst - 1) · interval` caps how much idle time is saved up.
A 429 with Retry-After moves next_free to the end of the pause, for every process.

Processes compare their own wall clocks with the row: keep machines on NTP (as for job_leases).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Update, case, insert, update
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from edugateway.errors import StoreError
from edugateway.store.db import Database
from edugateway.store.tables import RateBucketRow

# The first grant on a new bucket inserts its row; a concurrent insert by another process is then updated.
_ROUNDS = 3


def next_free_after(next_free: float, now: float, *, interval: float, burst: int, count: int) -> float:
    """The bucket's next free time after granting `count` slots at `now` (what the UPDATE computes)."""
    return max(next_free, now - (burst - 1) * interval) + count * interval


@dataclass(frozen=True)
class BucketKey:
    key: str  # sha256 hex of kind, base URL and client identity: the secret never reaches the table
    label: str  # kind and base URL (no credentials), for an operator


class RateBucketStore:
    """Grants and pauses through `db`; each call is one short transaction (run it off the event loop)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def grant(self, bucket: BucketKey, *, now: float, interval: float, burst: int, count: int) -> float:
        """Reserves `count` consecutive slots, `interval` apart; returns the first one's time (may be past: go)."""
        floor = now - (burst - 1) * interval
        step = count * interval
        column = RateBucketRow.next_free
        statement = (
            update(RateBucketRow)
            .where(RateBucketRow.key == bucket.key)
            .values(next_free=case((column > floor, column), else_=floor) + step)
            .returning(column)
        )
        new = self._update_or_create(bucket, statement, created=floor)
        return new - step

    def pause(self, bucket: BucketKey, until: float) -> None:
        """No slot before `until` for anyone (the platform said Retry-After); a later next_free stays."""
        column = RateBucketRow.next_free
        statement = (
            update(RateBucketRow)
            .where(RateBucketRow.key == bucket.key)
            .values(next_free=case((column < until, until), else_=column))
            .returning(column)
        )
        self._update_or_create(bucket, statement, created=until)

    def _update_or_create(self, bucket: BucketKey, statement: Update, *, created: float) -> float:
        try:
            for _ in range(_ROUNDS):
                with self.db.session() as session:
                    value = session.execute(statement).scalar_one_or_none()
                if value is not None:
                    return float(value)
                try:  # the first use of this bucket: a row as if it had been idle, then the UPDATE again
                    with self.db.session() as session:
                        session.execute(
                            insert(RateBucketRow).values(key=bucket.key, label=bucket.label[:300], next_free=created)
                        )
                except IntegrityError:
                    pass  # another process created it first
        except (OperationalError, ProgrammingError) as exc:
            raise StoreError(
                f"cannot use the shared rate limit of {bucket.label} in the database ({type(exc.orig).__name__}); "
                'check database_url and run `edugateway init-db`, or set rate_limit_scope = "process"'
            ) from exc
        raise StoreError(f"the shared rate limit of {bucket.label} kept disappearing from the database; retry")


@functools.cache
def shared_buckets(database_url: str) -> RateBucketStore:
    """One store (one engine and connection pool) per database per process, whatever the number of connectors."""
    return RateBucketStore(Database(database_url))
