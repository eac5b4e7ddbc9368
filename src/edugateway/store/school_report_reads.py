"""What the deputy director's reports of 004 §5 read: the school's journal over a span of days, aggregated.

Unlike the nightly compliance rules (store/compliance_reads.py) these read the school's whole journal, whichever
platform delivered it: the reports are about the school's journal, not about one platform's copy of it.
Sums are made in SQL; the percentages and the per-pupil judgements are the callers' (school_reports/).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from edugateway.domain.models import EnrollmentRole, MarkKind
from edugateway.store.school_year import FinalMark
from edugateway.store.tables import AttendanceRow, ClassRow, EnrollmentRow, LessonRow, MarkRow

Span = tuple[dt.date, dt.date]  # first and last day, both included
LESSON_MARK_KINDS = (MarkKind.LESSON.value, MarkKind.WORK.value)


@dataclass(frozen=True, slots=True)
class LessonFill:
    """The lessons one teacher held with one class (or subgroup) in one subject, and how they were filled in."""

    teacher_id: int | None
    class_id: int
    subject_id: int
    lessons: int
    with_topic: int
    with_homework: int


def lesson_fill(session: Session, school_id: int, span: Span) -> list[LessonFill]:
    """Per teacher, class and subject: the lessons dated in `span`, those with a topic and with homework."""

    def filled(column: InstrumentedAttribute[str | None]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((func.length(func.trim(func.coalesce(column, ""))) > 0, 1), else_=0)), 0)

    query = (
        select(
            LessonRow.teacher_id,
            LessonRow.class_id,
            LessonRow.subject_id,
            func.count(),
            filled(LessonRow.topic),
            filled(LessonRow.homework),
        )
        .where(LessonRow.school_id == school_id, LessonRow.date.between(*span))
        .group_by(LessonRow.teacher_id, LessonRow.class_id, LessonRow.subject_id)
    )
    return [LessonFill(*row) for row in session.execute(query).tuples()]


@dataclass(frozen=True, slots=True)
class PupilMarks:
    """How many lesson and work marks one pupil got at one teacher's lessons of a class and subject."""

    teacher_id: int | None
    class_id: int
    subject_id: int
    person_id: int
    marks: int


def pupil_marks(session: Session, school_id: int, span: Span) -> list[PupilMarks]:
    """Lesson and work marks at the lessons dated in `span`, counted per teacher, class, subject and pupil."""
    query = (
        select(LessonRow.teacher_id, LessonRow.class_id, LessonRow.subject_id, MarkRow.person_id, func.count())
        .join(LessonRow, LessonRow.id == MarkRow.lesson_id)
        .where(
            MarkRow.school_id == school_id,
            MarkRow.kind.in_(LESSON_MARK_KINDS),
            LessonRow.date.between(*span),
        )
        .group_by(LessonRow.teacher_id, LessonRow.class_id, LessonRow.subject_id, MarkRow.person_id)
    )
    return [PupilMarks(*row) for row in session.execute(query).tuples()]


def class_pupils(session: Session, school_id: int, span: Span) -> dict[int, set[int]]:
    """Class (or subgroup) row id -> the pupils with an active student enrollment in it during `span`."""
    query = (
        select(EnrollmentRow.class_id, EnrollmentRow.person_id)
        .join(ClassRow, ClassRow.id == EnrollmentRow.class_id)
        .where(
            ClassRow.school_id == school_id,
            EnrollmentRow.role == EnrollmentRole.STUDENT.value,
            EnrollmentRow.active.is_(True),
            (EnrollmentRow.start_date.is_(None)) | (EnrollmentRow.start_date <= span[1]),
            (EnrollmentRow.end_date.is_(None)) | (EnrollmentRow.end_date >= span[0]),
        )
    )
    pupils: dict[int, set[int]] = {}
    for class_id, person_id in session.execute(query).tuples():
        pupils.setdefault(class_id, set()).add(person_id)
    return pupils


@dataclass(frozen=True, slots=True)
class AttendanceCount:
    """How many of one pupil's lessons of one class (or subgroup) in the span carry one attendance code."""

    person_id: int
    class_id: int
    code: str
    lessons: int


def attendance_counts(session: Session, school_id: int, span: Span) -> list[AttendanceCount]:
    """Attendance marks at the lessons dated in `span`, counted per pupil, lesson's class and code."""
    query = (
        select(AttendanceRow.person_id, LessonRow.class_id, AttendanceRow.code, func.count())
        .join(LessonRow, and_(LessonRow.id == AttendanceRow.lesson_id))
        .where(AttendanceRow.school_id == school_id, LessonRow.date.between(*span))
        .group_by(AttendanceRow.person_id, LessonRow.class_id, AttendanceRow.code)
    )
    return [AttendanceCount(*row) for row in session.execute(query).tuples()]


def class_lessons(session: Session, school_id: int, span: Span) -> dict[int, int]:
    """Class (or subgroup) row id -> how many lessons it had in `span`."""
    query = (
        select(LessonRow.class_id, func.count())
        .where(LessonRow.school_id == school_id, LessonRow.date.between(*span))
        .group_by(LessonRow.class_id)
    )
    return dict(session.execute(query).tuples().all())


def finals_of(session: Session, school_id: int, kind: str, period_ids: Collection[int]) -> list[FinalMark]:
    """The school's finals of `kind` (period_final or year_final) filed under these periods, with a subject,
    oldest first (undated ones first), so a later correction wins. Columns only: a year holds tens of thousands."""
    if not period_ids:
        return []
    query = (
        select(MarkRow.person_id, MarkRow.subject_id, MarkRow.period_id, MarkRow.kind, MarkRow.value)
        .where(
            MarkRow.school_id == school_id,
            MarkRow.kind == kind,
            MarkRow.period_id.in_(list(period_ids)),
            MarkRow.subject_id.is_not(None),
        )
        .order_by(MarkRow.date.is_(None).desc(), MarkRow.date, MarkRow.id)
    )
    return [FinalMark(*row) for row in session.execute(query).tuples()]
