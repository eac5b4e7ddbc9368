"""The rule on lesson marks changed or added «задним числом» (000 §3.3.9–3.3.10), from what the syncs saw.

The platforms say neither when a mark was entered nor when it was changed, so a sync's observations are the only
clock, and a finding must be provable from them:
- changed: a value change the sync recorded, when the old value had already been seen after the mark's deadline
  (the mark's first sighting, or the previous change, falls on a day past it): the change came after the deadline;
- added: a mark first seen on a later day than its lesson, when the lesson had already been seen without it after
  the deadline (a sync stores a window's lessons and their marks together), and dated within the deadline (a mark
  dated late is the late-mark rule's finding).
Days are the school's local days (schools.timezone): a night's sync at 02:00 in Yekaterinburg is the previous
evening in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from edugateway.reconciliation.compliance_names import Names
from edugateway.store.compliance_reads import JournalScope
from edugateway.store.identity_checks import school_timezone
from edugateway.store.lesson_mark_history import SeenMark, lesson_mark_changes, marks_seen_after_their_lesson

CHANGED = "изменена после срока"
ADDED = "выставлена задним числом"


def lesson_marks_changed_late(
    session: Session, scope: JournalScope, names: Names, deadline_days: int
) -> list[dict[str, Any]]:
    zone = ZoneInfo(school_timezone(session, scope.school_id))

    def day(moment: dt.datetime) -> dt.date:
        return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(zone).date()

    def due(mark: SeenMark) -> dt.date:
        return mark.lesson_date + dt.timedelta(days=deadline_days)

    since = scope.span[0] if scope.span else dt.date.min
    found: list[tuple[SeenMark, str, str, dt.date, str]] = []
    old_value_seen: dict[str, dt.datetime] = {}  # by mark: when its current value was last seen before a change
    for change in lesson_mark_changes(session, scope):
        mark = change.mark
        before = old_value_seen.get(mark.source_id, mark.first_seen)
        old_value_seen[mark.source_id] = change.seen_at
        if day(before) > due(mark) and day(change.seen_at) >= since:
            found.append((mark, change.old_value, change.new_value, day(change.seen_at), CHANGED))
    for mark in marks_seen_after_their_lesson(session, scope):
        lesson_seen, mark_seen = day(mark.lesson_first_seen), day(mark.first_seen)
        dated_in_time = mark.date is None or mark.date <= due(mark)
        if lesson_seen > due(mark) and mark_seen > lesson_seen and dated_in_time and mark_seen >= since:
            found.append((mark, "", mark.value, mark_seen, ADDED))
    names.load_for([mark for mark, *_ in found])
    rows = [
        {
            **names.who(mark),
            "lesson_date": mark.lesson_date.isoformat(),
            "old_value": old,
            "value": new,
            "seen": seen.isoformat(),
            "how": how,
            "mark": mark.source_id,
        }
        for mark, old, new, seen, how in found
    ]
    return sorted(rows, key=lambda r: (r["class"], r["subject"], r["lesson_date"], r["student"], r["seen"]))
