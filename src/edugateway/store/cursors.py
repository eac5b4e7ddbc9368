"""Pull cursors: the last day of the last committed pull window, per school, platform and entity.

A cursor is written in the same transaction as its window's records (the caller's session), so a crash leaves
it where it was. It never moves back; it is only restarted (`restart_cursors`) when a person is linked late, so the
records skipped while they were unlinked are read again. Which days a pull reads from it is sync's business
(sync/pull_cursor.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from edugateway.store.tables import SyncCursorRow


@dataclass(frozen=True)
class CursorKey:
    school_id: int
    platform: str
    entity: str


def read_cursor(session: Session, key: CursorKey) -> dt.date | None:
    return session.scalar(
        select(SyncCursorRow.position).where(
            SyncCursorRow.school_id == key.school_id,
            SyncCursorRow.platform == key.platform,
            SyncCursorRow.entity == key.entity,
        )
    )


def advance_cursor(session: Session, key: CursorKey, to: dt.date) -> dt.date:
    """Moves the cursor forward to `to` within the caller's transaction; returns where it now stands."""
    row = session.scalar(
        select(SyncCursorRow).where(
            SyncCursorRow.school_id == key.school_id,
            SyncCursorRow.platform == key.platform,
            SyncCursorRow.entity == key.entity,
        )
    )
    if row is None:
        session.add(SyncCursorRow(school_id=key.school_id, platform=key.platform, entity=key.entity, position=to))
        return to
    if to > row.position:
        row.position = to
    return row.position


def restart_cursors(session: Session, school_id: int, platform: str, entities: Collection[str]) -> None:
    """Forgets these cursors, so the next pull reads the entities from the start again (unchanged records are not
    written): a person linked late had their records skipped while unlinked."""
    session.execute(
        delete(SyncCursorRow).where(
            SyncCursorRow.school_id == school_id,
            SyncCursorRow.platform == platform,
            SyncCursorRow.entity.in_(list(entities)),
        )
    )
