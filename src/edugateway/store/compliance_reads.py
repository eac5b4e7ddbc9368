"""What the compliance rules read: the journal rows one platform delivered to the local database.

A school's database may hold the journal of several platforms (and the school's own lessons); a rule judges
only the rows the platform delivered, found through its active identity link (local_key = the row's source_id).
Deadlines, thresholds and sorting are the rules' own (reconciliation/compliance*.py): these reads take the days
and grades they need as plain values and return plain rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import Subquery

from edugateway.domain.models import MarkKind, ReportingPeriodKind
from edugateway.store.batches import chunks
from edugateway.store.tables import (
    AttendanceRow,
    ClassRow,
    EnrollmentRow,
    IdentityLinkRow,
    JournalChangeRow,
    LessonRow,
    MarkRow,
    PersonRow,
    PlatformWorkTypeRow,
    ReportingPeriodRow,
)

FINAL_KINDS = (MarkKind.PERIOD_FINAL.value, MarkKind.YEAR_FINAL.value)
LESSON_MARK_KINDS = (MarkKind.LESSON.value, MarkKind.WORK.value)


@dataclass(frozen=True)
class JournalScope:
    """One school and platform, and the day a report is about. `span` limits the per-record reads (topics, late
    marks, changed finals) to its days, and the per-period reads to the periods not ended before it."""

    school_id: int
    platform: str
    as_of: dt.date
    span: tuple[dt.date, dt.date] | None = None


@dataclass(frozen=True)
class Grading:
    """Which classes get marks, and by which period: from `marked_from_grade` on; by the kind of period the
    school's data says (`only_kind` for every class, else `by_class`: class row id -> kind, see
    store/grading_periods.py), else by полугодие in the configured `half_year_grades` and четверть in the others."""

    marked_from_grade: int
    half_year_grades: tuple[int, ...]
    only_kind: str | None = None
    by_class: Mapping[int, str] = field(default_factory=dict)


# The scope as SQL: what the platform delivered, and which lessons and periods a rule looks at.


def _linked(scope: JournalScope, entities: tuple[str, ...], local_key: Any) -> Select[tuple[int]]:
    """A correlated EXISTS: this platform's active link of the record (what delivered it, or holds it)."""
    return select(IdentityLinkRow.id).where(
        IdentityLinkRow.school_id == scope.school_id,
        IdentityLinkRow.platform == scope.platform,
        IdentityLinkRow.entity.in_(entities),
        IdentityLinkRow.local_key == local_key,
        IdentityLinkRow.unlinked_at.is_(None),  # the partial unique index on local_key answers it
    )


def _delivered(scope: JournalScope, table: type[LessonRow] | type[MarkRow], *entities: str) -> Select[tuple[int]]:
    """A correlated EXISTS: the row came from this platform."""
    return _linked(scope, entities, table.source_id).correlate(table)


def _enrolled_on(scope: JournalScope, day: InstrumentedAttribute[dt.date]) -> ColumnElement[bool]:
    """An active student enrollment that covers `day` (a lesson's date), of a pupil this platform has: one it
    lacks is reported by the roster comparison, not as a pupil without marks."""
    person = (
        select(PersonRow.id)
        .where(PersonRow.id == EnrollmentRow.person_id, exists(_linked(scope, ("persons",), PersonRow.source_id)))
        .correlate(EnrollmentRow)
    )
    return and_(
        EnrollmentRow.active.is_(True),
        EnrollmentRow.role == "student",
        (EnrollmentRow.start_date.is_(None)) | (EnrollmentRow.start_date <= day),
        (EnrollmentRow.end_date.is_(None)) | (EnrollmentRow.end_date >= day),
        exists(person),
    )


def _lesson_filter(scope: JournalScope, until: dt.date, *, in_span: bool = True) -> list[ColumnElement[bool]]:
    """The platform's lessons of the school held up to `until` (and inside the span, when there is one)."""
    where: list[ColumnElement[bool]] = [
        LessonRow.school_id == scope.school_id,
        LessonRow.date <= until,
        exists(_delivered(scope, LessonRow, "lessons")),
    ]
    if in_span and scope.span is not None:
        where += [LessonRow.date >= scope.span[0], LessonRow.date <= scope.span[1]]
    return where


def _mark_filter(scope: JournalScope, *entities: str) -> list[ColumnElement[bool]]:
    return [MarkRow.school_id == scope.school_id, exists(_delivered(scope, MarkRow, *entities))]


def _grading_period(grading: Grading) -> ColumnElement[bool]:
    """The join condition of a lesson's class with its grading period: the kind the data says, else четверть,
    or полугодие for the configured grades."""
    if grading.only_kind is not None:
        return ReportingPeriodRow.kind == grading.only_kind
    configured = case(
        (ClassRow.grade.in_(list(grading.half_year_grades)), ReportingPeriodKind.HALF.value),
        else_=ReportingPeriodKind.QUARTER.value,
    )
    if not grading.by_class:
        return ReportingPeriodRow.kind == configured
    return ReportingPeriodRow.kind == case(dict(grading.by_class), value=ClassRow.id, else_=configured)


def _periods_in_view(scope: JournalScope) -> list[ColumnElement[bool]]:
    """Periods that have started by as_of and, with a span, have not ended before it."""
    where = [ReportingPeriodRow.school_id == scope.school_id, ReportingPeriodRow.start_date <= scope.as_of]
    if scope.span is not None:
        where.append(ReportingPeriodRow.end_date >= scope.span[0])
    return where


# Single records: lessons and their marks.


@dataclass(frozen=True, slots=True)
class UntitledLesson:
    source_id: str
    date: dt.date
    number: int
    class_id: int
    subject_id: int
    teacher_id: int | None


def lessons_with_empty_topic(session: Session, scope: JournalScope, held_by: dt.date) -> list[UntitledLesson]:
    """The platform's lessons held by `held_by` (and in the span) whose topic is empty."""
    query = select(
        LessonRow.source_id,
        LessonRow.date,
        LessonRow.number,
        LessonRow.class_id,
        LessonRow.subject_id,
        LessonRow.teacher_id,
    ).where(*_lesson_filter(scope, held_by), (LessonRow.topic.is_(None)) | (func.trim(LessonRow.topic) == ""))
    return [UntitledLesson(*row) for row in session.execute(query).tuples()]


@dataclass(frozen=True, slots=True)
class MarkAfterLesson:
    source_id: str
    person_id: int
    value: str
    date: dt.date  # the day the mark was given
    work_type: str | None
    lesson_date: dt.date
    class_id: int
    subject_id: int
    teacher_id: int | None
    work_type_title: str | None = None  # the platform's title of `work_type` (store/work_types.py), when known


def marks_dated_after_lesson(
    session: Session, scope: JournalScope, kinds: Collection[MarkKind]
) -> list[MarkAfterLesson]:
    """The platform's marks of `kinds` dated after their lesson, for lessons held by as_of (and in the span).
    The days between are left to the caller, so the date arithmetic is the same on SQLite and PostgreSQL."""
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
            PlatformWorkTypeRow.title,
        )
        .join(LessonRow, LessonRow.id == MarkRow.lesson_id)
        .outerjoin(
            PlatformWorkTypeRow,
            (PlatformWorkTypeRow.school_id == MarkRow.school_id)
            & (PlatformWorkTypeRow.platform == scope.platform)
            & (PlatformWorkTypeRow.remote_id == MarkRow.work_type),
        )
        .where(
            *_mark_filter(scope, "marks"),
            MarkRow.kind.in_([k.value for k in kinds]),
            MarkRow.date.is_not(None),
            MarkRow.date > LessonRow.date,
            *_lesson_filter(scope, scope.as_of),
        )
    )
    return [
        MarkAfterLesson(key, person, value, day, work_type, lesson_day, cls, subject, teacher, title)
        for key, person, value, day, work_type, lesson_day, cls, subject, teacher, title in session.execute(
            query
        ).tuples()
        if day is not None  # the query asks for dated marks only
    ]


@dataclass(frozen=True, slots=True)
class LessonCounts:
    lessons: int
    with_homework: int
    with_topic: int


def lesson_counts(session: Session, scope: JournalScope) -> LessonCounts:
    """How many of the platform's lessons held by as_of (and in the span) there are, and how many of them have
    homework and a topic recorded."""
    homework = case((func.length(func.trim(func.coalesce(LessonRow.homework, ""))) > 0, 1), else_=0)
    topic = case((func.length(func.trim(func.coalesce(LessonRow.topic, ""))) > 0, 1), else_=0)
    total, with_homework, with_topic = session.execute(
        select(func.count(), func.coalesce(func.sum(homework), 0), func.coalesce(func.sum(topic), 0)).where(
            *_lesson_filter(scope, scope.as_of)
        )
    ).one()
    return LessonCounts(total, with_homework, with_topic)


@dataclass(frozen=True, slots=True)
class TeacherWork:
    teachers: int  # teachers with lessons held in view
    working: int  # of them, those who entered a lesson mark (or, where topics count, a topic) at one of them


def teacher_participation(session: Session, scope: JournalScope, held_by: dt.date, *, topics: bool) -> TeacherWork:
    """How many teachers had the platform's lessons held by `held_by` (and in the span), and how many of them
    entered a lesson mark or (with `topics`) a topic at any of those lessons."""
    marked = exists(
        select(MarkRow.id).where(
            MarkRow.lesson_id == LessonRow.id, *_mark_filter(scope, "marks"), MarkRow.kind.in_(LESSON_MARK_KINDS)
        )
    )
    entered = or_(marked, func.length(func.trim(func.coalesce(LessonRow.topic, ""))) > 0) if topics else marked
    per_teacher = (
        select(LessonRow.teacher_id, func.max(case((entered, 1), else_=0)).label("working"))
        .where(*_lesson_filter(scope, held_by), LessonRow.teacher_id.is_not(None))
        .group_by(LessonRow.teacher_id)
    ).subquery("per_teacher")
    teachers, working = session.execute(select(func.count(), func.coalesce(func.sum(per_teacher.c.working), 0))).one()
    return TeacherWork(teachers, working)


# A pupil's lessons of a subject over a grading period.


def _pupil_lessons(scope: JournalScope, grading: Grading, held_by: dt.date, away: Collection[str]) -> Subquery:
    """Pupil × lesson rows of the grading periods in view, for lessons held by `held_by` that the pupil attended
    (no attendance code in `away`) or was marked at, with `marked` 1/0 and `marks` (how many lesson marks)."""
    marks = (
        select(MarkRow.person_id, MarkRow.lesson_id, func.count().label("n"))
        .where(*_mark_filter(scope, "marks"), MarkRow.kind.in_(LESSON_MARK_KINDS), MarkRow.lesson_id.is_not(None))
        .group_by(MarkRow.person_id, MarkRow.lesson_id)
        .subquery("lesson_marks")
    )
    absent = exists(
        select(AttendanceRow.id).where(
            AttendanceRow.lesson_id == LessonRow.id,
            AttendanceRow.person_id == EnrollmentRow.person_id,
            AttendanceRow.code.in_(away),
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
        .join(EnrollmentRow, and_(EnrollmentRow.class_id == LessonRow.class_id, _enrolled_on(scope, LessonRow.date)))
        .outerjoin(marks, and_(marks.c.person_id == EnrollmentRow.person_id, marks.c.lesson_id == LessonRow.id))
        .where(
            *_lesson_filter(scope, held_by, in_span=False),
            *_periods_in_view(scope),
            _grading_period(grading),
            ClassRow.grade >= grading.marked_from_grade,
            or_(n_marks > 0, ~absent),
        )
        .subquery("student_lessons")
    )


@dataclass(frozen=True, slots=True)
class AttendedLessons:
    """One pupil's attended lessons of one subject in one grading period."""

    person_id: int
    subject_id: int
    period_id: int
    attended: int
    marks: int
    class_id: int
    teacher_id: int | None
    first_lesson: dt.date
    last_lesson: dt.date


@dataclass(frozen=True, slots=True)
class UnmarkedRun:
    """The longest run of a pupil's attended lessons of a subject in a period without a mark (the earliest of
    equal ones)."""

    person_id: int
    subject_id: int
    period_id: int
    gap: int  # lessons in the run
    gap_from: dt.date
    gap_to: dt.date


@dataclass(frozen=True)
class PupilProgress:
    attended: list[AttendedLessons]  # every pupil × subject × period with attended lessons
    longest_unmarked: dict[tuple[int, int, int], UnmarkedRun]  # by (person_id, subject_id, period_id)
    period_names: dict[int, str]


def pupil_progress(
    session: Session, scope: JournalScope, grading: Grading, *, held_by: dt.date, away: Collection[str]
) -> PupilProgress:
    """Per pupil, subject and grading period in view: the lessons held by `held_by` the pupil attended (no
    attendance code in `away`) or was marked at, their lesson marks, and the longest run of them without a mark.

    A running count of marked lessons splits each pupil's lessons into runs between marks (gaps and islands)."""
    sl = _pupil_lessons(scope, grading, held_by, away)
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
    runs = [
        UnmarkedRun(r.person_id, r.subject_id, r.period_id, r.gap, r.gap_from, r.gap_to)
        for r in session.execute(longest)
    ]
    attended = [AttendedLessons(*row) for row in session.execute(totals).tuples()]
    periods = session.execute(select(ReportingPeriodRow.id, ReportingPeriodRow.name))
    return PupilProgress(
        attended,
        {(r.person_id, r.subject_id, r.period_id): r for r in runs},
        dict(periods.tuples().all()),
    )


# Period and year finals.


def finals_given(session: Session, scope: JournalScope) -> set[tuple[int, int | None, int | None]]:
    """(person_id, subject_id, period_id) of every final mark the platform delivered, «Н/А» and «ОСВ» included."""
    # As a set: a NOT EXISTS per pupil and lesson is a scan of the pupil's marks each time.
    finals = select(MarkRow.person_id, MarkRow.subject_id, MarkRow.period_id).where(
        *_mark_filter(scope, "final_marks"), MarkRow.kind.in_(FINAL_KINDS)
    )
    return set(session.execute(finals).tuples().all())


@dataclass(frozen=True, slots=True)
class PeriodLessons:
    """A pupil's lessons of a subject in a reporting period that has ended."""

    person_id: int
    subject_id: int
    period_id: int
    period: str
    end_date: dt.date
    class_id: int
    teacher_id: int | None
    lessons: int


def _periods_of_school_year(scope: JournalScope) -> list[ColumnElement[bool]]:
    """The periods of the school year of as_of (the latest one begun by then), whatever the span: a final still
    missing is due until it is set, not only while its period is among the span's days (DOMAIN.md)."""
    year = (
        select(func.max(ReportingPeriodRow.academic_year))
        .where(ReportingPeriodRow.school_id == scope.school_id, ReportingPeriodRow.start_date <= scope.as_of)
        .scalar_subquery()
    )
    return [
        ReportingPeriodRow.school_id == scope.school_id,
        ReportingPeriodRow.start_date <= scope.as_of,
        ReportingPeriodRow.academic_year == year,
    ]


def lessons_of_ended_periods(session: Session, scope: JournalScope, grading: Grading) -> list[PeriodLessons]:
    """Per pupil, subject and period of the school year that ended by as_of (the class's grading period, and the
    year): how many of the platform's lessons the pupil was enrolled for, whatever the pupil's attendance. Not
    limited by the span: the pull reads finals whole each night, and lessons once pulled stay."""
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
        .join(EnrollmentRow, and_(EnrollmentRow.class_id == LessonRow.class_id, _enrolled_on(scope, LessonRow.date)))
        .where(
            *_lesson_filter(scope, scope.as_of, in_span=False),
            *_periods_of_school_year(scope),
            ReportingPeriodRow.end_date <= scope.as_of,
            or_(_grading_period(grading), ReportingPeriodRow.kind == ReportingPeriodKind.YEAR.value),
            ClassRow.grade >= grading.marked_from_grade,
        )
        .group_by(
            EnrollmentRow.person_id,
            LessonRow.subject_id,
            ReportingPeriodRow.id,
            ReportingPeriodRow.name,
            ReportingPeriodRow.end_date,
        )
    )
    return [PeriodLessons(*row) for row in session.execute(query).tuples()]


@dataclass(frozen=True, slots=True)
class DatedFinal:
    local_key: str
    date: dt.date  # the day the platform says the final was given
    period_end: dt.date


def finals_dated_after_close(session: Session, scope: JournalScope, since: dt.date) -> list[DatedFinal]:
    """The platform's finals dated after their period's end, from `since` on; the days between are left to the
    caller, so the date arithmetic is the same on SQLite and PostgreSQL."""
    dated = session.execute(
        select(MarkRow.source_id, MarkRow.date, ReportingPeriodRow.end_date)
        .join(ReportingPeriodRow, ReportingPeriodRow.id == MarkRow.period_id)
        .where(
            *_mark_filter(scope, "final_marks"),
            MarkRow.kind.in_(FINAL_KINDS),
            MarkRow.date > ReportingPeriodRow.end_date,
            MarkRow.date >= since,
        )
    )
    return [DatedFinal(key, day, end) for key, day, end in dated.tuples() if day is not None]


@dataclass(frozen=True, slots=True)
class RetroactiveChange:
    """A change of a record of a closed period that a sync saw: {field: [old, new]}."""

    local_key: str
    changes: dict[str, Any]
    seen_at: dt.datetime


def retroactive_changes(session: Session, school_id: int, platform: str) -> list[RetroactiveChange]:
    """The retroactive changes of the platform's records that sync recorded, oldest first."""
    rows = session.execute(
        select(JournalChangeRow.local_key, JournalChangeRow.changes, JournalChangeRow.seen_at)
        .where(
            JournalChangeRow.school_id == school_id,
            JournalChangeRow.platform == platform,
            JournalChangeRow.retroactive.is_(True),
            JournalChangeRow.local_key.is_not(None),
        )
        .order_by(JournalChangeRow.seen_at)
    )
    return [RetroactiveChange(key, changes, seen_at) for key, changes, seen_at in rows.tuples() if key is not None]


@dataclass(frozen=True, slots=True)
class FinalMark:
    source_id: str
    person_id: int
    subject_id: int | None
    value: str
    period: str
    period_id: int
    period_end: dt.date


def final_marks(session: Session, school_id: int, keys: Collection[str]) -> list[FinalMark]:
    """The school's marks with these local keys that have a period, with the period's name."""
    return [
        FinalMark(*row)
        for part in chunks(keys)
        for row in session.execute(
            select(
                MarkRow.source_id,
                MarkRow.person_id,
                MarkRow.subject_id,
                MarkRow.value,
                ReportingPeriodRow.name,
                ReportingPeriodRow.id,
                ReportingPeriodRow.end_date,
            )
            .join(ReportingPeriodRow, ReportingPeriodRow.id == MarkRow.period_id)
            .where(MarkRow.school_id == school_id, MarkRow.source_id.in_(part))
        ).tuples()
    ]


def final_teachers(
    session: Session, scope: JournalScope, finals: Collection[tuple[int, int | None, int]]
) -> dict[tuple[int, int, int], int]:
    """The teacher of each (person_id, subject_id, period_id) final: who taught the platform's lessons of the
    subject in the pupil's classes (subgroups too) within the period (the latest teacher id of several)."""
    persons = sorted({person for person, _, _ in finals})
    subjects = sorted({subject for _, subject, _ in finals if subject is not None})
    periods = sorted({period for _, _, period in finals})
    if not subjects:
        return {}
    found: dict[tuple[int, int, int], int] = {}
    for part in chunks(persons):
        rows = session.execute(
            select(EnrollmentRow.person_id, LessonRow.subject_id, ReportingPeriodRow.id, func.max(LessonRow.teacher_id))
            .select_from(LessonRow)
            .join(
                ReportingPeriodRow, LessonRow.date.between(ReportingPeriodRow.start_date, ReportingPeriodRow.end_date)
            )
            .join(
                EnrollmentRow, and_(EnrollmentRow.class_id == LessonRow.class_id, _enrolled_on(scope, LessonRow.date))
            )
            .where(
                *_lesson_filter(scope, scope.as_of, in_span=False),
                ReportingPeriodRow.id.in_(periods),
                LessonRow.subject_id.in_(subjects),
                LessonRow.teacher_id.is_not(None),
                EnrollmentRow.person_id.in_(part),
            )
            .group_by(EnrollmentRow.person_id, LessonRow.subject_id, ReportingPeriodRow.id)
        )
        found.update(((p, s, r), t) for p, s, r, t in rows.tuples() if t is not None)
    return found
