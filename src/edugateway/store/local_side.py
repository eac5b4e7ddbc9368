"""The local side of each entity as reconciliation compares it: Arrow tables, read with one SQL query each and
streamed into columns of the caller's schema (reconciliation/columns.py lays them out).

Roster entities are the school's active records, linked or not (an unlinked one is only local). Journal
entities are the records this platform delivered (they hold its link), within the journal span: what the
platform should still hold as the gateway last saw it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from edugateway.store.arrow_read import read_arrow
from edugateway.store.tables import (
    AttendanceRow,
    ClassRow,
    EnrollmentRow,
    IdentityLinkRow,
    LessonRow,
    MarkRow,
    PersonRow,
    ReportingPeriodRow,
    SubjectRow,
)

_FINALS = ("period_final", "year_final")


def _link(school_id: int, platform: str, entity: str, local_key: Any) -> Any:
    k = aliased(IdentityLinkRow, name=f"link_{entity}")
    on = and_(
        k.school_id == school_id,
        k.platform == platform,
        k.entity == entity,
        k.local_key == local_key,
        k.unlinked_at.is_(None),
    )
    return k, on


@dataclass(frozen=True)
class RosterScope:
    """The part of the local roster a platform keeps: ЕЦП's read side holds pupils and homerooms only."""

    pupils_only: bool = False
    homerooms_only: bool = False


def _persons(school_id: int, platform: str, scope: RosterScope) -> Select[Any]:
    k, on = _link(school_id, platform, "persons", PersonRow.source_id)
    homeroom = (
        select(func.min(ClassRow.source_id))
        .join(EnrollmentRow, EnrollmentRow.class_id == ClassRow.id)
        .where(
            EnrollmentRow.person_id == PersonRow.id,
            EnrollmentRow.active.is_(True),
            EnrollmentRow.role == "student",
            ClassRow.parent_id.is_(None),
        )
        .scalar_subquery()
    )
    return (
        select(
            PersonRow.source_id,
            k.remote_id,
            PersonRow.last_name,
            PersonRow.first_name,
            PersonRow.middle_name,
            PersonRow.birth_date,
            PersonRow.gender,
            homeroom,
        )
        .outerjoin(k, on)
        .where(
            PersonRow.school_id == school_id,
            PersonRow.active.is_(True),
            PersonRow.roles.like("%student%")
            if scope.pupils_only
            else or_(PersonRow.roles.like("%student%"), PersonRow.roles.like("%teacher%")),
        )
    )


def _classes(school_id: int, platform: str, scope: RosterScope) -> Select[Any]:
    k, on = _link(school_id, platform, "classes", ClassRow.source_id)
    parent = aliased(ClassRow)
    query = (
        select(ClassRow.source_id, k.remote_id, ClassRow.name, ClassRow.grade, parent.source_id)
        .outerjoin(k, on)
        .outerjoin(parent, parent.id == ClassRow.parent_id)
        .where(ClassRow.school_id == school_id, ClassRow.active.is_(True))
    )
    return query.where(ClassRow.parent_id.is_(None)) if scope.homerooms_only else query


def _subjects(school_id: int, platform: str, _scope: RosterScope) -> Select[Any]:
    k, on = _link(school_id, platform, "subjects", SubjectRow.source_id)
    return (
        select(SubjectRow.source_id, k.remote_id, SubjectRow.name)
        .outerjoin(k, on)
        # A subject held for a platform is the platform's, not the school's: the platform's stays only on it.
        .where(SubjectRow.school_id == school_id, SubjectRow.active.is_(True), SubjectRow.held_for.is_(None))
    )


def _lessons(school_id: int, platform: str, span: tuple[dt.date, dt.date]) -> Select[Any]:
    k, on = _link(school_id, platform, "lessons", LessonRow.source_id)
    cls, subject, teacher = aliased(ClassRow), aliased(SubjectRow), aliased(PersonRow)
    return (
        select(
            LessonRow.source_id,
            k.remote_id,
            LessonRow.date,
            LessonRow.number,
            cls.source_id,
            subject.source_id,
            teacher.source_id,
            LessonRow.topic,
            LessonRow.homework,
        )
        .join(k, on)
        .join(cls, cls.id == LessonRow.class_id)
        .join(subject, subject.id == LessonRow.subject_id)
        .outerjoin(teacher, teacher.id == LessonRow.teacher_id)
        .where(LessonRow.school_id == school_id, LessonRow.date.between(*span))
    )


def _marks(school_id: int, platform: str, span: tuple[dt.date, dt.date]) -> Select[Any]:
    k, on = _link(school_id, platform, "marks", MarkRow.source_id)
    lesson = aliased(LessonRow)
    return (
        select(
            MarkRow.source_id,
            k.remote_id,
            PersonRow.source_id,
            lesson.source_id,
            MarkRow.value,
            MarkRow.kind,
            MarkRow.work_type,
            MarkRow.date,
        )
        .join(k, on)
        .join(PersonRow, PersonRow.id == MarkRow.person_id)
        .outerjoin(lesson, lesson.id == MarkRow.lesson_id)
        .where(MarkRow.school_id == school_id, MarkRow.kind.not_in(_FINALS), MarkRow.date.between(*span))
    )


def _final_marks(school_id: int, platform: str, _scope: RosterScope) -> Select[Any]:
    k, on = _link(school_id, platform, "final_marks", MarkRow.source_id)
    subject, period = aliased(SubjectRow), aliased(ReportingPeriodRow)
    return (
        select(
            MarkRow.source_id,
            k.remote_id,
            PersonRow.source_id,
            subject.source_id,
            period.source_id,
            MarkRow.value,
            MarkRow.kind,
        )
        .join(k, on)
        .join(PersonRow, PersonRow.id == MarkRow.person_id)
        .outerjoin(subject, subject.id == MarkRow.subject_id)
        .outerjoin(period, period.id == MarkRow.period_id)
        .where(MarkRow.school_id == school_id, MarkRow.kind.in_(_FINALS))
    )


def _attendance(school_id: int, platform: str, span: tuple[dt.date, dt.date]) -> Select[Any]:
    # Entries of the lessons this platform delivered; paired by pupil and lesson, so no local key of their own.
    k, on = _link(school_id, platform, "lessons", LessonRow.source_id)
    return (
        select(
            literal(None).label("local_key"),
            literal(None).label("remote_id"),
            PersonRow.source_id,
            LessonRow.source_id,
            AttendanceRow.code,
            AttendanceRow.minutes_late,
        )
        .join(LessonRow, LessonRow.id == AttendanceRow.lesson_id)
        .join(k, on)
        .join(PersonRow, PersonRow.id == AttendanceRow.person_id)
        .where(AttendanceRow.school_id == school_id, LessonRow.date.between(*span))
    )


def local_table(
    session: Session,
    entity: str,
    *,
    school_id: int,
    platform: str,
    span: tuple[dt.date, dt.date] | None,
    scope: RosterScope = RosterScope(),
    schema: pa.Schema,
) -> pa.Table:
    """The local side of `entity` as a table of `schema`: local_key, remote_id, then the compared columns in
    their order (journal entities need `span`)."""
    undated = {
        "persons": _persons,
        "classes": _classes,
        "subjects": _subjects,
        "final_marks": _final_marks,
    }
    dated = {"lessons": _lessons, "marks": _marks, "attendance": _attendance}
    if entity in undated:
        query = undated[entity](school_id, platform, scope)
    elif span is None:
        raise ValueError(f"{entity} are compared over a span of days; pass one")
    else:
        query = dated[entity](school_id, platform, span)
    return read_arrow(session, query, schema)


def links_table(
    session: Session, *, school_id: int, platform: str, entities: tuple[str, ...], schema: pa.Schema
) -> pa.Table:
    """The active links of the entities others point at, as a table of `schema`: entity, remote_id, local_key."""
    query = select(IdentityLinkRow.entity, IdentityLinkRow.remote_id, IdentityLinkRow.local_key).where(
        IdentityLinkRow.school_id == school_id,
        IdentityLinkRow.platform == platform,
        IdentityLinkRow.entity.in_(entities),
        IdentityLinkRow.unlinked_at.is_(None),
    )
    return read_arrow(session, query, schema)
