"""Each stored school's code and time zone by id: what a command needs to show a run in the school's time."""

from __future__ import annotations

from sqlalchemy import select

from edugateway.store.db import Database
from edugateway.store.tables import SchoolRow


def stored_school_zones(db: Database) -> dict[int, tuple[str, str]]:
    """id -> (code, the zone its roster import set)."""
    with db.session() as session:
        rows = session.execute(select(SchoolRow.id, SchoolRow.code, SchoolRow.timezone)).all()
    return {id_: (code, timezone) for id_, code, timezone in rows}
