"""Build a report and write its files: what `edugateway reports month|period`, the web page's downloads and the
scheduler's `month-report` / `period-report` jobs share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from edugateway.config.settings import ComplianceSettings, SchoolPlatformBase, Settings
from edugateway.school_reports.files import write_report_files
from edugateway.school_reports.model import SchoolReport
from edugateway.school_reports.month import month_report
from edugateway.school_reports.period import period_report
from edugateway.store.db import Database
from edugateway.store.school_year import YearPeriod


@dataclass(frozen=True)
class Written:
    report: SchoolReport
    files: dict[str, Path]  # format -> path


def reports_root(settings: Settings) -> Path:
    """The nightly reports' directory (reconcile.reports_dir, else <data_dir>/reports): the school's reports
    lie together under <root>/<school>/."""
    return settings.reconcile.reports_dir or settings.data_dir / "reports"


def write_month_report(
    settings: Settings, db: Database, school: str, month: str, *, now: dt.datetime | None = None
) -> Written:
    report = month_report(db, school, month, now=now, marked_from_grade=marked_from_grade(settings))
    return Written(report, write_report_files(report, reports_root(settings)))


def write_period_report(
    settings: Settings,
    db: Database,
    school: str,
    period: str | None,
    *,
    academic_year: int | None = None,
    now: dt.datetime | None = None,
) -> Written:
    """The report of the period called `period`, or of the year when it is None."""
    report = period_report(
        db, school, period, academic_year=academic_year, now=now, marked_from_grade=marked_from_grade(settings)
    )
    return Written(report, write_report_files(report, reports_root(settings)))


def marked_from_grade(settings: Settings) -> int:
    """The first grade taught with marks, as the school's platforms are configured (the lowest of them)."""
    grades = [p.compliance.marked_from_grade for p in settings.platforms.values() if isinstance(p, SchoolPlatformBase)]
    return min(grades, default=ComplianceSettings().marked_from_grade)


def previous_month(day: dt.date) -> str:
    """«YYYY-MM» of the calendar month before `day`'s."""
    last = day.replace(day=1) - dt.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def periods_just_ended(periods: Sequence[YearPeriod], day: dt.date) -> list[str | None]:
    """The periods (by name; None for the year) whose report is due on `day`: those ending on the latest end date
    that is before `day`. The year is due when its period (or, without one, its last term) ends then."""
    ended = [p for p in periods if p.end_date < day]
    if not ended:
        return []
    last = max(p.end_date for p in ended)
    due: list[str | None] = [p.name for p in ended if p.end_date == last and p.kind != "year"]
    if last == max(p.end_date for p in periods):
        due.append(None)
    return due
