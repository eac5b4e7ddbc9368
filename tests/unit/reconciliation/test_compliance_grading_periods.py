"""A class's grading periods come from the school's data, not only from half_year_grades (issue 16)."""

from __future__ import annotations

import datetime as dt

from compliance_rows import Journal, school_days
from compliance_run import build, run

from edugateway.config.settings import DnevnikSettings
from edugateway.store.db import Database
from edugateway.store.tables import ReportingPeriodRow

Q2 = (dt.date(2026, 11, 5), dt.date(2026, 12, 28))
H1 = (dt.date(2026, 9, 1), dt.date(2026, 12, 28))
AFTER_H1 = dt.date(2027, 1, 11)


def _quarters_and_halves(j: Journal) -> None:
    """A school with четверти for 5А and полугодия for 10А, as the platform's finals show; nothing configured."""
    q1 = j.period_id
    q2 = j.period("2 четверть", "quarter", *Q2)
    h1 = j.period("1 полугодие", "half", *H1)
    for name, grade, periods in (("5А", 5, (q1, q2)), ("10А", 10, (h1,))):
        cls, subj = j.klass(name, grade), j.subject(f"Алгебра {name}")
        graded, missing = j.person("Аксёнов", f"Иван{grade}"), j.person("Быков", f"Олег{grade}")
        for pupil in (graded, missing):
            j.enroll(pupil, cls)
        for day in school_days(H1[0], 4):  # four lessons in each pupil's first term, marked each time
            lesson = j.lesson(day, cls, subj)
            for pupil in (graded, missing):
                j.mark(pupil, lesson, day)
        for period in periods:
            j.mark(graded, None, AFTER_H1, kind="period_final", subject_id=subj, period_id=period)
        j.mark(missing, None, AFTER_H1, kind="period_final", subject_id=subj, period_id=periods[-1])


def test_finals_are_due_by_the_periods_the_school_grades_each_class_by(database: Database) -> None:
    """004 §4.2.3: the system administrator sets up «отчетные периоды для классов»; 000 §3.3.8: the teacher «в конце
    учебной четверти (полугодия) … выставляет отметки за четверть (полугодие)». 10А has полугодие finals on the
    platform, so it is not asked for quarter finals; 5А's pupil without a 1st-quarter final is found."""
    found = run(database, build(database, _quarters_and_halves), DnevnikSettings(base_url="http://x/"), AFTER_H1)[0]
    rows = found["compliance.final_missing"].rows
    assert [(r["class"], r["student"], r["period"]) for r in rows] == [("5А", "Быков О.", "1 четверть")]


def test_a_school_with_one_kind_of_term_grades_every_class_by_it(database: Database) -> None:
    """With полугодия only (no четверти among the school's periods), a 5th grade is checked by the half-year even
    though half_year_grades is not configured: four unmarked lessons make a finding in «1 полугодие»."""

    def fill(j: Journal) -> None:
        j.session.delete(j.session.get(ReportingPeriodRow, j.period_id))  # the fixture's quarter: none here
        j.period("1 полугодие", "half", *H1)
        cls, subj = j.klass("5Б", 5), j.subject("Литература")
        pupil = j.person("Волков", "Павел")
        j.enroll(pupil, cls)
        for day in school_days(dt.date(2026, 10, 27), 4):
            j.lesson(day, cls, subj)

    school_id = build(database, fill)
    rows = run(database, school_id, as_of=dt.date(2026, 11, 9))[0]["compliance.student_no_marks"].rows
    assert [(r["student"], r["period"], r["lessons"]) for r in rows] == [("Волков П.", "1 полугодие", 4)]
