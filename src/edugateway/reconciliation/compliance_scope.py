"""The names a compliance finding shows: looked up once per report for the persons, classes and subjects the
findings name (by row id)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.store.batches import chunks
from edugateway.store.tables import ClassRow, EnrollmentRow, PersonRow, SubjectRow


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
