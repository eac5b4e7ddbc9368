"""Rate buckets in the database: request slots of one platform token granted to every process that shares it.

The bucket is a GCRA ("generic cell rate algorithm") kept as one number, `next_free`: the time the bucket's next
slot is free. A grant of `count` slots is one conditional UPDATE … RETURNING

    next_free = max(next_free, now - (burst - 1) · interval) + count · interval

and the granted slots are the `count` intervals just before the new value. PostgreSQL's row lock and SQLite's write
lock make the UPDATE atomic, so every process together stays at `rate` with bursts of at most `burst`. A stale row
(next_free long past) grants at once: the floor `now - (burst - 1) · interval` caps how much idle time is saved up.
A 429 with Retry-After moves next_free to the end of the pause, for every process.

`now` is the database's clock, read by the statement itself: machines need not agree on the time, and the time a
process spent connecting or waiting for the lock is not counted as if its slot had been used then.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Float, Update, case, cast, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from edugateway.errors import StoreError
from edugateway.store.db import Database
from edugateway.store.tables import RateBucketRow

# The first grant on a new bucket inserts its row; a concurrent insert by another process is then updated.
_ROUNDS = 3
_UNIX_EPOCH_JULIAN_DAY = 2440587.5


def next_free_after(next_free: float, now: float, *, interval: float, burst: int, count: int) -> float:
    """The bucket's next free time after granting `count` slots at `now` (what the UPDATE computes)."""
    return max(next_free, now - (burst - 1) * interval) + count * interval


@dataclass(frozen=True)
class BucketKey:
    key: str  # sha256 hex of kind, base URL and client identity: the secret never reaches the table
    label: str  # kind and base URL (no credentials), for an operator


@dataclass(frozen=True)
class Grant:
    first: float  # the first granted slot, on the bucket's clock (may be past: go at once)
    now: float  # the bucket's clock when it granted: `first - now` is how long to wait


class RateBucketStore:
    """Grants and pauses through `db`; each call is one short transaction (run it off the event loop)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _now(self, now: float | None) -> ColumnElement[float]:
        """The given time (tests) or the database's own clock, in seconds since the epoch."""
        if now is not None:
            return literal(now, Float(precision=53))
        if self.db.engine.dialect.name == "sqlite":  # julianday('now') is fixed for the whole statement, in ms
            return (func.julianday("now") - _UNIX_EPOCH_JULIAN_DAY) * 86400.0
        return cast(func.extract("epoch", func.clock_timestamp()), Float(precision=53))

    def grant(self, bucket: BucketKey, *, interval: float, burst: int, count: int, now: float | None = None) -> Grant:
        """Reserves `count` consecutive slots, `interval` apart, starting at `Grant.first`."""
        clock = self._now(now)
        floor = clock - (burst - 1) * interval
        step = count * interval
        column = RateBucketRow.next_free
        statement = (
            update(RateBucketRow)
            .where(RateBucketRow.key == bucket.key)
            .values(next_free=case((column > floor, column), else_=floor) + step)
            .returning(column, clock)
        )
        new, at = self._update_or_create(bucket, statement, created=floor)
        return Grant(new - step, at)

    def pause(self, bucket: BucketKey, seconds: float, *, now: float | None = None) -> None:
        """No slot for anyone until `seconds` from now (the platform said Retry-After); a later next_free stays."""
        until = self._now(now) + seconds
        column = RateBucketRow.next_free
        statement = (
            update(RateBucketRow)
            .where(RateBucketRow.key == bucket.key)
            .values(next_free=case((column < until, until), else_=column))
            .returning(column, until)
        )
        self._update_or_create(bucket, statement, created=until)

    def _update_or_create(
        self, bucket: BucketKey, statement: Update, *, created: ColumnElement[float]
    ) -> tuple[float, float]:
        try:
            for _ in range(_ROUNDS):
                with self.db.session() as session:
                    row = session.execute(statement).one_or_none()
                if row is not None:
                    return float(row[0]), float(row[1])
                try:  # the first use of this bucket: a row as if it had been idle, then the UPDATE again
                    with self.db.session() as session:
                        session.execute(
                            insert(RateBucketRow).from_select(
                                ["key", "label", "next_free"],
                                select(literal(bucket.key), literal(bucket.label[:300]), created),
                            )
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
