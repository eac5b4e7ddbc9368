"""`import table` into a school whose roster came from elsewhere (here the XLSX template; OneRoster alike), on
SQLite and PostgreSQL. An Аверс export has no ids, so the ids made from its rows would add a second 5А and a second
copy of every pupil; they are matched to the stored class (name and year) and persons (СНИЛС, else names and
birth date) instead, and an empty cell keeps the stored СНИЛС and class-place dates (found using the command on
the demo's school: a second 5А, and a pupil's СНИЛС erased by an export that lacks it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from edugateway.domain.models import Enrollment, Gender, Person, Role, School, SchoolClass
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.store.db import Database
from edugateway.store.roster import ParsedRoster, apply_roster
from edugateway.store.table_mapping import load_mapping
from edugateway.store.table_roster import read_table_roster
from edugateway.store.table_scope import keep_other_kinds
from edugateway.store.table_stored_ids import adopt_stored_ids
from edugateway.store.tables import ClassRow, EnrollmentRow, PersonRow
from edugateway.store.xlsx_roster import read_xlsx, write_template
from support.clerk_school import snils

CODE = "sch1"
START = dt.date(2026, 9, 1)
ANNA, OLGA = snils("112233445"), snils("223344556")


def _stored_school(database: Database, tmp_path: Path) -> None:
    def pupil(sid: str, last: str, first: str, born: dt.date, number: str) -> Person:
        return Person(
            id=sid,
            roles=frozenset({Role.STUDENT}),
            last_name=last,
            first_name=first,
            middle_name="Петровна",
            birth_date=born,
            gender=Gender.FEMALE,
            snils=number,
        )

    snapshot = SchoolSnapshot(
        school=School(code=CODE, name="МБОУ СОШ № 1"),
        classes=[SchoolClass(id="cls-5A", name="5А", grade=5, academic_year=2026)],
        persons=[
            pupil("p-anna", "Иванова", "Анна", dt.date(2015, 3, 5), ANNA),
            pupil("p-olga", "Петрова", "Ольга", dt.date(2015, 4, 6), OLGA),
        ],
        enrollments=[
            Enrollment(id=f"e-{sid}", person_id=sid, class_id="cls-5A", start_date=START)
            for sid in ("p-anna", "p-olga")
        ],
    )
    write_template(tmp_path / "roster.xlsx", snapshot)
    assert apply_roster(database, read_xlsx(tmp_path / "roster.xlsx"), CODE).rejected == []


def _export(tmp_path: Path) -> Path:
    """Anna's СНИЛС written another way, Olga's not entered in the other system, and a new pupil."""
    rows = [
        "Фамилия;Имя;Отчество;Дата рождения;Пол;СНИЛС;Класс",
        f"Иванова;Анна;Петровна;05.03.2015;Ж;{ANNA[:3]} {ANNA[3:6]} {ANNA[6:9]}-{ANNA[9:]};5 а",
        "Петрова;Ольга;Петровна;06.04.2015;Ж;;5А",
        "Новикова;Вера;;01.02.2015;Ж;;5А",
    ]
    path = tmp_path / "avers.csv"
    path.write_bytes("\r\n".join(rows).encode("cp1251"))
    return path


def _read(database: Database, path: Path) -> ParsedRoster:
    mapping = load_mapping("avers-pupils")
    roster = read_table_roster(path, mapping, today=dt.date(2026, 12, 6))
    keep_other_kinds(database, roster, CODE, mapping.record.kind)
    adopt_stored_ids(database, roster, CODE)
    return roster


def test_an_export_updates_the_stored_class_and_pupils_instead_of_adding_them_again(
    database: Database, tmp_path: Path
) -> None:
    _stored_school(database, tmp_path)
    path = _export(tmp_path)

    report = apply_roster(database, _read(database, path), CODE)

    assert report.rejected == []
    with database.session() as s:
        assert s.scalars(select(ClassRow.source_id).where(ClassRow.name == "5А")).all() == ["cls-5A"]
        pupils = {p.last_name: (p.source_id, p.snils) for p in s.scalars(select(PersonRow))}
        places = {
            (e.source_id, e.start_date, e.active)
            for e in s.scalars(select(EnrollmentRow).join(PersonRow, PersonRow.id == EnrollmentRow.person_id))
            if e.source_id.startswith("e-")
        }
    assert pupils["Иванова"] == ("p-anna", ANNA)
    assert pupils["Петрова"] == ("p-olga", OLGA)  # the empty cell kept the stored СНИЛС
    assert pupils["Новикова"][0].startswith("tbl-")
    assert len(pupils) == 3
    assert places == {("e-p-anna", START, True), ("e-p-olga", START, True)}
    assert any("matched to the school's stored records: 1 classes" in note for note in report.notes)

    again = apply_roster(database, _read(database, path), CODE)
    changed = {kind: (c.created, c.updated) for kind, c in again.counts.items() if c.created or c.updated}
    assert changed == {}
