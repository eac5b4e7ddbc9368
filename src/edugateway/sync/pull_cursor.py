"""Which days the next journal pull reads, from where the pull stands (its cursor, store/cursors.py).

The cursor is the last day of the last committed window. It is written in the same transaction as that
window's records, so a crash leaves it where it was and the rerun redoes the window. It never moves back:
the look-back re-reads days already covered without forgetting how far the pull once got.
"""

from __future__ import annotations

import datetime as dt

from edugateway.config.settings import PlatformKind
from edugateway.connectors.base import DateRange
from edugateway.errors import ValidationError

# Marks may be entered up to 7 days after the lesson (DOMAIN.md); twice that catches late ones with room to spare.
DEFAULT_LOOKBACK_DAYS = 14
# ЕЦП is read one request per pupil and week, so its look-back is exactly its allowance, 000 §3.3.2: «в
# исключительных случаях допускается … в другой день, но не позднее 7 дней с момента проведения занятия».
# A nightly pull then reads two weeks' pages (the week seven days back and this one), not three.
LOOKBACK_DAYS_BY_KIND: dict[PlatformKind, int] = {PlatformKind.ECP: 7}


def lookback_days_of(kind: PlatformKind) -> int:
    return LOOKBACK_DAYS_BY_KIND.get(kind, DEFAULT_LOOKBACK_DAYS)


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
