"""Which journal entities of a school were looked at on a platform: those a pull has a cursor for (it read them,
even if it found nothing), and those the platform delivered records of (active identity links)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.store.tables import IdentityLinkRow, SyncCursorRow


def pulled_and_delivered(
    session: Session, school_id: int, platform: str, entities: Collection[str]
) -> tuple[set[str], set[str]]:
    """(entities with a pull cursor, entities with delivered records), among `entities`."""
    cursors = set(
        session.scalars(
            select(SyncCursorRow.entity).where(
                SyncCursorRow.school_id == school_id,
                SyncCursorRow.platform == platform,
                SyncCursorRow.entity.in_(list(entities)),
            )
        )
    )
    delivered = set(
        session.scalars(
            select(IdentityLinkRow.entity)
            .where(
                IdentityLinkRow.school_id == school_id,
                IdentityLinkRow.platform == platform,
                IdentityLinkRow.entity.in_(list(entities)),
                IdentityLinkRow.unlinked_at.is_(None),
            )
            .distinct()
        )
    )
    return cursors, delivered
