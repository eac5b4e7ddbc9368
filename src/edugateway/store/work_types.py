"""A platform's work types per school (Дневник.ру names a mark's work type by its id): stored by the journal pull,
read by the report (store/compliance_reads.py) to show «Контрольная работа» where the mark holds the id.

A work type the platform no longer lists is kept: marks given under it still name it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Subquery, func, select
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


def work_type_titles() -> Subquery:
    """(school_id, remote_id, title): one title per work-type id of a school, for reads that do not know the
    platform a mark came from (the year's journal); the ids of Дневник.ру and ИСУОД are int64s that do not meet."""
    return (
        select(
            PlatformWorkTypeRow.school_id,
            PlatformWorkTypeRow.remote_id,
            func.min(PlatformWorkTypeRow.title).label("title"),
        )
        .group_by(PlatformWorkTypeRow.school_id, PlatformWorkTypeRow.remote_id)
        .subquery("work_type_titles")
    )


def shown_work_type(work_type: str | None, title: str | None) -> str:
    """What a person reads for a mark's work type: the platform's title; «вид работы <id>» for a platform id
    without a known title (Дневник.ру's ids are digits; titles arrive with the next pull); otherwise the work
    type as the mark holds it."""
    if title:
        return title
    if work_type and work_type.isdigit():
        return f"вид работы {work_type}"
    return work_type or ""
