"""Lesson marks changed or added «задним числом», from what the syncs saw, on SQLite and PostgreSQL (issue 16)."""

from __future__ import annotations

import datetime as dt

import pytest
from compliance_rows import Journal
from compliance_run import build, run
from sqlalchemy import update

from edugateway.config.settings import DnevnikSettings
from edugateway.store.db import Database
from edugateway.store.tables import LessonRow, MarkRow, SchoolRow

LESSON_DAY = dt.date(2026, 10, 5)  # a Monday
UTC = dt.UTC


def night(days_after_lesson: int, hour: int = 23) -> dt.datetime:
    """A sync's moment, `days_after_lesson` after the lesson, in UTC (23:00 UTC is 02:00 next day in Moscow)."""
    return dt.datetime.combine(LESSON_DAY + dt.timedelta(days=days_after_lesson), dt.time(hour), UTC)


@pytest.fixture
def planted(database: Database) -> int:
    def fill(j: Journal) -> None:
        j.session.execute(update(SchoolRow).where(SchoolRow.id == j.school_id).values(timezone="UTC"))
        cls, subj = j.klass("8А", 8), j.subject("Физика")
        teacher = j.person("Иванова", "Мария", "Петровна", roles="teacher")
        a, b, c, d = (j.person(n, "Олег") for n in ("Антонов", "Борисов", "Васин", "Глебов"))
        for pupil in (a, b, c, d):
            j.enroll(pupil, cls)
        lesson = j.lesson(LESSON_DAY, cls, subj, teacher)
        j.first_seen(LessonRow, j.lesson_key(lesson), night(1))  # seen the night after, past the deadline
        changed = j.mark(a, lesson, LESSON_DAY, value="3")  # seen then, changed a week later: a finding
        j.first_seen(MarkRow, changed, night(1))
        j.mark_changed(changed, "3", "5", night(8))
        fixed = j.mark(b, lesson, LESSON_DAY, value="2")  # seen on the lesson day, changed by the next night:
        j.first_seen(MarkRow, fixed, night(0, hour=15))  # it may have been fixed within the day (§3.3.10)
        j.mark_changed(fixed, "2", "4", night(1))
        backdated = j.mark(c, lesson, LESSON_DAY, value="4")  # absent when the lesson was seen, dated the lesson day
        j.first_seen(MarkRow, backdated, night(6))
        late = j.mark(d, lesson, LESSON_DAY + dt.timedelta(days=6))  # dated late: the late-mark rule's finding
        j.first_seen(MarkRow, late, night(6))

    return build(database, fill)


def test_marks_changed_or_added_after_the_deadline_are_found(database: Database, planted: int) -> None:
    """000 §3.3.9: «запрещается исправление отметок, записей и выставление отметок задним числом»; §3.3.10: «замена
    ошибочно поставленной отметки или записи в уже проведенном занятии должна быть проведена незамедлительно при
    обнаружении ошибки». With the mark due on the lesson day, a change of a value already seen after that day, and
    a mark dated the lesson day that appeared after the lesson was seen without it, are findings; a change seen by
    the first sync after the deadline (it may have been made on the day) is not."""
    rows = run(database, planted)[0]["compliance.lesson_mark_changed_late"].rows
    assert [(r["student"], r["old_value"], r["value"], r["seen"], r["how"], r["teacher"]) for r in rows] == [
        ("Антонов О.", "3", "5", night(8).date().isoformat(), "изменена после срока", "Иванова М. П."),
        ("Васин О.", "", "4", night(6).date().isoformat(), "выставлена задним числом", "Иванова М. П."),
    ]


def test_a_change_within_the_platforms_deadline_is_not_found(database: Database, planted: int) -> None:
    """ЕЦП allows marks within 7 days (000 §3.3.2): a value seen on day 1 and changed by day 8 is a finding only
    where the deadline had passed when the old value was seen."""
    week = DnevnikSettings(base_url="http://x/", compliance={"mark_deadline_days": 7})
    assert run(database, planted, week)[0]["compliance.lesson_mark_changed_late"].rows == []


def test_changes_seen_before_the_span_are_not_reported_again(database: Database, planted: int) -> None:
    span = (night(9).date(), night(9).date())
    assert run(database, planted, span=span, as_of=span[1])[0]["compliance.lesson_mark_changed_late"].rows == []


@pytest.mark.parametrize(("zone", "found"), [("Asia/Yekaterinburg", True), ("UTC", False)])
def test_the_deadline_is_the_schools_local_day(database: Database, zone: str, found: bool) -> None:
    """A night's sync at 02:00 in Yekaterinburg is 21:00 UTC of the lesson day: the value it saw was seen after the
    lesson day (000 §3.3.9), so a later change is a finding there; at 21:00 in a UTC school it is not."""

    def fill(j: Journal) -> None:
        j.session.execute(update(SchoolRow).where(SchoolRow.id == j.school_id).values(timezone=zone))
        cls, subj = j.klass("8А", 8), j.subject("Физика")
        pupil = j.person("Антонов", "Олег")
        j.enroll(pupil, cls)
        lesson = j.lesson(LESSON_DAY, cls, subj)
        key = j.mark(pupil, lesson, LESSON_DAY, value="3")
        j.first_seen(MarkRow, key, night(0, hour=21))
        j.mark_changed(key, "3", "5", night(5))

    rows = run(database, build(database, fill))[0]["compliance.lesson_mark_changed_late"].rows
    assert [r["value"] for r in rows] == (["5"] if found else [])
