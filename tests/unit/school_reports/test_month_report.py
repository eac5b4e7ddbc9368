"""The monthly report of 004 §5.2 on a hand-built journal, on SQLite and PostgreSQL.

004 §5.2: «Отчет о заполнении электронного журнала и накопляемости отметок создается ежемесячно и по итогам
учебного года.» 004 §4.2.4: the teacher «отвечает за накопляемость отметок обучающимися … (п.6.5 - 1 раз в 3-4
урока)». 000 §3.4.8: the deputy's control «содержащий процент участия в работе процент обучающихся не имеющих
отметок процент обучающихся имеющих одну отметку запись домашнего задания учет пройденного учебного материала».
"""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.errors import ValidationError
from edugateway.school_reports import month_report
from edugateway.school_reports.month import parse_month
from edugateway.store.db import Database
from unit.reconciliation.compliance_rows import Journal

NOV = [dt.date(2026, 11, d) for d in (2, 3, 4, 5)]


def _plant(db: Database, *, first_grade: bool = False) -> None:
    with db.session() as session:
        j = Journal.start(session)
        if first_grade:  # a 1st class, taught without marks: 2 pupils, 4 lessons, no mark at all
            first = j.klass("1А", 1)
            reading = j.subject("Литературное чтение")
            for last in ("Жукова", "Зайцева"):
                j.enroll(j.person(last, "Ирина"), first)
            for day in NOV:
                j.lesson(day, first, reading, None, topic="Звуки и буквы", homework="с. 5")
        teacher = j.person("Петрова", "Анна", "Борисовна", roles="teacher")
        klass = j.klass("5А", 5)
        math = j.subject("Математика")
        a, b, c = (j.person(last, "Ирина") for last in ("Абрамова", "Белова", "Волкова"))
        gone = j.person("Громова", "Ольга")
        for pupil in (a, b, c):
            j.enroll(pupil, klass)
        j.enroll(gone, klass, end=dt.date(2026, 10, 15))
        topics = ["Дроби", "Дроби", None, "Проценты"]  # one lesson without its topic
        homework = ["№ 1–5", None, "  ", "№ 7"]  # a blank homework is no homework
        lessons = [
            j.lesson(day, klass, math, teacher, topic=t, homework=h)
            for day, t, h in zip(NOV, topics, homework, strict=True)
        ]
        j.mark(a, lessons[0], NOV[0])
        j.mark(a, lessons[2], NOV[2], value="4", kind="work")
        j.mark(b, lessons[1], NOV[1], value="3")
        # A period final given in November is not a current mark.
        j.mark(c, None, NOV[3], value="4", kind="period_final", subject_id=math, period_id=j.period_id)
        october = j.lesson(dt.date(2026, 10, 5), klass, math, teacher, topic="Повторение")
        j.mark(c, october, dt.date(2026, 10, 5))
        # Another month's lesson outside the school year's span would not count; December is after the month.
        j.lesson(dt.date(2026, 12, 1), klass, math, teacher)


def test_month_figures_per_teacher_class_and_subject(database: Database) -> None:
    """Lessons held, with topic, with homework, marks, pupils without / with one mark, накопляемость against «1 раз
    в 3–4 урока» (4 lessons × 3 pupils / 3 marks = 4,0: exactly at the norm is within it)."""
    _plant(database)
    report = month_report(database, "s1", "2026-11", now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert report.span == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    [row] = report.table("fill_month").rows
    assert row == {
        "teacher": "Петрова А. Б.",
        "class": "5А",
        "subject": "Математика",
        "lessons": 4,
        "with_topic": 3,
        "topic_percent": 75.0,
        "with_homework": 2,
        "homework_percent": 50.0,
        "marks": 3,
        "pupils": 3,  # the pupil who left in October is not on November's list
        "unmarked": 1,
        "unmarked_percent": 33.3,
        "one_mark": 1,
        "one_mark_percent": 33.3,
        "lessons_per_mark": 4.0,
        "norm": "да",
    }


def test_year_to_date_counts_from_the_first_period_to_the_month_end(database: Database) -> None:
    """«и по итогам учебного года»: from the school year's first day (1 September, the first quarter's start) to
    the month's last day; the pupil who left in October is on the year's list, the December lesson is not counted."""
    _plant(database)
    report = month_report(database, "s1", "2026-11")
    [row] = report.table("fill_year").rows
    assert (row["lessons"], row["marks"], row["pupils"], row["unmarked"], row["one_mark"]) == (5, 4, 4, 1, 2)
    assert row["lessons_per_mark"] == 5.0
    assert row["norm"] == "нет"
    figures = {r["figure"]: (r["month"], r["year"]) for r in report.table("figures").rows}
    assert figures["Участие учителей в работе с журналом"] == (100.0, 100.0)
    assert figures["Обучающихся без отметок (по предметам)"] == (33.3, 25.0)
    assert figures["Уроков с домашним заданием"] == (50.0, 40.0)
    [teacher] = report.table("teachers_month").rows
    assert teacher["teacher"] == "Петрова А. Б."
    assert teacher["below_norm"] == 0


def test_a_month_without_lessons_says_so_and_has_no_empty_tables(database: Database) -> None:
    _plant(database)
    report = month_report(database, "s1", "2026-08")
    assert [t.key for t in report.tables] == ["figures"]
    assert report.notes[0] == "За август 2026 г. в журнале школы нет уроков."


def test_a_wrong_month_or_school_is_one_line_saying_what_to_write(database: Database) -> None:
    with pytest.raises(ValidationError, match=r"form YYYY-MM, e\.g\. 2026-11"):
        parse_month("2026-13")
    with pytest.raises(ValidationError, match="school 'nope' is not in the database"):
        month_report(database, "nope", "2026-11")


def test_a_first_class_taught_without_marks_is_no_mark_finding(database: Database) -> None:
    """The first grade is taught without marks (marked_from_grade = 2): its lessons count for the filling of the
    journal, but its pupils «без отметок» are no finding, its накопляемость is «без отметок», and the control
    figures' mark shares are over the classes taught with marks only."""
    _plant(database, first_grade=True)
    report = month_report(database, "s1", "2026-11", now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    rows = {r["class"]: r for r in report.table("fill_month").rows}
    first = rows["1А"]
    assert (first["lessons"], first["with_topic"], first["pupils"]) == (4, 4, 2)
    assert (first["unmarked"], first["unmarked_percent"], first["lessons_per_mark"]) == (0, None, None)
    assert first["norm"] == "без отметок"
    figures = {r["figure"]: r["month"] for r in report.table("figures").rows}
    assert figures["Обучающихся без отметок (по предметам)"] == rows["5А"]["unmarked_percent"]
