"""The words the XLSX, the printable HTML and the web page share, so every copy of a report reads the same."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from edugateway.school_reports.model import ColumnKind, SchoolReport, Value


def show_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def heading_lines(report: SchoolReport) -> list[tuple[str, str]]:
    """(label, value) lines of the report's heading."""
    return [
        ("Школа", f"{report.school_name} ({report.school_code})"),
        ("Отчёт за", report.subject),
        ("Дни журнала", f"{show_date(report.span[0])} – {show_date(report.span[1])}"),
        ("Основание", report.basis),
        ("Составлен", made_at(report)),
    ]


def made_at(report: SchoolReport) -> str:
    """«06.12.2026 08:30 (Asia/Yekaterinburg)»: the school's wall clock, its zone named."""
    try:
        zone: dt.tzinfo = ZoneInfo(report.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    local = report.generated_at.astimezone(zone)
    return f"{local:%d.%m.%Y %H:%M} ({getattr(zone, 'key', 'UTC')})"


def show(value: Value, kind: ColumnKind) -> str:
    """A value as printed: a decimal comma, nothing as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)
