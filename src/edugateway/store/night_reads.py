"""What the job run log says about the night, and which schools an account reads, for the night board
(scheduler/night_board.py, web/night_view.py): finished runs counted per status since a time, each (job, school)'s
last finished run, and the running ones with their holders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from edugateway.store.db import Database
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import JobRunRow, SchoolRow


@dataclass(frozen=True)
class RunOfJob:
    job: str
    kind: str
    school: str
    platform: str
    status: str
    holder: str
    attempts: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    count: int = 1  # of the finished ones counted together


@dataclass(frozen=True)
class RunLogNight:
    finished: list[RunOfJob]  # per (job, school, status) since the time asked: count set, holder "" and times None
    last: list[RunOfJob]  # each (job, school)'s newest finished run, whenever
    running: list[RunOfJob]  # oldest first


def run_log_night(db: Database, since: dt.datetime) -> RunLogNight:
    ended = func.coalesce(JobRunRow.finished_at, JobRunRow.started_at)
    key = (JobRunRow.job, JobRunRow.kind, JobRunRow.school, JobRunRow.platform, JobRunRow.status)
    with db.session() as session:
        finished = [
            RunOfJob(job, kind, school, platform, status, "", 0, since, None, count)
            for job, kind, school, platform, status, count in session.execute(
                select(*key, func.count()).where(JobRunRow.status != "running", ended >= since).group_by(*key)
            ).tuples()
        ]
        newest = (
            select(func.max(JobRunRow.id).label("id"))
            .where(JobRunRow.status != "running")
            .group_by(JobRunRow.job, JobRunRow.school)
            .subquery()
        )
        last = [_run(r) for r in session.scalars(select(JobRunRow).join(newest, JobRunRow.id == newest.c.id))]
        running = [
            _run(r)
            for r in session.scalars(
                select(JobRunRow).where(JobRunRow.status == "running").order_by(JobRunRow.started_at, JobRunRow.id)
            )
        ]
    return RunLogNight(finished, last, running)


def _run(row: JobRunRow) -> RunOfJob:
    return RunOfJob(
        row.job, row.kind, row.school, row.platform, row.status, row.holder, row.attempts, row.started_at,
        row.finished_at,
    )  # fmt: skip


def scoped_school_names(db: Database, scope: SchoolScope, *, school_id: int | None) -> dict[str, str]:
    """code -> name of the stored schools in the scope (and only the chosen one, when given)."""
    chosen = [scope.where(SchoolRow.id)] + ([SchoolRow.id == school_id] if school_id is not None else [])
    with db.session() as session:
        rows = session.execute(select(SchoolRow.code, SchoolRow.name).where(*chosen)).all()
    return {row.code: row.name for row in rows}
