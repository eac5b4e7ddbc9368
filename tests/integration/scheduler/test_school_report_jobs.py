"""The `month-report` and `period-report` job kinds: what each run writes, judged by the fire time in the
school's time zone, and the lease they hold (no platform's)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from edugateway.config.settings import MonthReportJob, PeriodReportJob, SchoolSettings, Settings
from edugateway.scheduler.plan import plan_jobs
from edugateway.scheduler.services import (
    SCHOOL_REPORTS_LEASE,
    JobContext,
    run_month_report_job,
    run_period_report_job,
)
from edugateway.store.db import Database
from unit.reconciliation.compliance_rows import Journal

ZONE = "Asia/Yekaterinburg"  # UTC+5


def _plant(db: Database) -> None:
    with db.session() as session:
        j = Journal.start(session)  # «1 четверть» ends 26.10.2026
        j.period("2 четверть", "quarter", dt.date(2026, 11, 5), dt.date(2026, 12, 28))
        klass, math = j.klass("5А", 5), j.subject("Математика")
        pupil = j.person("Абрамова", "Ирина")
        j.enroll(pupil, klass)
        j.mark(pupil, j.lesson(dt.date(2026, 10, 5), klass, math), dt.date(2026, 10, 5))


def _settings(tmp_path: Path, job: MonthReportJob | PeriodReportJob) -> Settings:
    return Settings(data_dir=tmp_path, schools=[SchoolSettings(code="s1", timezone=ZONE)], jobs=[job])


def test_a_month_report_run_writes_the_month_before_its_fire_date_in_the_schools_zone(
    sqlite_db: Database, tmp_path: Path
) -> None:
    _plant(sqlite_db)
    job = MonthReportJob(name="monthly", cron="0 1 1 * *")
    fired = dt.datetime(2026, 10, 31, 20, 0, tzinfo=dt.UTC)  # 1 November, 01:00 in Yekaterinburg
    ctx = JobContext(sqlite_db, _settings(tmp_path, job), job, "s1", SCHOOL_REPORTS_LEASE, fired, "scheduler:m", "t")
    outcome = run_month_report_job(ctx)
    assert outcome.summary["month"] == "2026-10"
    assert Path(outcome.summary["files"]["xlsx"]) == tmp_path / "reports" / "s1" / "s1-month-2026-10.xlsx"


def test_a_period_report_run_writes_the_period_just_ended(sqlite_db: Database, tmp_path: Path) -> None:
    _plant(sqlite_db)
    job = PeriodReportJob(name="after-periods", cron="0 7 * * *")
    fired = dt.datetime(2026, 10, 27, 2, 0, tzinfo=dt.UTC)
    ctx = JobContext(sqlite_db, _settings(tmp_path, job), job, "s1", SCHOOL_REPORTS_LEASE, fired, "scheduler:p", "t")
    outcome = run_period_report_job(ctx)
    assert outcome.summary["academic_year"] == 2026
    assert list(outcome.summary["reports"]) == ["1 четверть"]
    assert Path(outcome.summary["reports"]["1 четверть"]["html"]).name == "s1-period-2026-1_chetvert.html"


def test_the_report_jobs_hold_their_own_lease_not_a_platforms(tmp_path: Path) -> None:
    jobs = [MonthReportJob(name="m", cron="0 1 1 * *"), PeriodReportJob(name="p", cron="0 7 * * *")]
    settings = Settings(data_dir=tmp_path, schools=[SchoolSettings(code="s1")], jobs=jobs)
    assert {(p.school, p.platform) for p in plan_jobs(settings)} == {("s1", SCHOOL_REPORTS_LEASE)}
