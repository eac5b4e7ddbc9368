"""`edugateway reports month|period`: the deputy director's reports of 004 §5, written as XLSX and printable
HTML to <reports_dir>/<school>/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edugateway.cli._context import fail, state
from edugateway.errors import GatewayError


def report_month(
    ctx: typer.Context,
    school: Annotated[str, typer.Option("--school", help="the school's code")],
    month: Annotated[str, typer.Option("--month", help="the calendar month, YYYY-MM (e.g. 2026-11)")],
) -> None:
    """The monthly report of the journal's filling and накопляемость of marks (004 §5.2): per teacher, class and
    subject, for the month and for the school year up to its end. Exit 0: written; 2: refused or failed."""
    from edugateway.school_reports.service import write_month_report

    st = state(ctx)
    try:
        written = write_month_report(st.settings, st.database(), school, month)
    except GatewayError as exc:
        raise fail(exc) from exc
    except OSError as exc:
        raise fail(f"cannot write the report: {exc}") from exc
    _print(written.report.title, written.report.subject, written.files)


def report_period(
    ctx: typer.Context,
    school: Annotated[str, typer.Option("--school", help="the school's code")],
    period: Annotated[
        str | None, typer.Option("--period", help='a reporting period\'s name, e.g. "2 четверть"', show_default=False)
    ] = None,
    year: Annotated[bool, typer.Option("--year", help="the report of the whole school year")] = False,
    academic_year: Annotated[
        int | None,
        typer.Option(
            "--academic-year", min=2000, max=2100, help="the year the school year starts (default: the current one)"
        ),
    ] = None,
) -> None:
    """The progress and attendance report (004 §5.3) of a reporting period (--period) or of the year (--year):
    успеваемость and качество per class and subject, Н/У/Б per pupil and class. Exit 0: written; 2: refused."""
    from edugateway.school_reports.service import write_period_report

    if (period is None) == (not year):
        raise fail('give either --period NAME (e.g. --period "2 четверть") or --year')
    st = state(ctx)
    try:
        written = write_period_report(st.settings, st.database(), school, period, academic_year=academic_year)
    except GatewayError as exc:
        raise fail(exc) from exc
    except OSError as exc:
        raise fail(f"cannot write the report: {exc}") from exc
    _print(written.report.title, written.report.subject, written.files)


def _print(title: str, subject: str, files: dict[str, Path]) -> None:
    typer.echo(f"{title}, {subject}:")
    for fmt, path in files.items():
        typer.echo(f"{fmt}: {path}")
