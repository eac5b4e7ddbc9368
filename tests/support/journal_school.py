"""A small school's roster for the journal import tests (two classes, a subgroup, a teacher), loaded through the
roster's own import, and a writer of the journal layout's CSV files."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from edugateway.domain.models import (
    Enrollment,
    EnrollmentRole,
    Person,
    ReportingPeriod,
    ReportingPeriodKind,
    Role,
    School,
    SchoolClass,
    Subject,
)
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.store.db import Database
from edugateway.store.roster import apply_roster
from edugateway.store.xlsx_roster import read_xlsx, write_template

CODE = "sch1"
START = dt.date(2026, 9, 1)


def journal_roster() -> SchoolSnapshot:
    def pupil(sid: str, last: str) -> Person:
        return Person(id=sid, roles=frozenset({Role.STUDENT}), last_name=last, first_name="Анна")

    return SchoolSnapshot(
        school=School(code=CODE, name="МБОУ СОШ № 1"),
        subjects=[Subject(id="subj-math", name="Математика"), Subject(id="subj-eng", name="Английский язык")],
        classes=[
            SchoolClass(id="cls-5A", name="5А", grade=5, academic_year=2026),
            SchoolClass(id="cls-5B", name="5Б", grade=5, academic_year=2026),
            SchoolClass(
                id="cls-5A-eng-1",
                name="5А Английский, группа 1",
                grade=5,
                academic_year=2026,
                parent_id="cls-5A",
                subject_id="subj-eng",
            ),
        ],
        periods=[
            ReportingPeriod(
                id="rp-y",
                name="2026/2027 учебный год",
                kind=ReportingPeriodKind.YEAR,
                academic_year=2026,
                start_date=START,
                end_date=dt.date(2027, 5, 26),
            ),
            ReportingPeriod(
                id="rp-q1",
                name="1 четверть",
                kind=ReportingPeriodKind.QUARTER,
                academic_year=2026,
                start_date=START,
                end_date=dt.date(2026, 10, 26),
            ),
        ],
        persons=[
            pupil("s1", "Иванова"),
            pupil("s2", "Петрова"),
            pupil("s3", "Сидорова"),
            Person(id="t1", roles=frozenset({Role.TEACHER}), last_name="Смирнова", first_name="Ольга"),
        ],
        enrollments=[
            Enrollment(id="e-s1", person_id="s1", class_id="cls-5A"),
            Enrollment(id="e-s2", person_id="s2", class_id="cls-5A"),
            Enrollment(id="e-s1-eng", person_id="s1", class_id="cls-5A-eng-1"),
            Enrollment(id="e-s3", person_id="s3", class_id="cls-5B"),
            Enrollment(id="e-t1", person_id="t1", class_id="cls-5A", role=EnrollmentRole.TEACHER),
        ],
    )


def add_roster(db: Database, folder: Path) -> None:
    """The roster, through `import xlsx` as a school would load it."""
    path = folder / "roster.xlsx"
    write_template(path, journal_roster())
    report = apply_roster(db, read_xlsx(path), CODE)
    assert report.rejected == [], report.rejected


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", sep: str = ",") -> Path:
    """`rows` (the header first) as a CSV file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=sep).writerows(rows)
    return path
