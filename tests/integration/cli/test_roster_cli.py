"""`edugateway import|export|template` through the real CLI on a temporary SQLite file: exit codes and reports."""

import csv
import io
import json
import os
import re
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import write_oneroster
from edugateway.store.tables import ImportRunRow, PersonRow
from support.xlsx_cells import cells_starting_with, formula_cells

DDE = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://x","y")'


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gw.sqlite3'}"
    assert CliRunner().invoke(app, ["--database-url", url, "init-db"]).exit_code == 0
    return url


@pytest.fixture
def files(tmp_path: Path) -> Path:
    write_oneroster(generate_school(seed=11, students=60, classes=3).snapshot, tmp_path / "or")
    return tmp_path / "or"


def _run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--database-url", url, *map(str, args)])
    return result.exit_code, result.output


def test_a_clean_import_exits_0_and_prints_the_counts(url: str, files: Path) -> None:
    code, out = _run(url, "import", "oneroster", str(files), "--school", "sch125")
    assert code == 0, out
    assert "person" in out
    # One row per kind of record, named as the import report's JSON and the audit rows name it.
    rows = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    assert rows == ["school", "subject", "class", "person", "parent_link", "enrollment", "period"]
    assert "0 rows rejected" in out
    code, out = _run(url, "import", "oneroster", str(files), "--school", "sch125", "--dry-run")
    assert code == 0, out
    assert "dry run: nothing was written" in out


def test_rejected_rows_exit_1_are_listed_and_written_to_the_report(url: str, files: Path, tmp_path: Path) -> None:
    with (files / "enrollments.csv").open("a", encoding="utf-8") as fh:
        fh.write("enr-x,,,cls-nowhere,sch125,s00001,student,false,,\r\n")
    report = tmp_path / "problems.csv"
    code, out = _run(url, "import", "oneroster", str(files), "--school", "sch125", "--report", str(report))
    assert code == 1, out
    assert "cls-nowhere" in out
    text = report.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "kind,file,line,reason"
    assert "rejected,enrollments.csv," in text
    # Without --report the list goes next to the input.
    code, _ = _run(url, "import", "oneroster", str(files), "--school", "sch125")
    assert code == 1
    assert (files.parent / "or-import-problems.csv").exists()


def test_a_mass_delete_is_held_with_exit_3_and_advice(url: str, files: Path, tmp_path: Path) -> None:
    assert _run(url, "import", "oneroster", str(files), "--school", "sch125")[0] == 0
    users = files / "users.csv"
    lines = users.read_text(encoding="utf-8").splitlines()
    users.write_text("\r\n".join(line for line in lines if not line.startswith("s0000")) + "\r\n", encoding="utf-8")
    code, out = _run(url, "import", "oneroster", str(files), "--school", "sch125")
    assert code == 3  # on hold: nothing written until a person approves
    assert "--allow-mass-delete" in out
    code, out = _run(url, "import", "oneroster", str(files), "--school", "sch125", "--allow-mass-delete")
    assert code in (0, 1), out


def test_export_import_and_template_commands(url: str, files: Path, tmp_path: Path) -> None:
    assert _run(url, "import", "oneroster", str(files), "--school", "sch125")[0] == 0
    code, out = _run(url, "export", "oneroster", str(tmp_path / "out"), "--school", "sch125")
    assert code == 0, out
    assert "users.csv" in out
    assert (tmp_path / "out" / "manifest.csv").exists()

    code, out = _run(url, "export", "xlsx", str(tmp_path / "school.xlsx"), "--school", "sch125")
    assert code == 0, out
    code, out = _run(url, "import", "xlsx", str(tmp_path / "school.xlsx"), "--school", "sch125")
    assert code == 0, out
    assert "xlsx import" in out

    code, out = _run(url, "template", "xlsx", str(tmp_path / "blank.xlsx"))
    assert code == 0, out
    assert "Люди" in load_workbook(tmp_path / "blank.xlsx").sheetnames

    code, out = _run(url, "export", "oneroster", str(tmp_path / "x"), "--school", "nope")
    assert code == 2
    assert "not in the database" in out
    code, out = _run(url, "import", "oneroster", str(tmp_path / "missing"), "--school", "sch125")
    assert code == 2
    assert "not a directory" in out


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_problems_csv_masks_snils_neutralises_formulas_and_is_the_owners_only(
    url: str, files: Path, tmp_path: Path
) -> None:
    """Issue 14, findings 1 and 8: the problem list a clerk opens in Excel carries no full SNILS, no field a
    spreadsheet would run, and nobody else can read it."""
    assert _run(url, "import", "oneroster", str(files), "--school", "sch125")[0] == 0
    workbook = tmp_path / "=roster.xlsx"  # the file name is in every problem row
    assert _run(url, "export", "xlsx", str(workbook), "--school", "sch125")[0] == 0
    book = load_workbook(workbook)
    people = book["Люди"]
    held = str(people.cell(2, 8).value)  # «СНИЛС» of the first person
    people.cell(3, 8, value=held)  # the second person claims the first one's number
    people.cell(4, 3, value="=cmd|' /C calc'!A0").data_type = "s"
    book.save(workbook)
    code, out = _run(url, "import", "xlsx", str(workbook), "--school", "sch125")
    assert code == 1, out
    problems = tmp_path / "=roster-import-problems.csv"
    assert _mode(problems) == 0o600
    text = problems.read_text(encoding="utf-8-sig")
    digits = re.sub(r"\D", "", held)
    assert "уже записан у человека" in text  # issue 17: in the clerk's words
    assert "already belongs to person" not in text
    assert f"***-***-*{digits[7:9]} **" in text
    assert held not in text
    assert held not in out
    database = Database(url)  # the import journal keeps the reason, not the number
    with database.session() as session:
        journal = session.scalars(select(ImportRunRow.problems).order_by(ImportRunRow.id.desc())).first()
    database.dispose()
    assert "already belongs to person" in json.dumps(journal, ensure_ascii=False)
    assert digits not in re.sub(r"\D", "", json.dumps(journal))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == "'=roster.xlsx:Люди"
    assert any(row[3].startswith('столбец «Фамилия» начинается с "="') for row in rows)
    assert not any(field.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for field in row)


def test_exports_are_the_owners_only_and_hold_no_formula(url: str, files: Path, tmp_path: Path) -> None:
    """Issue 14, findings 1 and 8: `export xlsx` and `export oneroster` write files only their owner can read,
    whatever the umask; a name the school's own system stored as a formula is a text cell in the XLSX."""
    assert _run(url, "import", "oneroster", str(files), "--school", "sch125")[0] == 0
    database = Database(url)
    with database.session() as session:
        session.execute(update(PersonRow).where(PersonRow.source_id == "s00001").values(last_name=DDE))
        session.execute(update(PersonRow).where(PersonRow.source_id == "s00002").values(first_name=LINK))
    database.dispose()
    before = os.umask(0o002)
    try:
        assert _run(url, "export", "xlsx", str(tmp_path / "school.xlsx"), "--school", "sch125")[0] == 0
        assert _run(url, "export", "oneroster", str(tmp_path / "out"), "--school", "sch125")[0] == 0
    finally:
        os.umask(before)
    assert _mode(tmp_path / "school.xlsx") == 0o600
    assert {f.name: _mode(f) for f in (tmp_path / "out").iterdir()} == {
        f.name: 0o600 for f in (tmp_path / "out").iterdir()
    }
    assert _mode(tmp_path / "out" / "users.csv") == 0o600
    assert formula_cells(tmp_path / "school.xlsx") == []
    cells = cells_starting_with(tmp_path / "school.xlsx", ("=",))
    assert {(c.sheet, c.value, c.xml_type, c.quote_prefix) for c in cells} == {
        ("Люди", DDE, "inlineStr", True),
        ("Люди", LINK, "inlineStr", True),
    }
    # OneRoster is for machines: the stored value goes out as it is.
    assert DDE in (tmp_path / "out" / "users.csv").read_text(encoding="utf-8")
