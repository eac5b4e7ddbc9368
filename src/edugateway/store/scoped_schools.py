"""The schools a web account may read, for pages that choose one (the deputy's reports): the scope is in the
query, so another school is never read at all."""

from __future__ import annotations

from sqlalchemy import select

from edugateway.store.db import Database
from edugateway.store.school_scope import SchoolScope
from edugateway.store.schools import StoredSchool
from edugateway.store.tables import SchoolRow


def schools_in_scope(db: Database, scope: SchoolScope) -> list[StoredSchool]:
    """The scope's schools by name."""
    with db.session() as session:
        rows = session.scalars(
            select(SchoolRow).where(scope.where(SchoolRow.id)).order_by(SchoolRow.name, SchoolRow.id)
        )
        return [StoredSchool(r.id, r.code, r.name, r.timezone) for r in rows]


def school_in_scope(db: Database, scope: SchoolScope, school_id: int) -> StoredSchool | None:
    """The school with this row id if the scope holds it; None otherwise (the page answers 404)."""
    with db.session() as session:
        row = session.scalars(
            select(SchoolRow).where(SchoolRow.id == school_id, scope.where(SchoolRow.id))
        ).one_or_none()
        return None if row is None else StoredSchool(row.id, row.code, row.name, row.timezone)
