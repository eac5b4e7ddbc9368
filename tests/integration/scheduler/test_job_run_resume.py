"""JobRunner.resume, what a queue job retried after its worker died does (scheduler/queue.py): the lease first
(a holder alive after all keeps its run: LeaseBusy, retried later by the queue), then the fire's run log row
changes hands and the run goes on in it; a run that ended meanwhile is left alone. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.config.settings import Settings
from edugateway.scheduler import JobRunner, PlannedJob, plan_jobs
from edugateway.scheduler.alerts import Alerter
from edugateway.scheduler.runner import LeaseBusy
from edugateway.store.db import Database
from edugateway.store.job_leases import Acquired, LeaseKey, LeaseStore
from edugateway.store.job_run_log import Fire, JobRunLog
from support.scheduler_support import PLATFORM, SCHOOL, RecordingService, settings_with, sync_job

FIRE = dt.datetime(2026, 10, 20, 20, 30, tzinfo=dt.UTC)
DEAD = "worker:host-a:4242:job7"  # the first attempt of queue job 7, on a worker since found stalled
HEIR = "worker:host-b:5151:job7"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 10, 20, 20, 30, 5, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def _setup(db: Database, clock: Clock) -> tuple[Settings, PlannedJob, RecordingService, int]:
    service = RecordingService()
    settings = settings_with(sync_job(retries=0))
    (planned,) = plan_jobs(settings, service.services())
    run_id = JobRunLog(db, clock=clock).claim(Fire("nightly", "sync", SCHOOL, PLATFORM, FIRE, "schedule"), DEAD)
    assert run_id is not None
    got = LeaseStore(db, dt.timedelta(seconds=60), clock=clock).acquire(
        LeaseKey(SCHOOL, PLATFORM), DEAD, job="nightly", run_id=run_id
    )
    assert isinstance(got, Acquired)
    return settings, planned, service, run_id


def _heir(db: Database, settings: Settings, clock: Clock) -> JobRunner:
    return JobRunner(db, settings, holder=HEIR, alerter=Alerter(settings.alerts), clock=clock)


def test_a_lease_still_renewed_keeps_the_run_with_its_holder(database: Database) -> None:
    clock = Clock()
    settings, planned, service, run_id = _setup(database, clock)
    with pytest.raises(LeaseBusy, match=f"{SCHOOL}/{PLATFORM} is busy: the lease is held by {DEAD}"):
        _heir(database, settings, clock).resume(planned, FIRE, DEAD)
    (row,) = JobRunLog(database).history()
    assert (row.id, row.status, row.holder) == (run_id, "running", DEAD)
    assert service.calls == []


def test_once_the_dead_holders_lease_expired_the_run_goes_on_in_its_row(database: Database) -> None:
    clock = Clock()
    settings, planned, service, run_id = _setup(database, clock)
    clock.now += dt.timedelta(seconds=61)
    result = _heir(database, settings, clock).resume(planned, FIRE, DEAD)
    assert (result.status, result.run_id) == ("done", run_id)
    (row,) = JobRunLog(database).history()
    assert (row.id, row.status, row.holder) == (run_id, "done", HEIR)
    assert len(service.calls) == 1
    assert LeaseStore(database, dt.timedelta(seconds=60)).current(LeaseKey(SCHOOL, PLATFORM)) is None


def test_a_run_that_ended_meanwhile_is_left_alone(database: Database) -> None:
    clock = Clock()
    settings, planned, service, run_id = _setup(database, clock)
    JobRunLog(database).finish(run_id, "done")
    clock.now += dt.timedelta(seconds=61)
    result = _heir(database, settings, clock).resume(planned, FIRE, DEAD)
    assert result.status == "taken"
    assert service.calls == []
    (row,) = JobRunLog(database).history()
    assert (row.status, row.holder) == ("done", DEAD)
    assert LeaseStore(database, dt.timedelta(seconds=60)).current(LeaseKey(SCHOOL, PLATFORM)) is None
