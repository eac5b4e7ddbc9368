"""The one vocabulary of what the gateway keeps in step with the platforms: the entities a connector reads and
writes, a sync run plans per direction, and reconciliation compares; and beside it the one vocabulary of the
kinds of record the local school database keeps, which a roster import counts and the audit trail names."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Entity(StrEnum):
    PERSONS = "persons"
    CLASSES = "classes"  # classes and their subgroups
    ENROLLMENTS = "enrollments"
    SUBJECTS = "subjects"
    PERIODS = "periods"
    TIMETABLE = "timetable"
    LESSONS = "lessons"  # with topic and homework, where the platform keeps them on the lesson
    MARKS = "marks"
    FINAL_MARKS = "final_marks"
    ATTENDANCE = "attendance"
    HOMEWORK = "homework"


class RecordKind(StrEnum):
    """A kind of record of the local school database, named in the singular: what a roster import file holds
    (OneRoster CSV or the XLSX template), the keys of an import report's counts, and the `entity` column of the
    audit rows an import or a clerk's change writes. Stored rows and reports carry these values, so they never
    change. The order is the order the importer writes them in: a record before the records that name it."""

    SCHOOL = "school"
    SUBJECT = "subject"
    CLASS = "class"  # classes and their subgroups
    PERSON = "person"
    PARENT_LINK = "parent_link"
    ENROLLMENT = "enrollment"
    PERIOD = "period"  # a reporting period


class Direction(StrEnum):
    """Which side is master of an entity on a platform (`[platforms.NAME.directions]`)."""

    PUSH = "push"  # local is master
    PULL = "pull"  # the platform is master
    COMPARE = "compare"  # report only


# A field that names another record by its key: compared through the id-link map, never as a raw value.
REFERENCES: Mapping[str, Entity] = {
    "class_key": Entity.CLASSES,
    "parent_key": Entity.CLASSES,
    "subject_key": Entity.SUBJECTS,
    "teacher_key": Entity.PERSONS,
    "person_key": Entity.PERSONS,
    "lesson_key": Entity.LESSONS,
    "period_key": Entity.PERIODS,
}

# The one list per entity of the fields every comparison looks at (sync's roster compare, the nightly
# reconciliation), in the order reports show them. A field the platform leaves empty is not compared.
COMPARED_FIELDS: Mapping[Entity, tuple[str, ...]] = {
    Entity.PERSONS: ("last_name", "first_name", "middle_name", "birth_date", "gender", "class_key"),
    Entity.CLASSES: ("name", "grade", "parent_key"),
    Entity.SUBJECTS: ("name",),
    Entity.LESSONS: ("date", "number", "class_key", "subject_key", "teacher_key", "topic", "homework"),
    Entity.MARKS: ("person_key", "lesson_key", "value", "kind", "work_type", "date"),
    Entity.FINAL_MARKS: ("person_key", "subject_key", "period_key", "value", "kind"),
    Entity.ATTENDANCE: ("code", "minutes_late"),
}


def record_fields(entity: Entity) -> tuple[str, ...]:
    """The compared fields a canonical record carries itself. It holds the ids of the records it points at, not
    their keys, so a comparison of canonical records leaves the references to one that reads the link map."""
    return tuple(name for name in COMPARED_FIELDS[entity] if name not in REFERENCES)
