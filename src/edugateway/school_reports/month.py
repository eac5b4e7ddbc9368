"""The monthly report of 004 §5.2: «Отчет о заполнении электронного журнала и накопляемости отметок создается
ежемесячно и по итогам учебного года» — for the calendar month and for the school year up to the month's end,
per teacher × class × subject (figures: school_reports/fill.py), with the control figures of 000 §3.4.8."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from sqlalchemy.orm import Session

from edugateway.archive.summary_sheet import current_academic_year
from edugateway.domain.person_names import short_name
from edugateway.errors import ValidationError
from edugateway.school_reports.fill import FillRow, FillTotals, fill_rows
from edugateway.school_reports.lookup import reading_order, stored_school
from edugateway.school_reports.model import Column, SchoolReport, Table, Value, percent
from edugateway.school_reports.naming import report_stem
from edugateway.store.db import Database
from edugateway.store.names import class_names_by_id, person_names_by_id, subject_names_by_id
from edugateway.store.school_report_reads import Span, class_pupils, lesson_fill, pupil_marks
from edugateway.store.school_year import SchoolYear

TITLE = "Отчёт о заполнении электронного журнала и накопляемости отметок"
BASIS = "Инструкция по ведению ЭЖ, п. 5.2 (004); контрольные показатели — 000 §3.4.8, 004 §3.5"
MONTHS = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

FILL_COLUMNS = [
    Column("teacher", "Учитель"),
    Column("class", "Класс"),
    Column("subject", "Предмет"),
    Column("lessons", "Уроков проведено", "count"),
    Column("with_topic", "С темой", "count"),
    Column("topic_percent", "С темой, %", "percent"),
    Column("with_homework", "С домашним заданием", "count"),
    Column("homework_percent", "С ДЗ, %", "percent"),
    Column("marks", "Отметок выставлено", "count"),
    Column("pupils", "Обучающихся", "count"),
    Column("unmarked", "Без отметок", "count"),
    Column("unmarked_percent", "Без отметок, %", "percent"),
    Column("one_mark", "С одной отметкой", "count"),
    Column("one_mark_percent", "С одной отметкой, %", "percent"),
    Column("lessons_per_mark", "Уроков на одну отметку ученика", "ratio"),
    Column("norm", "Накопляемость в норме (1 раз в 3–4 урока)"),
]
TEACHER_COLUMNS = [
    Column("teacher", "Учитель"),
    Column("lessons", "Уроков проведено", "count"),
    Column("topic_percent", "С темой, %", "percent"),
    Column("homework_percent", "С ДЗ, %", "percent"),
    Column("marks", "Отметок выставлено", "count"),
    Column("unmarked_percent", "Обучающихся без отметок, %", "percent"),
    Column("one_mark_percent", "С одной отметкой, %", "percent"),
    Column("below_norm", "Классов и предметов с накопляемостью ниже нормы", "count"),
]
FIGURE_COLUMNS = [
    Column("figure", "Контрольный показатель"),
    Column("month", "За месяц", "percent"),
    Column("year", "С начала учебного года", "percent"),
]
NO_PARENTS = (
    "Процент участия родителей и обучающихся (000 §3.4.8) не рассчитан: платформы не передают шлюзу входы "
    "родителей и обучающихся."
)


def parse_month(text: str) -> tuple[int, int]:
    """(year, month) of «YYYY-MM»; ValidationError saying the form otherwise."""
    found = _MONTH.match(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValidationError(f"month {text!r} is not in the form YYYY-MM, e.g. 2026-11")
    return int(found.group(1)), int(found.group(2))


def month_span(year: int, month: int) -> Span:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def year_start(session: Session, school_id: int, day: dt.date) -> dt.date:
    """The first day of the school year holding `day`: its first reporting period's start, else 1 September."""
    academic_year = current_academic_year(day)
    starts = [p.start_date for p in SchoolYear(session, school_id, academic_year).periods()]
    return min(starts, default=dt.date(academic_year, 9, 1))


def month_report(
    db: Database, school_code: str, month: str, *, now: dt.datetime | None = None, marked_from_grade: int = 2
) -> SchoolReport:
    """The report of the calendar month `month` (YYYY-MM) and of the school year up to its end. Classes below
    `marked_from_grade` are taught without marks: their filling counts, their mark figures do not."""
    year, number = parse_month(month)
    span = month_span(year, number)
    with db.session() as session:
        school = stored_school(session, school_code)
        start = year_start(session, school.id, span[0])
        classes = SchoolYear(session, school.id, current_academic_year(span[0])).classes()
        unmarked = {c.id for c in classes if c.grade < marked_from_grade}
        month_rows = _rows(session, school.id, span, unmarked)
        year_rows = _rows(session, school.id, (min(start, span[0]), span[1]), unmarked)
        names = _Names.load(session, [*month_rows, *year_rows])
    title = f"{MONTHS[number - 1]} {year} г."
    tables = [
        _figures(month_rows, year_rows),
        Table("fill_month", f"Заполнение журнала за {title}", FILL_COLUMNS, names.fills(month_rows), "За месяц"),
        Table("teachers_month", "Учителя за месяц", TEACHER_COLUMNS, names.teachers(month_rows), "Учителя"),
        Table(
            "fill_year",
            f"С начала учебного года ({start:%d.%m.%Y} – {span[1]:%d.%m.%Y})",
            FILL_COLUMNS,
            names.fills(year_rows),
            "С начала года",
        ),
    ]
    notes = [NO_PARENTS]
    if not month_rows:
        notes.insert(0, f"За {title} в журнале школы нет уроков.")
    return SchoolReport(
        kind="month",
        school_code=school.code,
        school_name=school.name,
        timezone=school.timezone,
        title=TITLE,
        subject=title,
        span=span,
        basis=BASIS,
        generated_at=now or dt.datetime.now(dt.UTC),
        stem=report_stem(school.code, "month", f"{year:04d}-{number:02d}"),
        tables=[t for t in tables if t.rows],
        notes=notes,
    )


def _rows(session: Session, school_id: int, span: Span, unmarked: set[int]) -> list[FillRow]:
    return fill_rows(
        lesson_fill(session, school_id, span),
        pupil_marks(session, school_id, span),
        class_pupils(session, school_id, span),
        unmarked,
    )


def _figures(month_rows: list[FillRow], year_rows: list[FillRow]) -> Table:
    month, year = FillTotals.of(month_rows), FillTotals.of(year_rows)

    def line(title: str, share: str) -> dict[str, Value]:
        return {"figure": title, "month": _share(month, share), "year": _share(year, share)}

    return Table(
        "figures",
        "Контрольные показатели (000 §3.4.8, 004 §3.5)",
        FIGURE_COLUMNS,
        [
            line("Участие учителей в работе с журналом", "teachers"),
            line("Обучающихся без отметок (по предметам)", "unmarked"),
            line("Обучающихся с одной отметкой (по предметам)", "one_mark"),
            line("Уроков с домашним заданием", "homework"),
            line("Уроков с темой (учёт пройденного материала)", "topic"),
        ],
        "Контрольные показатели",
    )


def _share(t: FillTotals, which: str) -> float | None:
    return {
        "teachers": percent(t.teachers_working, t.teachers),
        "unmarked": percent(t.unmarked, t.pupils),
        "one_mark": percent(t.one_mark, t.pupils),
        "homework": percent(t.with_homework, t.lessons),
        "topic": percent(t.with_topic, t.lessons),
    }[which]


class _Names:
    def __init__(self, persons: dict[int, str], classes: dict[int, str], subjects: dict[int, str]) -> None:
        self.persons, self.classes, self.subjects = persons, classes, subjects

    @classmethod
    def load(cls, session: Session, rows: list[FillRow]) -> _Names:
        persons = {
            pid: short_name(last, first, middle)
            for pid, last, first, middle in person_names_by_id(
                session, {r.teacher_id for r in rows if r.teacher_id is not None}
            )
        }
        classes = dict(class_names_by_id(session, {r.class_id for r in rows}))
        subjects = dict(subject_names_by_id(session, {r.subject_id for r in rows}))
        return cls(persons, classes, subjects)

    def teacher(self, row_id: int | None) -> str:
        return self.persons.get(row_id, "") if row_id is not None else ""

    def fill(self, r: FillRow) -> dict[str, Value]:
        return {
            "teacher": self.teacher(r.teacher_id),
            "class": self.classes.get(r.class_id, ""),
            "subject": self.subjects.get(r.subject_id, ""),
            "lessons": r.lessons,
            "with_topic": r.with_topic,
            "topic_percent": r.topic_percent,
            "with_homework": r.with_homework,
            "homework_percent": r.homework_percent,
            "marks": r.marks,
            "pupils": r.pupils,
            "unmarked": r.unmarked,
            "unmarked_percent": r.unmarked_percent,
            "one_mark": r.one_mark,
            "one_mark_percent": r.one_mark_percent,
            "lessons_per_mark": r.lessons_per_mark,
            "norm": ("да" if r.within_norm else "нет") if r.marked else "без отметок",
        }

    def fills(self, rows: list[FillRow]) -> list[dict[str, Value]]:
        """The rows by teacher, class and subject, as a deputy reads them."""
        shown = [self.fill(r) for r in rows]
        return sorted(shown, key=lambda row: tuple(reading_order(str(row[k])) for k in ("teacher", "class", "subject")))

    def teachers(self, rows: list[FillRow]) -> list[dict[str, Value]]:
        by_teacher: dict[int | None, list[FillRow]] = {}
        for r in rows:
            by_teacher.setdefault(r.teacher_id, []).append(r)
        out: list[dict[str, Value]] = []
        for teacher_id, own in by_teacher.items():
            t = FillTotals.of(own)
            out.append(
                {
                    "teacher": self.teacher(teacher_id),
                    "lessons": t.lessons,
                    "topic_percent": percent(t.with_topic, t.lessons),
                    "homework_percent": percent(t.with_homework, t.lessons),
                    "marks": t.marks,
                    "unmarked_percent": percent(t.unmarked, t.pupils),  # pupils of classes taught with marks
                    "one_mark_percent": percent(t.one_mark, t.pupils),
                    "below_norm": sum(1 for r in own if r.marked and not r.within_norm),
                }
            )
        return sorted(out, key=lambda row: reading_order(str(row["teacher"])))
