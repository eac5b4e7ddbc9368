"""A summary sheet built by hand (no database): two classes, one with a name that needs escaping."""

from __future__ import annotations

import pytest

from edugateway.archive.summary_sheet import (
    YEAR_KEY,
    ClassSheet,
    PeriodColumn,
    StudentLine,
    SubjectColumn,
    SummarySheet,
    period_results,
)


def class_sheet(name: str, students: list[StudentLine], subjects: list[SubjectColumn]) -> ClassSheet:
    periods = [PeriodColumn("1", "1 полугодие"), PeriodColumn("2", "2 полугодие"), PeriodColumn(YEAR_KEY, "Год")]
    return ClassSheet(name, 9, periods, subjects, students, [period_results(p, students, subjects) for p in periods])


@pytest.fixture
def sheet() -> SummarySheet:
    math, rus = SubjectColumn(1, "Математика"), SubjectColumn(2, "Русский <язык>")
    students = [
        StudentLine(1, "Абрамова В. П.", {("1", 1): "5", ("1", 2): "4", (YEAR_KEY, 1): "5"}),
        StudentLine(2, "О'Нил <Б.>", {("1", 1): "2", ("1", 2): "Н/А"}),
    ]
    return SummarySheet(
        "sch1",
        "МБОУ «СОШ № 1» & Ко",
        2026,
        [class_sheet("9А", students, [math, rus]), class_sheet("9Б", [], [])],
    )
