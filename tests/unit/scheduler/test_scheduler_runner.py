"""One run, as the daemon and `jobs run` make it: in the job run log, under the lease, retried, then alerted."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import select
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from edugateway.config.settings import JobSettings, Settings
from edugateway.errors import ConfigError, PlatformUnavailable
from edugateway.logs import get_logger
from edugateway.scheduler import JobOutcome, JobRunner, JobService, plan_jobs
from edugateway.scheduler.alerts import Alert, Alerter
from edugateway.scheduler.runner import retry_delay
from edugateway.scheduler.services import JobContext
from edugateway.store.db import Database
from edugateway.store.job_leases import LeaseKey
from edugateway.store.job_run_log import JobRunLog
from edugateway.store.tables import SchoolRow, SyncRunRow
from support.scheduler_support import PLATFORM, SCHOOL, RecordingService, settings_with, sync_job

FIRE = dt.datetime(2026, 3, 10, 20, 30, tzinfo=dt.UTC)


class KeptAlerts(Alerter):
    """Alerts as sent, besides the log event."""

    def __init__(self) -> None:
        super().__init__(Settings().alerts)
        self.sent: list[Alert] = []

    def send(self, alert: Alert) -> None:
        super().send(alert)
        self.sent.append(alert)


def _runner(db: Database, settings: Settings, alerts: KeptAlerts, **kwargs: Any) -> JobRunner:
    return JobRunner(db, settings, holder="daemon-a", alerter=alerts, **kwargs)


def _run(db: Database, job: JobSettings, service: RecordingService, alerts: KeptAlerts, **kwargs: Any) -> Any:
    settings = settings_with(job)
    (planned,) = plan_jobs(settings, service.services())
    return _runner(db, settings, alerts, **kwargs).run(planned, FIRE)


def test_a_failing_run_is_retried_and_recorded_once(sqlite_db: Database) -> None:
    service = RecordingService(failures=2)
    alerts = KeptAlerts()
    result = _run(sqlite_db, sync_job(retries=2, retry_backoff_s=0), service, alerts)
    assert result.status == "done"
    assert len(service.calls) == 3
    (row,) = JobRunLog(sqlite_db).history()
    assert (row.status, row.attempts, row.summary, row.holder) == ("done", 3, {"call": 3}, "daemon-a")
    assert alerts.sent == []


def test_after_the_last_retry_it_alerts_once_at_error_level(sqlite_db: Database) -> None:
    service = RecordingService(failures=10, error=lambda: PlatformUnavailable("down", platform=PLATFORM))
    alerts = KeptAlerts()
    with capture_logs() as logs:
        result = _run(sqlite_db, sync_job(retries=1, retry_backoff_s=0), service, alerts)
    assert (result.status, len(service.calls)) == ("failed", 2)
    (row,) = JobRunLog(sqlite_db).history()
    assert (row.status, row.attempts, row.error) == ("failed", 2, f"[{PLATFORM}] down")
    (alert,) = alerts.sent
    assert (alert.what, alert.job, alert.school) == ("failed", "nightly", SCHOOL)
    assert (alert.attempts, alert.run_id) == (2, row.id)
    assert [e["log_level"] for e in logs if e["event"] == "job.alert"] == ["error"]
    assert [e["attempt"] for e in logs if e["event"] == "job.retry"] == [1]


def test_a_configuration_error_is_not_retried(sqlite_db: Database) -> None:
    service = RecordingService(failures=10, error=lambda: ConfigError("platforms.dn.token: set it"))
    alerts = KeptAlerts()
    result = _run(sqlite_db, sync_job(retries=5, retry_backoff_s=0), service, alerts)
    assert (result.status, len(service.calls), len(alerts.sent)) == ("failed", 1, 1)


def test_the_pause_doubles_before_each_retry() -> None:
    job = sync_job(retry_backoff_s=30)
    assert [retry_delay(job, n) for n in (1, 2, 3)] == [30, 60, 120]


def test_a_stop_during_the_pause_ends_the_run_without_alert(sqlite_db: Database) -> None:
    stop = threading.Event()

    def stopping_while_failing() -> Exception:
        stop.set()  # SIGTERM arrives while the first attempt fails
        return RuntimeError("503")

    service = RecordingService(failures=10, error=stopping_while_failing)
    alerts = KeptAlerts()
    result = _run(sqlite_db, sync_job(retries=3, retry_backoff_s=3600), service, alerts, stop=stop)
    assert (result.status, len(service.calls), alerts.sent) == ("interrupted", 1, [])
    (row,) = JobRunLog(sqlite_db).history()
    assert row.status == "interrupted"
    assert "before retry 1" in (row.error or "")


def test_nothing_starts_once_the_scheduler_is_stopping(sqlite_db: Database) -> None:
    stop = threading.Event()
    stop.set()
    service = RecordingService()
    result = _run(sqlite_db, sync_job(), service, KeptAlerts(), stop=stop)
    assert (result.status, service.calls) == ("not_started", [])
    assert JobRunLog(sqlite_db).history() == []  # unclaimed: the next start owes it as a missed run


def test_a_fire_runs_once_even_when_asked_again(sqlite_db: Database) -> None:
    service = RecordingService()
    settings = settings_with(sync_job())
    (planned,) = plan_jobs(settings, service.services())
    first = _runner(sqlite_db, settings, KeptAlerts()).run(planned, FIRE)
    again = JobRunner(sqlite_db, settings, holder="daemon-b", alerter=KeptAlerts()).run(planned, FIRE)
    assert (first.status, again.status, len(service.calls)) == ("done", "taken", 1)
    assert again.detail == "this fire was claimed by daemon-a"


def test_a_held_lease_skips_the_run_and_names_the_holder(sqlite_db: Database) -> None:
    service = RecordingService()
    settings = settings_with(sync_job())
    (planned,) = plan_jobs(settings, service.services())
    runner = _runner(sqlite_db, settings, KeptAlerts())
    runner.leases.acquire(LeaseKey(SCHOOL, PLATFORM), "daemon-z", job="other-job", run_id=None)
    result = runner.run(planned, FIRE)
    assert (result.status, service.calls) == ("skipped", [])
    (row,) = JobRunLog(sqlite_db).history()
    assert row.status == "skipped"
    assert "held by daemon-z (job other-job" in (row.error or "")
    assert runner.leases.current(LeaseKey(SCHOOL, PLATFORM)) is not None  # still theirs


def test_the_lease_is_released_after_the_run(sqlite_db: Database) -> None:
    seen: list[str | None] = []
    settings = settings_with(sync_job())
    runner = _runner(sqlite_db, settings, KeptAlerts())
    key = LeaseKey(SCHOOL, PLATFORM)

    def body(_ctx: object) -> None:
        held = runner.leases.current(key)
        seen.append(held.holder if held else None)

    service = RecordingService(body=body)
    (planned,) = plan_jobs(settings, service.services())
    runner.run(planned, FIRE)
    assert seen == ["daemon-a"]
    assert runner.leases.current(key) is None


def test_a_sync_on_hold_asks_for_a_person(sqlite_db: Database) -> None:
    def on_hold(_ctx: object) -> JobOutcome:
        return JobOutcome({"sync_run": 7, "status": "on_hold"}, attention="the plan deletes more than 10 % of persons")

    settings = settings_with(sync_job())
    services = {"sync": JobService(on_hold, lambda _s, job: job.platform or "")}
    (planned,) = plan_jobs(settings, services)
    alerts = KeptAlerts()
    result = _runner(sqlite_db, settings, alerts).run(planned, FIRE)
    assert result.status == "done"
    (alert,) = alerts.sent
    assert (alert.what, alert.message) == ("attention", "the plan deletes more than 10 % of persons")


def test_a_run_that_failed_for_a_data_reason_alerts_without_a_retry(sqlite_db: Database) -> None:
    calls: list[int] = []

    def refused(_ctx: object) -> JobOutcome:
        calls.append(1)
        return JobOutcome({"sync_run": 7, "status": "failed"}, failed="sync run 7: none of the 120 writes landed")

    settings = settings_with(sync_job(retries=3, retry_backoff_s=0))
    services = {"sync": JobService(refused, lambda _s, job: job.platform or "")}
    (planned,) = plan_jobs(settings, services)
    alerts = KeptAlerts()
    result = _runner(sqlite_db, settings, alerts).run(planned, FIRE)
    assert (result.status, len(calls)) == ("failed", 1)  # a retry would be refused the same way
    (alert,) = alerts.sent
    assert (alert.what, alert.message) == ("failed", "sync run 7: none of the 120 writes landed")
    (row,) = JobRunLog(sqlite_db).history()
    assert (row.status, row.error) == ("failed", "sync run 7: none of the 120 writes landed")


def test_taking_the_lease_marks_a_dead_processs_sync_run_abandoned(sqlite_db: Database) -> None:
    with sqlite_db.session() as session:
        school = SchoolRow(code=SCHOOL, name="Школа")
        session.add(school)
        session.flush()
        session.add(SyncRunRow(school_id=school.id, platform=PLATFORM, entities=[], directions={}, status="running"))
        session.add(SyncRunRow(school_id=school.id, platform="other", entities=[], directions={}, status="running"))
    service = RecordingService()
    result = _run(sqlite_db, sync_job(), service, KeptAlerts())
    assert result.status == "done"
    assert result.summary is not None
    assert result.summary["abandoned_sync_runs"] == [1]
    with sqlite_db.session() as session:
        statuses = {row.platform: row.status for row in session.scalars(select(SyncRunRow))}
    assert statuses == {PLATFORM: "abandoned", "other": "running"}  # another platform's run is not ours to judge


def test_a_run_the_stopping_daemon_ended_after_a_batch_is_interrupted_not_failed(sqlite_db: Database) -> None:
    settings = settings_with(sync_job())
    alerts = KeptAlerts()
    runner = _runner(sqlite_db, settings, alerts)

    def stop_midway(ctx: JobContext) -> JobOutcome:
        runner.stop.set()  # SIGTERM while the run is under way
        assert ctx.stop.is_set()  # the service sees it, and ends after its current batch
        return JobOutcome({"sync_run": 9, "status": "stopped"}, stopped=True)

    services = {"sync": JobService(stop_midway, lambda _s, job: job.platform or "")}
    (planned,) = plan_jobs(settings, services)
    result = runner.run(planned, FIRE)
    assert result.status == "interrupted"
    (row,) = JobRunLog(sqlite_db).history()
    assert (row.status, row.summary) == ("interrupted", {"sync_run": 9, "status": "stopped"})
    assert "the next run goes on from there" in (row.error or "")
    assert alerts.sent == []  # a stop is not a failure


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_an_interrupted_process_records_the_run_and_frees_the_lease(
    sqlite_db: Database, interruption: type[BaseException]
) -> None:
    def body(_ctx: object) -> None:
        raise interruption

    settings = settings_with(sync_job())
    (planned,) = plan_jobs(settings, RecordingService(body=body).services())
    runner = _runner(sqlite_db, settings, KeptAlerts())
    with pytest.raises(interruption):
        runner.run(planned, FIRE)
    (row,) = JobRunLog(sqlite_db).history()
    assert row.status == "interrupted"
    assert runner.leases.current(LeaseKey(SCHOOL, PLATFORM)) is None


def test_the_services_lines_name_the_job_school_and_platform_only_while_it_runs(sqlite_db: Database) -> None:
    service = RecordingService(body=lambda _ctx: get_logger("service").info("service.inside"))
    with capture_logs(processors=[merge_contextvars]) as logs:
        _run(sqlite_db, sync_job(), service, KeptAlerts())
        get_logger("after").info("after.run")
    (inside,) = [e for e in logs if e["event"] == "service.inside"]
    assert (inside["job"], inside["school"], inside["platform"]) == ("nightly", SCHOOL, PLATFORM)
    (after,) = [e for e in logs if e["event"] == "after.run"]
    assert not {"job", "school", "platform"} & set(after)
