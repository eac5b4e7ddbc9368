"""What the sync saw of a lesson mark's history: when the gateway first saw it and its lesson, and the value
changes it recorded (journal_changes), for the rule on marks changed or added «задним числом» (000 §3.3.9).

The platforms do not say when a mark was entered or changed; the gateway only knows when a sync saw it. These
reads return the times as stored and leave the judging (which observation falls after which deadline) to the
rule (reconciliation/compliance_mark_history.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from edugateway.store.compliance_reads import LESSON_MARK_KINDS, JournalScope, _lesson_filter, _mark_filter
from edugateway.store.tables import JournalChangeRow, LessonRow, MarkRow


@dataclass(frozen=True, slots=True)
class SeenMark:
    """A lesson mark of the platform with its lesson, and when the gateway first stored each."""

    source_id: str
    person_id: int
    value: str
    date: dt.date | None  # the day the platform dates the mark
    first_seen: dt.datetime
    lesson_date: dt.date
    lesson_first_seen: dt.datetime
    class_id: int
    subject_id: int
    teacher_id: int | None


def _seen_marks(scope: JournalScope) -> Any:
    return (
        select(
            MarkRow.source_id,
            MarkRow.person_id,
            MarkRow.value,
            MarkRow.date,
            MarkRow.created_at,
            LessonRow.date,
            LessonRow.created_at,
            LessonRow.class_id,
            LessonRow.subject_id,
            LessonRow.teacher_id,
        )
        .join(LessonRow, LessonRow.id == MarkRow.lesson_id)
        .where(*_mark_filter(scope, "marks"), MarkRow.kind.in_(LESSON_MARK_KINDS), *_lesson_filter(scope, scope.as_of))
    )


def marks_seen_after_their_lesson(session: Session, scope: JournalScope) -> list[SeenMark]:
    """The platform's lesson marks (of lessons held by as_of, in the span) first stored after their lesson was."""
    query = _seen_marks(scope).where(MarkRow.created_at > LessonRow.created_at)
    return [SeenMark(*row) for row in session.execute(query).tuples()]


@dataclass(frozen=True, slots=True)
class MarkChange:
    """A value change of a lesson mark that a sync recorded: the mark as it is now, and what it was."""

    mark: SeenMark
    old_value: str
    new_value: str
    seen_at: dt.datetime


def lesson_mark_changes(session: Session, scope: JournalScope) -> list[MarkChange]:
    """Every value change the syncs recorded of the platform's lesson marks (of lessons held by as_of, in the
    span), oldest first."""
    query = (
        _seen_marks(scope)
        .add_columns(JournalChangeRow.changes, JournalChangeRow.seen_at)
        .join(
            JournalChangeRow,
            and_(
                JournalChangeRow.school_id == scope.school_id,
                JournalChangeRow.platform == scope.platform,
                JournalChangeRow.entity == "marks",
                JournalChangeRow.local_key == MarkRow.source_id,
            ),
        )
        .order_by(JournalChangeRow.seen_at, JournalChangeRow.id)
    )
    found = []
    for *mark, changes, seen_at in session.execute(query).tuples():
        value = changes.get("value") if isinstance(changes, dict) else None
        if isinstance(value, list) and len(value) == 2:
            old, new = ("" if v is None else str(v) for v in value)
            found.append(MarkChange(SeenMark(*mark), old, new, seen_at))
    return found
