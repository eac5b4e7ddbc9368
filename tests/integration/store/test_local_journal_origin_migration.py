"""Migration 0014 on both backends, over a database that already has a journal: the origin columns go down and
come back empty (a pulled row is not local), and no lesson, mark or attendance entry is lost on the way (on SQLite a
rebuilt lessons table would cascade to marks and attendance)."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import func, inspect, select, text

from edugateway.store.db import Database, _alembic_config
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


def _journal(database: Database) -> None:
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


def _counts(database: Database) -> tuple[int, int, int]:
    with database.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (LessonRow.__table__, MarkRow.__table__, AttendanceRow.__table__)
        )


def test_0014_adds_the_origin_columns_and_goes_down_and_up_keeping_the_journal(database: Database) -> None:
    _journal(database)
    config = _alembic_config(database.engine)

    command.downgrade(config, "0013")
    for table in ("lessons", "marks", "attendance"):
        assert "origin" not in {c["name"] for c in inspect(database.engine).get_columns(table)}
    assert _counts(database) == (1, 1, 1)

    command.upgrade(config, "0014")
    with database.engine.connect() as conn:
        for query in ("SELECT origin FROM lessons", "SELECT origin FROM marks", "SELECT origin FROM attendance"):
            assert conn.execute(text(query)).all() == [(None,)]
    assert _counts(database) == (1, 1, 1)
    command.upgrade(config, "head")
    database.require_current_schema()
