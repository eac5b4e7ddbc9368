"""Dates as Дневник writes them (naive local ISO) and reads them (leniently: clients send every form)."""

from __future__ import annotations

import datetime as dt
import re

from edugateway.emulators.dnevnik.errors import ApiError

MAX_RANGE_DAYS = 30  # clients chunk marks and attendance into 30-day windows; the server is believed to cap it

# 2024-09-01, 2024-9-1T9:5:0, 2024-09-01 08:30:00.123456, 2024-09-01T08:30:00Z, …+03:00
_LENIENT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_datetime(value: str, name: str) -> dt.datetime:
    """Any date or datetime form a client sends, as a naive local datetime (an offset is dropped, not applied)."""
    match = _LENIENT.match(value.strip())
    if not match:
        raise ApiError.parameter(name, f"'{value}' не является датой")
    year, month, day, hour, minute, second, fraction = match.groups()[:7]
    micro = int((fraction or "0").ljust(6, "0")[:6])
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro)
    except ValueError as exc:
        raise ApiError.parameter(name, f"'{value}' не является датой") from exc


def parse_range(start: str | None, end: str | None, start_name: str, end_name: str) -> tuple[dt.date, dt.date]:
    """An inclusive date range of at most MAX_RANGE_DAYS days, or the parameterInvalid error."""
    if not start:
        raise ApiError.parameter(start_name, "параметр обязателен")
    if not end:
        raise ApiError.parameter(end_name, "параметр обязателен")
    first = parse_datetime(start, start_name).date()
    last = parse_datetime(end, end_name).date()
    if last < first:
        raise ApiError.parameter(end_name, "дата окончания периода раньше даты начала")
    if (last - first).days > MAX_RANGE_DAYS:
        raise ApiError.parameter(end_name, f"период не может превышать {MAX_RANGE_DAYS} дней")
    return first, last


def fmt(value: dt.datetime | dt.date) -> str:
    """`YYYY-MM-DDTHH:MM:SS`, no offset, as every Дневник payload writes datetimes."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def fmt_ms(value: dt.datetime) -> str:
    """`createdDate` style: with milliseconds, e.g. 2019-09-15T16:35:53.853."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}"


def day_of(stored: str | None) -> dt.date | None:
    """The date part of a stored datetime string."""
    return dt.date.fromisoformat(stored[:10]) if stored else None
