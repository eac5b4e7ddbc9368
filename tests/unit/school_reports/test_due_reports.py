"""Which reports a scheduled run writes: 004 §5.2 «ежемесячно» (the month before the run) and §5.3 «в конце
учебного периода и года» (the periods that ended last before the run, and the year with its last one)."""

from __future__ import annotations

import datetime as dt

from edugateway.school_reports.service import periods_just_ended, previous_month
from edugateway.store.school_year import YearPeriod

Q1 = YearPeriod(1, "1 четверть", "quarter", dt.date(2026, 9, 1), dt.date(2026, 10, 26))
H1 = YearPeriod(2, "1 полугодие", "half", dt.date(2026, 9, 1), dt.date(2026, 12, 28))
Q2 = YearPeriod(3, "2 четверть", "quarter", dt.date(2026, 11, 5), dt.date(2026, 12, 28))
Q4 = YearPeriod(4, "4 четверть", "quarter", dt.date(2027, 4, 1), dt.date(2027, 5, 31))
YEAR = YearPeriod(5, "Год", "year", dt.date(2026, 9, 1), dt.date(2027, 5, 31))
PERIODS = [Q1, H1, Q2, Q4, YEAR]


def test_the_month_before_the_run() -> None:
    assert previous_month(dt.date(2026, 12, 1)) == "2026-11"
    assert previous_month(dt.date(2027, 1, 15)) == "2026-12"


def test_the_periods_that_ended_last_before_the_run() -> None:
    assert periods_just_ended(PERIODS, dt.date(2026, 10, 26)) == []  # the last day of the quarter is not over yet
    assert periods_just_ended(PERIODS, dt.date(2026, 10, 27)) == ["1 четверть"]
    assert periods_just_ended(PERIODS, dt.date(2026, 12, 29)) == ["1 полугодие", "2 четверть"]
    assert periods_just_ended(PERIODS, dt.date(2027, 6, 1)) == ["4 четверть", None]  # None: the year's report


def test_without_a_year_period_the_last_term_brings_the_year() -> None:
    assert periods_just_ended([Q1, Q4], dt.date(2027, 6, 1)) == ["4 четверть", None]
