"""The formulas and small rules of the summary sheet, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.archive.summary_sheet import (
    PeriodColumn,
    StudentLine,
    SubjectColumn,
    category,
    current_academic_year,
    period_results,
    short_name,
)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2026, 9, 1), 2026),
        (dt.date(2027, 6, 30), 2026),
        (dt.date(2027, 8, 31), 2026),
        (dt.date(2026, 1, 9), 2025),
    ],
)
def test_the_school_year_turns_over_on_1_september(day: dt.date, year: int) -> None:
    assert current_academic_year(day) == year


@pytest.mark.parametrize(("mark", "column"), [("5-", "5"), ("4+", "4"), ("1", "2"), ("Н/А", "Н/А"), ("зачёт", "зачёт")])
def test_a_mark_falls_in_its_count_column(mark: str, column: str) -> None:
    assert category(mark) == column


def test_short_names_take_initials_of_what_is_there() -> None:
    assert short_name("Иванова", "Мария", "Петровна") == "Иванова М. П."
    assert short_name("Ежов", "Глеб", None) == "Ежов Г."


def test_zachet_and_osv_are_neutral_and_nezachet_fails() -> None:
    subjects = [SubjectColumn(1, "А"), SubjectColumn(2, "Б"), SubjectColumn(3, "В")]
    period = PeriodColumn("p", "1 четверть")
    lines = [
        StudentLine(1, "a", {("p", 1): "5", ("p", 2): "зачёт", ("p", 3): "ОСВ"}),  # quality
        StudentLine(2, "b", {("p", 1): "4", ("p", 2): "незачёт"}),  # fails
        StudentLine(3, "c", {("p", 2): "зачёт"}),  # successful, but no numeric mark: not quality
        StudentLine(4, "d", {}),  # not assessed
    ]
    results = period_results(period, lines, subjects)
    assert (results.successful, results.quality, results.not_assessed) == (2, 1, 1)
    assert (results.success_percent, results.quality_percent) == (50.0, 25.0)
    assert (results.counts["зачёт"], results.counts["незачёт"], results.counts["нет отметки"]) == (2, 1, 6)


def test_a_class_without_students_has_no_percentages() -> None:
    results = period_results(PeriodColumn("p", "Год"), [], [SubjectColumn(1, "А")])
    assert (results.success_percent, results.quality_percent) == (None, None)
