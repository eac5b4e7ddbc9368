"""The stored nightly reports: the history list (newest first, with each night's change and a sparkline of the
last nights of the same school and platform) and one report with the summary of the night before it.

The list reads only the small columns; a report's JSON, which may hold thousands of findings, is read only
when that one report is opened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import select

from edugateway.reconciliation.report import Report
from edugateway.reconciliation.svg_charts import sparkline
from edugateway.store.db import Database
from edugateway.store.tables import ReconciliationReportRow, SchoolRow

HISTORY_LIMIT = 200  # lines on the page; a year of nights for a school with two platforms fits
SPARK_NIGHTS = 14

_Row = ReconciliationReportRow


@dataclass(frozen=True, slots=True)
class HistoryLine:
    report_id: int
    school_name: str
    platform: str
    as_of: dt.date
    started_at: dt.datetime
    status: str
    total: int | None  # None while running or when failed
    change: int | None  # against the previous finished report of the same school and platform
    error: str | None
    spark: Markup


@dataclass(frozen=True, slots=True)
class History:
    lines: list[HistoryLine]
    schools: list[tuple[int, str]]
    platforms: list[str]


@dataclass(frozen=True, slots=True)
class StoredReport:
    report_id: int
    status: str
    error: str | None
    school_name: str
    platform: str
    as_of: dt.date
    timezone: str
    report: Report | None  # None unless done
    previous_summary: dict[str, int] | None


def _total(summary: dict[str, Any] | None) -> int | None:
    return None if summary is None else sum(int(n) for n in summary.values())


def load_history(db: Database, school_id: int | None = None, platform: str | None = None) -> History:
    columns = (_Row.id, _Row.school_id, _Row.platform, _Row.as_of, _Row.started_at, _Row.status, _Row.summary)
    query = select(*columns, _Row.error, SchoolRow.name).join(SchoolRow, SchoolRow.id == _Row.school_id)
    if school_id is not None:
        query = query.where(_Row.school_id == school_id)
    if platform:
        query = query.where(_Row.platform == platform)
    with db.session() as session:
        found = session.execute(query.order_by(_Row.as_of, _Row.started_at, _Row.id)).all()
        schools = [
            (sid, name)
            for sid, name in session.execute(
                select(SchoolRow.id, SchoolRow.name)
                .where(SchoolRow.id.in_(select(_Row.school_id)))
                .order_by(SchoolRow.name)
            ).all()
        ]
        platforms = sorted(session.scalars(select(_Row.platform).distinct()).all())
    lines: list[HistoryLine] = []
    totals: dict[tuple[int, str], list[int]] = {}  # the finished nights so far, oldest first
    for rid, sid, plat, as_of, started_at, status, summary, error, school_name in found:
        before = totals.setdefault((sid, plat), [])
        total = _total(summary) if status == "done" else None
        change = None if total is None or not before else total - before[-1]
        if total is not None:
            before.append(total)
        spark = sparkline(before[-SPARK_NIGHTS:], "Замечаний за последние ночи") if total is not None else Markup("")
        lines.append(HistoryLine(rid, school_name, plat, as_of, started_at, status, total, change, error, spark))
    lines.reverse()
    return History(lines[:HISTORY_LIMIT], schools, platforms)


def load_report(db: Database, report_id: int) -> StoredReport | None:
    with db.session() as session:
        found = session.execute(
            select(_Row, SchoolRow.name, SchoolRow.timezone)
            .join(SchoolRow, SchoolRow.id == _Row.school_id)
            .where(_Row.id == report_id)
        ).first()
        if found is None:
            return None
        row, school_name, timezone = found
        report = Report.model_validate(row.report) if row.status == "done" and row.report else None
        previous = session.scalar(
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
        return StoredReport(
            row.id, row.status, row.error, school_name, row.platform, row.as_of, timezone, report, previous
        )
