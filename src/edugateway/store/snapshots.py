"""Read a school back from the local database as canonical records (what the exporters write)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.domain.models import (
    Enrollment,
    EnrollmentRole,
    Gender,
    ParentLink,
    Person,
    ReportingPeriod,
    ReportingPeriodKind,
    Role,
    School,
    SchoolClass,
    Subject,
)
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.errors import ValidationError
from edugateway.store.db import Database
from edugateway.store.tables import (
    ClassRow,
    EnrollmentRow,
    ParentLinkRow,
    PersonRow,
    ReportingPeriodRow,
    SchoolRow,
    SubjectRow,
)


def school_codes(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(SchoolRow.code).order_by(SchoolRow.code)))


def load_snapshot(db: Database, school_code: str) -> SchoolSnapshot:
    """The school's active roster: persons, classes and subgroups, subjects, enrollments, parent links and
    reporting periods, each sorted by id. Enrollments and links to inactive persons or classes are left out,
    as are subgroups of inactive classes; a subject an active subgroup still names is kept even if inactive,
    so no reference dangles. Subjects held for a platform are the platform's, not the school's: left out."""
    with db.session() as session:
        school = session.scalar(select(SchoolRow).where(SchoolRow.code == school_code))
        if school is None:
            raise ValidationError(f"school {school_code!r} is not in the database; import it first or check --school")
        return _snapshot(session, school)


def _rows(session: Session, table: Any, school_id: int) -> list[Any]:
    return list(session.scalars(select(table).where(table.school_id == school_id).order_by(table.id)))


def _snapshot(session: Session, school: SchoolRow) -> SchoolSnapshot:
    persons = {r.id: r for r in _rows(session, PersonRow, school.id) if r.active}
    all_classes = {r.id: r for r in _rows(session, ClassRow, school.id)}
    subjects_all = {r.id: r for r in _rows(session, SubjectRow, school.id) if r.held_for is None}

    def class_alive(row: ClassRow) -> bool:
        # A subgroup lives only while its whole chain of parents is active.
        seen: set[int] = set()
        current: ClassRow | None = row
        while current is not None and current.id not in seen:
            if not current.active:
                return False
            seen.add(current.id)
            current = all_classes.get(current.parent_id) if current.parent_id else None
        return True

    classes = {i: r for i, r in all_classes.items() if class_alive(r)}
    used_subjects = {r.subject_id for r in classes.values() if r.subject_id}
    subjects = {i: r for i, r in subjects_all.items() if r.active or i in used_subjects}
    return SchoolSnapshot(
        school=School(code=school.code, name=school.name, inn=school.inn, ogrn=school.ogrn, timezone=school.timezone),
        persons=sorted((_person(r) for r in persons.values()), key=lambda p: p.id),
        classes=sorted(
            (
                SchoolClass(
                    id=r.source_id,
                    name=r.name,
                    grade=r.grade,
                    academic_year=r.academic_year,
                    parent_id=classes[r.parent_id].source_id if r.parent_id else None,
                    subject_id=subjects[r.subject_id].source_id if r.subject_id else None,
                )
                for r in classes.values()
            ),
            key=lambda c: c.id,
        ),
        subjects=sorted(
            (Subject(id=r.source_id, name=r.name, code=r.code) for r in subjects.values()), key=lambda s: s.id
        ),
        enrollments=sorted(
            (
                Enrollment(
                    id=r.source_id,
                    person_id=persons[r.person_id].source_id,
                    class_id=classes[r.class_id].source_id,
                    role=EnrollmentRole(r.role),
                    start_date=r.start_date,
                    end_date=r.end_date,
                )
                for r in _rows(session, EnrollmentRow, school.id)
                if r.active and r.person_id in persons and r.class_id in classes
            ),
            key=lambda e: e.id,
        ),
        parent_links=sorted(
            (
                ParentLink(
                    parent_id=persons[r.parent_id].source_id,
                    child_id=persons[r.child_id].source_id,
                    relation=r.relation,
                )
                for r in _rows(session, ParentLinkRow, school.id)
                if r.active and r.parent_id in persons and r.child_id in persons
            ),
            key=lambda link: (link.child_id, link.parent_id),
        ),
        periods=sorted(
            (
                ReportingPeriod(
                    id=r.source_id,
                    name=r.name,
                    kind=ReportingPeriodKind(r.kind),
                    academic_year=r.academic_year,
                    start_date=r.start_date,
                    end_date=r.end_date,
                )
                for r in _rows(session, ReportingPeriodRow, school.id)
                if r.active
            ),
            key=lambda p: p.id,
        ),
    )


def _person(r: PersonRow) -> Person:
    return Person(
        id=r.source_id,
        roles=frozenset(Role(x) for x in r.roles.split(",") if x),
        last_name=r.last_name,
        first_name=r.first_name,
        middle_name=r.middle_name,
        birth_date=r.birth_date,
        gender=Gender(r.gender) if r.gender else None,
        snils=r.snils,
        snils_rejected=r.snils_rejected,
        email=r.email,
        phone=r.phone,
    )
