"""Накопляемость and the control figures on planted journals, on SQLite and PostgreSQL (issue 16)."""

from __future__ import annotations

import pytest
from compliance_rows import Q1, Journal, school_days
from compliance_run import build, run

from edugateway.store.db import Database


def _pupil_with_marks_at(j: Journal, lessons: int, marked: tuple[int, ...], name: str = "Белова") -> None:
    """A pupil attending `lessons` lessons of a subject in the 1st quarter, marked at the 1-based `marked` ones."""
    cls, subj = j.klass("7В", 7), j.subject("История")
    pupil = j.person(name, "Анна")
    j.enroll(pupil, cls)
    days = school_days(Q1[0], lessons)
    for at, day in enumerate(days, start=1):
        lesson = j.lesson(day, cls, subj)
        if at in marked:
            j.mark(pupil, lesson, day)


@pytest.mark.parametrize(
    ("lessons", "marked", "gap"),
    [
        (15, (5, 10, 15), 4),  # four attended lessons without a mark before each: a finding
        (12, (4, 8, 12), None),  # a mark at every 4th lesson: exactly at the limit, not a finding
        (15, (4, 8, 12), None),  # and three lessons after the last one: still in time
        (16, (4, 8, 12), 4),  # the 4th lesson after the last mark passed without one
    ],
)
def test_accumulation_four_lessons_without_a_mark_are_a_finding(
    database: Database, lessons: int, marked: tuple[int, ...], gap: int | None
) -> None:
    """004 §4.2.4: учитель «отвечает за накопляемость отметок обучающимися, которая должна соответствовать
    „Инструкции по ведению классного журнала“ (п.6.5 -1 раз в 3-4 урока)». With accumulation_lessons = 4 the 4th
    attended lesson after a mark must carry one: four lessons in a row without a mark are a finding, three are not."""
    school_id = build(database, lambda j: _pupil_with_marks_at(j, lessons, marked))
    rows = run(database, school_id)[0]["compliance.mark_accumulation"].rows
    assert [r["gap"] for r in rows] == ([gap] if gap else [])


@pytest.mark.parametrize(("lessons", "found"), [(4, True), (3, False)])
def test_no_marks_in_as_many_lessons_as_the_limit_is_a_finding(database: Database, lessons: int, found: bool) -> None:
    """004 §4.2.4 «1 раз в 3-4 урока»: a pupil with no mark after 4 attended lessons missed the 4th lesson's mark
    (000 §3.4.8 names pupils «не имеющих отметок»); after 3 lessons the mark may still come."""
    school_id = build(database, lambda j: _pupil_with_marks_at(j, lessons, ()))
    sections = run(database, school_id)[0]
    assert [r["lessons"] for r in sections["compliance.student_no_marks"].rows] == ([lessons] if found else [])
    assert sections["compliance.mark_accumulation"].rows == []  # listed once


@pytest.mark.parametrize(("lessons", "found"), [(8, True), (7, False)])
def test_one_mark_in_twice_the_limit_is_a_finding(database: Database, lessons: int, found: bool) -> None:
    """004 §4.2.4 «1 раз в 3-4 урока»: 8 attended lessons need two marks (at the 4th and the 8th), so one mark in 8
    is a finding (000 §3.4.8 «обучающихся имеющих одну отметку»); one mark at the 4th of 7 lessons is in time."""
    school_id = build(database, lambda j: _pupil_with_marks_at(j, lessons, (4,)))
    sections = run(database, school_id)[0]
    assert [r["lessons"] for r in sections["compliance.student_one_mark"].rows] == ([lessons] if found else [])
    assert sections["compliance.mark_accumulation"].rows == []


def test_figures_are_the_shares_the_clauses_define(database: Database) -> None:
    """000 §3.4.8 (004 §3.5): контроль «содержащий процент участия в работе, процент обучающихся не имеющих
    отметок, процент обучающихся имеющих одну отметку». The shares are of every pupil × subject × period with
    attended lessons, whatever the finding thresholds: one mark in 8 lessons is counted, not shown as 0 %."""

    def fill(j: Journal) -> None:
        cls, subj, art = j.klass("7В", 7), j.subject("История"), j.subject("ИЗО")
        working, idle = j.person("Иванова", "Мария", roles="teacher"), j.person("Петров", "Пётр", roles="teacher")
        one, none, two = (j.person(n, "Анна") for n in ("Белова", "Волкова", "Громова"))
        for pupil in (one, none, two):
            j.enroll(pupil, cls)
        days = school_days(Q1[0], 3)  # fewer lessons than any finding threshold
        lessons = [j.lesson(day, cls, subj, working) for day in days]
        j.mark(one, lessons[0], days[0])
        j.mark(two, lessons[0], days[0])
        j.mark(two, lessons[1], days[1])
        j.lesson(days[0], cls, art, idle, topic=None, number=2)  # his lessons: no mark, no topic

    sections, figures = run(database, build(database, fill))
    assert sections["compliance.student_one_mark"].rows == []
    # History: one mark, no mark, two marks; ИЗО: three pupils without one.
    assert figures["compliance.one_mark_share"] == pytest.approx(round(1 / 6, 4))
    assert figures["compliance.no_marks_share"] == pytest.approx(round(4 / 6, 4))
    assert figures["compliance.teacher_participation_share"] == 0.5
