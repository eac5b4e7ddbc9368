"""Query parameters as the diary's API takes them: GUIDs, school years, dates, week numbers."""

from __future__ import annotations

import datetime as dt

from edugateway.emulators.ecp.auth import Session
from edugateway.emulators.ecp.errors import EcpError
from edugateway.emulators.ecp.ids import is_guid
from edugateway.emulators.ecp.world import EcpWorld, Row


def guid(value: str | None, name: str, *, required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            raise EcpError.parameter(name, f"The {name} field is required.")
        return None
    if not is_guid(value):
        raise EcpError.parameter(name, f"The value '{value}' is not valid.")
    return value.lower()


def visible_student(world: EcpWorld, session: Session, value: str | None) -> Row:
    """The student a request is about: required, a GUID, known, and one the caller may see."""
    student_id = guid(value, "studentId")
    assert student_id is not None
    student = world.student(student_id)
    if not session.may_see(student_id):
        raise EcpError(403, "Нет доступа к данным этого ученика")
    return student


def integer(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise EcpError.parameter(name, f"The value '{value}' is not valid.") from exc


def date(value: str | None, name: str) -> dt.date | None:
    """`yyyy-MM-dd`, or a full ISO date-time (the SPA sends both), of which the date counts."""
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise EcpError.parameter(name, f"The value '{value}' is not valid.") from exc


def school_year(value: str | None, default: str) -> str:
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise EcpError.parameter("schoolYear", f"The value '{value}' is not valid.")
    return value
