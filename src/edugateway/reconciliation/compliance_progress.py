"""Rules on a student's marks in a subject over a grading period: no marks, one mark, gaps (накопляемость).

The store reads, per student × subject × grading period, the lessons the student was enrolled for and attended
(or was marked at), the marks they got at them, and the longest run of them without a mark (the gap the
накопляемость rule judges). Only lessons whose mark deadline has passed by as_of are counted, so a mark that may
still be entered is not called missing.

Накопляемость (004 §4.2.4 «не реже 1 раза в 3–4 урока», N = accumulation_lessons = 4): the N-th attended lesson
after a mark (or from the period's start) must carry a mark, so a run of N attended lessons without one is a
finding and a run of N - 1 is not. The three sections do not overlap, so a problem is listed once: no marks at all
(N or more attended lessons), exactly one mark (2N or more attended lessons: a mark every N lessons gives at least
two, and one mark in 2N lessons always leaves a run of N), and otherwise a run of N or more without a mark.

The control figures (000 §3.4.8, 004 §3.5: «процент обучающихся, не имеющих отметок / имеющих одну отметку») are
not these findings: they are the shares of all pupil × subject × period combinations with attended lessons whose
deadline passed that have no mark, or exactly one, whatever the number of lessons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from edugateway.config.settings import ComplianceSettings
from edugateway.domain.models import AttendanceCode
from edugateway.reconciliation.compliance_names import Names
from edugateway.store.compliance_reads import Grading, JournalScope, pupil_progress
from edugateway.store.grading_periods import grading_in_data

# A student away from a lesson cannot be marked at it; «ОП» (late) was there.
ABSENT_CODES = (AttendanceCode.ABSENT.value, AttendanceCode.EXCUSED.value, AttendanceCode.ILL.value)


def grading_of(rules: ComplianceSettings) -> Grading:
    """Which classes get marks and by which period, as the platform's settings say."""
    return Grading(marked_from_grade=rules.marked_from_grade, half_year_grades=tuple(rules.half_year_grades))


def grading_for(session: Session, scope: JournalScope, rules: ComplianceSettings) -> Grading:
    """By which periods each class is graded: as the school's data says, else as the settings say."""
    return grading_in_data(session, scope, grading_of(rules))


@dataclass(frozen=True)
class ProgressFindings:
    no_marks: list[dict[str, Any]]
    one_mark: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    checked: int  # student × subject × period combinations with attended lessons
    without_marks: int  # of them, with no lesson mark
    with_one_mark: int  # of them, with exactly one

    def share(self, count: int) -> float:
        return round(count / self.checked, 4) if self.checked else 0.0


def progress_findings(
    session: Session, scope: JournalScope, names: Names, rules: ComplianceSettings
) -> ProgressFindings:
    progress = pupil_progress(
        session,
        scope,
        grading_for(session, scope, rules),
        held_by=scope.as_of - dt.timedelta(days=rules.mark_deadline_days),
        away=ABSENT_CODES,
    )
    n = rules.accumulation_lessons
    found = []
    for t in progress.attended:
        g = progress.longest_unmarked.get((t.person_id, t.subject_id, t.period_id))
        gap = g.gap if g is not None else 0
        if gap >= n:  # no marks in N lessons, or one in 2N, leaves such a run too
            found.append((t, g, gap))
    names.load_for([t for t, _, _ in found])
    no_marks, one_mark, gap_rows = [], [], []
    for t, g, gap in found:
        row = {
            **names.who(t),
            "period": progress.period_names.get(t.period_id, ""),
            "lessons": t.attended,
            "marks": t.marks,
            "from": t.first_lesson.isoformat(),
            "to": t.last_lesson.isoformat(),
        }
        if t.marks == 0:
            no_marks.append(row)
        elif t.marks == 1 and t.attended >= 2 * n:
            one_mark.append(row)
        elif g is not None:
            gap_rows.append(row | {"gap": gap, "from": g.gap_from.isoformat(), "to": g.gap_to.isoformat()})
    return ProgressFindings(
        _sorted(no_marks),
        _sorted(one_mark),
        _sorted(gap_rows),
        checked=len(progress.attended),
        without_marks=sum(1 for t in progress.attended if t.marks == 0),
        with_one_mark=sum(1 for t in progress.attended if t.marks == 1),
    )


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["class"], r["subject"], r["student"], r["from"]))
