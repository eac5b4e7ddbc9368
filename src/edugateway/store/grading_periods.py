"""By which periods a school grades each class (четверти, полугодия, триместры), as its own data says.

The local database keeps a school's reporting periods without the classes they belong to, so the data speaks in
two ways: a school that holds one kind of term only (quarters, halves or trimesters, besides the year) grades
every class by it; otherwise a class is graded by the kind of the period finals its pupils got from the platform
(the most of them). A class the data says nothing about yet (no finals before its first period closes) is left to
the configured `half_year_grades`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from edugateway.domain.models import MarkKind, ReportingPeriodKind
from edugateway.store.compliance_reads import Grading, JournalScope, _mark_filter, _periods_in_view
from edugateway.store.tables import EnrollmentRow, MarkRow, ReportingPeriodRow

_TERMS = (ReportingPeriodKind.QUARTER.value, ReportingPeriodKind.HALF.value, ReportingPeriodKind.TRIMESTER.value)


def grading_in_data(session: Session, scope: JournalScope, grading: Grading) -> Grading:
    """`grading` with the kinds of period the school's periods and the platform's finals show: of the whole year up
    to as_of, whatever the span."""
    scope = replace(scope, span=None)
    kinds = set(
        session.scalars(
            select(distinct(ReportingPeriodRow.kind)).where(
                *_periods_in_view(scope), ReportingPeriodRow.kind.in_(_TERMS)
            )
        )
    )
    if len(kinds) == 1:
        return replace(grading, only_kind=kinds.pop())
    finals = session.execute(
        select(EnrollmentRow.class_id, ReportingPeriodRow.kind, func.count())
        .select_from(MarkRow)
        .join(ReportingPeriodRow, ReportingPeriodRow.id == MarkRow.period_id)
        .join(
            EnrollmentRow,
            and_(
                EnrollmentRow.person_id == MarkRow.person_id,
                EnrollmentRow.role == "student",
                EnrollmentRow.active.is_(True),
            ),
        )
        .where(
            *_mark_filter(scope, "final_marks"),
            MarkRow.kind == MarkKind.PERIOD_FINAL.value,
            ReportingPeriodRow.kind.in_(_TERMS),
            *_periods_in_view(scope),
        )
        .group_by(EnrollmentRow.class_id, ReportingPeriodRow.kind)
    )
    per_class: dict[int, Counter[str]] = {}
    for class_id, kind, n in finals.tuples():
        per_class.setdefault(class_id, Counter())[kind] = n
    by_class = {class_id: counts.most_common(1)[0][0] for class_id, counts in per_class.items()}
    return replace(grading, by_class=by_class)
