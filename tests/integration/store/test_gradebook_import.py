"""A OneRoster 1.2 gradebook set (tests/fixtures/oneroster_gradebook) through `apply_journal`, on SQLite and
PostgreSQL: results land as local marks on the lessons their line items' class and day name, the work's category
becomes the work type and weight, the finals go to their period and the year, exempt is ОСВ, and a second import
of the same set changes nothing. Issue 18: «OneRoster 1.2 gradebook files … for works and marks»."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from edugateway.domain.models import (
    Enrollment,
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
from edugateway.store.journal_apply import apply_journal
from edugateway.store.journal_csv import read_journal_csv
from edugateway.store.journal_set import LOCAL_ORIGIN, JournalKind
from edugateway.store.oneroster.gradebook import read_gradebook
from edugateway.store.roster import apply_roster
from edugateway.store.tables import LessonRow, MarkRow, PersonRow, ReportingPeriodRow
from edugateway.store.xlsx_roster import read_xlsx, write_template
from support.fixture_files import FIXTURES
from support.journal_school import write_csv

CODE = "sch-1"
GRADEBOOK = FIXTURES / "oneroster_gradebook"


def _roster() -> SchoolSnapshot:
    """The roster the fixture set's ids name: 5А, its mathematics group, two pupils, the year and a quarter."""
    return SchoolSnapshot(
        school=School(code=CODE, name="МБОУ СОШ № 1"),
        subjects=[Subject(id="crs-math", name="Математика")],
        classes=[
            SchoolClass(id="c-5a", name="5А", grade=5, academic_year=2026),
            SchoolClass(
                id="c-5a-math",
                name="5А математика",
                grade=5,
                academic_year=2026,
                parent_id="c-5a",
                subject_id="crs-math",
            ),
        ],
        periods=[
            ReportingPeriod(
                id="y2027",
                name="2026/2027 учебный год",
                kind=ReportingPeriodKind.YEAR,
                academic_year=2026,
                start_date=dt.date(2026, 9, 1),
                end_date=dt.date(2027, 5, 31),
            ),
            ReportingPeriod(
                id="q1",
                name="1 четверть",
                kind=ReportingPeriodKind.QUARTER,
                academic_year=2026,
                start_date=dt.date(2026, 9, 1),
                end_date=dt.date(2026, 10, 24),
            ),
        ],
        persons=[
            Person(id=sid, roles=frozenset({Role.STUDENT}), last_name=last, first_name="Анна")
            for sid, last in (("p-1", "Иванова"), ("p-2", "Петрова"))
        ],
        enrollments=[
            Enrollment(id=f"e-{sid}-{cls}", person_id=sid, class_id=cls)
            for sid in ("p-1", "p-2")
            for cls in ("c-5a", "c-5a-math")
        ],
    )


def _school_with_lessons(database: Database, tmp_path: Path) -> None:
    write_template(tmp_path / "roster.xlsx", _roster())
    assert apply_roster(database, read_xlsx(tmp_path / "roster.xlsx"), CODE).rejected == []
    header = ["id", "class", "subject", "date", "number", "teacher", "topic", "homework"]
    rows = [[f"L-{d}", "c-5a-math", "crs-math", d, "2", "", f"Тема {d}", ""] for d in ("2026-09-07", "2026-09-21")]
    write_csv(tmp_path / "lessons" / "lessons.csv", [header, *rows])
    assert apply_journal(database, read_journal_csv(tmp_path / "lessons"), CODE).rejected == []


def test_a_gradebook_set_lands_as_local_marks_and_finals_and_a_second_import_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    _school_with_lessons(database, tmp_path)

    report = apply_journal(database, read_gradebook(GRADEBOOK), CODE)

    with database.session() as s:
        rows = s.execute(
            select(MarkRow, PersonRow.source_id, LessonRow.source_id, ReportingPeriodRow.source_id)
            .join(PersonRow, PersonRow.id == MarkRow.person_id)
            .outerjoin(LessonRow, LessonRow.id == MarkRow.lesson_id)
            .outerjoin(ReportingPeriodRow, ReportingPeriodRow.id == MarkRow.period_id)
        ).all()
        got = {
            m.source_id: (person, m.value, m.kind, lesson, period, m.work_type, m.weight, m.origin)
            for m, person, lesson, period in rows
        }
    assert got == {
        "r-1": ("p-1", "5", "lesson", "L-2026-09-07", None, None, 1, LOCAL_ORIGIN),
        "r-2": ("p-2", "4", "lesson", "L-2026-09-07", None, None, 1, LOCAL_ORIGIN),  # «хорошо» on the 5-point scale
        "r-3": ("p-1", "4", "work", "L-2026-09-21", None, "Контрольная работа", 3, LOCAL_ORIGIN),  # 78 %
        "r-4": ("p-2", "ОСВ", "work", "L-2026-09-21", None, "Контрольная работа", 3, LOCAL_ORIGIN),  # exempt
        "r-6": ("p-1", "5", "period_final", None, "q1", None, 1, LOCAL_ORIGIN),
        "r-7": ("p-1", "4", "year_final", None, "y2027", None, 1, LOCAL_ORIGIN),
    }
    # r-5 is a submitted, ungraded work of a pupil this school does not have: no mark, and said so.
    assert report.counts[JournalKind.MARK].created == 4
    assert report.counts[JournalKind.FINAL].created == 2

    again = apply_journal(database, read_gradebook(GRADEBOOK), CODE)
    assert again.counts[JournalKind.MARK].created == again.counts[JournalKind.MARK].updated == 0
    assert again.counts[JournalKind.FINAL].created == again.counts[JournalKind.FINAL].updated == 0
