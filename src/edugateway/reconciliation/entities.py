"""What reconciliation compares per entity: the fields (domain.entities.COMPARED_FIELDS, the list sync's
roster compare uses too), which of them point at other records (and so are compared as local keys through
the id-link map), how the two sides are paired, and the natural key that must be unique on each side (what
'duplicated' means for that entity)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from edugateway.domain.entities import COMPARED_FIELDS, REFERENCES, Entity


class Pairing(StrEnum):
    LINK = "link"  # by the id-link map: the local row's linked platform id is the platform record's id
    NATURAL = "natural"  # by the natural key (attendance: one entry per pupil and lesson)


@dataclass(frozen=True)
class EntitySpec:
    name: Entity
    fields: tuple[str, ...]  # compared, in this order; a field the platform leaves empty is not compared
    refs: dict[str, Entity] = field(default_factory=dict)  # field -> the entity whose links translate it
    pairing: Pairing = Pairing.LINK
    natural_key: tuple[str, ...] = ()  # unique on each side; empty: duplicates are not checked
    dated: bool = False  # the journal span applies (lessons by day, marks by the day given, attendance by lesson)


def spec(
    entity: Entity, *, natural_key: tuple[str, ...] = (), pairing: Pairing = Pairing.LINK, dated: bool = False
) -> EntitySpec:
    """The entity's compared fields; every reference among them and its natural key is translated by links."""
    fields = COMPARED_FIELDS[entity]
    refs = {name: REFERENCES[name] for name in (*fields, *natural_key) if name in REFERENCES}
    return EntitySpec(entity, fields, refs, pairing, natural_key, dated)


PERSONS = spec(Entity.PERSONS, natural_key=("name_key", "birth_date"))
CLASSES = spec(Entity.CLASSES, natural_key=("name", "parent_key"))
SUBJECTS = spec(Entity.SUBJECTS, natural_key=("name_key",))
LESSONS = spec(Entity.LESSONS, natural_key=("class_key", "date", "number"), dated=True)
# Several marks per pupil and work are normal on Дневник.ру (markCount), so lesson marks have no natural key.
MARKS = spec(Entity.MARKS, dated=True)
FINAL_MARKS = spec(Entity.FINAL_MARKS, natural_key=("person_key", "subject_key", "period_key", "kind"))
ATTENDANCE = spec(Entity.ATTENDANCE, natural_key=("person_key", "lesson_key"), pairing=Pairing.NATURAL, dated=True)

SPECS: dict[Entity, EntitySpec] = {
    s.name: s for s in (PERSONS, CLASSES, SUBJECTS, LESSONS, MARKS, FINAL_MARKS, ATTENDANCE)
}
ROSTER = (Entity.PERSONS, Entity.CLASSES, Entity.SUBJECTS)
JOURNAL = (Entity.LESSONS, Entity.MARKS, Entity.FINAL_MARKS, Entity.ATTENDANCE)
