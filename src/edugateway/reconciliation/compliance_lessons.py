"""Rules on single journal records: a lesson without its topic, a mark entered after its deadline.

A mark's entry day is the platform's mark date (the day the mark was given); its lesson's date is the day it is
for. Only marks dated after their lesson are read back, and the days between are counted here, so the date
arithmetic is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from edugateway.domain.models import MarkKind
from edugateway.reconciliation.compliance_names import Names
from edugateway.store.compliance_reads import JournalScope, lessons_with_empty_topic, marks_dated_after_lesson
from edugateway.store.work_types import shown_work_type


def lessons_without_topic(
    session: Session, scope: JournalScope, names: Names, deadline_days: int
) -> list[dict[str, Any]]:
    """Lessons whose topic was due (lesson day + deadline has passed by as_of) and is empty."""
    found = lessons_with_empty_topic(session, scope, held_by=scope.as_of - dt.timedelta(days=deadline_days))
    names.load_for(found)
    rows = [
        {
            **names.who(r),
            "lesson_date": r.date.isoformat(),
            "lesson_number": r.number,
            "lesson": r.source_id,
        }
        for r in found
    ]
    return sorted(rows, key=lambda r: (r["class"], r["lesson_date"], r["lesson_number"], r["subject"]))


def marks_entered_late(
    session: Session, scope: JournalScope, names: Names, *, kinds: tuple[MarkKind, ...], deadline_days: int
) -> list[dict[str, Any]]:
    """Marks of `kinds` whose date falls more than `deadline_days` after their lesson."""
    late = [r for r in marks_dated_after_lesson(session, scope, kinds) if (r.date - r.lesson_date).days > deadline_days]
    names.load_for(late)
    rows = [
        {
            **names.who(r),
            "lesson_date": r.lesson_date.isoformat(),
            "mark_date": r.date.isoformat(),
            "days_late": (r.date - r.lesson_date).days - deadline_days,
            "value": r.value,
            "work_type": shown_work_type(r.work_type, r.work_type_title),
            "mark": r.source_id,
        }
        for r in late
    ]
    return sorted(rows, key=lambda r: (r["class"], r["subject"], r["lesson_date"], r["student"]))
