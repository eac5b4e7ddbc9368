"""Names a director reads instead of ids: persons, classes, subjects, periods and lessons by local key.

Lessons are many, so they are looked up only for the keys the findings name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from edugateway.reconciliation.compare import UNLINKED
from edugateway.store.names import (
    class_names,
    homeroom_names,
    lesson_names,
    period_names,
    person_names,
    subject_names,
)


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
        for p in person_names(session, school_id):
            out.persons[p.key] = " ".join(n for n in (p.last_name, p.first_name, p.middle_name) if n)
        out.classes.update(class_names(session, school_id))
        for key, name in homeroom_names(session, school_id):
            out.person_class.setdefault(key, name)
        out.subjects.update(subject_names(session, school_id))
        out.periods.update(period_names(session, school_id))
        return out

    def load_lessons(self, session: Session, school_id: int, keys: Iterable[str | None]) -> None:
        wanted = {k for k in keys if k and not k.startswith(UNLINKED) and k not in self.lessons}
        for lesson in lesson_names(session, school_id, wanted):
            self.lessons[lesson.key] = LessonLabel(lesson.date, lesson.number, lesson.class_name, lesson.subject)

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
