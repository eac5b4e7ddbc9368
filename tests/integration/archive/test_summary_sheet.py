"""The summary sheet read from the database: who is on it, in what order, which columns, and the class's numbers."""

from __future__ import annotations

import pytest

from edugateway.archive.summary_sheet import YEAR_KEY, ClassSheet, build_summary_sheet
from edugateway.errors import ValidationError
from edugateway.store.db import Database
from support.archive_school import CODE, EXPECTED_Q1, ORDER_5A, YEAR, add_archive_school


@pytest.fixture
def school_db(database: Database) -> Database:
    add_archive_school(database)
    return database


def _class(school_db: Database, name: str) -> ClassSheet:
    sheet = build_summary_sheet(school_db, CODE, YEAR)
    return next(c for c in sheet.classes if c.name == name)


def test_homeroom_classes_of_the_year_only(school_db: Database) -> None:
    sheet = build_summary_sheet(school_db, CODE, YEAR)
    assert [c.name for c in sheet.classes] == ["5А", "10А"]  # not the subgroup, not last year's 4А
    assert (sheet.school_name, sheet.year_title, sheet.students) == ("МАОУ СОШ № 42", "2026/2027", 4)


def test_students_in_journal_order_without_the_one_who_left(school_db: Database) -> None:
    cls = _class(school_db, "5А")
    assert [s.short_name for s in cls.students] == ORDER_5A
    assert [s.number for s in cls.students] == [1, 2, 3]


def test_columns_follow_the_finals_kind_and_the_subgroup_subject(school_db: Database) -> None:
    five = _class(school_db, "5А")
    assert [p.title for p in five.periods] == ["1 четверть", "2 четверть", "3 четверть", "4 четверть", "Год"]
    # English is taught only in the subgroup; its finals belong to the class's students.
    assert [s.name for s in five.subjects] == ["Английский язык", "Математика", "Русский язык"]
    ten = _class(school_db, "10А")
    assert [p.title for p in ten.periods] == ["1 полугодие", "2 полугодие", "Год"]
    assert [s.name for s in ten.subjects] == ["Математика", "Русский язык", "Физика"]


def test_marks_with_the_later_correction_and_gaps_empty(school_db: Database) -> None:
    cls = _class(school_db, "5А")
    q1 = cls.periods[0].key
    math, rus, eng = (
        next(s.id for s in cls.subjects if s.name == n) for n in ("Математика", "Русский язык", "Английский язык")
    )
    abramova, ezhov, elkin = cls.students
    assert [abramova.mark(q1, s) for s in (math, rus, eng)] == ["5", "5", "4"]
    assert [ezhov.mark(q1, s) for s in (math, rus, eng)] == ["3", "4", ""]
    assert [elkin.mark(q1, s) for s in (math, rus, eng)] == ["2", "4", "ОСВ"]
    assert abramova.mark(YEAR_KEY, math) == "5"
    assert ezhov.mark(YEAR_KEY, math) == ""


def test_the_first_quarters_counts_and_percentages(school_db: Database) -> None:
    q1 = _class(school_db, "5А").results[0]
    assert q1.period.title == "1 четверть"
    assert q1.students == 3
    assert q1.counts == EXPECTED_Q1["counts"]
    assert (q1.successful, q1.quality, q1.not_assessed) == (EXPECTED_Q1["successful"], EXPECTED_Q1["quality"], 0)
    assert (q1.success_percent, q1.quality_percent) == (EXPECTED_Q1["success_percent"], EXPECTED_Q1["quality_percent"])


def test_a_period_without_finals_counts_every_cell_missing_and_nobody_successful(school_db: Database) -> None:
    q2 = _class(school_db, "5А").results[1]
    assert q2.counts["нет отметки"] == 9
    assert (q2.successful, q2.quality, q2.not_assessed) == (0, 0, 3)
    assert (q2.success_percent, q2.quality_percent) == (0.0, 0.0)


def test_na_fails_the_student(school_db: Database) -> None:
    h1 = _class(school_db, "10А").results[0]
    assert (h1.counts["4"], h1.counts["Н/А"], h1.counts["нет отметки"]) == (1, 1, 1)  # no physics final
    assert (h1.successful, h1.success_percent, h1.quality_percent) == (0, 0.0, 0.0)


def test_an_unknown_school_is_refused(school_db: Database) -> None:
    with pytest.raises(ValidationError, match="school 'nope' is not in the database"):
        build_summary_sheet(school_db, "nope", YEAR)


def test_a_year_without_classes_is_an_empty_sheet(school_db: Database) -> None:
    assert build_summary_sheet(school_db, CODE, YEAR + 5).classes == []
