"""The platform's side of each entity, read through its connector and laid out as Arrow columns as it streams
in. References stay the platform's ids here; the comparison translates them through the id-link map."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import pyarrow as pa

from edugateway.connectors.base import Connector, DateRange, Op, Remote
from edugateway.domain.entities import Entity
from edugateway.domain.models import Attendance, Enrollment, EnrollmentRole, Lesson, Mark, Person, SchoolClass, Subject
from edugateway.reconciliation.columns import ColumnBuffer, remote_schema


def person_row(remote: Remote[Person], homeroom: str | None) -> Sequence[Any]:
    p = remote.record
    gender = p.gender.value if p.gender else None
    return (remote.remote_id, p.last_name, p.first_name, p.middle_name, p.birth_date, gender, homeroom)


def class_row(remote: Remote[SchoolClass]) -> Sequence[Any]:
    c = remote.record
    return (remote.remote_id, c.name, c.grade, c.parent_id)


def subject_row(remote: Remote[Subject]) -> Sequence[Any]:
    return (remote.remote_id, remote.record.name)


def lesson_row(remote: Remote[Lesson]) -> Sequence[Any]:
    x = remote.record
    return (remote.remote_id, x.date, x.number, x.class_id, x.subject_id, x.teacher_id, x.topic, x.homework)


def mark_row(remote: Remote[Mark]) -> Sequence[Any]:
    x = remote.record
    return (remote.remote_id, x.person_id, x.lesson_id, str(x.value), x.kind.value, x.work_type, x.date)


def final_mark_row(remote: Remote[Mark]) -> Sequence[Any]:
    x = remote.record
    return (remote.remote_id, x.person_id, x.subject_id, x.period_id, str(x.value), x.kind.value)


def attendance_row(remote: Remote[Attendance]) -> Sequence[Any]:
    x = remote.record
    return (remote.remote_id, x.person_id, x.lesson_id, x.code.value, x.minutes_late)


async def _collect(entity: str, stream: AsyncIterator[Remote[Any]], row: Any) -> pa.Table:
    buffer = ColumnBuffer(remote_schema(entity))
    async for remote in stream:
        buffer.add(row(remote))
    return buffer.table()


async def _homerooms(connector: Connector, classes: pa.Table) -> dict[str, str]:
    """Pupil -> their class (not a subgroup) on the platform, where it says."""
    if not connector.capabilities.allows(Entity.ENROLLMENTS, Op.READ):
        return {}
    top = {
        rid
        for rid, parent in zip(classes["remote_id"].to_pylist(), classes["parent_key"].to_pylist(), strict=True)
        if not parent
    }
    found: dict[str, str] = {}
    async for remote in connector.enrollments():
        e: Enrollment = remote.record
        if e.role is EnrollmentRole.STUDENT and e.class_id in top:
            found.setdefault(e.person_id, e.class_id)
    return found


async def remote_tables(connector: Connector, entities: Sequence[str], span: DateRange | None) -> dict[str, pa.Table]:
    """The platform's side of each of `entities` the connector can read (the others are left out)."""
    caps = connector.capabilities
    tables: dict[str, pa.Table] = {}
    if "classes" in entities or "persons" in entities:
        tables["classes"] = await _collect("classes", connector.classes(), class_row)
    if "persons" in entities:
        homeroom = await _homerooms(connector, tables["classes"])
        buffer = ColumnBuffer(remote_schema("persons"))
        async for remote in connector.persons():
            buffer.add(person_row(remote, homeroom.get(remote.remote_id)))
        tables["persons"] = buffer.table()
    if "subjects" in entities and caps.allows(Entity.SUBJECTS, Op.READ):
        tables["subjects"] = await _collect("subjects", connector.subjects(), subject_row)
    if span is not None:
        dated = (("lessons", connector.lessons, lesson_row), ("marks", connector.marks, mark_row))
        for name, read, row in (*dated, ("attendance", connector.attendance, attendance_row)):
            if name in entities and caps.allows(Entity(name), Op.READ):
                tables[name] = await _collect(name, read(span), row)
    if "final_marks" in entities and caps.allows(Entity.FINAL_MARKS, Op.READ):
        tables["final_marks"] = await _collect("final_marks", connector.final_marks(), final_mark_row)
    if "classes" not in entities:
        tables.pop("classes", None)
    return tables
