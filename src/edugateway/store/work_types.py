"""A platform's work types per school (Дневник.ру names a mark's work type by its id): stored by the journal pull,
read by the report (store/compliance_reads.py) to show «Контрольная работа» where the mark holds the id.

A work type the platform no longer lists is kept: marks given under it still name it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.domain.models import WorkType
from edugateway.store.tables import PlatformWorkTypeRow


def store_work_types(session: Session, school_id: int, platform: str, types: Sequence[WorkType]) -> int:
    """Adds the school's new work types and renames the changed ones; returns how many rows were written."""
    known = {
        row.remote_id: row
        for row in session.scalars(
            select(PlatformWorkTypeRow).where(
                PlatformWorkTypeRow.school_id == school_id, PlatformWorkTypeRow.platform == platform
            )
        )
    }
    written = 0
    for t in {t.id: t for t in types}.values():  # a repeated id: the platform's last row wins
        row = known.get(t.id)
        if row is None:
            session.add(
                PlatformWorkTypeRow(school_id=school_id, platform=platform, remote_id=t.id, title=t.title, kind=t.kind)
            )
        elif (row.title, row.kind) != (t.title, t.kind):
            row.title, row.kind = t.title, t.kind
        else:
            continue
        written += 1
    return written
