"""Rules on single journal records: a lesson without its topic, a mark entered after its deadline.

A mark's entry day is the platform's mark date (MarkRow.date, the day the mark was given); its lesson's date is
the day it is for. Only marks dated after their lesson are read back, and the days between are counted here, so
the date arithmetic is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from edugateway.domain.models import MarkKind
from edugateway.reconciliation.compliance_scope import Names, Scope
from edugateway.store.tables import LessonRow, MarkRow


def lessons_without_topic(session: Session, scope: Scope, names: Names, deadline_days: int) -> list[dict[str, Any]]:
    """Lessons whose topic was due (lesson day + deadline has passed by as_of) and is empty."""
    cutoff = scope.as_of - dt.timedelta(days=deadline_days)
    query = select(
        LessonRow.source_id,
        LessonRow.date,
        LessonRow.number,
        LessonRow.class_id,
        LessonRow.subject_id,
        LessonRow.teacher_id,
    ).where(*scope.lesson_filter(cutoff), (LessonRow.topic.is_(None)) | (func.trim(LessonRow.topic) == ""))
    found = session.execute(query).all()
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
    session: Session, scope: Scope, names: Names, *, kinds: tuple[MarkKind, ...], deadline_days: int
) -> list[dict[str, Any]]:
    """Marks of `kinds` whose date falls more than `deadline_days` after their lesson."""
    query = (
        select(
            MarkRow.source_id,
            MarkRow.person_id,
            MarkRow.value,
            MarkRow.date,
            MarkRow.work_type,
            LessonRow.date.label("lesson_date"),
            LessonRow.class_id,
            LessonRow.subject_id,
            LessonRow.teacher_id,
        )
        .join(LessonRow, LessonRow.id == MarkRow.lesson_id)
        .where(
            *scope.mark_filter("marks"),
            MarkRow.kind.in_([k.value for k in kinds]),
            MarkRow.date.is_not(None),
            MarkRow.date > LessonRow.date,
            *scope.lesson_filter(scope.as_of),
        )
    )
    late = [r for r in session.execute(query) if (r.date - r.lesson_date).days > deadline_days]
    names.load_for(late)
    rows = [
        {
            **names.who(r),
            "lesson_date": r.lesson_date.isoformat(),
            "mark_date": r.date.isoformat(),
            "days_late": (r.date - r.lesson_date).days - deadline_days,
            "value": r.value,
            "work_type": r.work_type or "",
            "mark": r.source_id,
        }
        for r in late
    ]
    return sorted(rows, key=lambda r: (r["class"], r["subject"], r["lesson_date"], r["student"]))
