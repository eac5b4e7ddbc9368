"""Names a director reads instead of ids: persons, classes, subjects, periods and lessons by local key.

Lessons are many, so they are looked up only for the keys the findings name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from edugateway.reconciliation.compare import UNLINKED
from edugateway.store.tables import (
    ClassRow,
    EnrollmentRow,
    LessonRow,
    PersonRow,
    ReportingPeriodRow,
    SubjectRow,
)

_CHUNK = 500


@dataclass(frozen=True)
class LessonLabel:
    date: dt.date
    number: int
    class_name: str
    subject: str


@dataclass
class Labels:
    persons: dict[str, str] = field(default_factory=dict)  # local key -> full name
    person_class: dict[str, str] = field(default_factory=dict)  # pupil's local key -> class name
    classes: dict[str, str] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)
    periods: dict[str, str] = field(default_factory=dict)
    lessons: dict[str, LessonLabel] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, school_id: int) -> Labels:
        out = cls()
        for key, last, first, middle in session.execute(
            select(PersonRow.source_id, PersonRow.last_name, PersonRow.first_name, PersonRow.middle_name).where(
                PersonRow.school_id == school_id
            )
        ):
            out.persons[key] = " ".join(p for p in (last, first, middle) if p)
        for key, name in session.execute(
            select(ClassRow.source_id, ClassRow.name).where(ClassRow.school_id == school_id)
        ):
            out.classes[key] = name
        homeroom = aliased(ClassRow)
        for key, name in session.execute(
            select(PersonRow.source_id, homeroom.name)
            .join(EnrollmentRow, EnrollmentRow.person_id == PersonRow.id)
            .join(homeroom, homeroom.id == EnrollmentRow.class_id)
            .where(
                PersonRow.school_id == school_id,
                EnrollmentRow.active.is_(True),
                EnrollmentRow.role == "student",
                homeroom.parent_id.is_(None),
            )
        ):
            out.person_class.setdefault(key, name)
        for key, name in session.execute(
            select(SubjectRow.source_id, SubjectRow.name).where(SubjectRow.school_id == school_id)
        ):
            out.subjects[key] = name
        for key, name in session.execute(
            select(ReportingPeriodRow.source_id, ReportingPeriodRow.name).where(
                ReportingPeriodRow.school_id == school_id
            )
        ):
            out.periods[key] = name
        return out

    def load_lessons(self, session: Session, school_id: int, keys: Iterable[str | None]) -> None:
        wanted = sorted({k for k in keys if k and not k.startswith(UNLINKED) and k not in self.lessons})
        cls, subject = aliased(ClassRow), aliased(SubjectRow)
        for start in range(0, len(wanted), _CHUNK):
            part = wanted[start : start + _CHUNK]
            rows = session.execute(
                select(LessonRow.source_id, LessonRow.date, LessonRow.number, cls.name, subject.name)
                .join(cls, cls.id == LessonRow.class_id)
                .join(subject, subject.id == LessonRow.subject_id)
                .where(LessonRow.school_id == school_id, LessonRow.source_id.in_(part))
            )
            for key, day, number, class_name, subject_name in rows:
                self.lessons[key] = LessonLabel(day, number, class_name, subject_name)

    # --- one value ------------------------------------------------------------------------------------

    def ref(self, table: dict[str, str], key: str | None) -> str | None:
        if key is None:
            return None
        if key.startswith(UNLINKED):
            return f"не связан со школой (id {key[len(UNLINKED) :]})"
        return table.get(key, key)

    def value(self, column: str, value: Any) -> Any:
        """A compared value as a reader sees it: a reference by its name, a date as a date."""
        tables = {
            "person_key": self.persons,
            "teacher_key": self.persons,
            "class_key": self.classes,
            "parent_key": self.classes,
            "subject_key": self.subjects,
            "period_key": self.periods,
        }
        if column in tables:
            return self.ref(tables[column], value)
        if column == "lesson_key":
            lesson = self.lessons.get(value) if value else None
            return f"{lesson.date:%d.%m.%Y}, {lesson.number} урок" if lesson else self.ref({}, value)
        if column == "gender":
            return {"M": "мужской", "F": "женский"}.get(value, value)
        return value
