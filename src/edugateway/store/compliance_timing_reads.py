"""What the entry-time rules read: the platform's lessons with their homework's sent time and the end of their
class's school day, and the attendance entries of its lessons with the time they were entered.

Times come back as aware UTC; the rules (reconciliation/compliance_timing.py) judge them in the school's zone, so
no time-zone arithmetic is asked of SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from edugateway.store.compliance_reads import JournalScope, _lesson_filter
from edugateway.store.tables import AttendanceRow, ClassRow, LessonRow
from edugateway.store.times import as_utc

# A subgroup's lessons belong to its class's day: "после окончания занятий в данном конкретном классе" (001 §2.6).
_HOMEROOM = func.coalesce(ClassRow.parent_id, ClassRow.id)


@dataclass(frozen=True, slots=True)
class SentHomework:
    source_id: str
    date: dt.date
    number: int
    class_id: int
    subject_id: int
    teacher_id: int | None
    sent_at: dt.datetime  # UTC
    day_end: dt.datetime  # UTC: when the last lesson of the class (subgroups included) that day ended


def homework_with_day_end(session: Session, scope: JournalScope) -> list[SentHomework]:
    """The platform's lessons held by as_of (and in the span) whose homework has a sent time, each with the end of
    its class's last lesson that day; a lesson whose class day has no known end is left out."""
    where = _lesson_filter(scope, scope.as_of)
    ends = session.execute(
        select(_HOMEROOM, LessonRow.date, func.max(LessonRow.ends_at))
        .join(ClassRow, ClassRow.id == LessonRow.class_id)
        .where(*where, LessonRow.ends_at.is_not(None))
        .group_by(_HOMEROOM, LessonRow.date)
    )
    day_end = {(homeroom, day): as_utc(end) for homeroom, day, end in ends.tuples() if end is not None}
    sent = session.execute(
        select(
            LessonRow.source_id,
            LessonRow.date,
            LessonRow.number,
            LessonRow.class_id,
            LessonRow.subject_id,
            LessonRow.teacher_id,
            LessonRow.homework_sent_at,
            _HOMEROOM,
        )
        .join(ClassRow, ClassRow.id == LessonRow.class_id)
        .where(*where, LessonRow.homework_sent_at.is_not(None))
    )
    return [
        SentHomework(key, day, number, cls, subject, teacher, as_utc(at), day_end[(homeroom, day)])
        for key, day, number, cls, subject, teacher, at, homeroom in sent.tuples()
        if at is not None and (homeroom, day) in day_end
    ]


@dataclass(frozen=True, slots=True)
class EnteredAttendance:
    lesson: str  # the lesson's local key
    person_id: int
    code: str
    entered_at: dt.datetime  # UTC
    date: dt.date  # the lesson's
    number: int
    class_id: int
    subject_id: int
    teacher_id: int | None


def attendance_with_entry_time(session: Session, scope: JournalScope) -> list[EnteredAttendance]:
    """Attendance entries with an entry time, of the platform's lessons held by as_of (and in the span)."""
    rows = session.execute(
        select(
            LessonRow.source_id,
            AttendanceRow.person_id,
            AttendanceRow.code,
            AttendanceRow.entered_at,
            LessonRow.date,
            LessonRow.number,
            LessonRow.class_id,
            LessonRow.subject_id,
            LessonRow.teacher_id,
        )
        .join(LessonRow, LessonRow.id == AttendanceRow.lesson_id)
        .where(*_lesson_filter(scope, scope.as_of), AttendanceRow.entered_at.is_not(None))
    )
    return [
        EnteredAttendance(lesson, person, code, as_utc(at), day, number, cls, subject, teacher)
        for lesson, person, code, at, day, number, cls, subject, teacher in rows.tuples()
        if at is not None
    ]
