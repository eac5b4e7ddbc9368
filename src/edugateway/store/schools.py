"""The schools of the local database, by code, and when a school's year of reporting periods began."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from edugateway.store.db import Database
from edugateway.store.tables import ReportingPeriodRow, SchoolRow


@dataclass(frozen=True, slots=True)
class StoredSchool:
    id: int
    code: str
    name: str
    timezone: str  # an IANA zone name, e.g. Europe/Moscow


def find_school(db: Database, code: str) -> StoredSchool | None:
    with db.session() as session:
        return school_by_code(session, code)


def school_by_code(session: Session, code: str) -> StoredSchool | None:
    row = session.scalars(select(SchoolRow).where(SchoolRow.code == code)).one_or_none()
    return None if row is None else StoredSchool(row.id, row.code, row.name, row.timezone)


def first_period_start(db: Database, school_id: int, *, ending_on_or_after: dt.date) -> dt.date | None:
    """The earliest start of the school's active reporting periods that end on or after the day."""
    with db.session() as session:
        return session.scalar(
            select(func.min(ReportingPeriodRow.start_date)).where(
                ReportingPeriodRow.school_id == school_id,
                ReportingPeriodRow.active.is_(True),
                ReportingPeriodRow.end_date >= ending_on_or_after,
            )
        )
