"""What each kind of job runs: a thin wrapper over the service function the CLI calls for the same work.

Adding a kind is one line in SERVICES once its service function exists. Kinds the configuration accepts but
this table lacks are refused at start-up. What the configuration itself can check (a job's platform is set and
configured, no setting of another kind) is refused when it loads (config/settings.py); what is left here needs
another part's vocabulary (the entities reconciliation compares) or the platform's own settings.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from edugateway.config.settings import (
    ArchiveJob,
    ArchiveVerifyJob,
    JobSettings,
    MonthReportJob,
    PeriodReportJob,
    ReconcileJob,
    Settings,
    SyncJob,
    VerifyJob,
)
from edugateway.errors import ConfigError
from edugateway.store.db import Database


@dataclass(frozen=True)
class JobContext:
    db: Database
    settings: Settings
    job: JobSettings
    school: str
    platform: str  # the platform the run holds the lease on
    scheduled_for: dt.datetime  # the trigger's fire time (UTC); now for `jobs run`
    actor: str  # who the audit rows name: scheduler:<job>
    holder: str  # who holds the lease on the school and platform for this run (the runner took it)
    # Set when the daemon is stopping: a service that works in batches ends after the current one.
    stop: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class JobOutcome:
    """What a run did (stored in the job run log), and what a person must act on, if anything (sent as an alert)."""

    summary: dict[str, Any]
    attention: str | None = None
    stopped: bool = False  # ended early, after a whole batch, because the daemon is stopping
    # The run ended failed without an exception a retry could cure (every write refused for a data reason).
    failed: str | None = None


@dataclass(frozen=True)
class JobService:
    run: Callable[[JobContext], JobOutcome]
    # Checks the job's kind-specific settings at start-up (raising ConfigError) and names the platform its runs
    # hold the lease on.
    lease_platform: Callable[[Settings, JobSettings], str]


_Job = TypeVar("_Job", SyncJob, ReconcileJob, VerifyJob, ArchiveJob, ArchiveVerifyJob, MonthReportJob, PeriodReportJob)


def _of_kind(job: JobSettings, kind: type[_Job]) -> _Job:
    """The job as the kind its service runs; SERVICES hands each kind to its own service only."""
    if not isinstance(job, kind):
        raise TypeError(f"jobs.{job.name}: a {job.kind} job was handed to the service of {kind.__name__}")
    return job


def _sync_platform(settings: Settings, job: JobSettings) -> str:
    return _of_kind(job, SyncJob).platform  # entity names are refused at load (config/settings.py)


def run_sync_job(ctx: JobContext) -> JobOutcome:
    """`edugateway sync --school S --platform P [--entities …]`."""
    from edugateway.sync.engine import DEFAULT_ENTITIES, SyncRequest, run_sync

    job = _of_kind(ctx.job, SyncJob)
    entities = job.entities or list(DEFAULT_ENTITIES)
    request = SyncRequest(ctx.school, ctx.platform, entities, stop=ctx.stop.is_set)
    outcome = asyncio.run(run_sync(ctx.db, ctx.settings, request, lease_holder=ctx.holder))
    summary: dict[str, Any] = {"sync_run": outcome.run_id, "status": outcome.status}
    if outcome.status == "stopped":
        return JobOutcome(summary, stopped=True)
    if outcome.status == "on_hold":
        return JobOutcome(summary, attention=outcome.plan.hold or f"sync run {outcome.run_id} is on hold")
    if outcome.status == "failed":
        return JobOutcome(summary, failed=f"sync run {outcome.run_id}: {outcome.error}")
    if outcome.status == "partial":
        return JobOutcome(summary, attention=f"sync run {outcome.run_id} is partial: {outcome.error}")
    return JobOutcome(summary)


def _verify_platform(settings: Settings, job: JobSettings) -> str:
    from edugateway.identity.verify import Verifier

    Verifier.from_settings(settings)  # refuses a missing or wrong ЕСИА platform now, not at 3 a.m.
    return settings.identity.esia_platform


def run_verify_job(ctx: JobContext) -> JobOutcome:
    """`edugateway identity verify --school S [--force]`."""
    from edugateway.identity.verify import Verifier

    report = Verifier.from_settings(ctx.settings).verify_school(
        ctx.db, ctx.school, actor=ctx.actor, force=_of_kind(ctx.job, VerifyJob).force
    )
    unanswered = (
        f"{len(report.failed)} persons got no answer from ЕСИА; their last result stands and the next run asks again"
        if report.failed
        else None
    )
    return JobOutcome(
        {
            "persons": report.persons,
            "asked": report.asked,
            "reused": report.reused,
            "cases_opened": report.cases.opened,
            "cases_closed": report.cases.closed,
            "no_answer": len(report.failed),  # their last result stands; the next run asks again
        },
        attention=unanswered,
    )


# An archive run talks to no platform; its lease keeps two archive runs of one school apart.
ARCHIVE_LEASE = "archive"


def _archive_platform(settings: Settings, job: JobSettings) -> str:
    _of_kind(job, ArchiveJob)
    return ARCHIVE_LEASE


def run_archive_job(ctx: JobContext) -> JobOutcome:
    """`edugateway archive write --school S`, for the school year current at the trigger's fire time."""
    from edugateway.archive.service import write_archive

    summary = write_archive(ctx.settings, ctx.db, ctx.school, now=ctx.scheduled_for)
    failed = summary["failed"]
    return JobOutcome(summary, failed="; ".join(failed) if failed else None)


def _archive_verify_platform(settings: Settings, job: JobSettings) -> str:
    _of_kind(job, ArchiveVerifyJob)
    return ARCHIVE_LEASE  # never checks a folder an archive run of the school is still writing


def run_archive_verify_job(ctx: JobContext) -> JobOutcome:
    """`edugateway archive verify --all --school S`: every stored year in every destination; a problem fails the
    run, so it is alerted."""
    from edugateway.archive.destinations import archive_roots
    from edugateway.archive.stored import verify_stored

    check = verify_stored(archive_roots(ctx.settings), ctx.school)
    summary: dict[str, Any] = {"folders": len(check.results), "problems": check.problems}
    if check.ok:
        return JobOutcome(summary)
    return JobOutcome(summary, failed=f"archive of {ctx.school}: {len(check.problems)} problem(s): {check.problems[0]}")


def _reconcile_platform(settings: Settings, job: JobSettings) -> str:
    from edugateway.reconciliation.service import ALL_ENTITIES

    reconcile = _of_kind(job, ReconcileJob)
    unknown = [e for e in reconcile.entities or () if e not in ALL_ENTITIES]
    if unknown:
        raise ConfigError(f"jobs.{job.name}: cannot reconcile {', '.join(unknown)}; use {', '.join(ALL_ENTITIES)}")
    return reconcile.platform  # the same lease as the platform's sync: never both at once


def run_reconcile_job(ctx: JobContext) -> JobOutcome:
    """`edugateway reconcile --school S --platform P`: the report about the day before the trigger fired."""
    from zoneinfo import ZoneInfo

    from edugateway.reconciliation.service import ALL_ENTITIES, ReconcileRequest, reconcile

    zone = next((ZoneInfo(s.timezone) for s in ctx.settings.schools if s.code == ctx.school), dt.UTC)
    as_of = ctx.scheduled_for.astimezone(zone).date() - dt.timedelta(days=1)
    entities = _of_kind(ctx.job, ReconcileJob).entities or ALL_ENTITIES
    request = ReconcileRequest(ctx.school, ctx.platform, as_of=as_of, entities=entities)
    outcome = asyncio.run(reconcile(ctx.db, ctx.settings, request))
    from edugateway.scheduler.report_mail import mail_report

    mailed = mail_report(ctx.settings, ctx.school, outcome.report, outcome.previous_summary, zone)
    return JobOutcome(
        {
            "report": outcome.report_id,
            "as_of": as_of.isoformat(),
            "findings": outcome.report.findings(),
            "files": {kind: str(path) for kind, path in outcome.files.items()},
            "mailed_to": mailed,
        }
    )


# The deputy's reports talk to no platform; their lease keeps two report runs of one school apart.
SCHOOL_REPORTS_LEASE = "school-reports"


def _school_day(ctx: JobContext) -> dt.date:
    """The trigger's fire date in the school's time zone."""
    from zoneinfo import ZoneInfo

    zone = next((ZoneInfo(s.timezone) for s in ctx.settings.schools if s.code == ctx.school), dt.UTC)
    return ctx.scheduled_for.astimezone(zone).date()


def _month_report_platform(settings: Settings, job: JobSettings) -> str:
    _of_kind(job, MonthReportJob)
    return SCHOOL_REPORTS_LEASE


def run_month_report_job(ctx: JobContext) -> JobOutcome:
    """`edugateway reports month --school S --month M` for the calendar month before the trigger fired."""
    from edugateway.school_reports.service import previous_month, write_month_report

    _of_kind(ctx.job, MonthReportJob)
    month = previous_month(_school_day(ctx))
    written = write_month_report(ctx.settings, ctx.db, ctx.school, month, now=ctx.scheduled_for)
    return JobOutcome({"month": month, "files": {kind: str(path) for kind, path in written.files.items()}})


def _period_report_platform(settings: Settings, job: JobSettings) -> str:
    _of_kind(job, PeriodReportJob)
    return SCHOOL_REPORTS_LEASE


def run_period_report_job(ctx: JobContext) -> JobOutcome:
    """`edugateway reports period --school S --period P` (and `--year`) for the periods that ended last before
    the trigger fired: at the end of a quarter its report, at the end of the year the year's too."""
    from edugateway.archive.summary_sheet import current_academic_year
    from edugateway.school_reports.service import periods_just_ended, write_period_report
    from edugateway.store.school_year import SchoolYear
    from edugateway.store.schools import find_school

    _of_kind(ctx.job, PeriodReportJob)
    day = _school_day(ctx)
    school = find_school(ctx.db, ctx.school)
    if school is None:
        return JobOutcome({}, failed=f"school {ctx.school!r} is not in the database; import it first")
    academic_year = current_academic_year(day - dt.timedelta(days=1))
    with ctx.db.session() as session:
        due = periods_just_ended(SchoolYear(session, school.id, academic_year).periods(), day)
    files: dict[str, dict[str, str]] = {}
    for period in due:
        written = write_period_report(
            ctx.settings, ctx.db, ctx.school, period, academic_year=academic_year, now=ctx.scheduled_for
        )
        files[period or "year"] = {kind: str(path) for kind, path in written.files.items()}
    return JobOutcome({"academic_year": academic_year, "reports": files})


SERVICES: Mapping[str, JobService] = {
    "sync": JobService(run_sync_job, _sync_platform),
    "verify": JobService(run_verify_job, _verify_platform),
    "reconcile": JobService(run_reconcile_job, _reconcile_platform),
    "archive": JobService(run_archive_job, _archive_platform),
    "archive-verify": JobService(run_archive_verify_job, _archive_verify_platform),
    "month-report": JobService(run_month_report_job, _month_report_platform),
    "period-report": JobService(run_period_report_job, _period_report_platform),
}
