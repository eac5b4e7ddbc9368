"""The class journal of one school year as the archive keeps it (000 §3.1.16, 004 §5.4; archive/render_journal.py
writes it): per homeroom class (its subgroups' lessons included) the lessons with topic and homework, the marks,
the finals and the attendance.

Each table is read as a stream of plain tuples (`yield_per`), so a large school's year passes through memory one
batch at a time on its way to the file; nothing is built whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from edugateway.domain.models import EnrollmentRole, MarkKind, ReportingPeriodKind
from edugateway.domain.person_names import short_name
from edugateway.store.tables import (
    AttendanceRow,
    ClassRow,
    EnrollmentRow,
    LessonRow,
    MarkRow,
    PersonRow,
    ReportingPeriodRow,
    SubjectRow,
)
from edugateway.store.work_types import shown_work_type, work_type_titles

_BATCH = 2000
_FINALS = (MarkKind.PERIOD_FINAL.value, MarkKind.YEAR_FINAL.value)

Cell = str | int | dt.date | None


@dataclass(frozen=True)
class JournalClass:
    id: int
    name: str
    grade: int
    class_ids: tuple[int, ...]  # the class and its subgroups


def journal_classes(session: Session, school_id: int, academic_year: int) -> list[JournalClass]:
    """The year's active homeroom classes in grade and name order, each with its subgroups."""
    rows = session.execute(
        select(ClassRow.id, ClassRow.name, ClassRow.grade, ClassRow.parent_id).where(
            ClassRow.school_id == school_id, ClassRow.academic_year == academic_year, ClassRow.active
        )
    ).tuples()
    classes = list(rows)
    children: dict[int, list[int]] = {}
    for cid, _name, _grade, parent in classes:
        if parent is not None:
            children.setdefault(parent, []).append(cid)
    homerooms = sorted((c for c in classes if c[3] is None), key=lambda c: (c[2], c[1], c[0]))
    return [JournalClass(cid, name, grade, (cid, *sorted(children.get(cid, ())))) for cid, name, grade, _ in homerooms]


def _name(last: str | None, first: str | None, middle: str | None) -> str | None:
    return short_name(last, first or "", middle) if last else None  # a lesson without a linked teacher


def _stream(session: Session, query: Select[Any]) -> Iterator[Any]:
    yield from session.execute(query.execution_options(yield_per=_BATCH))


def _student() -> Any:
    return aliased(PersonRow, name="student")


LESSON_HEADERS = ("Дата", "№ урока", "Предмет", "Группа", "Учитель", "Тема урока", "Домашнее задание")


def lessons(session: Session, cls: JournalClass) -> Iterator[tuple[Cell, ...]]:
    """Every lesson of the class and its subgroups by date and number; «Группа» names a subgroup's lesson."""
    teacher = aliased(PersonRow, name="teacher")
    query = (
        select(
            LessonRow.date,
            LessonRow.number,
            SubjectRow.name,
            ClassRow.name,
            teacher.last_name,
            teacher.first_name,
            teacher.middle_name,
            LessonRow.topic,
            LessonRow.homework,
        )
        .join(SubjectRow, SubjectRow.id == LessonRow.subject_id)
        .join(ClassRow, ClassRow.id == LessonRow.class_id)
        .outerjoin(teacher, teacher.id == LessonRow.teacher_id)
        .where(LessonRow.class_id.in_(cls.class_ids))
        .order_by(LessonRow.date, LessonRow.number, SubjectRow.name, LessonRow.id)
    )
    for day, number, subject, group, last, first, middle, topic, homework in _stream(session, query):
        yield day, number, subject, None if group == cls.name else group, _name(last, first, middle), topic, homework


MARK_HEADERS = ("Дата урока", "№ урока", "Предмет", "Обучающийся", "Отметка", "Вид работы", "Вес", "Дата отметки")


def marks(session: Session, cls: JournalClass) -> Iterator[tuple[Cell, ...]]:
    """The marks of the class's lessons (for the lesson and for a work), by lesson, then student."""
    student = _student()
    titles = work_type_titles()
    query = (
        select(
            LessonRow.date,
            LessonRow.number,
            SubjectRow.name,
            student.last_name,
            student.first_name,
            student.middle_name,
            MarkRow.value,
            MarkRow.work_type,
            titles.c.title,
            MarkRow.weight,
            MarkRow.date,
        )
        .join(LessonRow, LessonRow.id == MarkRow.lesson_id)
        .join(SubjectRow, SubjectRow.id == LessonRow.subject_id)
        .join(student, student.id == MarkRow.person_id)
        .outerjoin(titles, (titles.c.school_id == MarkRow.school_id) & (titles.c.remote_id == MarkRow.work_type))
        .where(LessonRow.class_id.in_(cls.class_ids), MarkRow.kind.not_in(_FINALS))
        .order_by(LessonRow.date, LessonRow.number, SubjectRow.name, student.last_name, student.first_name, MarkRow.id)
    )
    for day, number, subject, last, first, middle, value, work, title, weight, marked in _stream(session, query):
        shown = shown_work_type(work, title) or None
        yield day, number, subject, _name(last, first, middle), mark_value(value), shown, weight, marked


FINAL_HEADERS = ("Обучающийся", "Предмет", "Период", "Отметка", "Дата отметки")


def finals(session: Session, cls: JournalClass, academic_year: int) -> Iterator[tuple[Cell, ...]]:
    """The period and year finals of the year of every student ever enrolled in the class that year (one who
    left keeps the finals set while they were in it), by student, subject and period; a correction follows the
    mark it corrected, as the platform recorded both."""
    student = _student()
    enrolled = (
        select(EnrollmentRow.person_id)
        .where(EnrollmentRow.class_id == cls.id, EnrollmentRow.role == EnrollmentRole.STUDENT.value)
        .scalar_subquery()
    )
    query = (
        select(
            student.last_name,
            student.first_name,
            student.middle_name,
            SubjectRow.name,
            ReportingPeriodRow.name,
            MarkRow.value,
            MarkRow.date,
        )
        .join(student, student.id == MarkRow.person_id)
        .join(SubjectRow, SubjectRow.id == MarkRow.subject_id)
        .join(ReportingPeriodRow, ReportingPeriodRow.id == MarkRow.period_id)
        .where(
            MarkRow.kind.in_(_FINALS),
            MarkRow.person_id.in_(enrolled),
            ReportingPeriodRow.academic_year == academic_year,
        )
        .order_by(
            student.last_name,
            student.first_name,
            student.id,
            SubjectRow.name,
            ReportingPeriodRow.kind == ReportingPeriodKind.YEAR.value,  # the year's final after its terms'
            ReportingPeriodRow.start_date,
            ReportingPeriodRow.end_date,
            MarkRow.date.is_(None).desc(),
            MarkRow.date,
            MarkRow.id,
        )
    )
    for last, first, middle, subject, period, value, marked in _stream(session, query):
        yield _name(last, first, middle), subject, period, mark_value(value), marked


ATTENDANCE_HEADERS = ("Дата урока", "№ урока", "Предмет", "Обучающийся", "Отметка", "Опоздание, мин")


def attendance(session: Session, cls: JournalClass) -> Iterator[tuple[Cell, ...]]:
    """The attendance marks (Н, У, Б, ОП) of the class's lessons, by lesson, then student."""
    student = _student()
    query = (
        select(
            LessonRow.date,
            LessonRow.number,
            SubjectRow.name,
            student.last_name,
            student.first_name,
            student.middle_name,
            AttendanceRow.code,
            AttendanceRow.minutes_late,
        )
        .join(LessonRow, LessonRow.id == AttendanceRow.lesson_id)
        .join(SubjectRow, SubjectRow.id == LessonRow.subject_id)
        .join(student, student.id == AttendanceRow.person_id)
        .where(LessonRow.class_id.in_(cls.class_ids))
        .order_by(LessonRow.date, LessonRow.number, SubjectRow.name, student.last_name, student.first_name)
    )
    for day, number, subject, last, first, middle, code, late in _stream(session, query):
        yield day, number, subject, _name(last, first, middle), code, late


def mark_value(value: str) -> str | int:
    """A plain digit mark as a number (a spreadsheet averages it); «5-», «Н/А», «зачёт» stay text."""
    return int(value) if value.isdigit() else value


def keeps_year(session: Session, school_id: int, academic_year: int) -> bool:
    """Whether the database holds any class of the school year (else there is nothing of it to archive)."""
    found = session.scalar(
        select(ClassRow.id).where(ClassRow.school_id == school_id, ClassRow.academic_year == academic_year).limit(1)
    )
    return found is not None
