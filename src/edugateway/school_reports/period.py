"""The reports of 004 §5.3 at the end of a reporting period or of the year: progress (успеваемость and
качество per class and per class × subject, from the period's finals: school_reports/progress.py) and attendance
(Н/У/Б per pupil and per class, ОП apart; for the year also per period: school_reports/attendance.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from edugateway.archive.summary_sheet import CATEGORIES, MISSING, PeriodResults, SubjectColumn, current_academic_year
from edugateway.domain.models import MarkKind, ReportingPeriodKind
from edugateway.domain.person_names import short_name
from edugateway.errors import ValidationError
from edugateway.school_reports.attendance import NONE, AttendanceTally, Missed, tally
from edugateway.school_reports.lookup import reading_order, stored_school
from edugateway.school_reports.model import Column, SchoolReport, Table, Value
from edugateway.school_reports.naming import report_stem
from edugateway.school_reports.progress import ClassProgress, class_progress
from edugateway.store.db import Database
from edugateway.store.names import person_names_by_id
from edugateway.store.school_report_reads import Span, attendance_counts, finals_of, lesson_fill
from edugateway.store.school_year import FinalMark, SchoolYear, Student, YearClass, YearPeriod

TITLE = "Отчёт об успеваемости и посещаемости"
BASIS = "Инструкция по ведению ЭЖ, п. 5.3 (004): отчёты по успеваемости и посещаемости — в конце периода и года"
TERM_KINDS = (ReportingPeriodKind.QUARTER.value, ReportingPeriodKind.TRIMESTER.value, ReportingPeriodKind.HALF.value)

_COUNT_TITLES = {c: f"«{c}»" if c.isdigit() else c for c in CATEGORIES}
_RESULT_COLUMNS = [
    Column("pupils", "Обучающихся", "count"),
    *(Column(f"n_{c}", _COUNT_TITLES[c], "count") for c in CATEGORIES),
    Column("not_assessed", "Без итоговой отметки", "count"),
    Column("successful", "Успевающих", "count"),
    Column("success_percent", "Успеваемость, %", "percent"),
    Column("quality", "На «4» и «5»", "count"),
    Column("quality_percent", "Качество, %", "percent"),
]
CLASS_PROGRESS_COLUMNS = [
    Column("class", "Класс"),
    *_RESULT_COLUMNS[:1],
    *_RESULT_COLUMNS[1:-5],
    Column("missing", "Нет отметки (по предметам)", "count"),
    *_RESULT_COLUMNS[-5:],
]
SUBJECT_PROGRESS_COLUMNS = [Column("class", "Класс"), Column("subject", "Предмет"), Column("teacher", "Учитель")]
SUBJECT_PROGRESS_COLUMNS += _RESULT_COLUMNS
_MISSED_COLUMNS = [
    Column("absent", "Н (без уважительной причины)", "count"),
    Column("excused", "У (по уважительной причине)", "count"),
    Column("ill", "Б (по болезни)", "count"),
    Column("missed", "Пропущено уроков всего", "count"),
    Column("late", "ОП (опозданий)", "count"),
]
CLASS_ATTENDANCE_COLUMNS = [Column("class", "Класс"), Column("pupils", "Обучающихся", "count"), *_MISSED_COLUMNS]
PUPIL_ATTENDANCE_COLUMNS = [Column("class", "Класс"), Column("pupil", "Обучающийся"), *_MISSED_COLUMNS]
PERIOD_ATTENDANCE_COLUMNS = [Column("class", "Класс"), Column("period", "Учебный период"), *_MISSED_COLUMNS]
TOTAL = "Итого"


@dataclass(frozen=True)
class _Chosen:
    title: str  # «2 четверть», «Год»
    span: Span
    finals_of: tuple[str, int | None]  # (mark kind, period id or None for any of the year's)
    terms: list[YearPeriod]  # for the year: its periods, for attendance per period


def _normal(name: str) -> str:
    return " ".join(name.casefold().replace("ё", "е").split())


def choose_period(periods: Sequence[YearPeriod], name: str | None, academic_year: int) -> _Chosen:
    """The period called `name` (case, ё and spaces aside), or the year when `name` is None."""
    year_title = f"{academic_year}/{academic_year + 1}"
    if not periods:
        raise ValidationError(
            f"the school has no reporting periods for {year_title}; import them first or choose --academic-year"
        )
    if name is None:
        terms = [p for p in periods if p.kind in TERM_KINDS]
        year = next((p for p in periods if p.kind == ReportingPeriodKind.YEAR.value), None)
        span = (
            (year.start_date, year.end_date)
            if year
            else (min(p.start_date for p in periods), max(p.end_date for p in periods))
        )
        return _Chosen("Год", span, (MarkKind.YEAR_FINAL.value, None), terms)
    found = [p for p in periods if _normal(p.name) == _normal(name)]
    if not found:
        known = ", ".join(f"«{p.name}»" for p in periods)
        raise ValidationError(f"no period «{name}» in {year_title}; the school's periods are {known}")
    period = found[0]
    if period.kind == ReportingPeriodKind.YEAR.value:  # «--period Год»: the year's report, from the year finals
        return choose_period(periods, None, academic_year)
    return _Chosen(period.name, (period.start_date, period.end_date), (MarkKind.PERIOD_FINAL.value, period.id), [])


def period_report(
    db: Database,
    school_code: str,
    period: str | None,
    *,
    academic_year: int | None = None,
    now: dt.datetime | None = None,
    marked_from_grade: int = 2,
) -> SchoolReport:
    """The progress and attendance report of the period called `period`, or of the year when it is None. Classes
    below `marked_from_grade` are taught without marks: their attendance counts, their progress is not computed."""
    now = now or dt.datetime.now(dt.UTC)
    academic_year = academic_year if academic_year is not None else current_academic_year(now.date())
    with db.session() as session:
        school = stored_school(session, school_code)
        year = SchoolYear(session, school.id, academic_year)
        chosen = choose_period(year.periods(), period, academic_year)
        tables, notes = _Builder(session, school.id, year, chosen, marked_from_grade).tables()
    year_title = f"{academic_year}/{academic_year + 1}"
    what = f"{chosen.title} {year_title} учебного года" if period is not None else f"{year_title} учебный год"
    return SchoolReport(
        kind="period" if period is not None else "year",
        school_code=school.code,
        school_name=school.name,
        timezone=school.timezone,
        title=TITLE,
        subject=what,
        span=chosen.span,
        basis=BASIS,
        generated_at=now,
        stem=report_stem(school.code, "period", f"{academic_year}-{chosen.title}")
        if period is not None
        else report_stem(school.code, "year", str(academic_year)),
        tables=[t for t in tables if t.rows],
        notes=notes,
    )


class _Builder:
    def __init__(
        self, session: Session, school_id: int, year: SchoolYear, chosen: _Chosen, marked_from_grade: int
    ) -> None:
        self.session, self.school_id, self.year, self.chosen = session, school_id, year, chosen
        self.marked_from_grade = marked_from_grade
        classes = year.classes()
        self.homerooms = sorted(
            (c for c in classes if c.parent_id is None), key=lambda c: (c.grade, reading_order(c.name))
        )
        self.homeroom_of = {c.id: c.parent_id or c.id for c in classes}
        self.subject_names = year.subject_names()
        self.notes: list[str] = []

    def tables(self) -> tuple[list[Table], list[str]]:
        pupils = {c.id: self._pupils(c) for c in self.homerooms}
        names = self._pupil_names(pupils)
        attendance = tally(attendance_counts(self.session, self.school_id, self.chosen.span), self.homeroom_of)
        tables = [*self._progress(pupils), *self._attendance(pupils, names, attendance)]
        if self.chosen.terms:
            tables.append(self._by_period())
        if attendance.other_codes:
            listed = ", ".join(f"«{code}»: {n}" for code, n in sorted(attendance.other_codes.items()))
            self.notes.append(f"Отметки посещаемости с другими кодами не входят в Н/У/Б/ОП: {listed}.")
        return tables, self.notes

    def _pupils(self, homeroom: YearClass) -> list[Student]:
        """The class list at the span's end: a pupil who left before it is not on it."""
        end = self.chosen.span[1]
        seen: dict[int, Student] = {}
        for s in self.year.students(homeroom.id):
            if s.left_on is None or s.left_on >= end:
                seen.setdefault(s.id, s)
        return sorted(seen.values(), key=lambda s: (reading_order(s.last_name), reading_order(s.first_name), s.id))

    def _pupil_names(self, pupils: dict[int, list[Student]]) -> dict[int, str]:
        return {s.id: short_name(s.last_name, s.first_name, s.middle_name) for group in pupils.values() for s in group}

    def _taught(self) -> tuple[dict[int, set[int]], dict[tuple[int, int], int | None]]:
        """Homeroom -> subjects of its (and its subgroups') lessons in the span; (homeroom, subject) -> the teacher
        who held most of them."""
        subjects: dict[int, set[int]] = defaultdict(set)
        held: dict[tuple[int, int], Counter[int | None]] = defaultdict(Counter)
        for f in lesson_fill(self.session, self.school_id, self.chosen.span):
            homeroom = self.homeroom_of.get(f.class_id, f.class_id)
            subjects[homeroom].add(f.subject_id)
            held[(homeroom, f.subject_id)][f.teacher_id] += f.lessons
        return subjects, {key: counts.most_common(1)[0][0] for key, counts in held.items()}

    def _progress(self, pupils: dict[int, list[Student]]) -> list[Table]:
        kind, period_id = self.chosen.finals_of
        period_ids = {p.id for p in self.year.periods()} if period_id is None else {period_id}
        by_person: dict[int, list[FinalMark]] = defaultdict(list)
        for m in finals_of(self.session, self.school_id, kind, period_ids):
            by_person[m.person_id].append(m)
        taught, teachers = self._taught()
        teacher_names = {
            pid: short_name(last, first, middle)
            for pid, last, first, middle in person_names_by_id(self.session, {t for t in teachers.values() if t})
        }
        class_rows: list[dict[str, Value]] = []
        subject_rows: list[dict[str, Value]] = []
        unmarked = [c.name for c in self.homerooms if c.grade < self.marked_from_grade and pupils[c.id]]
        if unmarked:
            self.notes.append(
                f"{', '.join(unmarked)}: обучение без отметок (отметки ставятся с {self.marked_from_grade}-го класса, "
                "настройка marked_from_grade) — в успеваемость и качество не входят, посещаемость учтена."
            )
        for c in self.homerooms:
            if c.grade < self.marked_from_grade:
                continue
            on_list = pupils[c.id]
            ids = {s.id for s in on_list}
            own = [m for pupil in ids for m in by_person.get(pupil, ())]
            subject_ids = taught.get(c.id, set()) | {m.subject_id for m in own if m.subject_id is not None}
            if not on_list or not subject_ids:
                continue
            subjects = sorted(
                (SubjectColumn(i, self.subject_names.get(i, "")) for i in subject_ids),
                key=lambda s: reading_order(s.name),
            )
            progress: ClassProgress = class_progress(self.chosen.title, on_list, subjects, own)
            if not progress.finals:
                self.notes.append(
                    f"{c.name}: ни одной итоговой отметки за «{self.chosen.title}» — класс аттестуется по другим "
                    "периодам или отметки ещё не выставлены."
                )
            class_rows.append(
                {"class": c.name, **_results(progress.results), "missing": progress.results.counts[MISSING]}
            )
            for subject, results in progress.by_subject:
                teacher = teachers.get((c.id, subject.id))
                subject_rows.append(
                    {
                        "class": c.name,
                        "subject": subject.name,
                        "teacher": teacher_names.get(teacher, "") if teacher else "",
                        **_results(results),
                    }
                )
        return [
            Table(
                "progress_classes",
                f"Успеваемость по классам, {self.chosen.title}",
                CLASS_PROGRESS_COLUMNS,
                class_rows,
                "Успеваемость по классам",
            ),
            Table("progress_subjects", "Успеваемость по предметам", SUBJECT_PROGRESS_COLUMNS, subject_rows),
        ]

    def _attendance(
        self, pupils: dict[int, list[Student]], names: dict[int, str], attendance: AttendanceTally
    ) -> list[Table]:
        class_rows: list[dict[str, Value]] = []
        pupil_rows: list[dict[str, Value]] = []
        listed = {(c.id, s.id) for c in self.homerooms for s in pupils[c.id]}
        extra = sorted(key for key in attendance.by_pupil if key not in listed)  # left the class, or not on a list
        if extra:
            names |= {
                pid: short_name(last, first, middle)
                for pid, last, first, middle in person_names_by_id(self.session, {p for _, p in extra})
            }
        class_name = {c.id: c.name for c in self.homerooms}
        for c in self.homerooms:
            own = [s.id for s in pupils[c.id]] + [p for k, p in extra if k == c.id]
            if not own and c.id not in attendance.by_class:
                continue
            class_rows.append(
                {"class": c.name, "pupils": len(pupils[c.id]), **attendance.by_class.get(c.id, NONE).row()}
            )
            for pid in own:
                pupil_rows.append(
                    {"class": c.name, "pupil": names.get(pid, ""), **attendance.by_pupil.get((c.id, pid), NONE).row()}
                )
        for k, pid in extra:
            if k not in class_name:  # a class of another year or inactive: still counted, never dropped
                pupil_rows.append({"class": "", "pupil": names.get(pid, ""), **attendance.by_pupil[(k, pid)].row()})
        if class_rows:
            total = Missed(sum((m.codes for m in attendance.by_class.values()), Counter()))
            class_rows.append({"class": TOTAL, "pupils": sum(len(p) for p in pupils.values()), **total.row()})
        return [
            Table(
                "attendance_classes",
                f"Посещаемость по классам, {self.chosen.title}",
                CLASS_ATTENDANCE_COLUMNS,
                class_rows,
                "Посещаемость по классам",
            ),
            Table(
                "attendance_pupils",
                "Посещаемость по обучающимся",
                PUPIL_ATTENDANCE_COLUMNS,
                pupil_rows,
                "Посещаемость по ученикам",
            ),
        ]

    def _by_period(self) -> Table:
        rows: list[dict[str, Value]] = []
        terms = [
            (
                term,
                tally(
                    attendance_counts(self.session, self.school_id, (term.start_date, term.end_date)), self.homeroom_of
                ),
            )
            for term in self.chosen.terms
        ]
        for c in self.homerooms:
            for term, counts in terms:
                if c.id in counts.by_class:
                    rows.append({"class": c.name, "period": term.name, **counts.by_class[c.id].row()})
        return Table(
            "attendance_periods",
            "Посещаемость по учебным периодам",
            PERIOD_ATTENDANCE_COLUMNS,
            rows,
            "Посещаемость по периодам",
        )


def _results(r: PeriodResults) -> dict[str, Value]:
    return {
        "pupils": r.students,
        **{f"n_{c}": r.counts[c] for c in CATEGORIES},
        "not_assessed": r.not_assessed,
        "successful": r.successful,
        "success_percent": r.success_percent,
        "quality": r.quality,
        "quality_percent": r.quality_percent,
    }
