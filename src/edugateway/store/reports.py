"""The stored nightly reconciliation reports (`reconciliation_reports`).

Listing reads only the small columns; a report's JSON, which may hold thousands of findings, is read only when
that one report is asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.errors import StoreError
from edugateway.store.db import Database
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import ReconciliationReportRow, SchoolRow

_Row = ReconciliationReportRow


@dataclass(frozen=True, slots=True)
class ReportNight:
    """One report in the list, without its findings."""

    report_id: int
    school_id: int
    school_name: str
    platform: str
    as_of: dt.date
    started_at: dt.datetime
    status: str
    summary: dict[str, Any] | None  # section key -> findings
    error: str | None


@dataclass(frozen=True, slots=True)
class ReportIndex:
    nights: list[ReportNight]  # oldest first
    schools: list[tuple[int, str]]  # the schools in scope that have a report: (id, name), by name
    platforms: list[str]


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """One report whole, with the summary of the finished report before it of the same school and platform."""

    report_id: int
    status: str
    error: str | None
    school_name: str
    platform: str
    as_of: dt.date
    timezone: str
    report: dict[str, Any] | None  # the Report as JSON (reconciliation/report.py)
    previous_summary: dict[str, int] | None


def report_index(
    db: Database, scope: SchoolScope, school_id: int | None = None, platform: str | None = None
) -> ReportIndex:
    """The reports of the scope's schools (and the school and platform chosen, if any)."""
    columns = (_Row.id, _Row.school_id, SchoolRow.name, _Row.platform, _Row.as_of, _Row.started_at, _Row.status)
    query = (
        select(*columns, _Row.summary, _Row.error)
        .join(SchoolRow, SchoolRow.id == _Row.school_id)
        .where(scope.where(_Row.school_id))
    )
    if school_id is not None:
        query = query.where(_Row.school_id == school_id)
    if platform:
        query = query.where(_Row.platform == platform)
    with db.session() as session:
        found = session.execute(query.order_by(_Row.as_of, _Row.started_at, _Row.id)).tuples().all()
        schools = [
            (sid, name)
            for sid, name in session.execute(
                select(SchoolRow.id, SchoolRow.name)
                .where(SchoolRow.id.in_(select(_Row.school_id)), scope.where(SchoolRow.id))
                .order_by(SchoolRow.name)
            ).all()
        ]
        platforms = sorted(session.scalars(select(_Row.platform).where(scope.where(_Row.school_id)).distinct()).all())
    return ReportIndex([ReportNight(*row) for row in found], schools, platforms)


def report_record(db: Database, report_id: int, scope: SchoolScope) -> ReportRecord | None:
    """The report, or None when there is none of this id among the scope's schools."""
    with db.session() as session:
        found = session.execute(
            select(_Row, SchoolRow.name, SchoolRow.timezone)
            .join(SchoolRow, SchoolRow.id == _Row.school_id)
            .where(_Row.id == report_id, scope.where(_Row.school_id))
        ).first()
        if found is None:
            return None
        row, school_name, timezone = found
        previous = _summary_before(session, row)
        return ReportRecord(
            row.id, row.status, row.error, school_name, row.platform, row.as_of, timezone, row.report, previous
        )


@dataclass(frozen=True, slots=True)
class ReportListing:
    """One report as `reports list` shows it: its school's code and where its files were written."""

    report_id: int
    school_code: str
    platform: str
    as_of: dt.date
    status: str
    error: str | None
    summary: dict[str, Any] | None
    files: dict[str, Any] | None  # format -> path (html, xlsx, json)


def latest_reports(
    db: Database, *, school_code: str | None = None, platform: str | None = None, limit: int = 20
) -> list[ReportListing]:
    """The stored reports, newest first."""
    query = (
        select(_Row, SchoolRow.code)
        .join(SchoolRow, SchoolRow.id == _Row.school_id)
        .order_by(_Row.id.desc())
        .limit(limit)
    )
    if school_code:
        query = query.where(SchoolRow.code == school_code)
    if platform:
        query = query.where(_Row.platform == platform)
    with db.session() as session:
        return [
            ReportListing(row.id, code, row.platform, row.as_of, row.status, row.error, row.summary, row.files)
            for row, code in session.execute(query).tuples()
        ]


# ---- a reconciliation run writes its report -------------------------------------------------------------------
def start_report(db: Database, *, school_id: int, platform: str, as_of: dt.date) -> int:
    """The report row of a run that is starting (running); its id."""
    with db.session() as session:
        row = _Row(school_id=school_id, platform=platform, as_of=as_of)
        session.add(row)
        session.flush()
        return row.id


def fail_report(db: Database, report_id: int, error: str) -> None:
    with db.session() as session:
        row = _report(session, report_id)
        row.status, row.error = "failed", error
        row.finished_at = dt.datetime.now(dt.UTC)


def finish_report(
    db: Database, report_id: int, *, summary: dict[str, int], report: dict[str, Any], files: dict[str, str]
) -> None:
    with db.session() as session:
        row = _report(session, report_id)
        row.status = "done"
        row.summary = summary
        row.report = report
        row.files = files
        row.finished_at = dt.datetime.now(dt.UTC)


def _report(session: Session, report_id: int) -> ReconciliationReportRow:
    row = session.get(_Row, report_id)
    if row is None:
        raise StoreError(f"no reconciliation report {report_id}")
    return row


def summary_before(db: Database, report_id: int) -> dict[str, int] | None:
    """The summary a report's trend compares with: the same for the files the night writes and for the web page,
    so "▲ +5" in the file is "▲ +5" on the page."""
    with db.session() as session:
        return _summary_before(session, _report(session, report_id))


def _summary_before(session: Session, row: ReconciliationReportRow) -> dict[str, int] | None:
    """The last finished report of the school and platform before this one in the history's order (the night
    it is about, then when it started): a night re-run for an earlier date compares with the night before that
    date, not with whatever ran last."""
    summary = session.scalar(
        select(_Row.summary)
        .where(
            _Row.school_id == row.school_id,
            _Row.platform == row.platform,
            _Row.status == "done",
            _Row.id != row.id,
            (_Row.as_of < row.as_of) | ((_Row.as_of == row.as_of) & (_Row.started_at < row.started_at)),
        )
        .order_by(_Row.as_of.desc(), _Row.started_at.desc(), _Row.id.desc())
        .limit(1)
    )
    return {str(k): int(v) for k, v in summary.items()} if summary else None
