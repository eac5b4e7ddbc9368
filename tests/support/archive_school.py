"""A small school year with finals, for the summary sheet's tests (tests/integration/archive and the CLI's).

5А (quarters) has a subgroup for English and four students, one of whom left in December; 10А (halves) has one
student; 4А is last year's class. The finals of the first quarter are chosen so every count and percentage
of the sheet is worked out by hand in EXPECTED_Q1 below.
"""

from __future__ import annotations

import datetime as dt

from edugateway.store.db import Database
from edugateway.store.tables import (
    ClassRow,
    EnrollmentRow,
    LessonRow,
    MarkRow,
    PersonRow,
    ReportingPeriodRow,
    SchoolRow,
    SubjectRow,
)

CODE = "sch42"
SCHOOL_NAME = "МАОУ СОШ № 42"
YEAR = 2026

# key -> (period kind, name, start, end); source ids are the keys.
PERIODS = {
    "y": ("year", "2026/2027 учебный год", dt.date(2026, 9, 1), dt.date(2027, 5, 26)),
    "q1": ("quarter", "1 четверть", dt.date(2026, 9, 1), dt.date(2026, 10, 25)),
    "q2": ("quarter", "2 четверть", dt.date(2026, 11, 5), dt.date(2026, 12, 28)),
    "q3": ("quarter", "3 четверть", dt.date(2027, 1, 9), dt.date(2027, 3, 21)),
    "q4": ("quarter", "4 четверть", dt.date(2027, 3, 31), dt.date(2027, 5, 26)),
    "h1": ("half", "1 полугодие", dt.date(2026, 9, 1), dt.date(2026, 12, 28)),
    "h2": ("half", "2 полугодие", dt.date(2027, 1, 9), dt.date(2027, 5, 26)),
}
SUBJECTS = {"math": "Математика", "rus": "Русский язык", "eng": "Английский язык", "phys": "Физика"}
# key -> (last, first, middle, class, enrollment end)
STUDENTS: dict[str, tuple[str, str, str | None, str, dt.date | None]] = {
    "elkin": ("Ёлкин", "Артём", "Ильич", "5А", None),
    "abramova": ("Абрамова", "Вера", "Павловна", "5А", None),
    "ezhov": ("Ежов", "Глеб", None, "5А", None),
    "borisova": ("Борисова", "Дарья", "Олеговна", "5А", dt.date(2026, 12, 20)),  # left mid-year
    "mironov": ("Миронов", "Олег", "Петрович", "10А", None),
    "old": ("Старый", "Игорь", None, "4А", None),
}
# Journal order: «Ё» sorts with «Е», after «Ежов».
ORDER_5A = ["Абрамова В. П.", "Ежов Г.", "Ёлкин А. И."]
# (student, period, subject, mark, date); Абрамова's mathematics was corrected from 4 to 5.
FINALS = [
    ("abramova", "q1", "math", "4", dt.date(2026, 10, 20)),
    ("abramova", "q1", "math", "5", dt.date(2026, 10, 24)),
    ("abramova", "q1", "rus", "5", dt.date(2026, 10, 24)),
    ("abramova", "q1", "eng", "4", dt.date(2026, 10, 24)),
    ("ezhov", "q1", "math", "3", dt.date(2026, 10, 24)),
    ("ezhov", "q1", "rus", "4", dt.date(2026, 10, 24)),  # no English final: a gap
    ("elkin", "q1", "math", "2", dt.date(2026, 10, 24)),
    ("elkin", "q1", "rus", "4", dt.date(2026, 10, 24)),
    ("elkin", "q1", "eng", "ОСВ", dt.date(2026, 10, 24)),
    ("borisova", "q1", "math", "5", dt.date(2026, 10, 24)),  # left: not on the sheet, not counted
    ("abramova", "y", "math", "5", dt.date(2027, 5, 25)),
    ("mironov", "h1", "math", "4", dt.date(2026, 12, 25)),
    ("mironov", "h1", "rus", "Н/А", dt.date(2026, 12, 25)),
    ("old", "q1", "math", "5", dt.date(2026, 10, 24)),  # a class of another year
]
# 5А, 1 четверть: three students × three subjects.
EXPECTED_Q1 = {
    "counts": {"5": 2, "4": 3, "3": 1, "2": 1, "Н/А": 0, "ОСВ": 1, "зачёт": 0, "незачёт": 0, "нет отметки": 1},
    "successful": 2,  # Абрамова, Ежов (a gap is not a fail)
    "quality": 1,  # Абрамова only: Ежов has a «3»
    "success_percent": 66.7,
    "quality_percent": 33.3,
}


def add_archive_school(db: Database) -> None:
    with db.session() as session:
        school = SchoolRow(code=CODE, name=SCHOOL_NAME, timezone="Asia/Yekaterinburg")
        session.add(school)
        session.flush()
        sid = school.id
        subjects = {k: SubjectRow(school_id=sid, source_id=k, name=name) for k, name in SUBJECTS.items()}
        periods = {
            k: ReportingPeriodRow(
                school_id=sid, source_id=k, name=name, kind=kind, academic_year=YEAR, start_date=start, end_date=end
            )
            for k, (kind, name, start, end) in PERIODS.items()
        }
        session.add_all([*subjects.values(), *periods.values()])
        session.flush()
        classes = {
            "5А": ClassRow(school_id=sid, source_id="c5a", name="5А", grade=5, academic_year=YEAR),
            "10А": ClassRow(school_id=sid, source_id="c10a", name="10А", grade=10, academic_year=YEAR),
            "4А": ClassRow(school_id=sid, source_id="c4a", name="4А", grade=4, academic_year=YEAR - 1),
        }
        session.add_all(classes.values())
        session.flush()
        english = ClassRow(
            school_id=sid,
            source_id="c5a-eng",
            name="5А Английский язык, группа 1",
            grade=5,
            academic_year=YEAR,
            parent_id=classes["5А"].id,
            subject_id=subjects["eng"].id,
        )
        session.add(english)
        session.flush()
        lessons = [("5А", "math"), ("5А", "rus"), ("10А", "math"), ("10А", "rus"), ("10А", "phys")]
        for n, (cls, subject) in enumerate(lessons):
            session.add(
                LessonRow(
                    school_id=sid,
                    source_id=f"l{n}",
                    date=dt.date(2026, 9, 2),
                    number=n + 1,
                    class_id=classes[cls].id,
                    subject_id=subjects[subject].id,
                )
            )
        persons: dict[str, PersonRow] = {}
        for key, (last, first, middle, cls, end) in STUDENTS.items():
            persons[key] = PersonRow(
                school_id=sid, source_id=key, roles="student", last_name=last, first_name=first, middle_name=middle
            )
            session.add(persons[key])
            session.flush()
            session.add(
                EnrollmentRow(
                    school_id=sid,
                    source_id=f"e-{key}",
                    person_id=persons[key].id,
                    class_id=classes[cls].id,
                    role="student",
                    start_date=dt.date(2026, 9, 1),
                    end_date=end,
                )
            )
        teacher = PersonRow(school_id=sid, source_id="t1", roles="teacher", last_name="Учителева", first_name="Анна")
        session.add(teacher)
        session.flush()
        session.add(
            EnrollmentRow(
                school_id=sid, source_id="e-t1", person_id=teacher.id, class_id=classes["5А"].id, role="teacher"
            )
        )
        for n, (student, period, subject, value, day) in enumerate(FINALS):
            session.add(
                MarkRow(
                    school_id=sid,
                    source_id=f"f{n}",
                    person_id=persons[student].id,
                    value=value,
                    kind="year_final" if period == "y" else "period_final",
                    subject_id=subjects[subject].id,
                    period_id=periods[period].id,
                    date=day,
                )
            )
