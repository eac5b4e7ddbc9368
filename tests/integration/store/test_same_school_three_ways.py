"""Issue 18, «Done when»: «A OneRoster 1.1 set and a `;`-separated cp1251 export through a mapping import the same
school as the OneRoster 1.2 set does.» One generated school is written as a OneRoster 1.2 set, converted to 1.1
and to Аверс-style pupils and staff exports (tests/support/avers_export.py), and each is imported as a school of
its own into the same database (SQLite and PostgreSQL).

The three must hold the same pupils (names, birth date, gender, SNILS, the SNILS value that was refused), each
in the class of the same name and grade, and the same teachers and staff. The Аверс export carries no ids,
subgroups, parents, reporting periods, subjects or enrollment dates, so those are compared between the two
OneRoster editions only (tests/integration/store/test_oneroster11_import.py compares them whole)."""

import datetime as dt
from pathlib import Path

import pytest

from edugateway.domain.models import EnrollmentRole, Person, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import ParsedRoster, apply_roster
from edugateway.store.snapshots import load_snapshot
from edugateway.store.table_mapping import TableKind, load_mapping
from edugateway.store.table_roster import read_table_roster
from edugateway.store.table_scope import keep_other_kinds
from support.avers_export import to_avers
from support.oneroster11 import to_oneroster11

TODAY = dt.date(2026, 12, 1)  # the generated school's year is 2026/2027
PersonKey = tuple[str, str, str | None, dt.date | None, str | None, str | None, str | None]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("three-ways")
    school = generate_school(seed=11, students=150, classes=6).snapshot
    write_oneroster(school, root / "v12")
    to_oneroster11(root / "v12", root / "v11")
    to_avers(school, root / "pupils.csv", root / "staff.csv")
    return root


def _key(p: Person) -> PersonKey:
    gender = p.gender.value if p.gender else None
    return (p.last_name, p.first_name, p.middle_name, p.birth_date, gender, p.snils, p.snils_rejected)


def _what_avers_carries(s: SchoolSnapshot) -> tuple[set[tuple[PersonKey, str, int]], set[tuple[PersonKey, str]]]:
    """(pupil, class name, grade) for every pupil in a class; (person, roles) for every teacher and staff member."""
    classes = {c.id: c for c in s.classes}
    persons = {p.id: p for p in s.persons}
    pupils = {
        (_key(persons[e.person_id]), classes[e.class_id].name, classes[e.class_id].grade)
        for e in s.enrollments
        if e.role is EnrollmentRole.STUDENT and classes[e.class_id].parent_id is None
    }
    staff = {(_key(p), ",".join(sorted(p.roles))) for p in s.persons if p.roles & {Role.TEACHER, Role.STAFF}}
    return pupils, staff


def _import_avers(db: Database, root: Path, code: str) -> list[str]:
    # The export does not describe the school: it is registered first, as a clerk does once.
    generated = read_oneroster(root / "v12").school
    assert generated is not None
    apply_roster(db, ParsedRoster(source="table", location="test", school=generated), code)
    notes = []
    for file, name in (("pupils.csv", "avers-pupils"), ("staff.csv", "avers-staff")):
        mapping = load_mapping(name)
        roster = read_table_roster(root / file, mapping, today=TODAY)
        keep_other_kinds(db, roster, code, mapping.record.kind)
        report = apply_roster(db, roster, code)
        assert report.rejected == []
        notes += report.notes
    return notes


def test_oneroster_12_11_and_an_avers_export_import_the_same_school(database: Database, exports: Path) -> None:
    apply_roster(database, read_oneroster(exports / "v12"), "or12")
    apply_roster(database, read_oneroster(exports / "v11"), "or11")
    notes = _import_avers(database, exports, "avers")
    assert notes[0] == "pupils.csv read as cp1251, columns separated by «;» (detected: encoding, delimiter)"

    v12, v11, avers = (load_snapshot(database, code) for code in ("or12", "or11", "avers"))
    pupils12, staff12 = _what_avers_carries(v12)
    assert len(pupils12) == 150
    assert len(staff12) >= 10
    assert _what_avers_carries(v11) == (pupils12, staff12)
    assert _what_avers_carries(avers) == (pupils12, staff12)
    # What the export cannot carry is absent, not invented.
    assert avers.parent_links == []
    assert avers.periods == []
    assert avers.subjects == []
    assert all(c.parent_id is None for c in avers.classes)
    assert {c.name for c in avers.classes} == {c.name for c in v12.classes if c.parent_id is None}


def test_a_second_avers_import_changes_nothing_and_leaves_the_other_kind_alone(
    database: Database, exports: Path
) -> None:
    """Derived ids: the next export of the same school updates nothing; a pupils file in bulk does not deactivate
    the staff, nor a staff file the pupils."""
    _import_avers(database, exports, "avers")
    before = load_snapshot(database, "avers")
    for file, name in (("pupils.csv", "avers-pupils"), ("staff.csv", "avers-staff")):
        mapping = load_mapping(name)
        roster = read_table_roster(exports / file, mapping, today=TODAY)
        keep_other_kinds(database, roster, "avers", mapping.record.kind)
        report = apply_roster(database, roster, "avers")
        changed = {k: (c.created, c.updated, c.deactivated) for k, c in report.counts.items()}
        assert all(v == (0, 0, 0) for v in changed.values()), (file, changed)
    assert load_snapshot(database, "avers") == before


def test_without_keeping_the_other_kind_a_pupils_file_would_retire_the_staff(database: Database, exports: Path) -> None:
    """Why keep_other_kinds exists: a bulk file of one kind of person would otherwise deactivate the other kind."""
    _import_avers(database, exports, "avers")
    mapping = load_mapping("avers-pupils")
    roster = read_table_roster(exports / "pupils.csv", mapping, today=TODAY)
    report = apply_roster(database, roster, "avers", dry_run=True)
    assert mapping.record.kind is TableKind.PUPILS
    assert report.counts["person"].deactivated == len(_what_avers_carries(load_snapshot(database, "avers"))[1])
