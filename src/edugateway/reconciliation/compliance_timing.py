"""Rules on when the journal was filled in, from the times the platform delivers (Дневник.ру and ИСУОД: the
timetable's bells, a homework's `sentDate`, an attendance entry's `createdDate`).

- Homework is sent at most `homework_deadline_minutes` after the class's last lesson of the day ends (001 §2.6,
  003 §2.7: 1.5 h; 000 §3.3.7: 2 h). Exactly at the limit is in time.
- Attendance is entered on the lesson day (001 §2.5 «ежедневно отмечает посещаемость», 003 §2.3.1 «по факту в
  день проведения»): late when the entry's date in the school's time zone is after the lesson's date. The
  regulations set the day, not the lesson's end, as the limit.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from edugateway.reconciliation.compliance_names import Names
from edugateway.store.compliance_reads import JournalScope
from edugateway.store.compliance_timing_reads import attendance_with_entry_time, homework_with_day_end
from edugateway.store.identity_checks import school_timezone


def _local(value: dt.datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def homework_sent_late(
    session: Session, scope: JournalScope, names: Names, deadline_minutes: int
) -> list[dict[str, Any]]:
    """Lessons whose homework was sent more than `deadline_minutes` after their class's lessons that day ended."""
    limit = dt.timedelta(minutes=deadline_minutes)
    late = [r for r in homework_with_day_end(session, scope) if r.sent_at > r.day_end + limit]
    names.load_for(late)
    zone = ZoneInfo(school_timezone(session, scope.school_id))
    rows = [
        {
            **names.who(r),
            "lesson_date": r.date.isoformat(),
            "lesson_number": r.number,
            "lessons_end": _local(r.day_end, zone),
            "sent": _local(r.sent_at, zone),
            "minutes_late": math.ceil((r.sent_at - r.day_end - limit).total_seconds() / 60),
            "lesson": r.source_id,
        }
        for r in late
    ]
    return sorted(rows, key=lambda r: (r["class"], r["lesson_date"], r["lesson_number"], r["subject"]))


def attendance_entered_late(session: Session, scope: JournalScope, names: Names) -> list[dict[str, Any]]:
    """Attendance entries made after their lesson's day, the day taken in the school's time zone."""
    zone = ZoneInfo(school_timezone(session, scope.school_id))
    late = [(r, r.entered_at.astimezone(zone)) for r in attendance_with_entry_time(session, scope)]
    late = [(r, local) for r, local in late if local.date() > r.date]
    names.load_for([r for r, _ in late])
    rows = [
        {
            **names.who(r),
            "lesson_date": r.date.isoformat(),
            "lesson_number": r.number,
            "code": r.code,
            "entered": local.strftime("%Y-%m-%d %H:%M"),
            "days_late": (local.date() - r.date).days,
            "lesson": r.lesson,
        }
        for r, local in late
    ]
    return sorted(rows, key=lambda r: (r["class"], r["lesson_date"], r["lesson_number"], r["student"]))
