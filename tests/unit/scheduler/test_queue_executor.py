"""The procrastinate executor's settings, names and locks (scheduler/queue.py), and the daemon's deferring
(issue 19: "exactly once per fire, one at a time per school and platform")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from edugateway.config.settings import MonthReportJob, SchedulerSettings
from edugateway.scheduler import PlannedJob, SchedulerDaemon, plan_jobs
from edugateway.scheduler.queue import conninfo, fire_locks, same_queue_job, worker_holder
from edugateway.store.db import Database
from edugateway.store.job_run_log import Fire, JobRunLog
from support.scheduler_support import PLATFORM, SCHOOL, RecordingService, settings_with, sync_job

PG = "postgresql+psycopg://edugateway@db.local:5432/edugateway"
FIRE = dt.datetime(2026, 10, 20, 20, 30, tzinfo=dt.UTC)


def test_the_local_executor_stays_the_default() -> None:
    assert SchedulerSettings().executor == "local"


def test_procrastinate_is_refused_with_sqlite_in_one_line() -> None:
    with pytest.raises(ValidationError) as raised:
        settings_with(sync_job(), scheduler={"executor": "procrastinate"}, database_url="sqlite:///var/gw.sqlite3")
    message = str(raised.value)
    assert 'scheduler.executor = "procrastinate" needs a PostgreSQL database_url' in message
    assert 'use executor = "local" with SQLite' in message


def test_procrastinate_is_accepted_with_postgresql() -> None:
    settings = settings_with(sync_job(), scheduler={"executor": "procrastinate"}, database_url=PG)
    assert settings.scheduler.executor == "procrastinate"


def _planned(*jobs: object, school: str = SCHOOL) -> list[PlannedJob]:
    return plan_jobs(settings_with(*jobs, schools=(school, "sch2")))  # type: ignore[arg-type]


def test_the_queueing_lock_is_the_fire_and_the_lock_the_school_and_platform() -> None:
    nightly, _ = _planned(sync_job())
    locks = fire_locks(nightly, FIRE)
    assert locks.queueing_lock == "fire:nightly:sch1:2026-10-20T20:30:00+00:00"
    assert locks.lock == f"run:sch1:{PLATFORM}"
    # The same instant written in the school's zone is the same fire: one queueing lock, whichever daemon defers.
    local = FIRE.astimezone(dt.timezone(dt.timedelta(hours=5)))
    assert fire_locks(nightly, local) == locks
    assert fire_locks(nightly, FIRE + dt.timedelta(minutes=1)).queueing_lock != locks.queueing_lock


def test_two_jobs_on_one_school_and_platform_share_the_lock_and_other_schools_do_not() -> None:
    nightly, nightly2, evening, evening2 = _planned(sync_job(), sync_job("evening"))
    assert fire_locks(nightly, FIRE).lock == fire_locks(evening, FIRE).lock
    assert fire_locks(nightly, FIRE).queueing_lock != fire_locks(evening, FIRE).queueing_lock
    assert fire_locks(nightly2, FIRE).lock == fire_locks(evening2, FIRE).lock != fire_locks(nightly, FIRE).lock


def test_a_report_job_locks_on_the_school_and_its_report_lease_not_a_platform() -> None:
    report, _ = _planned(MonthReportJob(name="month", cron="0 6 1 * *"))
    assert fire_locks(report, FIRE).lock == "run:sch1:school-reports"


def test_a_retry_knows_its_earlier_attempts_by_the_queue_job() -> None:
    holder = worker_holder(41)
    assert holder.startswith("worker:")
    assert holder.endswith(":job41")
    assert same_queue_job("worker:other-host:77:job41", 41)
    assert not same_queue_job("worker:other-host:77:job141", 41)
    assert not same_queue_job("daemon-a", 41)
    assert not same_queue_job(None, 41)


def test_procrastinate_gets_a_libpq_url() -> None:
    assert conninfo("postgresql+psycopg://gw:secret@db.local:5433/edu") == "postgresql://gw:secret@db.local:5433/edu"


class _Queue:
    def __init__(self) -> None:
        self.deferred: list[tuple[str, dt.datetime]] = []
        self.opened = self.closed = False

    def open(self) -> None:
        self.opened = True

    def close(self) -> None:
        self.closed = True

    def defer(self, planned: PlannedJob, fire_time: dt.datetime) -> int | None:
        self.deferred.append((planned.id, fire_time))
        return len(self.deferred)


def test_with_the_queue_the_daemon_defers_each_fire_and_runs_none(sqlite_db: Database, tmp_path: Path) -> None:
    service = RecordingService()
    settings = settings_with(sync_job(), scheduler={"executor": "procrastinate"}, database_url=PG)
    queue = _Queue()
    daemon = SchedulerDaemon(sqlite_db, settings, services=service.services(), queue=queue)  # type: ignore[arg-type]
    daemon.start()
    daemon._fire("nightly@sch1", fire_time=FIRE)
    JobRunLog(sqlite_db).claim(Fire("nightly", "sync", SCHOOL, PLATFORM, FIRE + dt.timedelta(days=1), "schedule"), "w")
    daemon._fire("nightly@sch1", fire_time=FIRE + dt.timedelta(days=1))  # a worker ran it already: not deferred
    daemon.stop()
    assert queue.deferred == [("nightly@sch1", FIRE)]
    assert service.calls == []
    assert queue.opened
    assert queue.closed
