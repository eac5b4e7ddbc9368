"""The school calendar as ЕЦП pages it: school years named by their first calendar year ("2024" is 2024/25),
one week a page, week 1 the week of the first weekday on or after 1 September.

Inferred from the captured schedule reply (tests/fixtures/ecp/, docs/platforms/ecp.md): week 32 of "2024" began on
Monday 2025-04-07, so week 1 began on Monday 2024-09-02 (1 September 2024 was a Sunday). The connector checks
every reply's `beginDate` against this rule and refuses to guess when they differ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from edugateway.connectors.base import DateRange

WEEKS_IN_YEAR = 52  # totalPages of the captured reply


def school_year_of(day: dt.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def first_monday(year: int) -> dt.date:
    start = dt.date(year, 9, 1)
    if start.weekday() == 6:  # a Sunday 1 September: school starts on Monday the 2nd
        start += dt.timedelta(days=1)
    return start - dt.timedelta(days=start.weekday())


@dataclass(frozen=True)
class Week:
    school_year: int
    number: int

    @property
    def monday(self) -> dt.date:
        return first_monday(self.school_year) + dt.timedelta(weeks=self.number - 1)


def week_of(day: dt.date) -> Week:
    year = school_year_of(day)
    return Week(year, (day - first_monday(year)).days // 7 + 1)


def weeks_in(span: DateRange) -> Iterator[Week]:
    """Every page a range touches, in order, each once; days outside a school year's pages are left out.
    Day by day: a week that straddles 1 September belongs to two school years."""
    seen: set[Week] = set()
    for offset in range(span.days):
        week = week_of(span.start + dt.timedelta(days=offset))
        if week not in seen and 1 <= week.number <= WEEKS_IN_YEAR:
            seen.add(week)
            yield week
