"""What the compliance rules read: the journal rows one platform delivered, and the names a finding shows.

A school's database may hold the journal of several platforms (and the school's own lessons); a rule judges
only the rows `platform` delivered, found through its active identity link (local_key = the row's source_id).
Names are looked up once per report for the persons, classes and subjects the findings name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from edugateway.domain.models import AttendanceCode
from edugateway.store.batches import chunks
from edugateway.store.tables import (
    ClassRow,
    EnrollmentRow,
    IdentityLinkRow,
    LessonRow,
    MarkRow,
    PersonRow,
    SubjectRow,
)

# A student away from a lesson cannot be marked at it; «ОП» (late) was there.
ABSENT_CODES = (AttendanceCode.ABSENT.value, AttendanceCode.EXCUSED.value, AttendanceCode.ILL.value)


@dataclass(frozen=True)
class Scope:
    """One school and platform, and the day the report is about."""

    school_id: int
    platform: str
    as_of: dt.date
    span: tuple[dt.date, dt.date] | None = None

    def _linked(self, entities: tuple[str, ...], local_key: Any) -> Select[tuple[int]]:
        """A correlated EXISTS: this platform's active link of the record (what delivered it, or holds it)."""
        return select(IdentityLinkRow.id).where(
            IdentityLinkRow.school_id == self.school_id,
            IdentityLinkRow.platform == self.platform,
            IdentityLinkRow.entity.in_(entities),
            IdentityLinkRow.local_key == local_key,
            IdentityLinkRow.unlinked_at.is_(None),  # the partial unique index on local_key answers it
        )

    def delivered(self, table: type[LessonRow] | type[MarkRow], *entities: str) -> Select[tuple[int]]:
        """A correlated EXISTS: the row came from this platform."""
        return self._linked(entities, table.source_id).correlate(table)

    def enrolled_on(self, day: InstrumentedAttribute[dt.date]) -> ColumnElement[bool]:
        """An active student enrollment that covers `day` (a lesson's date), of a pupil this platform has: one
        it lacks is reported by the roster comparison, not as a pupil without marks."""
        person = (
            select(PersonRow.id)
            .where(PersonRow.id == EnrollmentRow.person_id, exists(self._linked(("persons",), PersonRow.source_id)))
            .correlate(EnrollmentRow)
        )
        return and_(enrolled_on(day), exists(person))

    def lesson_filter(self, until: dt.date, *, in_span: bool = True) -> list[ColumnElement[bool]]:
        """The platform's lessons of the school held up to `until` (and inside the span, when there is one)."""
        where: list[ColumnElement[bool]] = [
            LessonRow.school_id == self.school_id,
            LessonRow.date <= until,
            exists(self.delivered(LessonRow, "lessons")),
        ]
        if in_span and self.span is not None:
            where += [LessonRow.date >= self.span[0], LessonRow.date <= self.span[1]]
        return where

    def mark_filter(self, *entities: str) -> list[ColumnElement[bool]]:
        return [MarkRow.school_id == self.school_id, exists(self.delivered(MarkRow, *entities))]


def enrolled_on(day: InstrumentedAttribute[dt.date]) -> ColumnElement[bool]:
    """An active student enrollment that covers the day in `day` (a lesson's date)."""
    return and_(
        EnrollmentRow.active.is_(True),
        EnrollmentRow.role == "student",
        (EnrollmentRow.start_date.is_(None)) | (EnrollmentRow.start_date <= day),
        (EnrollmentRow.end_date.is_(None)) | (EnrollmentRow.end_date >= day),
    )


def short_name(last: str, first: str, middle: str | None) -> str:
    """«Иванова М. П.»: how a journal names a person."""
    initials = " ".join(f"{n[0]}." for n in (first, middle) if n)
    return f"{last} {initials}".strip()


@dataclass
class Names:
    """Display names by row id, loaded on demand for the rows a report shows."""

    session: Session
    school_id: int
    persons: dict[int, str]
    classes: dict[int, str]
    subjects: dict[int, str]
    homerooms: dict[int, str]  # person -> the name of the class (not subgroup) they are enrolled in

    @classmethod
    def empty(cls, session: Session, school_id: int) -> Names:
        return cls(session, school_id, {}, {}, {}, {})

    def load(
        self,
        *,
        persons: Iterable[int | None] = (),
        classes: Iterable[int | None] = (),
        subjects: Iterable[int | None] = (),
    ) -> None:
        for part in chunks({str(i) for i in persons if i is not None and i not in self.persons}):
            rows = self.session.execute(
                select(PersonRow.id, PersonRow.last_name, PersonRow.first_name, PersonRow.middle_name).where(
                    PersonRow.id.in_([int(i) for i in part])
                )
            )
            self.persons.update((pid, short_name(last, first, middle)) for pid, last, first, middle in rows)
        for table, found in ((ClassRow, self.classes), (SubjectRow, self.subjects)):
            wanted = classes if table is ClassRow else subjects
            for part in chunks({str(i) for i in wanted if i is not None and i not in found}):
                named = self.session.execute(select(table.id, table.name).where(table.id.in_([int(i) for i in part])))
                found.update(named.tuples().all())

    def load_for(self, found: Sequence[Any]) -> None:
        """The names rows of a rule's query point at (class_id, subject_id, teacher_id and person_id columns)."""
        self.load(
            persons=[getattr(r, "person_id", None) for r in found] + [r.teacher_id for r in found],
            classes=(r.class_id for r in found),
            subjects=(r.subject_id for r in found),
        )

    def who(self, row: Any) -> dict[str, str]:
        """Class, subject, teacher and (where the rule is about one) student of a finding."""
        out = {
            "class": self.class_(row.class_id),
            "subject": self.subject(row.subject_id),
            "teacher": self.person(row.teacher_id),
        }
        if hasattr(row, "person_id"):
            out["student"] = self.person(row.person_id)
        return out

    def load_homerooms(self, persons: Iterable[int]) -> None:
        for part in chunks({str(i) for i in persons if i not in self.homerooms}):
            rows = self.session.execute(
                select(EnrollmentRow.person_id, ClassRow.name)
                .join(ClassRow, ClassRow.id == EnrollmentRow.class_id)
                .where(
                    EnrollmentRow.school_id == self.school_id,
                    EnrollmentRow.person_id.in_([int(i) for i in part]),
                    EnrollmentRow.active.is_(True),
                    EnrollmentRow.role == "student",
                    ClassRow.parent_id.is_(None),
                )
            )
            self.homerooms.update(rows.tuples().all())

    def person(self, row_id: int | None) -> str:
        return self.persons.get(row_id, "") if row_id is not None else ""

    def class_(self, row_id: int | None) -> str:
        return self.classes.get(row_id, "") if row_id is not None else ""

    def subject(self, row_id: int | None) -> str:
        return self.subjects.get(row_id, "") if row_id is not None else ""
