"""The names a compliance finding shows: class, subject, teacher and student, looked up once per report for the
rows the findings point at (by row id), through store/names.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from edugateway.domain.person_names import short_name
from edugateway.store.names import (
    class_names_by_id,
    homeroom_names_by_id,
    person_names_by_id,
    subject_names_by_id,
)


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
        def wanted(ids: Iterable[int | None], known: dict[int, str]) -> set[int]:
            return {i for i in ids if i is not None and i not in known}

        named = person_names_by_id(self.session, wanted(persons, self.persons))
        self.persons.update((pid, short_name(last, first, middle)) for pid, last, first, middle in named)
        self.classes.update(class_names_by_id(self.session, wanted(classes, self.classes)))
        self.subjects.update(subject_names_by_id(self.session, wanted(subjects, self.subjects)))

    def load_for(self, found: Sequence[Any]) -> None:
        """The names rows of a rule's read point at (class_id, subject_id, teacher_id and person_id fields)."""
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
        wanted = {i for i in persons if i not in self.homerooms}
        self.homerooms.update(homeroom_names_by_id(self.session, self.school_id, wanted))

    def person(self, row_id: int | None) -> str:
        return self.persons.get(row_id, "") if row_id is not None else ""

    def class_(self, row_id: int | None) -> str:
        return self.classes.get(row_id, "") if row_id is not None else ""

    def subject(self, row_id: int | None) -> str:
        return self.subjects.get(row_id, "") if row_id is not None else ""
