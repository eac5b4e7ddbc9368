"""What the journal pulled from a platform still holds under the platform's own references: subjects held for the
platform (store/held_subjects.py) with how much of the journal is filed under each, and the platform's teachers
nobody local is linked to, with how many lessons name them. The run log records it after a pull and the
nightly report lists the subjects.

Platform ids, the platform's subject names and counts only: a teacher's name is personal data and is never read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from edugateway.store.held_subjects import held_subjects
from edugateway.store.id_links import platform_ref
from edugateway.store.tables import AttendanceRow, LessonRow, MarkRow


@dataclass(frozen=True)
class SubjectToMap:
    remote_id: str
    name: str  # the platform's name of the subject
    lessons: int
    marks: int
    attendance: int


@dataclass(frozen=True)
class TeacherToMap:
    remote_id: str
    lessons: int  # stored without a teacher for want of a link


@dataclass(frozen=True)
class SubgroupOnHomeroom:
    """A platform's subgroup the school has no subgroup for: its lessons read in the run went under the class."""

    class_name: str  # the school's homeroom
    group: str  # the platform's name of the group
    subject: str  # the school's subject (or the platform's, held)
    lessons: int


@dataclass(frozen=True)
class NeedsMapping:
    subjects: list[SubjectToMap] = field(default_factory=list)
    teachers: list[TeacherToMap] = field(default_factory=list)
    subgroups: list[SubgroupOnHomeroom] = field(default_factory=list)  # of the run, not read from the database

    def __bool__(self) -> bool:
        return bool(self.subjects or self.teachers or self.subgroups)

    def as_json(self) -> dict[str, Any]:
        out = {"subjects": [asdict(s) for s in self.subjects], "teachers": [asdict(t) for t in self.teachers]}
        if self.subgroups:  # runs before subgroups were filed have no such key: kept that way when there are none
            out["subgroups"] = [asdict(g) for g in self.subgroups]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NeedsMapping:
        return cls(
            [SubjectToMap(**s) for s in data.get("subjects", [])],
            [TeacherToMap(**t) for t in data.get("teachers", [])],
            [SubgroupOnHomeroom(**g) for g in data.get("subgroups", [])],
        )


def read_needs_mapping(session: Session, school_id: int, platform: str) -> NeedsMapping:
    return NeedsMapping(_subjects(session, school_id, platform), _teachers(session, school_id, platform))


def _subjects(session: Session, school_id: int, platform: str) -> list[SubjectToMap]:
    held = held_subjects(session, school_id, platform)
    if not held:
        return []
    ids = [h.row_id for h in held]

    def per_subject(column: Any, *where: Any) -> dict[int, int]:
        rows = session.execute(select(column, func.count()).where(column.in_(ids), *where).group_by(column))
        return {int(subject): int(n) for subject, n in rows.tuples()}

    lessons = per_subject(LessonRow.subject_id, LessonRow.school_id == school_id)
    marks = per_subject(MarkRow.subject_id, MarkRow.school_id == school_id)
    rows = session.execute(
        select(LessonRow.subject_id, func.count())
        .join(AttendanceRow, AttendanceRow.lesson_id == LessonRow.id)
        .where(LessonRow.school_id == school_id, LessonRow.subject_id.in_(ids))
        .group_by(LessonRow.subject_id)
    )
    attendance = {int(subject): int(n) for subject, n in rows.tuples()}
    found = [
        SubjectToMap(h.remote_id, h.name, lessons.get(h.row_id, 0), marks.get(h.row_id, 0), attendance.get(h.row_id, 0))
        for h in held
    ]
    # A platform lists every subject it knows; one nothing is filed under yet needs no mapping yet.
    return [s for s in found if s.lessons or s.marks or s.attendance]


def _teachers(session: Session, school_id: int, platform: str) -> list[TeacherToMap]:
    prefix = platform_ref(platform, "")
    rows = session.execute(
        select(LessonRow.teacher_ref, func.count())
        .where(
            LessonRow.school_id == school_id,
            LessonRow.teacher_id.is_(None),
            LessonRow.teacher_ref.startswith(prefix, autoescape=True),
        )
        .group_by(LessonRow.teacher_ref)
        .order_by(LessonRow.teacher_ref)
    )
    return [TeacherToMap(str(ref).removeprefix(prefix), int(n)) for ref, n in rows.tuples()]
