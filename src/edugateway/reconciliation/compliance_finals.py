"""Rules on period and year final marks: a final missing after its period ended, a final changed after it.

A final is due for a student who was enrolled for lessons of a subject in the period (the class's grading
period: четверть, or полугодие for the grades configured so, and the year); «Н/А» and «ОСВ» are finals too.
A change after the period closed needs the deputy director and a written reason (DOMAIN.md). Neither the
platforms' APIs nor the gateway record such a reason, so every change found is listed without one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from edugateway.config.settings import ComplianceSettings
from edugateway.reconciliation.compliance_names import Names
from edugateway.reconciliation.compliance_progress import grading_for
from edugateway.store.compliance_reads import (
    JournalScope,
    final_marks,
    finals_dated_after_close,
    finals_given,
    lessons_of_ended_periods,
    retroactive_changes,
)

NO_REASON = "без зафиксированного основания"


def finals_missing(
    session: Session, scope: JournalScope, names: Names, rules: ComplianceSettings
) -> list[dict[str, Any]]:
    """Student × subject × ended period with lessons and no final mark from the platform."""
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


def finals_changed_after_close(session: Session, scope: JournalScope, names: Names) -> list[dict[str, Any]]:
    """Finals the platform shows dated after their period's end, and retroactive changes seen by the sync."""
    since = scope.span[0] if scope.span else dt.date.min
    dated = finals_dated_after_close(session, scope, since)
    changes = retroactive_changes(session, scope.school_id, scope.platform)
    found: dict[str, dict[str, Any]] = {
        key: {"changed": day.isoformat(), "how": "отметка датирована после окончания периода", "old": ""}
        for key, day in dated
    }
    for change in changes:
        if change.seen_at.date() < since:
            continue
        old = (change.changes.get("value") or ["", ""])[0]
        entry = found.setdefault(change.local_key, {"changed": change.seen_at.date().isoformat(), "old": old})
        entry["old"] = entry["old"] or old
        entry["how"] = "изменение замечено при синхронизации"
    return _final_rows(session, scope, names, found)


def _final_rows(
    session: Session, scope: JournalScope, names: Names, found: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    if not found:
        return []
    marks = final_marks(session, scope.school_id, found.keys())
    names.load(persons=(m.person_id for m in marks), subjects=(m.subject_id for m in marks))
    names.load_homerooms(m.person_id for m in marks)
    rows = [
        {
            "class": names.homerooms.get(m.person_id, ""),
            "subject": names.subject(m.subject_id),
            "student": names.person(m.person_id),
            "period": m.period,
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
