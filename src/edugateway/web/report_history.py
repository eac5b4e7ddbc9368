"""The stored nightly reports: the history list (newest first, with each night's change and a sparkline of the
last nights of the same school and platform) and one report with the summary of the night before it.

The list reads only the small columns; a report's JSON, which may hold thousands of findings, is read only
when that one report is opened (store/reports.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from edugateway.reconciliation.report import Report, summary_findings
from edugateway.reconciliation.svg_charts import sparkline
from edugateway.store.db import Database
from edugateway.store.reports import report_index, report_record
from edugateway.store.school_scope import SchoolScope

HISTORY_LIMIT = 200  # lines on the page; a year of nights for a school with two platforms fits
SPARK_NIGHTS = 14


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
    return None if summary is None else summary_findings(summary)


def load_history(
    db: Database, scope: SchoolScope, school_id: int | None = None, platform: str | None = None
) -> History:
    index = report_index(db, scope, school_id, platform)
    lines: list[HistoryLine] = []
    totals: dict[tuple[int, str], list[int]] = {}  # the finished nights so far, oldest first
    for night in index.nights:
        before = totals.setdefault((night.school_id, night.platform), [])
        total = _total(night.summary) if night.status == "done" else None
        change = None if total is None or not before else total - before[-1]
        if total is not None:
            before.append(total)
        spark = sparkline(before[-SPARK_NIGHTS:], "Замечаний за последние ночи") if total is not None else Markup("")
        lines.append(
            HistoryLine(
                night.report_id,
                night.school_name,
                night.platform,
                night.as_of,
                night.started_at,
                night.status,
                total,
                change,
                night.error,
                spark,
            )
        )
    lines.reverse()
    return History(lines[:HISTORY_LIMIT], index.schools, index.platforms)


def load_report(db: Database, report_id: int, scope: SchoolScope) -> StoredReport | None:
    found = report_record(db, report_id, scope)
    if found is None:
        return None
    report = Report.model_validate(found.report) if found.status == "done" and found.report else None
    return StoredReport(
        found.report_id,
        found.status,
        found.error,
        found.school_name,
        found.platform,
        found.as_of,
        found.timezone,
        report,
        found.previous_summary,
    )
