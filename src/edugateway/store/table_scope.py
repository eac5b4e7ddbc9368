"""What a bulk `import table` may deactivate: one export holds one kind of person (pupils or staff), so the
records of the other kinds the school stores are counted as seen and left alone. A pupils file deactivates the
pupils it lacks and their class places, never a teacher, a parent or a teacher's class; a staff file the staff
and teachers it lacks. Classes are never deactivated by a table import (an export lists only classes that
have someone in them)."""

from __future__ import annotations

from sqlalchemy import select

from edugateway.domain.entities import RecordKind
from edugateway.domain.models import EnrollmentRole, Role
from edugateway.errors import ValidationError
from edugateway.store.db import Database
from edugateway.store.roster import ParsedRoster
from edugateway.store.table_mapping import TableKind
from edugateway.store.tables import ClassRow, EnrollmentRow, PersonRow, SchoolRow

_ROLES = {TableKind.PUPILS: {Role.STUDENT}, TableKind.STAFF: {Role.TEACHER, Role.STAFF}}
_PLACES = {TableKind.PUPILS: EnrollmentRole.STUDENT, TableKind.STAFF: EnrollmentRole.TEACHER}


def keep_other_kinds(db: Database, roster: ParsedRoster, school_code: str, kind: TableKind) -> None:
    """Marks the school's stored records this kind of file does not describe as seen in `roster`. An export
    does not describe the school itself, so a school not in the database is refused (ValidationError)."""
    with db.session() as session:
        school_id = session.scalar(select(SchoolRow.id).where(SchoolRow.code == school_code))
        if school_id is None:
            raise ValidationError(
                f"school {school_code!r} is not in the database, and a table export does not describe the school; "
                "import it first (OneRoster orgs.csv or the XLSX «Школа» sheet), or check --school"
            )
        for sid, roles in session.execute(
            select(PersonRow.source_id, PersonRow.roles).where(PersonRow.school_id == school_id)
        ):
            if not set(roles.split(",")) & _ROLES[kind]:
                roster.seen(RecordKind.PERSON, sid)
        for sid, role in session.execute(
            select(EnrollmentRow.source_id, EnrollmentRow.role).where(EnrollmentRow.school_id == school_id)
        ):
            if role != _PLACES[kind]:
                roster.seen(RecordKind.ENROLLMENT, sid)
        for (sid,) in session.execute(select(ClassRow.source_id).where(ClassRow.school_id == school_id)):
            roster.seen(RecordKind.CLASS, sid)
