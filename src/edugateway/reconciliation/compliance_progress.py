"""Rules on a student's marks in a subject over a grading period: no marks, one mark, gaps (накопляемость).

One SQL statement builds the student × lesson table: every lesson of a grading period a student was enrolled
for and attended (or was marked at), with the number of marks they got at it. A running count of marked lessons
splits each student's lessons into runs between marks (gaps and islands); the longest run without a mark is
the gap the накопляемость rule judges. Only lessons whose mark deadline has passed by as_of are counted, so a
mark that may still be entered is not called missing.

The three sections do not overlap, so a problem is listed once: no marks at all (more than N attended lessons),
exactly one mark (more than 2N attended lessons: a mark every N lessons gives at least two), and otherwise a gap
of more than N attended lessons between or after marks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from edugateway.config.settings import ComplianceSettings
from edugateway.domain.models import MarkKind, ReportingPeriodKind
from edugateway.reconciliation.compliance_scope import ABSENT_CODES, Names, Scope
from edugateway.store.tables import AttendanceRow, ClassRow, EnrollmentRow, LessonRow, MarkRow, ReportingPeriodRow

LESSON_MARK_KINDS = (MarkKind.LESSON.value, MarkKind.WORK.value)


def grading_period_of(rules: ComplianceSettings) -> Any:
    """The join condition of a lesson's class with its grading period: четверть, or полугодие for some grades."""
    halves = list(rules.half_year_grades)
    return or_(
        and_(ClassRow.grade.in_(halves), ReportingPeriodRow.kind == ReportingPeriodKind.HALF.value),
        and_(ClassRow.grade.not_in(halves), ReportingPeriodRow.kind == ReportingPeriodKind.QUARTER.value),
    )


def periods_in_view(scope: Scope) -> list[Any]:
    """Periods that have started by as_of and, with a span, have not ended before it."""
    where = [ReportingPeriodRow.school_id == scope.school_id, ReportingPeriodRow.start_date <= scope.as_of]
    if scope.span is not None:
        where.append(ReportingPeriodRow.end_date >= scope.span[0])
    return where


def _student_lessons(scope: Scope, rules: ComplianceSettings) -> Subquery:
    """Student × lesson rows of the grading periods, with `marked` 1/0 and `marks` (how many)."""
    cutoff = scope.as_of - dt.timedelta(days=rules.mark_deadline_days)
    marks = (
        select(MarkRow.person_id, MarkRow.lesson_id, func.count().label("n"))
        .where(*scope.mark_filter("marks"), MarkRow.kind.in_(LESSON_MARK_KINDS), MarkRow.lesson_id.is_not(None))
        .group_by(MarkRow.person_id, MarkRow.lesson_id)
        .subquery("lesson_marks")
    )
    absent = exists(
        select(AttendanceRow.id).where(
            AttendanceRow.lesson_id == LessonRow.id,
            AttendanceRow.person_id == EnrollmentRow.person_id,
            AttendanceRow.code.in_(ABSENT_CODES),
        )
    )
    n_marks = func.coalesce(marks.c.n, 0)
    return (
        select(
            EnrollmentRow.person_id,
            LessonRow.subject_id,
            ReportingPeriodRow.id.label("period_id"),
            LessonRow.id.label("lesson_id"),
            LessonRow.date,
            LessonRow.number,
            LessonRow.class_id,
            LessonRow.teacher_id,
            case((n_marks > 0, 1), else_=0).label("marked"),
            n_marks.label("marks"),
        )
        .select_from(LessonRow)
        .join(ClassRow, ClassRow.id == LessonRow.class_id)
        .join(
            ReportingPeriodRow, and_(LessonRow.date.between(ReportingPeriodRow.start_date, ReportingPeriodRow.end_date))
        )
        .join(EnrollmentRow, and_(EnrollmentRow.class_id == LessonRow.class_id, scope.enrolled_on(LessonRow.date)))
        .outerjoin(marks, and_(marks.c.person_id == EnrollmentRow.person_id, marks.c.lesson_id == LessonRow.id))
        .where(
            *scope.lesson_filter(cutoff, in_span=False),
            *periods_in_view(scope),
            grading_period_of(rules),
            ClassRow.grade >= rules.marked_from_grade,
            or_(n_marks > 0, ~absent),
        )
        .subquery("student_lessons")
    )


@dataclass(frozen=True)
class ProgressFindings:
    no_marks: list[dict[str, Any]]
    one_mark: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    checked: int  # student × subject × period combinations with attended lessons

    def share(self, rows: list[dict[str, Any]]) -> float:
        return round(len(rows) / self.checked, 4) if self.checked else 0.0


def progress_findings(session: Session, scope: Scope, names: Names, rules: ComplianceSettings) -> ProgressFindings:
    sl = _student_lessons(scope, rules)
    combo = (sl.c.person_id, sl.c.subject_id, sl.c.period_id)
    run = (
        select(
            *combo,
            sl.c.date,
            sl.c.marked,
            func.sum(sl.c.marked)
            .over(partition_by=combo, order_by=(sl.c.date, sl.c.number, sl.c.lesson_id), rows=(None, 0))
            .label("run"),
        )
    ).subquery("runs")
    gaps = (
        select(
            run.c.person_id,
            run.c.subject_id,
            run.c.period_id,
            func.count().label("gap"),
            func.min(run.c.date).label("gap_from"),
            func.max(run.c.date).label("gap_to"),
        )
        .where(run.c.marked == 0)
        .group_by(run.c.person_id, run.c.subject_id, run.c.period_id, run.c.run)
    ).subquery("gaps")
    ranked = select(
        gaps,
        func.row_number()
        .over(
            partition_by=(gaps.c.person_id, gaps.c.subject_id, gaps.c.period_id),
            order_by=(gaps.c.gap.desc(), gaps.c.gap_from),
        )
        .label("rank"),
    ).subquery("ranked")
    longest = select(ranked).where(ranked.c.rank == 1)
    totals = select(
        *combo,
        func.count().label("attended"),
        func.sum(sl.c.marks).cast(Integer).label("marks"),
        func.max(sl.c.class_id).label("class_id"),
        func.max(sl.c.teacher_id).label("teacher_id"),
        func.min(sl.c.date).label("first_lesson"),
        func.max(sl.c.date).label("last_lesson"),
    ).group_by(*combo)
    # Two plain queries joined here by their key: a join of the two aggregates in SQL is a nested loop on SQLite
    # (minutes for a 1000-pupil school); each of these is one pass over the pupils' lessons.
    gap_of = {(g.person_id, g.subject_id, g.period_id): g for g in session.execute(longest)}
    all_totals = session.execute(totals).all()
    period_names = dict(session.execute(select(ReportingPeriodRow.id, ReportingPeriodRow.name)).tuples().all())
    n = rules.accumulation_lessons
    found = []
    for t in all_totals:
        g = gap_of.get((t.person_id, t.subject_id, t.period_id))
        gap = g.gap if g is not None else 0
        if gap > n or (t.marks == 1 and t.attended > 2 * n):
            found.append((t, g, gap))
    names.load_for([t for t, _, _ in found])
    no_marks, one_mark, gap_rows = [], [], []
    for t, g, gap in found:
        row = {
            **names.who(t),
            "period": period_names.get(t.period_id, ""),
            "lessons": t.attended,
            "marks": t.marks,
            "from": t.first_lesson.isoformat(),
            "to": t.last_lesson.isoformat(),
        }
        if t.marks == 0:
            no_marks.append(row)
        elif t.marks == 1 and t.attended > 2 * n:
            one_mark.append(row)
        elif g is not None:
            gap_rows.append(row | {"gap": gap, "from": g.gap_from.isoformat(), "to": g.gap_to.isoformat()})
    checked = len(all_totals)
    return ProgressFindings(_sorted(no_marks), _sorted(one_mark), _sorted(gap_rows), checked)


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["class"], r["subject"], r["student"], r["from"]))
