"""Rules on period and year final marks: a final missing after its period ended, a final changed after it.

A final is due for a student who was enrolled for lessons of a subject in the period (the class's grading
period: четверть, or полугодие for the grades configured so, and the year); «Н/А» and «ОСВ» are finals too.
A change after the period closed needs the deputy director and a written reason (DOMAIN.md). Neither the
platforms' APIs nor the gateway record such a reason, so every change found is listed without one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from edugateway.config.settings import ComplianceSettings
from edugateway.domain.models import MarkKind, ReportingPeriodKind
from edugateway.reconciliation.compliance_progress import grading_period_of, periods_in_view
from edugateway.reconciliation.compliance_scope import Names, Scope
from edugateway.store.batches import chunks
from edugateway.store.tables import ClassRow, EnrollmentRow, JournalChangeRow, LessonRow, MarkRow, ReportingPeriodRow

FINAL_KINDS = (MarkKind.PERIOD_FINAL.value, MarkKind.YEAR_FINAL.value)
NO_REASON = "без зафиксированного основания"


def finals_missing(session: Session, scope: Scope, names: Names, rules: ComplianceSettings) -> list[dict[str, Any]]:
    """Student × subject × ended period with lessons and no final mark from the platform."""
    # The finals there are, as a set: a NOT EXISTS per pupil and lesson is a scan of the pupil's marks each time.
    finals = select(MarkRow.person_id, MarkRow.subject_id, MarkRow.period_id).where(
        *scope.mark_filter("final_marks"), MarkRow.kind.in_(FINAL_KINDS)
    )
    have = set(session.execute(finals).tuples().all())
    query = (
        select(
            EnrollmentRow.person_id,
            LessonRow.subject_id,
            ReportingPeriodRow.id.label("period_id"),
            ReportingPeriodRow.name.label("period"),
            ReportingPeriodRow.end_date,
            func.max(LessonRow.class_id).label("class_id"),
            func.max(LessonRow.teacher_id).label("teacher_id"),
            func.count().label("lessons"),
        )
        .select_from(LessonRow)
        .join(ClassRow, ClassRow.id == LessonRow.class_id)
        .join(ReportingPeriodRow, LessonRow.date.between(ReportingPeriodRow.start_date, ReportingPeriodRow.end_date))
        .join(EnrollmentRow, and_(EnrollmentRow.class_id == LessonRow.class_id, scope.enrolled_on(LessonRow.date)))
        .where(
            *scope.lesson_filter(scope.as_of, in_span=False),
            *periods_in_view(scope),
            ReportingPeriodRow.end_date <= scope.as_of,
            or_(grading_period_of(rules), ReportingPeriodRow.kind == ReportingPeriodKind.YEAR.value),
            ClassRow.grade >= rules.marked_from_grade,
        )
        .group_by(
            EnrollmentRow.person_id,
            LessonRow.subject_id,
            ReportingPeriodRow.id,
            ReportingPeriodRow.name,
            ReportingPeriodRow.end_date,
        )
    )
    found = [r for r in session.execute(query) if (r.person_id, r.subject_id, r.period_id) not in have]
    names.load_for(found)
    rows = [
        {
            **names.who(r),
            "period": r.period,
            "period_end": r.end_date.isoformat(),
            "lessons": r.lessons,
        }
        for r in found
    ]
    return sorted(rows, key=lambda r: (r["class"], r["subject"], r["student"], r["period_end"]))


def finals_changed_after_close(session: Session, scope: Scope, names: Names) -> list[dict[str, Any]]:
    """Finals the platform shows dated after their period's end, and retroactive changes seen by the sync."""
    since = scope.span[0] if scope.span else dt.date.min
    dated = session.execute(
        select(MarkRow.source_id, MarkRow.date)
        .join(ReportingPeriodRow, ReportingPeriodRow.id == MarkRow.period_id)
        .where(
            *scope.mark_filter("final_marks"),
            MarkRow.kind.in_(FINAL_KINDS),
            MarkRow.date > ReportingPeriodRow.end_date,
            MarkRow.date >= since,
        )
    ).all()
    changes = session.execute(
        select(JournalChangeRow.local_key, JournalChangeRow.changes, JournalChangeRow.seen_at)
        .where(
            JournalChangeRow.school_id == scope.school_id,
            JournalChangeRow.platform == scope.platform,
            JournalChangeRow.retroactive.is_(True),
            JournalChangeRow.local_key.is_not(None),
        )
        .order_by(JournalChangeRow.seen_at)
    ).all()
    found: dict[str, dict[str, Any]] = {
        key: {"changed": day.isoformat(), "how": "отметка датирована после окончания периода", "old": ""}
        for key, day in dated
    }
    for key, diff, seen_at in changes:
        if seen_at.date() < since:
            continue
        old = (diff.get("value") or ["", ""])[0]
        entry = found.setdefault(key, {"changed": seen_at.date().isoformat(), "old": old})
        entry["old"] = entry["old"] or old
        entry["how"] = "изменение замечено при синхронизации"
    return _final_rows(session, scope, names, found)


def _final_rows(session: Session, scope: Scope, names: Names, found: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    if not found:
        return []
    marks = [
        mark
        for part in chunks(set(found))
        for mark in session.execute(
            select(MarkRow.source_id, MarkRow.person_id, MarkRow.subject_id, MarkRow.value, ReportingPeriodRow.name)
            .join(ReportingPeriodRow, ReportingPeriodRow.id == MarkRow.period_id)
            .where(MarkRow.school_id == scope.school_id, MarkRow.source_id.in_(part))
        )
    ]
    names.load(persons=(m.person_id for m in marks), subjects=(m.subject_id for m in marks))
    names.load_homerooms(m.person_id for m in marks)
    rows = [
        {
            "class": names.homerooms.get(m.person_id, ""),
            "subject": names.subject(m.subject_id),
            "student": names.person(m.person_id),
            "period": m.name,
            "old_value": found[m.source_id]["old"],
            "value": m.value,
            "changed": found[m.source_id]["changed"],
            "how": found[m.source_id]["how"],
            "reason": NO_REASON,
            "mark": m.source_id,
        }
        for m in marks
    ]
    return sorted(rows, key=lambda r: (r["class"], r["subject"], r["student"], r["period"]))
