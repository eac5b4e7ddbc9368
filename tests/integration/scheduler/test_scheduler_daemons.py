"""Scheduler daemons on one database (SQLite and PostgreSQL), with real APScheduler triggers firing each second:
each trigger runs once however many daemons there are, never two runs of a school and platform at once, one
catch-up run after downtime, and a stop that lets the running job finish."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from apscheduler.triggers.cron import CronTrigger
from structlog.testing import capture_logs

from edugateway.config.settings import Settings
from edugateway.scheduler import PlannedJob, SchedulerDaemon
from edugateway.scheduler.daemon import TriggerFor
from edugateway.store.db import Database
from edugateway.store.job_run_log import JobRunLog
from edugateway.store.times import as_utc, utc_now
from support.scheduler_support import RecordingService, every_second, settings_with, sync_job, wait_until


class Daemons:
    """Daemons a test starts, each with a database connection pool of its own, as separate processes would
    have; every one is stopped and its pool closed at the end, whatever the test's outcome."""

    def __init__(self, db: Database) -> None:
        self.url = db.url
        self.started: list[tuple[SchedulerDaemon, Database]] = []

    def start(
        self, settings: Settings, service: RecordingService, name: str, trigger_for: TriggerFor = every_second
    ) -> SchedulerDaemon:
        db = Database(self.url)
        daemon = SchedulerDaemon(db, settings, services=service.services(), holder=name, trigger_for=trigger_for)
        self.started.append((daemon, db))
        daemon.start()
        return daemon

    def stop(self) -> None:
        for daemon, _db in self.started:
            daemon.stop()

    def close(self) -> None:
        self.stop()
        for _daemon, db in self.started:
            db.dispose()


@pytest.fixture
def daemons(database: Database) -> Iterator[Daemons]:
    running = Daemons(database)
    yield running
    running.close()


def _done(db: Database) -> list[dt.datetime]:
    return [as_utc(r.scheduled_for) for r in JobRunLog(db).history(limit=1000) if r.status == "done"]


def test_two_daemons_run_each_trigger_exactly_once(database: Database, daemons: Daemons) -> None:
    service = RecordingService()
    settings = settings_with(sync_job(misfire_grace_s=1))
    with capture_logs() as logs:
        daemons.start(settings, service, "daemon-a")
        daemons.start(settings, service, "daemon-b")
        wait_until(lambda: len(_done(database)) >= 4, what="four fires run")
        daemons.stop()
    ran = Counter(service.fire_times())
    assert ran, "no fire ran"
    assert max(ran.values()) == 1, f"a fire ran twice: {ran.most_common(3)}"
    rows = JobRunLog(database).history(limit=1000)
    assert Counter(as_utc(r.scheduled_for) for r in rows) == ran  # one run_log row per fire, and it ran
    assert {r.status for r in rows} == {"done"}
    # Both daemons fired the same triggers: the one that lost a claim left the fire alone.
    taken = [e for e in logs if e["event"] == "job.fire_taken"]
    assert taken, "the daemons never contended for a fire; the test proved nothing"
    assert {e["scheduled_for"] for e in taken} <= {t.isoformat() for t in ran}


def test_a_slow_run_keeps_the_other_daemon_out(database: Database, daemons: Daemons) -> None:
    """The first run lasts until the other daemon has tried a later fire: that fire is skipped, naming the holder."""

    def skipped() -> bool:
        return any(r.status == "skipped" for r in JobRunLog(database).history(limit=100))

    first = threading.Event()

    def slow(_ctx: object) -> None:
        if not first.is_set():
            first.set()
            wait_until(skipped, what="the other daemon to skip a fire")

    service = RecordingService(body=slow)
    settings = settings_with(sync_job(misfire_grace_s=1))
    daemons.start(settings, service, "daemon-a")
    daemons.start(settings, service, "daemon-b")
    wait_until(lambda: len(_done(database)) >= 2, what="the slow run and one more")
    daemons.stop()
    assert service.most_active == 1
    rows = JobRunLog(database).history(limit=1000)
    first_run = min((r for r in rows if r.status == "done"), key=lambda r: r.scheduled_for)
    held = [r for r in rows if r.status == "skipped"]
    assert held
    assert all(f"held by {first_run.holder} (job nightly" in (r.error or "") for r in held)
    assert all(r.holder != first_run.holder for r in held)  # its own daemon never even tried (max_instances=1)


def test_after_downtime_a_missed_trigger_runs_once(database: Database, daemons: Daemons) -> None:
    """The trigger fired each second for the last minute, while no daemon was up: one run is owed, not sixty."""
    now = utc_now().replace(microsecond=0)

    def ended_trigger(planned: PlannedJob) -> CronTrigger:
        return CronTrigger(
            second="*",
            start_date=now - dt.timedelta(minutes=1),
            end_date=now - dt.timedelta(seconds=2),
            timezone=planned.timezone,
        )

    service = RecordingService()
    settings = settings_with(sync_job(misfire_grace_s=600))
    first = daemons.start(settings, service, "daemon-a", ended_trigger)
    wait_until(lambda: len(_done(database)) == 1, what="the catch-up run")
    first.stop()
    assert service.fire_times() == [now - dt.timedelta(seconds=2)]

    later = daemons.start(settings, service, "daemon-b", ended_trigger)  # a restart, or a second daemon
    assert later.next_run_times() == {"nightly@sch1": None}  # the run_log has it: nothing owed, nothing ahead
    later.stop()
    assert len(service.calls) == 1


def test_a_stop_waits_for_the_running_job_and_starts_no_other(database: Database, daemons: Daemons) -> None:
    running = threading.Event()
    finish = threading.Event()

    def long_batch(_ctx: object) -> None:
        running.set()
        finish.wait(timeout=60)

    service = RecordingService(body=long_batch)
    daemon = daemons.start(settings_with(sync_job(misfire_grace_s=1)), service, "daemon-a")
    assert running.wait(timeout=30)
    stopper = threading.Thread(target=daemon.stop)
    stopper.start()
    stopper.join(timeout=1.5)  # more fires come due meanwhile; the stop must neither return nor start them
    assert stopper.is_alive(), "stop() returned while a job was still running"
    (row,) = JobRunLog(database).history()
    assert row.status == "running"
    finish.set()
    stopper.join(timeout=30)
    assert not stopper.is_alive()
    (row,) = JobRunLog(database).history()
    assert row.status == "done"
    assert len(service.calls) == 1
