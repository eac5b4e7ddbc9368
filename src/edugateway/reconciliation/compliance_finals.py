"""Rules on period and year final marks: a final missing after its period ended, a final entered late, and a
final changed after its period closed.

A final is due for a student who was enrolled for lessons of a subject in the period (the class's grading
period: четверть, or полугодие for the grades configured so, and the year); «Н/А» and «ОСВ» are finals too.
It is due by the period's last day (+ `final_deadline_days`): 001 §2.7 and 003 §2.8 «в течение последней недели
каждого учебного периода до начала каникулярного периода», 000 §3.3.8 «в конце учебной четверти». A missing final
is reported in every report of the school year until it is set, not only while its period is in the span.

Late entry and change are different findings: a final first given after the deadline with no earlier value is
late (000 §3.3.9 «выставление отметок задним числом»); a value replaced after the period closed is a change, which
needs the deputy director and a written explanation (000 §3.3.11). The deputy's permission is recorded in the
gateway (store/final_justifications.py); a change to the value it permits is listed as justified and is not a
finding (Section.total counts the others).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from edugateway.config.settings import ComplianceSettings
from edugateway.reconciliation.compliance_names import Names
from edugateway.reconciliation.compliance_progress import grading_for
from edugateway.store.compliance_reads import (
    FinalMark,
    JournalScope,
    RetroactiveChange,
    final_marks,
    final_teachers,
    finals_dated_after_close,
    finals_given,
    lessons_of_ended_periods,
    retroactive_changes,
)
from edugateway.store.final_justifications import active_justifications

NO_REASON = "без зафиксированного основания"


def finals_missing(
    session: Session, scope: JournalScope, names: Names, rules: ComplianceSettings
) -> list[dict[str, Any]]:
    """Student × subject × ended period of the school year with lessons and no final mark from the platform."""
    have = finals_given(session, scope)
    found = [
        r
        for r in lessons_of_ended_periods(session, scope, grading_for(session, scope, rules))
        if (r.person_id, r.subject_id, r.period_id) not in have
    ]
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


@dataclass(frozen=True, slots=True)
class _Seen:
    """What the sync saw of one final's value after its period closed: the first value replaced, and when."""

    old: str
    changed: dt.date


def _value_changes(session: Session, scope: JournalScope) -> dict[str, _Seen]:
    """Finals whose value the sync saw change after their period closed, from the span's first day on, by key:
    the earliest value replaced and the day of the latest change. A change from no value is not a change."""
    since = scope.span[0] if scope.span else dt.date.min
    seen: dict[str, _Seen] = {}
    change: RetroactiveChange
    for change in retroactive_changes(session, scope.school_id, scope.platform):
        old = (change.changes.get("value") or [None, None])[0]
        if change.seen_at.date() < since or old in (None, ""):
            continue
        first = seen.get(change.local_key)
        seen[change.local_key] = _Seen(first.old if first else str(old), change.seen_at.date())
    return seen


def finals_entered_late(
    session: Session, scope: JournalScope, names: Names, rules: ComplianceSettings
) -> list[dict[str, Any]]:
    """Finals the platform dates after their period's last day + `final_deadline_days`, with no earlier value."""
    since = scope.span[0] if scope.span else dt.date.min
    replaced = _value_changes(session, scope)
    late = {
        f.local_key: f.date
        for f in finals_dated_after_close(session, scope, since)
        if (f.date - f.period_end).days > rules.final_deadline_days and f.local_key not in replaced
    }
    marks = _described(session, scope, names, late.keys())
    rows = [
        {
            **row,
            "period_end": mark.period_end.isoformat(),
            "value": mark.value,
            "given": late[mark.source_id].isoformat(),
            "days_late": (late[mark.source_id] - mark.period_end).days,
            "mark": mark.source_id,
        }
        for mark, row in marks
    ]
    return sorted(rows, key=lambda r: (r["class"], r["subject"], r["student"], r["period"]))


def finals_changed_after_close(session: Session, scope: JournalScope, names: Names) -> list[dict[str, Any]]:
    """Finals whose value the sync saw replaced after their period closed; justified when the deputy's permission
    for the current value is recorded (`justified` in the row: such a row is listed but is not a finding)."""
    changed = _value_changes(session, scope)
    permitted = active_justifications(session, scope.school_id, scope.platform)
    rows = []
    for mark, row in _described(session, scope, names, changed.keys()):
        permission = permitted.get((mark.source_id, mark.value))
        rows.append(
            {
                **row,
                "old_value": changed[mark.source_id].old,
                "value": mark.value,
                "changed": changed[mark.source_id].changed.isoformat(),
                "how": "изменение замечено при синхронизации",
                "reason": permission.basis if permission else NO_REASON,
                "mark": mark.source_id,
                "justified": permission is not None,
            }
        )
    return sorted(rows, key=lambda r: (r["class"], r["subject"], r["student"], r["period"]))


def _described(
    session: Session, scope: JournalScope, names: Names, keys: Collection[str]
) -> list[tuple[FinalMark, dict[str, Any]]]:
    """The finals with these keys and their class (the pupil's homeroom), subject, teacher, student and period."""
    if not keys:
        return []
    marks = final_marks(session, scope.school_id, keys)
    teachers = final_teachers(session, scope, [(m.person_id, m.subject_id, m.period_id) for m in marks])
    names.load(
        persons=[*(m.person_id for m in marks), *teachers.values()],
        subjects=(m.subject_id for m in marks),
    )
    names.load_homerooms(m.person_id for m in marks)
    return [
        (
            m,
            {
                "class": names.homerooms.get(m.person_id, ""),
                "subject": names.subject(m.subject_id),
                "teacher": names.person(teachers.get((m.person_id, m.subject_id or 0, m.period_id))),
                "student": names.person(m.person_id),
                "period": m.period,
            },
        )
        for m in marks
    ]
