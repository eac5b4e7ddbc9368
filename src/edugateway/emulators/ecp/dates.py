"""The calendar as ЕЦП shows it: school years named by their first calendar year ("2024" is 2024/2025), weeks
numbered from the first school week (pageNumber/weekNumber), dates with the school's UTC offset.

Week 1 is the week of the first weekday on or after 1 September: the captured schedule shows week 32 of
"2024" starting on 2025-04-07, so week 1 began on Monday 2024-09-02 (1 September 2024 was a Sunday).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

WEEKS_IN_YEAR = 52  # totalPages of the captured schedule reply
SCHOOL_DAYS = 6  # replies list Monday to Saturday; Sunday never appears
DAY_NAMES = ("Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота", "Воскресенье")


def school_year_of(day: dt.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def first_monday(year: int) -> dt.date:
    start = dt.date(year, 9, 1)
    if start.weekday() == 6:
        start += dt.timedelta(days=1)
    return start - dt.timedelta(days=start.weekday())


def week_number(day: dt.date, year: int) -> int:
    return (day - first_monday(year)).days // 7 + 1


def week_start(year: int, number: int) -> dt.date:
    return first_monday(year) + dt.timedelta(weeks=number - 1)


def clamp_week(number: int) -> int:
    return min(max(number, 1), WEEKS_IN_YEAR)


def local_midnight(day: dt.date, tz: ZoneInfo) -> str:
    """`2025-04-07T00:00:00.000+05:00`, the form every date in the replies takes."""
    return dt.datetime.combine(day, dt.time(), tz).isoformat(timespec="milliseconds")


def pagination(number: int) -> dict[str, object]:
    """`paginationData` of a week-paged reply: one week a page, the school year's weeks the pages."""
    return {
        "pageSize": 1,
        "pageNumber": number,
        "totalCount": WEEKS_IN_YEAR,
        "pageActionLink": None,
        "totalPages": WEEKS_IN_YEAR,
        "hasPreviousPage": number > 1,
        "hasNextPage": number < WEEKS_IN_YEAR,
        "pageNumberOutOfRange": not 1 <= number <= WEEKS_IN_YEAR,
    }
