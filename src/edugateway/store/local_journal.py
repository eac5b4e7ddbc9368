"""The school's own journal as stored (rows with origin = LOCAL_ORIGIN, store/journal_set.py), read back as
canonical records named by the roster's source ids: what the journal push wants on a platform."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import aliased

from edugateway.domain.models import Attendance, AttendanceCode, Lesson, Mark, MarkKind
from edugateway.store.db import Database
from edugateway.store.journal_set import LOCAL_ORIGIN
from edugateway.store.tables import (
    AttendanceRow,
    ClassRow,
    LessonRow,
    MarkRow,
    PersonRow,
    ReportingPeriodRow,
    SchoolRow,
    SubjectRow,
)


@dataclass(frozen=True)
class LocalJournal:
    lessons: list[Lesson] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)  # lesson and work marks, and finals
    attendance: list[Attendance] = field(default_factory=list)


def load_local_journal(db: Database, school_code: str) -> LocalJournal:
    """Every local lesson, mark and attendance entry of the school, sorted by key."""
    with db.session() as session:
        school_id = session.scalar(select(SchoolRow.id).where(SchoolRow.code == school_code))
        if school_id is None:
            return LocalJournal()
        lessons = [
            Lesson(
                id=row.source_id,
                date=row.date,
                number=row.number,
                class_id=class_key,
                subject_id=subject_key,
                topic=row.topic,
                homework=row.homework,
            )
            for row, class_key, subject_key in session.execute(
                select(LessonRow, ClassRow.source_id, SubjectRow.source_id)
                .join(ClassRow, ClassRow.id == LessonRow.class_id)
                .join(SubjectRow, SubjectRow.id == LessonRow.subject_id)
                .where(LessonRow.school_id == school_id, LessonRow.origin == LOCAL_ORIGIN)
                .order_by(LessonRow.source_id)
            )
        ]
        lesson = aliased(LessonRow)
        subject = aliased(SubjectRow)
        period = aliased(ReportingPeriodRow)
        marks = [
            Mark(
                id=row.source_id,
                person_id=person_key,
                value=row.value,
                kind=MarkKind(row.kind),
                lesson_id=lesson_key,
                subject_id=subject_key,
                period_id=period_key,
                work_type=row.work_type,
                weight=row.weight,
                date=row.date,
            )
            for row, person_key, lesson_key, subject_key, period_key in session.execute(
                select(MarkRow, PersonRow.source_id, lesson.source_id, subject.source_id, period.source_id)
                .join(PersonRow, PersonRow.id == MarkRow.person_id)
                .outerjoin(lesson, lesson.id == MarkRow.lesson_id)
                .outerjoin(subject, subject.id == MarkRow.subject_id)
                .outerjoin(period, period.id == MarkRow.period_id)
                .where(MarkRow.school_id == school_id, MarkRow.origin == LOCAL_ORIGIN)
                .order_by(MarkRow.source_id)
            )
        ]
        attendance = [
            Attendance(person_id=person_key, lesson_id=lesson_key, code=AttendanceCode(row.code))
            for row, person_key, lesson_key in session.execute(
                select(AttendanceRow, PersonRow.source_id, LessonRow.source_id)
                .join(PersonRow, PersonRow.id == AttendanceRow.person_id)
                .join(LessonRow, LessonRow.id == AttendanceRow.lesson_id)
                .where(AttendanceRow.school_id == school_id, AttendanceRow.origin == LOCAL_ORIGIN)
                .order_by(LessonRow.source_id, PersonRow.source_id)
            )
        ]
    return LocalJournal(lessons, marks, attendance)
