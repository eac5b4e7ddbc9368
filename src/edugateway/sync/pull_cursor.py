"""Where a journal pull stands, per school, platform and entity, and which days the next pull reads.

The cursor is the last day of the last committed window. It is written in the same transaction as that
window's records, so a crash leaves it where it was and the rerun redoes the window. It never moves back:
the look-back re-reads days already covered without forgetting how far the pull once got.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.connectors.base import DateRange
from edugateway.errors import ValidationError
from edugateway.store.tables import SyncCursorRow

# Marks may be entered up to 7 days after the lesson (DOMAIN.md); twice that catches late ones with room to spare.
DEFAULT_LOOKBACK_DAYS = 14


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


def pull_span(
    cursor: dt.date | None,
    *,
    until: dt.date,
    start: dt.date | None = None,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
) -> DateRange | None:
    """The days a pull reads: from `lookback_days` before the cursor (never before `start`, the school year's
    first day) or from `start` when nothing was pulled yet, to `until`. None when there is nothing to read."""
    if lookback_days < 0:
        raise ValidationError(f"lookback_days must be 0 or more, not {lookback_days}")
    if cursor is None:
        if start is None:
            raise ValidationError(
                "nothing was pulled yet and no start date was given; pass the school year's first day as start"
            )
        first = start
    else:
        first = cursor - dt.timedelta(days=lookback_days)
        if start is not None and first < start:
            first = start
    return DateRange(first, until) if first <= until else None
