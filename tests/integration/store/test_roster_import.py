"""Import and export against a real database, on SQLite and PostgreSQL."""

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from edugateway.domain.models import Role
from edugateway.emulators.synthetic import generate_school
from edugateway.errors import DataSafetyError
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import Mode, apply_roster
from edugateway.store.snapshots import load_snapshot
from edugateway.store.tables import AuditRow, ImportRunRow, PersonRow
from edugateway.store.xlsx_roster import read_xlsx, write_template

CODE = "sch125"


@pytest.fixture(scope="module")
def school_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("oneroster") / "or"
    write_oneroster(generate_school(seed=7, students=120, classes=6).snapshot, directory)
    return directory


def _audit_rows(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditRow)) or 0


def _rewrite(path: Path, keep: Callable[[int, str], bool]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\r\n".join(line for n, line in enumerate(lines, start=1) if keep(n, line)) + "\r\n", encoding="utf-8"
    )


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


def test_export_then_import_into_an_empty_database_gives_the_same_data(
    database: Database, school_files: Path, tmp_path: Path
) -> None:
    first = apply_roster(database, read_oneroster(school_files), CODE)
    assert first.rejected == []
    original = load_snapshot(database, CODE)
    assert len(original.persons) > 200

    write_oneroster(original, tmp_path / "export")
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    other.migrate()
    apply_roster(other, read_oneroster(tmp_path / "export"), CODE)
    assert load_snapshot(other, CODE) == original
    other.dispose()


def test_reimport_changes_nothing_and_writes_no_audit_rows(database: Database, school_files: Path) -> None:
    apply_roster(database, read_oneroster(school_files), CODE)
    audit_before = _audit_rows(database)
    assert audit_before > 0
    again = apply_roster(database, read_oneroster(school_files), CODE)
    assert all(c.created == c.updated == c.deactivated == 0 for c in again.counts.values())
    assert again.counts["person"].unchanged > 200
    assert _audit_rows(database) == audit_before
    with database.session() as s:
        runs = s.scalars(select(ImportRunRow).order_by(ImportRunRow.id)).all()
        assert [r.status for r in runs] == ["done", "done"]


def test_bad_input_is_reported_row_by_row_and_the_good_rows_land(
    database: Database, school_files: Path, tmp_path: Path
) -> None:
    d = _copy(school_files, tmp_path / "bad")
    users = d / "users.csv"
    # cp1251 from Excel, a duplicate id, an invalid SNILS, an enrollment into a class that does not exist.
    text = users.read_text(encoding="utf-8").splitlines()
    header, first = text[0], text[1]
    dup = first.replace(first.split(",")[6], "Дубль", 1)
    bad_snils = "zz1,,,true,zz1,{SNILS:112-233-445 96},Олег,Петров,,,,,,,,,,,,,sch125,,"
    users.write_bytes(("\r\n".join([header, *text[1:], dup, bad_snils]) + "\r\n").encode("cp1251"))
    with (d / "roles.csv").open("a", encoding="utf-8") as fh:
        fh.write("zz1-student,,,zz1,primary,student,,,sch125,\r\n")
    with (d / "enrollments.csv").open("a", encoding="utf-8") as fh:
        fh.write("enr-ghost,,,cls-none,sch125,zz1,student,false,2026-09-01,\r\n")
        fh.write('enr-broken,,,"cls-2026-1А\r\n')
    enrollment_lines = len((d / "enrollments.csv").read_text(encoding="utf-8").splitlines())

    report = apply_roster(database, read_oneroster(d), CODE)
    where = {(p.file, p.line): p.reason for p in report.rejected}
    dup_line = len(text) + 1
    assert "already appears on line 2" in where[("users.csv", dup_line)]
    assert "class 'cls-none' is unknown" in where[("enrollments.csv", enrollment_lines - 1)]
    assert any(f == "enrollments.csv" and line >= enrollment_lines for f, line in where)
    assert report.encodings["users.csv"] == "cp1251"
    assert any("zz1" in w.reason and "control number" in w.reason for w in report.warnings)

    snapshot = load_snapshot(database, CODE)
    zz1 = next(p for p in snapshot.persons if p.id == "zz1")
    assert zz1.snils is None
    assert zz1.snils_rejected == "112-233-445 96"
    assert len(snapshot.persons) == len(text)  # every good user, and zz1
    with database.session() as s:
        run = s.scalars(select(ImportRunRow)).one()
        assert run.problems is not None
        assert len(run.problems["rows"]) == len(report.rejected)


def test_delta_tobedeleted_deactivates_only_the_named_records(
    database: Database, school_files: Path, tmp_path: Path
) -> None:
    apply_roster(database, read_oneroster(school_files), CODE)
    before = load_snapshot(database, CODE)
    student = next(p for p in before.persons if Role.STUDENT in p.roles)
    d = tmp_path / "delta"
    d.mkdir()
    (d / "manifest.csv").write_text(
        "propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.2\r\nfile.users,delta\r\n", encoding="utf-8"
    )
    header = (school_files / "users.csv").read_text(encoding="utf-8").splitlines()[0]
    (d / "users.csv").write_text(
        header + f"\r\n{student.id},tobedeleted,2026-12-01T09:00:00Z,false,{student.id},,"
        f"{student.first_name},{student.last_name},,,,,,,,,,,,,sch125,,\r\n",
        encoding="utf-8",
    )
    report = apply_roster(database, read_oneroster(d), CODE)
    assert report.mode == "delta"
    assert report.counts["person"].deactivated == 1
    after = load_snapshot(database, CODE)
    assert {p.id for p in before.persons} - {p.id for p in after.persons} == {student.id}
    assert all(e.person_id != student.id for e in after.enrollments)
    assert len(after.classes) == len(before.classes)


def test_a_bulk_import_that_drops_many_students_is_refused_unless_allowed(
    database: Database, school_files: Path, tmp_path: Path
) -> None:
    apply_roster(database, read_oneroster(school_files), CODE)
    d = _copy(school_files, tmp_path / "half")
    _rewrite(d / "users.csv", lambda n, line: n == 1 or not line.startswith("s") or n % 3 != 0)
    audit_before = _audit_rows(database)
    with pytest.raises(DataSafetyError, match="--allow-mass-delete"):
        apply_roster(database, read_oneroster(d), CODE)
    assert _audit_rows(database) == audit_before
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(PersonRow).where(PersonRow.active.is_(False))) == 0
        assert s.scalars(select(ImportRunRow.status).order_by(ImportRunRow.id)).all() == ["done", "refused"]
    # A delta import of the same file removes nobody, so it is not refused.
    apply_roster(database, read_oneroster(d), CODE, mode=Mode.DELTA)
    report = apply_roster(database, read_oneroster(d), CODE, allow_mass_delete=True)
    assert report.counts["person"].deactivated > 10


def test_dry_run_counts_but_writes_nothing(database: Database, school_files: Path) -> None:
    report = apply_roster(database, read_oneroster(school_files), CODE, dry_run=True)
    assert report.counts["person"].created > 200
    assert report.run_id is None
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(PersonRow)) == 0
        assert s.scalar(select(func.count()).select_from(ImportRunRow)) == 0


def test_xlsx_export_and_import_round_trip(database: Database, school_files: Path, tmp_path: Path) -> None:
    apply_roster(database, read_oneroster(school_files), CODE)
    original = load_snapshot(database, CODE)
    write_template(tmp_path / "school.xlsx", original)
    # Importing its own export back changes nothing.
    again = apply_roster(database, read_xlsx(tmp_path / "school.xlsx"), CODE)
    assert again.rejected == []
    assert all(c.created == c.updated == c.deactivated == 0 for c in again.counts.values())
    other = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    other.migrate()
    apply_roster(other, read_xlsx(tmp_path / "school.xlsx"), CODE)
    assert load_snapshot(other, CODE) == original
    other.dispose()


SIGNS = ("=", "+", "-", "@")
FORMULAS = {
    "familyName": '=HYPERLINK("http://x","y")',
    "givenName": "=cmd|' /C calc'!A0",
    "middleName": "@SUM(1+1)",
}


def _edit_csv(path: Path, edit: Callable[[list[dict[str, str]]], None]) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or ()), list(reader)
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def test_oneroster_import_refuses_formula_looking_names_row_by_row(
    database: Database, school_files: Path, tmp_path: Path
) -> None:
    """Issue 14: a name a spreadsheet would run (= + - @, after a tab too) is refused with a per-row problem,
    counted, never stored; a double surname with a hyphen inside is an ordinary name."""
    d = _copy(school_files, tmp_path / "formulas")
    refused: dict[str, tuple[str, str]] = {}

    def users(rows: list[dict[str, str]]) -> None:
        students = [r for r in rows if r["sourcedId"].startswith("s")]
        for row, (column, value) in zip(students, [*FORMULAS.items(), ("familyName", "\t+7")], strict=False):
            row[column] = value
            refused[row["sourcedId"]] = (column, value.strip()[0])
        students[4]["familyName"] = "Римская-Корсакова"

    _edit_csv(d / "users.csv", users)
    _edit_csv(d / "classes.csv", lambda rows: rows[0].update(title="-1+1"))
    report = apply_roster(database, read_oneroster(d), CODE)
    # Their links and enrollments are rejected too, each with its own reason: nothing is dropped silently.
    assert {p.reason for p in report.rejected if p.reason.startswith("user ")} == {
        f'user {sid!r}: {column} begins with "{sign}", which a spreadsheet runs as a formula; write it without '
        "that sign"
        for sid, (column, sign) in refused.items()
    }
    assert any(p.file == "classes.csv" and 'title begins with "-"' in p.reason for p in report.rejected)
    snapshot = load_snapshot(database, CODE)
    assert not set(refused) & {p.id for p in snapshot.persons}
    assert "Римская-Корсакова" in {p.last_name for p in snapshot.persons}
    assert not any(c.name.startswith(SIGNS) for c in snapshot.classes)


def test_xlsx_import_refuses_formula_looking_names_row_by_row(
    database: Database, school_files: Path, tmp_path: Path
) -> None:
    apply_roster(database, read_oneroster(school_files), CODE)
    path = tmp_path / "school.xlsx"
    write_template(path, load_snapshot(database, CODE))
    book = load_workbook(path)
    people = book["Люди"]
    for row, value in zip((2, 3, 4, 5), [*FORMULAS.values(), "-2+3"], strict=True):
        cell = people.cell(row, 3, value=value)  # «Фамилия»
        cell.data_type = "s"  # typed as text, as a clerk pasting it would leave it
    people.cell(6, 3, value="Римская-Корсакова")
    book["Предметы"].cell(2, 2, value="+Математика")
    book.save(path)
    report = apply_roster(database, read_xlsx(path), CODE)
    refusals = {(p.file, p.line): p.reason for p in report.rejected}
    for row, sign in zip((2, 3, 4, 5), "==@-", strict=True):
        assert refusals[("school.xlsx:Люди", row)] == (
            f'column «Фамилия» begins with "{sign}", which a spreadsheet runs as a formula; write it without that sign'
        )
    assert 'column «Название» begins with "+"' in refusals[("school.xlsx:Предметы", 2)]
    assert all(c.rejected == 0 for c in report.counts.values())  # refused while reading: nothing was applied
    names = {p.last_name for p in load_snapshot(database, CODE).persons}
    assert "Римская-Корсакова" in names
    assert not any(name.startswith(SIGNS) for name in names)


def test_oneroster_export_import_export_is_byte_identical_and_not_neutralised(
    database: Database, school_files: Path, tmp_path: Path
) -> None:
    """OneRoster CSV is for machines: values go out exactly as stored (no leading ' added), so a round trip
    gives the same bytes; a phone number's leading + stays."""
    d = _copy(school_files, tmp_path / "src")
    _edit_csv(d / "users.csv", lambda rows: rows[0].update(phone="+79001234567", familyName="Римская-Корсакова"))
    apply_roster(database, read_oneroster(d), CODE)
    write_oneroster(load_snapshot(database, CODE), tmp_path / "first")
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    other.migrate()
    apply_roster(other, read_oneroster(tmp_path / "first"), CODE)
    write_oneroster(load_snapshot(other, CODE), tmp_path / "second")
    other.dispose()
    first = {f.name: f.read_bytes() for f in (tmp_path / "first").iterdir()}
    assert first == {f.name: f.read_bytes() for f in (tmp_path / "second").iterdir()}
    assert b",+79001234567," in first["users.csv"]
    assert b",'" not in first["users.csv"]
