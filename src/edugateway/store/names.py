"""Names a report shows instead of ids, by local key (source_id): persons, classes, subjects, reporting periods,
the homeroom class of each pupil, and lessons (looked up only for the keys asked for, since they are many).
The compliance rules' rows point at row ids instead: the `…_by_id` reads look those up, only the ids asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from edugateway.store.batches import chunks
from edugateway.store.tables import ClassRow, EnrollmentRow, LessonRow, PersonRow, ReportingPeriodRow, SubjectRow


@dataclass(frozen=True, slots=True)
class PersonName:
    key: str
    last_name: str
    first_name: str
    middle_name: str | None


@dataclass(frozen=True, slots=True)
class LessonName:
    key: str
    date: dt.date
    number: int
    class_name: str
    subject: str


def person_names(session: Session, school_id: int) -> list[PersonName]:
    rows = session.execute(
        select(PersonRow.source_id, PersonRow.last_name, PersonRow.first_name, PersonRow.middle_name).where(
            PersonRow.school_id == school_id
        )
    ).tuples()
    return [PersonName(*row) for row in rows]


def class_names(session: Session, school_id: int) -> dict[str, str]:
    rows = session.execute(select(ClassRow.source_id, ClassRow.name).where(ClassRow.school_id == school_id))
    return dict(rows.tuples().all())


def homeroom_names(session: Session, school_id: int) -> Iterator[tuple[str, str]]:
    """(pupil's key, class name) of each active student enrollment in a class (not a subgroup); a pupil enrolled
    in two may come twice."""
    homeroom = aliased(ClassRow)
    rows = session.execute(
        select(PersonRow.source_id, homeroom.name)
        .join(EnrollmentRow, EnrollmentRow.person_id == PersonRow.id)
        .join(homeroom, homeroom.id == EnrollmentRow.class_id)
        .where(
            PersonRow.school_id == school_id,
            EnrollmentRow.active.is_(True),
            EnrollmentRow.role == "student",
            homeroom.parent_id.is_(None),
        )
    )
    yield from rows.tuples()


def subject_names(session: Session, school_id: int) -> dict[str, str]:
    rows = session.execute(select(SubjectRow.source_id, SubjectRow.name).where(SubjectRow.school_id == school_id))
    return dict(rows.tuples().all())


def period_names(session: Session, school_id: int) -> dict[str, str]:
    rows = session.execute(
        select(ReportingPeriodRow.source_id, ReportingPeriodRow.name).where(ReportingPeriodRow.school_id == school_id)
    )
    return dict(rows.tuples().all())


def lesson_names(session: Session, school_id: int, keys: Collection[str]) -> Iterator[LessonName]:
    cls, subject = aliased(ClassRow), aliased(SubjectRow)
    for part in chunks(keys):
        rows = session.execute(
            select(LessonRow.source_id, LessonRow.date, LessonRow.number, cls.name, subject.name)
            .join(cls, cls.id == LessonRow.class_id)
            .join(subject, subject.id == LessonRow.subject_id)
            .where(LessonRow.school_id == school_id, LessonRow.source_id.in_(part))
        )
        yield from (LessonName(*row) for row in rows.tuples())


def person_names_by_id(session: Session, ids: Collection[int]) -> Iterator[tuple[int, str, str, str | None]]:
    """(row id, last, first, middle name) of these persons."""
    for part in chunks(ids):
        rows = session.execute(
            select(PersonRow.id, PersonRow.last_name, PersonRow.first_name, PersonRow.middle_name).where(
                PersonRow.id.in_(part)
            )
        )
        yield from rows.tuples()


def class_names_by_id(session: Session, ids: Collection[int]) -> Iterator[tuple[int, str]]:
    for part in chunks(ids):
        yield from session.execute(select(ClassRow.id, ClassRow.name).where(ClassRow.id.in_(part))).tuples()


def subject_names_by_id(session: Session, ids: Collection[int]) -> Iterator[tuple[int, str]]:
    for part in chunks(ids):
        yield from session.execute(select(SubjectRow.id, SubjectRow.name).where(SubjectRow.id.in_(part))).tuples()


def homeroom_names_by_id(session: Session, school_id: int, person_ids: Collection[int]) -> Iterator[tuple[int, str]]:
    """(pupil's row id, class name) of each active student enrollment of these pupils in a class (not a subgroup);
    a pupil enrolled in two may come twice."""
    for part in chunks(person_ids):
        rows = session.execute(
            select(EnrollmentRow.person_id, ClassRow.name)
            .join(ClassRow, ClassRow.id == EnrollmentRow.class_id)
            .where(
                EnrollmentRow.school_id == school_id,
                EnrollmentRow.person_id.in_(part),
                EnrollmentRow.active.is_(True),
                EnrollmentRow.role == "student",
                ClassRow.parent_id.is_(None),
            )
        )
        yield from rows.tuples()
