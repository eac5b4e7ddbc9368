"""What reconciliation compares per entity: the fields, which of them point at other records (and so are
compared as local keys through the identity map), how the two sides are paired, and the natural key that
must be unique on each side (what 'duplicated' means for that entity)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from edugateway.domain.entities import Entity


class Pairing(StrEnum):
    LINK = "link"  # by the identity map: the local row's linked platform id is the platform record's id
    NATURAL = "natural"  # by the natural key (attendance: one entry per pupil and lesson)


@dataclass(frozen=True)
class EntitySpec:
    name: Entity
    fields: tuple[str, ...]  # compared, in this order; a field the platform leaves empty is not compared
    refs: dict[str, Entity] = field(default_factory=dict)  # field -> the entity whose links translate it
    pairing: Pairing = Pairing.LINK
    natural_key: tuple[str, ...] = ()  # unique on each side; empty: duplicates are not checked
    dated: bool = False  # the journal span applies (lessons by day, marks by the day given, attendance by lesson)


PERSONS = EntitySpec(
    Entity.PERSONS,
    ("last_name", "first_name", "middle_name", "birth_date", "gender", "class_key"),
    refs={"class_key": Entity.CLASSES},
    natural_key=("name_key", "birth_date"),
)
CLASSES = EntitySpec(
    Entity.CLASSES,
    ("name", "grade", "parent_key"),
    refs={"parent_key": Entity.CLASSES},
    natural_key=("name", "parent_key"),
)
SUBJECTS = EntitySpec(Entity.SUBJECTS, ("name",), natural_key=("name_key",))
LESSONS = EntitySpec(
    Entity.LESSONS,
    ("date", "number", "class_key", "subject_key", "teacher_key", "topic", "homework"),
    refs={"class_key": Entity.CLASSES, "subject_key": Entity.SUBJECTS, "teacher_key": Entity.PERSONS},
    natural_key=("class_key", "date", "number"),
    dated=True,
)
# Several marks per pupil and work are normal on Дневник.ру (markCount), so lesson marks have no natural key.
MARKS = EntitySpec(
    Entity.MARKS,
    ("person_key", "lesson_key", "value", "kind", "work_type", "date"),
    refs={"person_key": Entity.PERSONS, "lesson_key": Entity.LESSONS},
    dated=True,
)
FINAL_MARKS = EntitySpec(
    Entity.FINAL_MARKS,
    ("person_key", "subject_key", "period_key", "value", "kind"),
    refs={"person_key": Entity.PERSONS, "subject_key": Entity.SUBJECTS, "period_key": Entity.PERIODS},
    natural_key=("person_key", "subject_key", "period_key", "kind"),
)
ATTENDANCE = EntitySpec(
    Entity.ATTENDANCE,
    ("code", "minutes_late"),
    refs={"person_key": Entity.PERSONS, "lesson_key": Entity.LESSONS},
    pairing=Pairing.NATURAL,
    natural_key=("person_key", "lesson_key"),
    dated=True,
)

SPECS: dict[Entity, EntitySpec] = {
    s.name: s for s in (PERSONS, CLASSES, SUBJECTS, LESSONS, MARKS, FINAL_MARKS, ATTENDANCE)
}
ROSTER = (Entity.PERSONS, Entity.CLASSES, Entity.SUBJECTS)
JOURNAL = (Entity.LESSONS, Entity.MARKS, Entity.FINAL_MARKS, Entity.ATTENDANCE)
