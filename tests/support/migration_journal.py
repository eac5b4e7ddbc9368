"""A database that already holds a journal, for migration tests: a migration that rebuilt the lessons table on
SQLite would cascade to marks and attendance, and these count what is left."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from edugateway.store.db import Database
from edugateway.store.tables import (
    AttendanceRow,
    ClassRow,
    LessonRow,
    MarkRow,
    PersonRow,
    SchoolRow,
    SubjectRow,
)

SENT = dt.datetime(2026, 10, 5, 11, 5, tzinfo=dt.UTC)


def plant_journal(database: Database) -> None:
    """A school with one lesson (its times set), one mark and one absence."""
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
            school_id=school.id,
            source_id="l",
            date=SENT.date(),
            number=1,
            class_id=cls.id,
            subject_id=subject.id,
            ends_at=SENT - dt.timedelta(hours=2),
            homework_sent_at=SENT,
        )
        session.add(lesson)
        session.flush()
        session.add(
            AttendanceRow(school_id=school.id, person_id=pupil.id, lesson_id=lesson.id, code="Н", entered_at=SENT)
        )
        session.add(
            MarkRow(
                school_id=school.id, source_id="k", person_id=pupil.id, value="5", kind="lesson", lesson_id=lesson.id
            )
        )
        session.commit()


def journal_counts(database: Database) -> tuple[int, int, int]:
    """How many lessons, marks and attendance entries the database holds."""
    with database.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (LessonRow.__table__, MarkRow.__table__, AttendanceRow.__table__)
        )
