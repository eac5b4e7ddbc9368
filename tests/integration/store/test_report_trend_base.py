"""The trend of a night's report ("600 ▲ +5") is computed against one previous report, whether the director reads
the HTML file the night wrote or the page in the web app (issue 17: the file said "600 ▲ +5", the page "600 —").

The file took the last finished run with a smaller id; the page the last finished night before this one. They
differ when a night is (re)run after a later one, e.g. `reconcile --as-of` for a missed night."""

from __future__ import annotations

import datetime as dt

from edugateway.store.db import Database
from edugateway.store.reports import finish_report, report_record, start_report, summary_before
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import SchoolRow


def _school(db: Database) -> int:
    with db.session() as session:
        school = SchoolRow(code="sch7", name="МАОУ СОШ № 7")
        session.add(school)
        session.flush()
        return school.id


def _night(db: Database, school_id: int, day: int, cases: int) -> int:
    report_id = start_report(db, school_id=school_id, platform="dnevnik", as_of=dt.date(2026, 11, day))
    finish_report(db, report_id, summary={"identity.open_cases": cases}, report={}, files={})
    return report_id


def test_a_missed_night_run_late_compares_with_the_night_before_it_in_the_file_as_on_the_page(
    database: Database,
) -> None:
    school_id = _school(database)
    _night(database, school_id, 20, 590)
    _night(database, school_id, 22, 595)
    late = start_report(database, school_id=school_id, platform="dnevnik", as_of=dt.date(2026, 11, 21))

    for_the_file = summary_before(database, late)  # what the night's files are rendered with, before finishing
    finish_report(database, late, summary={"identity.open_cases": 600}, report={}, files={})
    record = report_record(database, late, SchoolScope.all_schools())

    assert record is not None
    assert for_the_file == record.previous_summary == {"identity.open_cases": 590}


def test_the_first_night_has_nothing_to_compare_with_anywhere(database: Database) -> None:
    school_id = _school(database)
    first = start_report(database, school_id=school_id, platform="dnevnik", as_of=dt.date(2026, 11, 22))
    assert summary_before(database, first) is None
    finish_report(database, first, summary={"identity.open_cases": 600}, report={}, files={})
    record = report_record(database, first, SchoolScope.all_schools())
    assert record is not None
    assert record.previous_summary is None
