"""Issue 17 (raw work-type ids): the year's archived journal («Отметки», «Вид работы») names a Дневник.ру work
type by its title, «вид работы <id>» when the platform never listed it, and a work type the mark holds as text
as it is; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from edugateway.domain.models import WorkType
from edugateway.store.db import Database
from edugateway.store.tables import ClassRow, LessonRow, MarkRow, PersonRow, SchoolRow, SubjectRow
from edugateway.store.work_types import store_work_types
from edugateway.store.year_journal import JournalClass, marks

DAY = dt.date(2026, 10, 5)


def test_the_year_journal_shows_work_type_titles(database: Database) -> None:
    with database.session() as session:
        school = SchoolRow(code="s1", name="Школа № 1")
        session.add(school)
        session.flush()
        cls = ClassRow(school_id=school.id, source_id="c", name="5А", grade=5, academic_year=2026)
        subject = SubjectRow(school_id=school.id, source_id="m", name="Математика")
        pupil = PersonRow(school_id=school.id, source_id="p", roles="student", last_name="Иванова", first_name="Анна")
        session.add_all([cls, subject, pupil])
        session.flush()
        lesson = LessonRow(
            school_id=school.id, source_id="l", date=DAY, number=1, class_id=cls.id, subject_id=subject.id
        )
        session.add(lesson)
        session.flush()
        for n, work_type in enumerate(("4417", "4418", "Диктант", None)):
            kind = "lesson" if work_type is None else "work"
            session.add(
                MarkRow(
                    school_id=school.id,
                    source_id=f"k{n}",
                    person_id=pupil.id,
                    value="5",
                    kind=kind,
                    lesson_id=lesson.id,
                    work_type=work_type,
                    date=DAY,
                )
            )
        store_work_types(session, school.id, "dnevnik", [WorkType(id="4417", title="Контрольная работа")])
        session.flush()
        shown = [row[5] for row in marks(session, JournalClass(cls.id, "5А", 5, (cls.id,)))]
    assert shown == ["Контрольная работа", "вид работы 4418", "Диктант", None]
