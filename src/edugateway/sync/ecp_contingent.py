"""ГИС ЕЦП's contingent as a pushed entity: pupils with their homeroom and their legal representatives, sent
through the edu-upload service, keyed by the local ids (a second upload of a record replaces the first)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from edugateway.connectors.ecp import Pupil, Representative, contingent
from edugateway.domain.entities import Entity
from edugateway.domain.models import ParentLink, Person
from edugateway.domain.snapshot import SchoolSnapshot

# What the upload carries of a person: e-mail and phone are not in its tables, the rejected SNILS never leaves.
PERSON_FIELDS = {"id", "roles", "last_name", "first_name", "middle_name", "birth_date", "gender", "snils"}


class EcpContingent:
    entity = Entity.PERSONS
    track = "contingent"
    upserts = True

    def wanted(self, snapshot: SchoolSnapshot) -> dict[str, dict[str, Any]]:
        records = contingent(snapshot.persons, snapshot.classes, snapshot.enrollments, snapshot.parent_links)
        return {record.key: _payload(record) for record in records}

    def records(self, payloads: Sequence[dict[str, Any]]) -> list[Any]:
        return [_record(p) for p in payloads]


def _payload(record: Pupil | Representative) -> dict[str, Any]:
    person = record.person.model_dump(mode="json", include=PERSON_FIELDS)
    if isinstance(record, Pupil):
        admitted = record.admission_date.isoformat() if record.admission_date else None
        return {"kind": "pupil", "person": person, "class_name": record.class_name, "admission_date": admitted}
    return {"kind": "representative", "person": person, "link": record.link.model_dump(mode="json")}


def _record(payload: dict[str, Any]) -> Pupil | Representative:
    person = Person.model_validate(payload["person"])
    if payload["kind"] == "pupil":
        admitted = payload.get("admission_date")
        return Pupil(person, payload["class_name"], dt.date.fromisoformat(admitted) if admitted else None)
    return Representative(person, ParentLink.model_validate(payload["link"]))
