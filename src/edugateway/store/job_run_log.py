"""The job run log (`job_runs`): one row per trigger fire and school, claimed before anything runs.

Claiming is an INSERT under the unique key (job, school, scheduled_for). Every daemon fires the same trigger at
the same instant; the first insert wins and the others' fail, so a fire runs once however many daemons share
the database, and however late the second one is (even after the first run has finished).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from edugateway.store.db import Database
from edugateway.store.rows import rows_changed
from edugateway.store.tables import JobRunRow
from edugateway.store.times import Clock, utc_now

TERMINAL = ("done", "failed", "skipped", "interrupted", "abandoned")


@dataclass(frozen=True)
class Fire:
    """One run to make: a job for one school at one trigger time (UTC)."""

    job: str
    kind: str
    school: str
    platform: str
    scheduled_for: dt.datetime
    trigger: str  # schedule, manual


@dataclass(frozen=True)
class JobRunRecord:
    """One run as the run log holds it (times as stored: see `store.times.as_utc`)."""

    id: int
    job: str
    kind: str
    school: str
    platform: str
    scheduled_for: dt.datetime
    trigger: str
    status: str
    holder: str
    attempts: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    error: str | None
    summary: dict[str, Any] | None


def _record(row: JobRunRow) -> JobRunRecord:
    return JobRunRecord(
        id=row.id,
        job=row.job,
        kind=row.kind,
        school=row.school,
        platform=row.platform,
        scheduled_for=row.scheduled_for,
        trigger=row.trigger,
        status=row.status,
        holder=row.holder,
        attempts=row.attempts,
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        summary=row.summary,
    )


class JobRunLog:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def _now(self) -> dt.datetime:
        return self.clock().astimezone(dt.UTC)

    def claim(self, fire: Fire, holder: str) -> int | None:
        """The new run's id, or None when another daemon has claimed this fire already."""
        try:
            with self.db.session() as session:
                return session.execute(
                    insert(JobRunRow)
                    .values(
                        job=fire.job,
                        kind=fire.kind,
                        school=fire.school,
                        platform=fire.platform,
                        scheduled_for=fire.scheduled_for.astimezone(dt.UTC),
                        trigger=fire.trigger,
                        status="running",
                        holder=holder,
                        attempts=0,
                        started_at=self._now(),
                    )
                    .returning(JobRunRow.id)
                ).scalar_one()
        except IntegrityError:
            return None

    def claimed_by(self, fire: Fire) -> str | None:
        with self.db.session() as session:
            return session.scalar(
                select(JobRunRow.holder).where(
                    JobRunRow.job == fire.job,
                    JobRunRow.school == fire.school,
                    JobRunRow.scheduled_for == fire.scheduled_for.astimezone(dt.UTC),
                )
            )

    def has_run(self, job: str, school: str, scheduled_for: dt.datetime) -> bool:
        return self.claimed_by(Fire(job, "", school, "", scheduled_for, "")) is not None

    def attempt(self, run_id: int, attempts: int) -> None:
        self._update(run_id, attempts=attempts)

    def finish(
        self, run_id: int, status: str, *, error: str | None = None, summary: dict[str, Any] | None = None
    ) -> None:
        if status not in TERMINAL:
            raise ValueError(f"a finished run's status is one of {', '.join(TERMINAL)}, not {status!r}")
        self._update(run_id, status=status, error=error, summary=summary, finished_at=self._now())

    def abandon(self, run_id: int, reason: str) -> bool:
        """Marks a run whose daemon died as abandoned; False if it had finished after all."""
        with self.db.session() as session:
            changed = rows_changed(
                session,
                update(JobRunRow)
                .where(JobRunRow.id == run_id, JobRunRow.status == "running")
                .values(status="abandoned", error=reason, finished_at=self._now()),
            )
        return changed == 1

    def history(self, *, job: str | None = None, school: str | None = None, limit: int = 20) -> Sequence[JobRunRecord]:
        """The latest runs, newest fire first."""
        query = select(JobRunRow).order_by(JobRunRow.scheduled_for.desc(), JobRunRow.id.desc()).limit(limit)
        if job:
            query = query.where(JobRunRow.job == job)
        if school:
            query = query.where(JobRunRow.school == school)
        with self.db.session() as session:
            return [_record(row) for row in session.scalars(query)]

    def latest(self) -> dict[tuple[str, str], JobRunRecord]:
        """(job, school) -> its latest run."""
        newest = (
            select(JobRunRow.job, JobRunRow.school, func.max(JobRunRow.scheduled_for).label("at"))
            .group_by(JobRunRow.job, JobRunRow.school)
            .subquery()
        )
        query = select(JobRunRow).join(
            newest,
            (JobRunRow.job == newest.c.job)
            & (JobRunRow.school == newest.c.school)
            & (JobRunRow.scheduled_for == newest.c.at),
        )
        with self.db.session() as session:
            return {(row.job, row.school): _record(row) for row in session.scalars(query)}

    def reclaim(self, fire: Fire, previous_holder: str, holder: str) -> int | None:
        """A fire's run, still `running` under `previous_holder`, handed to `holder`: a queue job retried after its
        worker died (scheduler/queue.py) goes on with the row its first attempt claimed. None: it ended, or
        another holder has it."""
        with self.db.session() as session:
            return session.execute(
                update(JobRunRow)
                .where(
                    JobRunRow.job == fire.job,
                    JobRunRow.school == fire.school,
                    JobRunRow.scheduled_for == fire.scheduled_for.astimezone(dt.UTC),
                    JobRunRow.status == "running",
                    JobRunRow.holder == previous_holder,
                )
                .values(holder=holder)
                .returning(JobRunRow.id)
            ).scalar_one_or_none()

    def _update(self, run_id: int, **values: Any) -> None:
        with self.db.session() as session:
            rows_changed(
                session,
                update(JobRunRow).where(JobRunRow.id == run_id).values(**values),
            )
