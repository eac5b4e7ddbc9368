"""The roster as both sides hold it, through the id-link map: what is linked and equal, linked but different
(which fields, both values), only local, only on the platform. Fields the platform does not keep (ЕЦП has no
birth dates, Дневник.ру no SNILS) are not compared.

The fields are the entity's one list (domain.entities.COMPARED_FIELDS), as reconciliation compares them, less
the references to other records (a person's class, a subgroup's class): canonical records carry ids, not
linked keys, and the nightly reconciliation compares those through the link map."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from edugateway.domain.entities import Entity, record_fields
from edugateway.domain.models import Person, Role, SchoolClass
from edugateway.store.id_links import IdLinks

PERSON_FIELDS = record_fields(Entity.PERSONS)
CLASS_FIELDS = record_fields(Entity.CLASSES)


@dataclass
class EntityComparison:
    linked: int = 0
    equal: int = 0
    differences: list[dict[str, Any]] = field(default_factory=list)  # {local_key, remote_id, fields: {f: [l, r]}}
    only_local: list[str] = field(default_factory=list)
    only_remote: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "linked": self.linked,
            "equal": self.equal,
            "differences": self.differences,
            "only_local": self.only_local,
            "only_remote": self.only_remote,
        }


def _value(record: Any, name: str) -> Any:
    value = getattr(record, name)
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value is not None else None)


def compare(
    ids: IdLinks,
    entity: str,
    local: Mapping[str, Any],
    remote: Mapping[str, Any],
    fields: Sequence[str],
) -> EntityComparison:
    out = EntityComparison()
    for key, record in sorted(local.items()):
        remote_id = ids.remote_id(entity, key)
        other = remote.get(remote_id) if remote_id else None
        if other is None:
            out.only_local.append(key)
            continue
        out.linked += 1
        diff = {
            name: [_value(record, name), _value(other, name)]
            for name in fields
            if getattr(other, name) is not None and _value(record, name) != _value(other, name)
        }
        if diff:
            out.differences.append({"local_key": key, "remote_id": remote_id, "fields": diff})
        else:
            out.equal += 1
    out.only_remote = sorted(rid for rid in remote if ids.local_key(entity, rid) is None)
    return out


def compare_persons(ids: IdLinks, local: Sequence[Person], remote: Mapping[str, Person]) -> EntityComparison:
    """Students and teachers: the people the platforms keep rosters of."""
    people = {Role.STUDENT, Role.TEACHER}
    return compare(ids, "persons", {p.id: p for p in local if p.roles & people}, remote, PERSON_FIELDS)


def compare_classes(ids: IdLinks, local: Sequence[SchoolClass], remote: Mapping[str, SchoolClass]) -> EntityComparison:
    return compare(ids, "classes", {c.id: c for c in local}, remote, CLASS_FIELDS)
