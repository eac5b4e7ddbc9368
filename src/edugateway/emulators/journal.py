"""A synthetic class journal for a school: weekly timetable, lessons with topics and homework, marks,
works, attendance and period final marks, over the study days of the reporting periods.

Platforms hold this data (teachers enter it there); the emulator worlds start from it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from edugateway.domain.marks import mark_score
from edugateway.domain.models import (
    Attendance,
    AttendanceCode,
    EnrollmentRole,
    Lesson,
    Mark,
    MarkKind,
    ReportingPeriod,
    ReportingPeriodKind,
    Role,
    SchoolClass,
)
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators.synthetic import SUBJECTS

_MARKS = ("5", "4", "3", "2", "5-", "4+", "4-", "3+")
_MARK_WEIGHTS = (30, 38, 20, 5, 2, 2, 2, 1)
_WORK_TYPES = ("Контрольная работа", "Самостоятельная работа", "Диктант", "Лабораторная работа", "Тест")
_ABSENCE = (AttendanceCode.ILL, AttendanceCode.ABSENT, AttendanceCode.EXCUSED, AttendanceCode.LATE)
_ABSENCE_WEIGHTS = (50, 15, 20, 15)


@dataclass(frozen=True)
class JournalOptions:
    lessons_per_day: int = 6
    mark_share: float = 0.25  # share of the students present who get a mark in an ordinary lesson
    work_every: int = 12  # every Nth lesson of a subject is a written work marked for everyone
    absence_rate: float = 0.06
    homework_share: float = 0.8
    # Накопляемость (DOMAIN.md): a present student is marked at least every `mark_every` lessons of a subject, so
    # a clean journal never runs more lessons without a mark than the compliance check allows (4 by default).
    mark_every: int = 3


def study_days(periods: list[ReportingPeriod], until: dt.date) -> list[dt.date]:
    """Weekdays inside the quarters (the holidays fall between them), up to `until`."""
    quarters = [p for p in periods if p.kind is ReportingPeriodKind.QUARTER]
    days: list[dt.date] = []
    for q in sorted(quarters, key=lambda p: p.start_date):
        day = q.start_date
        while day <= min(q.end_date, until):
            if day.weekday() < 5:
                days.append(day)
            day += dt.timedelta(days=1)
    return days


def _weekly_timetable(
    rng: random.Random, cls: SchoolClass, subgroups: dict[str, str], per_day: int
) -> dict[int, list[tuple[str, str]]]:
    """weekday -> [(subject id, class or subgroup id)] in period order."""
    taught = [
        (f"subj-{key}", subgroups.get(f"subj-{key}", cls.id)) for key, _, grades, _ in SUBJECTS if cls.grade in grades
    ]
    core = [t for t in taught if t[0] in {"subj-rus", "subj-math", "subj-alg", "subj-eng"}]
    slots = (taught + core * 2) * 2
    rng.shuffle(slots)
    n = min(per_day - (1 if cls.grade < 5 else 0), 7)
    return {wd: slots[wd * n : (wd + 1) * n] or slots[:n] for wd in range(5)}


def generate_journal(
    snapshot: SchoolSnapshot, *, until: dt.date, seed: int = 1, options: JournalOptions | None = None
) -> SchoolSnapshot:
    """The snapshot with lessons, marks and attendance added from 1 September up to `until`."""
    opts = options or JournalOptions()
    rng = random.Random(seed)
    homerooms = [c for c in snapshot.classes if c.parent_id is None]
    teacher_of: dict[str, str] = {}
    students_of: dict[str, list[str]] = defaultdict(list)
    for enr in snapshot.enrollments:
        if enr.role is EnrollmentRole.TEACHER:
            teacher_of.setdefault(enr.class_id, enr.person_id)
        else:
            students_of[enr.class_id].append(enr.person_id)
    teachers = sorted({p.id for p in snapshot.persons if Role.TEACHER in p.roles})
    subject_teacher: dict[tuple[str, str], str] = {}

    def teacher_for(group: str, subject: str) -> str | None:
        if group in teacher_of and group not in {c.id for c in homerooms}:
            return teacher_of[group]  # a subgroup has its own teacher
        key = (group, subject)
        if key not in subject_teacher and teachers:
            subject_teacher[key] = rng.choice(teachers)
        return subject_teacher.get(key)

    lessons: list[Lesson] = []
    marks: list[Mark] = []
    attendance: list[Attendance] = []
    days = study_days(snapshot.periods, until)
    unmarked: dict[tuple[str, str], int] = defaultdict(int)  # (group/subject, student) -> attended lessons since a mark
    for cls in homerooms:
        split = {
            c.subject_id: c.id
            for c in snapshot.classes
            if c.parent_id == cls.id and c.subject_id and c.id.endswith("-1")
        }
        timetable = _weekly_timetable(rng, cls, split, opts.lessons_per_day)
        topic_no: dict[str, int] = defaultdict(int)
        for day in days:
            for number, (subject, group) in enumerate(timetable[day.weekday()], start=1):
                groups = (group,) if group == cls.id else (group, group[:-1] + "2")
                for grp in groups:
                    topic_no[f"{grp}/{subject}"] += 1
                    k = topic_no[f"{grp}/{subject}"]
                    lesson = Lesson(
                        id=f"les-{grp}-{day:%Y%m%d}-{number}",
                        date=day,
                        number=number,
                        class_id=grp,
                        subject_id=subject,
                        teacher_id=teacher_for(grp, subject),
                        topic=f"Тема {k}",
                        homework=(f"§{k}, упр. {rng.randint(1, 30)}" if rng.random() < opts.homework_share else None),
                    )
                    lessons.append(lesson)
                    events = list(
                        _lesson_events(
                            rng, lesson, students_of[grp], k % opts.work_every == 0, opts, marked=cls.grade > 1
                        )
                    )
                    if cls.grade > 1:  # first grade is taught without marks
                        events = _keep_marks_accumulating(events, lesson, students_of[grp], unmarked, opts, rng)
                    for event in events:
                        if isinstance(event, Mark):
                            marks.append(event)
                        else:
                            attendance.append(event)
    grades = {c.id: c.grade for c in snapshot.classes}
    graded = {les.class_id for les in lessons if grades.get(les.class_id, 0) > 1}
    marks += list(_period_finals(snapshot, lessons, marks, until, {g: students_of[g] for g in graded}))
    return snapshot.model_copy(update={"lessons": lessons, "marks": marks, "attendance": attendance})


def _lesson_events(
    rng: random.Random, lesson: Lesson, students: list[str], is_work: bool, opts: JournalOptions, *, marked: bool
) -> Iterator[Mark | Attendance]:
    """Attendance for everyone; marks only where marks are given (first grade is taught without them)."""
    work_type = rng.choice(_WORK_TYPES) if is_work else None
    for sid in students:
        if rng.random() < opts.absence_rate:
            code = rng.choices(_ABSENCE, weights=_ABSENCE_WEIGHTS, k=1)[0]
            yield Attendance(
                person_id=sid,
                lesson_id=lesson.id,
                code=code,
                minutes_late=rng.randint(3, 20) if code is AttendanceCode.LATE else None,
            )
            if code is not AttendanceCode.LATE:
                continue
        if marked and (is_work or rng.random() < opts.mark_share):
            yield Mark(
                id=f"mrk-{lesson.id}-{sid}",
                person_id=sid,
                lesson_id=lesson.id,
                subject_id=lesson.subject_id,
                value=rng.choices(_MARKS, weights=_MARK_WEIGHTS, k=1)[0],
                kind=MarkKind.WORK if is_work else MarkKind.LESSON,
                work_type=work_type,
                weight=2 if is_work else 1,
                date=lesson.date,
            )


def _keep_marks_accumulating(
    events: list[Mark | Attendance],
    lesson: Lesson,
    students: list[str],
    unmarked: dict[tuple[str, str], int],
    opts: JournalOptions,
    rng: random.Random,
) -> list[Mark | Attendance]:
    """Adds a mark for each present student who has gone `mark_every` - 1 lessons of the subject without one."""
    marked = {e.person_id for e in events if isinstance(e, Mark)}
    away = {e.person_id for e in events if isinstance(e, Attendance) and e.code is not AttendanceCode.LATE}
    topic = f"{lesson.class_id}/{lesson.subject_id}"
    for sid in students:
        if sid in away:
            continue
        key = (topic, sid)
        if sid not in marked and unmarked[key] >= opts.mark_every - 1:
            events.append(
                Mark(
                    id=f"mrk-{lesson.id}-{sid}",
                    person_id=sid,
                    lesson_id=lesson.id,
                    subject_id=lesson.subject_id,
                    value=rng.choices(_MARKS, weights=_MARK_WEIGHTS, k=1)[0],
                    date=lesson.date,
                )
            )
            marked.add(sid)
        unmarked[key] = 0 if sid in marked else unmarked[key] + 1
    return events


def _period_finals(
    snapshot: SchoolSnapshot,
    lessons: list[Lesson],
    marks: list[Mark],
    until: dt.date,
    students_of: dict[str, list[str]],
) -> Iterator[Mark]:
    """For each quarter that has ended, a final mark per student and subject they had lessons in (the weighted
    average, «Н/А» with too few marks); when the year has ended, the year finals from the quarters' ones."""
    lesson_date = {les.id: les.date for les in lessons}
    quarter_finals: dict[tuple[str, str], list[float]] = defaultdict(list)
    for period in sorted(snapshot.periods, key=lambda p: p.start_date):
        if period.kind is not ReportingPeriodKind.QUARTER or period.end_date > until:
            continue
        sums: dict[tuple[str, str], list[float]] = {}
        for les in lessons:
            if period.start_date <= les.date <= period.end_date:
                for sid in students_of.get(les.class_id, ()):
                    sums.setdefault((sid, les.subject_id), [0.0, 0.0])
        for m in marks:
            day = lesson_date.get(m.lesson_id or "")
            score = mark_score(m.value)
            if day and score is not None and period.start_date <= day <= period.end_date and m.subject_id:
                acc = sums.setdefault((m.person_id, m.subject_id), [0.0, 0.0])
                acc[0] += score * m.weight
                acc[1] += m.weight
        for (pid, subject), (total, weight) in sorted(sums.items()):
            value = "Н/А" if weight < 3 else str(min(5, max(2, int(total / weight + 0.5))))  # 4.5 rounds up
            if value != "Н/А":
                quarter_finals[(pid, subject)].append(float(value))
            yield Mark(
                id=f"fin-{period.id}-{pid}-{subject}",
                person_id=pid,
                value=value,
                kind=MarkKind.PERIOD_FINAL,
                subject_id=subject,
                period_id=period.id,
                date=period.end_date,
            )
    year = next((p for p in snapshot.periods if p.kind is ReportingPeriodKind.YEAR and p.end_date <= until), None)
    if year is None:
        return
    for pid, subject in sorted(set(quarter_finals) | _pairs_of_year(lessons, students_of, year)):
        scores = quarter_finals.get((pid, subject))
        yield Mark(
            id=f"fin-{year.id}-{pid}-{subject}",
            person_id=pid,
            value=str(min(5, max(2, int(sum(scores) / len(scores) + 0.5)))) if scores else "Н/А",
            kind=MarkKind.YEAR_FINAL,
            subject_id=subject,
            period_id=year.id,
            date=year.end_date,
        )


def _pairs_of_year(
    lessons: list[Lesson], students_of: dict[str, list[str]], year: ReportingPeriod
) -> set[tuple[str, str]]:
    return {
        (sid, les.subject_id)
        for les in lessons
        if year.start_date <= les.date <= year.end_date
        for sid in students_of.get(les.class_id, ())
    }
