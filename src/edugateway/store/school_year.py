"""One school year of one school as the archive's summary sheet reads it: the year's reporting periods, classes,
subjects, period and year finals, each class's students and the subjects its lessons were of.

`SchoolYear` reads in the caller's session, so the whole sheet comes from one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.domain.models import EnrollmentRole, MarkKind
from edugateway.store.tables import (
    ClassRow,
    EnrollmentRow,
    LessonRow,
    MarkRow,
    PersonRow,
    ReportingPeriodRow,
    SubjectRow,
)


@dataclass(frozen=True, slots=True)
class YearPeriod:
    id: int
    name: str
    kind: str  # a ReportingPeriodKind value
    start_date: dt.date
    end_date: dt.date


@dataclass(frozen=True, slots=True)
class YearClass:
    id: int
    name: str
    grade: int
    parent_id: int | None  # a subgroup's class
    subject_id: int | None  # a subgroup's subject


@dataclass(frozen=True, slots=True)
class FinalMark:
    person_id: int
    subject_id: int | None
    period_id: int | None
    kind: str  # period_final or year_final
    value: str


@dataclass(frozen=True, slots=True)
class Student:
    id: int
    source_id: str
    last_name: str
    first_name: str
    middle_name: str | None
    left_on: dt.date | None  # the end of the enrollment, if it has one


class SchoolYear:
    def __init__(self, session: Session, school_id: int, academic_year: int) -> None:
        self._session = session
        self.school_id = school_id
        self.academic_year = academic_year

    def periods(self) -> list[YearPeriod]:
        """The year's active periods by start."""
        rows = self._session.scalars(
            select(ReportingPeriodRow)
            .where(
                ReportingPeriodRow.school_id == self.school_id,
                ReportingPeriodRow.academic_year == self.academic_year,
                ReportingPeriodRow.active,
            )
            .order_by(ReportingPeriodRow.start_date, ReportingPeriodRow.id)
        )
        return [YearPeriod(p.id, p.name, p.kind, p.start_date, p.end_date) for p in rows]

    def classes(self) -> list[YearClass]:
        """The year's active classes and subgroups."""
        rows = self._session.scalars(
            select(ClassRow).where(
                ClassRow.school_id == self.school_id, ClassRow.academic_year == self.academic_year, ClassRow.active
            )
        )
        return [YearClass(c.id, c.name, c.grade, c.parent_id, c.subject_id) for c in rows]

    def subject_names(self) -> dict[int, str]:
        rows = self._session.execute(
            select(SubjectRow.id, SubjectRow.name).where(SubjectRow.school_id == self.school_id)
        )
        return dict(rows.tuples().all())

    def finals(self, period_ids: Collection[int]) -> list[FinalMark]:
        """Period and year finals filed under these periods, with a subject, oldest first (undated ones first)."""
        if not period_ids:
            return []
        rows = self._session.scalars(
            select(MarkRow)
            .where(
                MarkRow.school_id == self.school_id,
                MarkRow.kind.in_([MarkKind.PERIOD_FINAL.value, MarkKind.YEAR_FINAL.value]),
                MarkRow.period_id.in_(period_ids),
                MarkRow.subject_id.is_not(None),
            )
            .order_by(MarkRow.date.is_(None).desc(), MarkRow.date, MarkRow.id)
        )
        return [FinalMark(m.person_id, m.subject_id, m.period_id, m.kind, m.value) for m in rows]

    def students(self, class_id: int) -> list[Student]:
        """Active persons with an active student enrollment in the class (one line per enrollment)."""
        rows = self._session.execute(
            select(PersonRow, EnrollmentRow.end_date)
            .join(EnrollmentRow, EnrollmentRow.person_id == PersonRow.id)
            .where(
                EnrollmentRow.class_id == class_id,
                EnrollmentRow.role == EnrollmentRole.STUDENT.value,
                EnrollmentRow.active,
                PersonRow.active,
            )
        ).tuples()
        return [Student(p.id, p.source_id, p.last_name, p.first_name, p.middle_name, end) for p, end in rows]

    def taught_subjects(self, class_ids: Collection[int]) -> set[int]:
        """The subjects of the lessons of these classes."""
        rows = self._session.scalars(select(LessonRow.subject_id).where(LessonRow.class_id.in_(class_ids)).distinct())
        return set(rows)
